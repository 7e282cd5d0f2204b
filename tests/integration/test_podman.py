"""Podman (with conmon) driving the runtime under test.

Podman gets its own everything: storage (vfs: no overlay mounts), runroot,
tmpdir, events file, containers.conf and storage.conf (tests/engines/) in a
temp dir, cgroupfs as the cgroup manager under a cgroup parent named for this
session, no network (--network none / container: / pods). The runtime is a
wrapper (tests/engines/brick-wrapper.sh) that gives it a private --root. The
image is a busybox rootfs (tests/helpers/mkrootfs.sh) imported with
`podman import`: no registry.

Skipped when podman or conmon is not installed (apt-get install podman).
"""
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from conftest import BRICK, REPO, heavy, pty_run, run_cmd, wait_for, _umount_under

ENGINES = REPO / "tests" / "engines"
IMAGE = "localhost/busybox:latest"

pytestmark = [heavy, pytest.mark.skipif(not (shutil.which("podman") and shutil.which("conmon")),
                                        reason="podman/conmon not installed (apt-get install podman)")]


def _template(src, dst, **subst):
    text = Path(src).read_text()
    for k, v in subst.items():
        text = text.replace(f"@{k}@", str(v))
    Path(dst).write_text(text)


class Podman:
    def __init__(self, d):
        self.dir = Path(d)
        self.cgroup_parent = "/brick-podman-" + self.dir.name.rsplit("-", 1)[-1]
        self.runtime = self.dir / "brick"
        self.env = dict(os.environ, CONTAINERS_CONF=str(self.dir / "containers.conf"),
                        CONTAINERS_STORAGE_CONF=str(self.dir / "storage.conf"))
        self.base = ["podman", "--root", str(self.dir / "storage"), "--runroot", str(self.dir / "runroot"),
                     "--tmpdir", str(self.dir / "tmp"), "--cgroup-manager", "cgroupfs",
                     "--events-backend", "file", "--runtime", str(self.runtime)]

    def argv(self, *args):
        args = [str(a) for a in args]
        # every container (and its conmon) under this session's cgroup parent
        if args[:1] in (["run"], ["create"]) or args[:2] == ["pod", "create"]:
            n = 2 if args[0] == "pod" else 1
            args[n:n] = ["--cgroup-parent", self.cgroup_parent]
        return self.base + args

    def __call__(self, *args, timeout=60, input=None, check=True):
        cp = run_cmd(self.argv(*args), timeout=timeout, input=input, env=self.env)
        if check:
            assert cp.returncode == 0, f"podman {args} failed ({cp.returncode}):\n{cp.stdout}\n{cp.stderr}"
        return cp

    def inspect(self, name, fmt):
        return self("inspect", "--format", fmt, name).stdout.strip()

    def pty_run(self, *args, send=None, winsize=(40, 100), timeout=30):
        """Run podman with stdio on a new pty; return (exit status, output)."""
        env = dict(self.env)
        env.setdefault("BRICK_TEST_TAG", os.environ.get("BRICK_TEST_TAG", ""))
        return pty_run(self.argv(*args), env=env, send=send, winsize=winsize, timeout=timeout)


def _remove_cgroup_tree(name):
    """Kill what is left in /sys/fs/cgroup/*/name and remove the directories."""
    tops = [t / name for t in Path("/sys/fs/cgroup").iterdir() if (t / name).is_dir()]
    for cg in tops:
        for procs in cg.rglob("cgroup.procs"):
            try:
                for pid in procs.read_text().split():
                    os.kill(int(pid), 9)
            except OSError:
                pass
    for cg in tops:
        dirs = sorted((p for p in cg.rglob("*") if p.is_dir()), key=lambda p: len(str(p)), reverse=True)
        for sub in dirs + [cg]:
            for _ in range(50):
                try:
                    os.rmdir(sub)
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.1)


