"""Pods: an infra container holding net, ipc, uts (and pid) for its members."""
from conftest import brick_only, new_id, ISSUED_IDS

pytestmark = brick_only


def pod_name():
    n = new_id()
    ISSUED_IDS.add("pod-" + n)
    return n


def test_pod_lifecycle(brick):
    pod = pod_name()
    brick.ok("pod", "create", "--share-pid", pod)
    m = new_id()
    brick.ok("do", "-d", "--pod", pod, "--name", m, "sleep", "60")
    ls = brick.ok("pod", "ls").stdout
    assert pod in ls and m in ls and "net,ipc,uts,pid" in ls
    assert brick.ok("exec", m, "hostname").stdout.strip() == pod
    ps = brick.ok("exec", m, "ps", "-e", "-o", "comm=").stdout.split()
    assert "sleep" in ps and ps.count("sleep") >= 2  # the pause loop and the member's
    cp = brick("pod", "rm", pod)
    assert cp.returncode == 1 and "running members" in cp.stderr
    brick.ok("pod", "rm", "--force", pod)
    assert not [p for p in brick.root.iterdir() if not p.name.startswith(".")]


def test_pod_errors(brick):
    cp = brick("do", "--pod", "nopod", "true")
    assert cp.returncode == 1 and 'pod "nopod" does not exist' in cp.stderr
    cp = brick("pod", "rm", "nopod")
    assert cp.returncode == 1 and "does not exist" in cp.stderr


def test_pod_create_of_an_existing_pod_names_it(brick):
    pod = pod_name()
    brick.ok("pod", "create", pod)
    cp = brick("pod", "create", pod)
    assert cp.returncode == 1
    assert cp.stderr.strip() == (f'brick: pod create: pod "{pod}" already exists (its infra container '
                                 f'"pod-{pod}"; \'brick pod rm {pod}\' first)')
    assert brick.state("pod-" + pod)["status"] == "running"  # the first is untouched
    brick.ok("pod", "rm", pod)
