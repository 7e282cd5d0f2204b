"""What containerd's go-runc, the runc v2 shim, CRI-O and conmon read from
the runtime: JSON shapes, pid-file timing, signals and delete in every
state. Generic: the same tests pass with BRICK=/usr/sbin/runc
(docs/ENGINES.md has the table)."""
import json
import os

import pytest

from conftest import new_id, pid_alive, wait_for


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