@pytest.fixture(scope="module")
def podman(base_rootfs):
    d = Path(tempfile.mkdtemp(prefix="bkpod-", dir="/tmp"))
    for sub in ("storage", "runroot", "tmp", "brick-state", "volumes"):
        (d / sub).mkdir()
    # a stable copy: rebuilding the tree during the run must not swap the binary
    shutil.copy2(BRICK, d / "brick.bin")
    keep = "".join(f"export {k}='{os.environ[k]}'\n" for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS")
                   if k in os.environ)
    _template(ENGINES / "brick-wrapper.sh", d / "brick", BRICK=d / "brick.bin", DIR=d, ENV=keep)
    os.chmod(d / "brick", 0o755)
    _template(ENGINES / "containers.conf", d / "containers.conf", DIR=d, RUNTIME=d / "brick")
    _template(ENGINES / "storage.conf", d / "storage.conf", DIR=d)
    had_cache = os.path.exists("/var/lib/containers")
    pm = Podman(d)
    tarball = d / "busybox.tar.gz"
    subprocess.run(["tar", "-C", str(base_rootfs), "--exclude=./.brick-rootfs-stamp", "-czf", str(tarball), "."],
                   check=True, timeout=60)
    try:
        pm("import", tarball, IMAGE)
        yield pm
    finally:
        # Stop and remove everything, then whatever podman and conmon left.
        pm("pod", "rm", "-a", "-f", "-t", "0", check=False)
        pm("rm", "-a", "-f", "-t", "0", check=False)
        for sj in (d / "brick-state").glob("*/state.json"):
            run_cmd([str(d / "brick"), "delete", "--force", sj.parent.name], timeout=15)
        run_cmd(pm.base + ["system", "reset", "--force"], env=pm.env, timeout=60)
        _remove_cgroup_tree(pm.cgroup_parent.lstrip("/"))
        _umount_under(d)
        shutil.rmtree(d, ignore_errors=True)
        if not had_cache:  # podman's blob-info cache for root
            shutil.rmtree("/var/lib/containers", ignore_errors=True)


@pytest.fixture
def names(podman):
    """Container names for one test; removed (forced) after it."""
    made = []

    def make(prefix="c"):
        n = f"{prefix}-{uuid.uuid4().hex[:8]}"
        made.append(n)
        return n

    yield make
    for n in reversed(made):
        podman("pod", "rm", "-f", "-t", "0", n, check=False)
        podman("rm", "-f", "-t", "0", n, check=False)


LOOP = "trap 'echo bye; exit 0' TERM; echo started; while :; do sleep 0.1; done"


def test_run_attached_output_and_status(podman):
    cp = podman("run", "--rm", IMAGE, "sh", "-c", "echo out; echo err >&2; exit 3", check=False)
    assert cp.returncode == 3, cp
    assert cp.stdout == "out\n"
    assert "err" in cp.stderr


def test_run_detached_exec_logs_stop(podman, names):
    c = names()
    podman("run", "-d", "--name", c, IMAGE, "sh", "-c", LOOP)
    assert wait_for(lambda: "started" in podman("logs", c).stdout, 10)
    assert podman("exec", c, "sh", "-c", "echo in-exec $$").stdout.startswith("in-exec ")
    assert podman("exec", c, "sh", "-c", "exit 4", check=False).returncode == 4
    assert podman("exec", "-e", "FOO=bar", "-w", "/tmp", c, "sh", "-c", "echo $FOO $PWD").stdout == "bar /tmp\n"
    ps = podman("ps", "--format", "{{.Names}} {{.Status}}").stdout
    assert re.search(rf"^{c} Up", ps, re.M), ps
    top = podman("top", c).stdout
    assert "sleep" in top or "sh" in top
    podman("stop", "-t", "10", c)
    assert podman.inspect(c, "{{.State.Status}} {{.State.ExitCode}}") == "exited 0"
    assert "bye" in podman("logs", c).stdout
    podman("rm", c)
    assert c not in podman("ps", "-a", "--format", "{{.Names}}").stdout


def test_kill_and_wait(podman, names):
    c = names()
    podman("run", "-d", "--name", c, IMAGE, "sh", "-c",
           "trap 'exit 7' USR1; echo started; while :; do sleep 0.1; done")
    assert wait_for(lambda: "started" in podman("logs", c).stdout, 10)
    podman("kill", "-s", "USR1", c)
    assert podman("wait", c).stdout.strip() == "7"
    c2 = names()
    podman("run", "-d", "--name", c2, IMAGE, "sleep", "1000")
    podman("kill", c2)  # SIGKILL
    assert podman("wait", c2).stdout.strip() == "137"


def test_run_interactive_tty(podman):
    status, out = podman.pty_run("run", "--rm", "-it", IMAGE, "sh", "-c",
                                 "tty; stty size; echo READY; read line; echo got:$line; exit 5",
                                 send="hello\n")
    assert status == 5, out
    assert "/dev/pts/0" in out
    assert "40 100" in out, out
    assert "got:hello" in out


def test_exec_tty_and_detached(podman, names):
    c = names()
    podman("run", "-d", "--name", c, IMAGE, "sleep", "1000")
    status, out = podman.pty_run("exec", "-it", c, "sh", "-c", "tty; exit 6")
    assert status == 6, out
    assert "/dev/pts/" in out
    podman("exec", "-d", c, "sh", "-c", "echo detached > /tmp/mark")
    assert wait_for(lambda: podman("exec", c, "cat", "/tmp/mark", check=False).stdout == "detached\n", 10)


