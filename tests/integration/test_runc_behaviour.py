"""What containerd's go-runc, the runc v2 shim, CRI-O and conmon read from
the runtime: JSON shapes, pid-file timing, signals and delete in every
state. Generic: the same tests pass with BRICK=/usr/sbin/runc
(docs/ENGINES.md has the table)."""
import json
import os
import shutil
import subprocess
import time

import pytest

from conftest import VAR_TMP_PREFIX, Brick, brick_only, new_id, pid_alive, wait_for


def _running(brick, bundle, args=("/bin/sleep", "60")):
    b = bundle(list(args))
    cid = brick.create(b)
    brick.ok("start", cid)
    return cid


def test_state_json_shape(brick, bundle):
    b = bundle(["/bin/sleep", "60"])
    b.config["annotations"] = {"org.example/key": "v"}
    cid = brick.create(b)
    st = brick.state(cid)
    for k, t in (("ociVersion", str), ("id", str), ("status", str), ("pid", int), ("bundle", str)):
        assert isinstance(st.get(k), t), (k, st)
    assert st["id"] == cid and st["status"] == "created" and st["pid"] > 0
    assert st["bundle"] == str(b.path)
    assert st.get("annotations", {}).get("org.example/key") == "v"
    brick.ok("start", cid)
    assert brick.state(cid)["status"] == "running"
    brick.ok("pause", cid)
    assert brick.state(cid)["status"] == "paused"
    brick.ok("resume", cid)
    brick.ok("kill", cid, "KILL")
    brick.wait_stopped(cid)
    assert brick.state(cid)["status"] == "stopped"
    brick.ok("delete", cid)


def test_pid_file_written_before_create_returns(brick, bundle, workdir):
    """go-runc reads --pid-file as soon as create exits."""
    b = bundle(["/bin/sleep", "60"])
    b.write()
    pidfile = workdir / "init.pid"
    cid = new_id()
    brick.ok("create", "--bundle", b.path, "--pid-file", pidfile, cid)
    pid = int(pidfile.read_text())
    assert pid == brick.state(cid)["pid"] and pid_alive(pid)
    brick.ok("delete", "-f", cid)


def test_ps_and_events_json(brick, bundle):
    cid = _running(brick, bundle)
    pids = json.loads(brick.ok("ps", "--format", "json", cid).stdout)
    assert isinstance(pids, list) and brick.state(cid)["pid"] in pids
    ev = json.loads(brick.ok("events", "--stats", cid).stdout)
    assert ev["type"] == "stats" and ev["id"] == cid and isinstance(ev["data"], dict)
    assert "memory" in ev["data"] and "pids" in ev["data"]
    brick.ok("delete", "-f", cid)


def test_signals_to_a_paused_container(brick, bundle):
    """containerd stops a paused container with SIGKILL: accepted, and the
    process is gone once thawed (or at once: the kernel kills frozen tasks)."""
    cid = _running(brick, bundle)
    pid = brick.state(cid)["pid"]
    brick.ok("pause", cid)
    brick.ok("kill", cid, "KILL")
    brick("resume", cid)  # may already be stopped: SIGKILL reaches frozen tasks
    assert wait_for(lambda: not pid_alive(pid), 10)
    brick.ok("delete", cid)


def test_delete_in_every_state(brick, bundle):
    # created: delete kills the waiting init and removes the container
    b = bundle(["/bin/sleep", "60"])
    cid = brick.create(b)
    pid = brick.state(cid)["pid"]
    brick.ok("delete", cid)
    assert wait_for(lambda: not pid_alive(pid), 5)
    # running: refused without --force, names the state
    cid = _running(brick, bundle)
    cp = brick("delete", cid)
    assert cp.returncode != 0 and "running" in cp.stderr, cp.stderr
    brick.ok("delete", "--force", cid)
    # paused: --force removes it
    cid = _running(brick, bundle)
    brick.ok("pause", cid)
    brick.ok("delete", "--force", cid)
    assert brick("state", cid).returncode != 0


FREEZER = "/sys/fs/cgroup/freezer"


def _held_frozen(brick, bundle, parent):
    """A running container in /<parent>/c whose v1 freezer parent is frozen:
    no thaw of the container's own cgroup frees its tasks."""
    b = bundle(["/bin/sleep", "600"])
    b.linux["cgroupsPath"] = f"/{parent}/c"
    cid = brick.create(b)
    brick.ok("start", cid)
    with open(f"{FREEZER}/{parent}/freezer.state", "w") as f:
        f.write("FROZEN")
    assert wait_for(lambda: open(f"{FREEZER}/{parent}/c/freezer.state").read().strip() == "FROZEN", 10)
    return cid


def _thaw(parent):
    if os.path.isdir(f"{FREEZER}/{parent}"):
        with open(f"{FREEZER}/{parent}/freezer.state", "w") as f:
            f.write("THAWED")


def _thaw_and_remove(parent):
    _thaw(parent)
    for h in os.listdir("/sys/fs/cgroup"):
        for d in (f"/sys/fs/cgroup/{h}/{parent}/c", f"/sys/fs/cgroup/{h}/{parent}"):
            if os.path.isdir(d):
                assert wait_for(lambda: _rmdir(d), 10), d


def _rmdir(d):
    try:
        os.rmdir(d)
        return True
    except FileNotFoundError:
        return True
    except OSError:
        return False


@brick_only
@pytest.mark.skipif(not os.path.isdir(FREEZER), reason="no v1 freezer hierarchy")
def test_delete_force_of_a_task_stuck_frozen(brick, bundle):
    """delete -f of a container whose tasks a frozen parent cgroup holds (v1
    freezer): SIGKILL cannot reach them and no thaw of their own cgroup frees
    them. brick thaws, kills, waits 3 s, then fails naming the pid and its
    state and keeps the state; after the parent is thawed, a second delete -f
    finishes and leaves nothing. (It took 49-145 s and removed the state,
    leaving the tasks and cgroups.) runc 1.1.5, in the same test: its
    delete -f does not return while the parent stays frozen."""
    parent = f"{VAR_TMP_PREFIX}frz-{new_id()}"
    try:
        cid = _held_frozen(brick, bundle, parent)
        pid = brick.state(cid)["pid"]
        t = time.monotonic()
        cp = brick("delete", "-f", cid)
        took = time.monotonic() - t
        assert cp.returncode != 0 and took < 6, (took, cp)
        assert f"process {pid} (state D, its cgroup frozen" in cp.stderr, cp.stderr
        assert "its state is kept for another delete -f" in cp.stderr, cp.stderr
        assert brick.state(cid)["status"] == "paused" and pid_alive(pid)
        _thaw(parent)
        brick.ok("delete", "-f", cid)
        assert brick("state", cid).returncode != 0 and not pid_alive(pid)
        assert not any(os.path.exists(f"/sys/fs/cgroup/{h}/{parent}") for h in os.listdir("/sys/fs/cgroup"))
    finally:
        _thaw_and_remove(parent)
    if not shutil.which("runc"):
        return
    runc = Brick(brick.root.parent / "runc-state", brick.tracker)
    runc.binary = shutil.which("runc")
    parent = f"{VAR_TMP_PREFIX}frz-{new_id()}"
    try:
        cid = _held_frozen(runc, bundle, parent)
        p = runc.popen("delete", "-f", cid)
        try:
            p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        assert p.poll() is None, "runc's delete -f returned while the parent was frozen"
        _thaw(parent)
        assert p.wait(timeout=30) == 0
    finally:
        _thaw_and_remove(parent)
