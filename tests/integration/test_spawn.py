"""How the container's first process is made: forked (clone3), for `run` and
`create` alike, never sharing brick's memory (the shared-memory init was
withdrawn: docs/PERFORMANCE.md), and non-dumpable from its first instruction.
kcmp(KCMP_VM) tells whether two processes share one memory map; a
createRuntime hook runs while the init waits, with brick as its parent and
the init's pid in the state on its stdin."""
import json
import platform
import sys
import time

import pytest

from conftest import BRICK, IS_BRICK, new_id, wait_for

pytestmark = pytest.mark.skipif(not IS_BRICK, reason="brick's own spawn")

KCMP_SYSCALL = {"x86_64": 312, "aarch64": 272}.get(platform.machine())


def kcmp_hook(out):
    """A createRuntime hook: 0 in `out` when brick (the hook's parent) and the
    init share their memory, 1 or 2 when they do not (kcmp orders them)."""
    code = ("import ctypes, json, os, sys\n"
            "st = json.load(sys.stdin)\n"
            "libc = ctypes.CDLL(None, use_errno=True)\n"
            f"r = libc.syscall({KCMP_SYSCALL}, os.getppid(), st['pid'], 1, 0, 0)\n"
            f"open({str(out)!r}, 'w').write(str(r if r >= 0 else -ctypes.get_errno()))\n")
    return {"path": sys.executable, "args": [sys.executable, "-c", code]}


def shares_memory(out):
    r = int(out.read_text())
    assert r in (0, 1, 2), f"kcmp failed: errno {-r}"
    return r == 0


@pytest.fixture
def kcmp_bundle(bundle, workdir):
    if KCMP_SYSCALL is None:
        pytest.skip("kcmp syscall number unknown on " + platform.machine())

    def make(args):
        b = bundle(args)
        out = workdir / f"kcmp-{new_id()}"
        b.config["hooks"] = {"createRuntime": [kcmp_hook(out)]}
        return b, out
    return make


def test_features_name_no_spawn_mode(brick):
    assert "io.github.brick.spawn" not in json.loads(brick.ok("features").stdout)["annotations"]


def test_run_init_is_forked(brick, kcmp_bundle):
    b, out = kcmp_bundle(["/bin/brick-probe", "exit", "7"])
    cp = brick.run(b)
    assert cp.returncode == 7, cp.stderr
    assert not shares_memory(out)


@pytest.mark.parametrize("verb", ["run", "create"])
def test_init_not_dumpable_before_execve(brick, bundle, workdir, verb):
    """CVE-2016-9962: while the init sets the container up (here: during a
    createRuntime hook, before its identity switch) a process of the same
    uid without CAP_SYS_PTRACE cannot read its /proc/PID/environ or mem."""
    out = workdir / "probe.out"
    code = ("import json, subprocess, sys\n"
            "pid = json.load(sys.stdin)['pid']\n"
            "res = []\n"
            "for f in ('environ', 'mem'):\n"
            "    cp = subprocess.run(['setpriv', '--bounding-set=-all', '--inh-caps=-all', '--', 'dd',\n"
            "                         f'if=/proc/{pid}/{f}', 'of=/dev/null', 'count=1'], capture_output=True)\n"
            "    res.append(f'{f}={cp.returncode}')\n"
            f"open({str(out)!r}, 'w').write(' '.join(res))\n")
    b = bundle(["/bin/true"])
    b.config["hooks"] = {"createRuntime": [{"path": sys.executable, "args": [sys.executable, "-c", code]}]}
    if verb == "run":
        cp = brick.run(b)
        assert cp.returncode == 0, cp.stderr
    else:
        cid = brick.create(b)
        brick.ok("delete", "-f", cid)
    res = dict(kv.split("=") for kv in out.read_text().split())
    assert res == {"environ": "1", "mem": "1"}, res


def test_created_init_is_forked(brick, kcmp_bundle):
    """create's init waits for `start` after the brick process is gone."""
    b, out = kcmp_bundle(["/bin/brick-probe", "exit", "0"])
    cid = brick.create(b)
    assert not shares_memory(out)
    brick.ok("start", cid)
    brick.wait_stopped(cid)
    brick.ok("delete", cid)


def test_oom_score_adj_never_reaches_brick(brick, kcmp_bundle):
    """The init's process.oomScoreAdj is its own: the brick process keeps its
    own value."""
    b, out = kcmp_bundle(["/bin/sh", "-c", "cat /proc/self/oom_score_adj; sleep 2"])
    b.process["oomScoreAdj"] = 700
    b.write()
    with open("/proc/self/oom_score_adj") as f:
        own = f.read().strip()
    p = brick.popen("run", "--bundle", str(b.path), new_id())
    seen = []
    try:
        assert wait_for(out.exists)
        time.sleep(0.3)  # the container's sh runs by now (its sleep: 2 s)
        with open(f"/proc/{p.pid}/oom_score_adj") as f:
            seen.append(f.read().strip())
        stdout, stderr = p.communicate(timeout=30)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    assert p.returncode == 0, stderr
    assert stdout.split() == ["700"]
    assert not shares_memory(out)
    assert seen == [own]


def test_init_failure_before_its_first_message_is_reported(brick, bundle):
    """An init that fails during its setup (here: a bind mount of a missing source)
    still reports its own error, and nothing stays behind (the debris check)."""
    b = bundle(["/bin/true"])
    b.add_mount("/mnt", "bind", "/does/not/exist", ["bind"])
    cp = brick.run(b)
    assert cp.returncode != 0
    assert "/does/not/exist" in cp.stderr, cp.stderr


def test_init_killed_before_its_first_message(brick, bundle):
    """Killed before it said anything (here by its own seccomp filter, loaded
    before the identity switch: no noNewPrivileges, no CAP_SYS_ADMIN), the
    init's death ends the wait: an error, no hang, nothing left behind."""
    b = bundle(["/bin/true"])
    b.process["noNewPrivileges"] = False
    b.linux["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW",
                          "syscalls": [{"names": ["setgroups"], "action": "SCMP_ACT_KILL"}]}
    cp = brick.run(b, timeout=20)
    assert cp.returncode != 0
    assert "exited" in cp.stderr or "killed" in cp.stderr, cp.stderr