def test_pause_unpause_stats_update(podman, names):
    c = names()
    podman("run", "-d", "--name", c, IMAGE, "sleep", "1000")
    podman("pause", c)
    assert podman.inspect(c, "{{.State.Status}}") == "paused"
    podman("unpause", c)
    assert podman.inspect(c, "{{.State.Status}}") == "running"
    stats = json.loads(podman("stats", "--no-stream", "--format", "json", c).stdout)
    assert stats[0]["name"] == c and stats[0]["pids"] == "1"
    podman("update", "--memory", "64m", "--cpu-shares", "512", c)
    limit = podman("exec", c, "sh", "-c",
                   "cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max")
    assert limit.stdout.strip() == str(64 << 20)


def test_restart(podman, names):
    c = names()
    podman("run", "-d", "--name", c, IMAGE, "sh", "-c", LOOP)
    pid1 = podman.inspect(c, "{{.State.Pid}}")
    podman("restart", "-t", "10", c)
    assert podman.inspect(c, "{{.State.Status}}") == "running"
    assert podman.inspect(c, "{{.State.Pid}}") != pid1
    assert wait_for(lambda: podman("logs", c).stdout.count("started") == 2, 10)


def test_share_pid_and_network_namespaces(podman, names):
    c = names()
    podman("run", "-d", "--name", c, IMAGE, "sleep", "1000")
    pid = int(podman.inspect(c, "{{.State.Pid}}"))
    net = os.readlink(f"/proc/{pid}/ns/net")
    cp = podman("run", "--rm", "--pid", f"container:{c}", "--network", f"container:{c}", IMAGE,
                "sh", "-c", "ps -o args; readlink /proc/self/ns/net")
    assert "sleep 1000" in cp.stdout
    assert cp.stdout.strip().endswith(net)


def test_pod(podman, names):
    pod = names("pod")
    podman("pod", "create", "--name", pod, "--infra-image", IMAGE, "--infra-command", "sleep 100000",
           "--share", "ipc,uts,net", "--network", "none")
    m1 = names()
    podman("run", "-d", "--pod", pod, "--name", m1, IMAGE, "sleep", "1000")
    infra = podman("pod", "inspect", "--format", "{{.InfraContainerID}}", pod).stdout.strip()
    ipid = int(podman.inspect(infra, "{{.State.Pid}}"))
    cp = podman("run", "--rm", "--pod", pod, IMAGE, "sh", "-c",
                "readlink /proc/self/ns/ipc; readlink /proc/self/ns/uts; readlink /proc/self/ns/net")
    assert cp.stdout.split() == [os.readlink(f"/proc/{ipid}/ns/{k}") for k in ("ipc", "uts", "net")]
    assert "Running" in podman("pod", "ps", "--format", "{{.Name}} {{.Status}}").stdout
    podman("pod", "stop", "-t", "0", pod)
    podman("pod", "rm", pod)


def test_runtime_error_reaches_podman(podman):
    cp = podman("run", "--rm", IMAGE, "/nonexistent", check=False)
    assert cp.returncode in (126, 127), cp
    assert "nonexistent" in cp.stderr


def test_read_only_and_tmpfs(podman):
    """--read-only (with Podman's default --read-only-tmpfs) and --tmpfs both
    ask for tmpcopyup on their tmpfs mounts."""
    cp = podman("run", "--rm", "--read-only", IMAGE, "sh", "-c",
                "touch /tmp/ok && echo tmp-ok; touch /etc/x 2>/dev/null && echo etc-writable || echo etc-ro")
    assert cp.stdout.split() == ["tmp-ok", "etc-ro"], cp
    cp = podman("run", "--rm", "--tmpfs", "/etc:rw,mode=755", IMAGE, "sh", "-c",
                "test -s /etc/passwd && echo copied; touch /etc/new && echo writable")
    assert cp.stdout.split() == ["copied", "writable"], cp


def test_workdir_and_relative_command(podman):
    cp = podman("run", "--rm", "-w", "/bin", IMAGE, "./echo", "relative-ok")
    assert cp.stdout == "relative-ok\n", cp


def test_rm_container_stop(podman, names):
    """`podman stop` of a --rm container: the runtime's delete --force of a
    container already gone must succeed quietly (exit 125 two times in three)."""
    for _ in range(3):
        c = names()
        podman("run", "-d", "--rm", "--name", c, IMAGE, "sh", "-c", LOOP)
        assert wait_for(lambda: "started" in podman("logs", c, check=False).stdout, 10)
        cp = podman("stop", "-t", "5", c, check=False)
        assert cp.returncode == 0, cp
        assert wait_for(lambda: c not in podman("ps", "-a", "--format", "{{.Names}}").stdout, 10)
