"""How the container's first process is made (core/clone_vm.c): `run` clones
the init sharing brick's memory until its execve (no page tables copied, no
copy-on-write faults); `create`, whose init outlives the brick process and
waits for `start`, forks it. kcmp(KCMP_VM) tells whether two processes share
one memory map; a createRuntime hook runs while the init waits, with brick as
its parent and the init's pid in the state on its stdin."""
import json
import platform
import sys
import time

import pytest

from conftest import BRICK, IS_BRICK, new_id, wait_for

pytestmark = pytest.mark.skipif(not IS_BRICK, reason="brick's own spawn")

KCMP_SYSCALL = {"x86_64": 312, "aarch64": 272}.get(platform.machine())


def spawn_mode(brick):
    return json.loads(brick.ok("features").stdout)["annotations"].get("io.github.brick.spawn")


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


def test_features_name_the_spawn_mode(brick):
    mode = spawn_mode(brick)
    assert mode in ("clone-vm", "fork")
    if platform.machine() == "x86_64":
        # only a sanitizer build (whose runtime keeps per-thread state) forks
        with open(BRICK, "rb") as f:
            asan = b"__asan_init" in f.read()
        assert mode == ("fork" if asan else "clone-vm")


def test_run_init_shares_memory_until_execve(brick, kcmp_bundle):
    if spawn_mode(brick) != "clone-vm":
        pytest.skip("this build forks the init")
    b, out = kcmp_bundle(["/bin/brick-probe", "exit", "7"])
    cp = brick.run(b)
    assert cp.returncode == 7, cp.stderr
    assert shares_memory(out)


def test_created_init_is_forked(brick, kcmp_bundle):
    """create's init waits for `start` after the brick process is gone."""
    b, out = kcmp_bundle(["/bin/brick-probe", "exit", "0"])
    cid = brick.create(b)
    assert not shares_memory(out)
    brick.ok("start", cid)
    brick.wait_stopped(cid)
    brick.ok("delete", cid)


def test_oom_score_adj_never_reaches_brick(brick, kcmp_bundle):
    """oom_score_adj belongs to every process that shares a memory map: an
    init that sets process.oomScoreAdj is forked, and the brick process
    keeps its own value."""
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
    """The brick process waits, blocked, for the init's first message: an
    init that fails during its setup (here: a bind mount of a missing source)
    still reports its own error, and nothing stays behind (the debris check)."""
    b = bundle(["/bin/true"])
    b.add_mount("/mnt", "bind", "/does/not/exist", ["bind"])
    cp = brick.run(b)
    assert cp.returncode != 0
    assert "/does/not/exist" in cp.stderr, cp.stderr


def test_start_container_hooks_fork(brick, kcmp_bundle):
    """startContainer hooks are the image's programs, run by the init as the
    container, inside its cgroup: one could open /proc/<init>/mem (with
    CAP_SYS_PTRACE), drive an OOM kill of the init, or kill it in the middle
    of a heap operation; with them the init is forked. So it is when brick
    logs debug messages (the log callback would run in the init)."""
    if spawn_mode(brick) != "clone-vm":
        pytest.skip("this build forks the init")
    b, out = kcmp_bundle(["/bin/true"])
    b.config["hooks"]["startContainer"] = [{"path": "/bin/true"}]
    cp = brick.run(b)
    assert cp.returncode == 0, cp.stderr
    assert not shares_memory(out)
    b, out = kcmp_bundle(["/bin/true"])
    cp = brick.run(b, global_args=("--debug",))
    assert cp.returncode == 0, cp.stderr
    assert not shares_memory(out)


@pytest.mark.parametrize("limit,shared", [(32 << 20, False), (256 << 20, True)])
def test_small_memory_limit_forks(brick, kcmp_bundle, limit, shared):
    """An OOM kill takes every process of one memory map: under a small
    limit the init is forked, so that only it could die, and brick reports."""
    if spawn_mode(brick) != "clone-vm":
        pytest.skip("this build forks the init")
    b, out = kcmp_bundle(["/bin/true"])
    b.linux.setdefault("resources", {})["memory"] = {"limit": limit}
    cp = brick.run(b)
    assert cp.returncode == 0, cp.stderr
    assert shares_memory(out) == shared


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
