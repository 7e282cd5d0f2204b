"""brick inspect: namespaces (and sharing), capabilities, seccomp, no_new_privs,
id maps; --probe copies the filters and tries the dangerous-syscall list."""

import json
import time

import pytest

from conftest import brick_only, new_id, DEFAULT_CAPS
from test_seccomp import _profile_cache, sbundle, seccomp_probe  # noqa: F401 (fixtures)

pytestmark = brick_only


def _running(brick, b, seccomp=None, ns=None):
    if seccomp is not None:
        b.linux["seccomp"] = seccomp
    if ns is not None:
        b.linux["namespaces"] = ns
    b.args("/bin/sleep", "1000")
    cid = brick.create(b)
    brick.ok("start", cid)
    return cid


def _inspect(brick, cid, *extra):
    return json.loads(brick.ok("inspect", "--format", "json", *extra, cid).stdout)


def test_inspect_report(brick, sbundle):
    cid = _running(brick, sbundle(), seccomp=_profile_cache())
    try:
        r = _inspect(brick, cid)
        assert r["id"] == cid and r["status"] == "running" and r["pid"] > 0
        assert r["seccomp"] == {"mode": "filter", "filters": 1}
        assert r["noNewPrivileges"] is True
        assert sorted(r["capabilities"]["effective"]) == sorted(DEFAULT_CAPS)
        assert r["capabilities"]["ambient"] == []
        assert r["namespaces"]["pid"]["host"] is False and r["namespaces"]["user"]["host"] is True
        assert r["namespaces"]["mnt"]["inode"] > 0
        assert r["uidMap"].split() == ["0", "0", "4294967295"]
        assert r["landlock"] == "unknown"
        text = brick.ok("inspect", cid).stdout
        assert "seccomp           filter (1 filters)" in text and "cap effective" in text
    finally:
        brick.ok("kill", cid, "KILL")
        brick.wait_stopped(cid)
        brick.delete(cid)


def test_inspect_shared_namespace(brick, sbundle):
    a = _running(brick, sbundle())
    try:
        pid = brick.state(a)["pid"]
        b = _running(brick, sbundle(), ns=[{"type": "mount"}, {"type": "pid"}, {"type": "uts"},
                                            {"type": "network", "path": f"/proc/{pid}/ns/net"}])
        try:
            r = _inspect(brick, b)
            assert r["namespaces"]["net"]["sharedWith"] == [a]
            assert r["namespaces"]["pid"]["sharedWith"] == []
            assert b in _inspect(brick, a)["namespaces"]["net"]["sharedWith"]
        finally:
            brick.ok("kill", b, "KILL")
            brick.wait_stopped(b)
            brick.delete(b)
    finally:
        brick.ok("kill", a, "KILL")
        brick.wait_stopped(a)
        brick.delete(a)


def test_inspect_probe_default_profile(brick, sbundle):
    cid = _running(brick, sbundle(), seccomp=_profile_cache())
    try:
        p = _inspect(brick, cid, "--probe")["probe"]
        assert p["filters"] == 1
        assert p["blockedCount"] == p["tried"] - 3  # everything but the 3 controls
        for name in ("keyctl", "mount", "unshare", "setns", "bpf", "perf_event_open", "init_module",
                     "kexec_load", "reboot", "clock_settime", "open_by_handle_at", "userfaultfd",
                     "io_uring_setup", "ptrace", "socket(AF_VSOCK)", "socket(AF_ALG)", "clone3",
                     "clone(CLONE_NEWNS)", "personality(READ_IMPLIES_EXEC)"):
            assert name in p["blocked"], name
        # the container is still fine after the brief ptrace stop
        assert brick.state(cid)["status"] == "running"
    finally:
        brick.ok("kill", cid, "KILL")
        brick.wait_stopped(cid)
        brick.delete(cid)


def test_inspect_probe_unconfined(brick, sbundle):
    cid = _running(brick, sbundle())
    try:
        r = _inspect(brick, cid, "--probe")
        assert r["seccomp"]["mode"] == "disabled"
        p = r["probe"]
        assert p["filters"] == 0, p
        # without a filter, the probe's harmless calls get past seccomp (some,
        # like modules and kexec, may still be refused by the host itself)
        for name in ("keyctl", "mount", "unshare", "setns", "clone3", "socket(AF_VSOCK)", "ptrace"):
            assert name in p["allowed"], (name, p)
    finally:
        brick.ok("kill", cid, "KILL")
        brick.wait_stopped(cid)
        brick.delete(cid)


def test_inspect_not_running(brick):
    cp = brick("inspect", "nope")
    assert cp.returncode != 0 and 'container "nope" does not exist' in cp.stderr


def test_inspect_never_reports_a_recycled_pid(brick, sbundle):
    """The recorded pid now names another process (its start time differs,
    as after pid reuse): inspect reads through a pidfd checked against the
    recorded start time, so it says the container is not running and shows
    nothing of the impostor."""
    import subprocess
    cid = _running(brick, sbundle())
    impostor = subprocess.Popen(["sleep", "60"])
    try:
        st_path = brick.root / cid / "state.json"
        st = json.loads(st_path.read_text())
        st["pid"] = impostor.pid  # pid_start stays the init's: not the impostor's
        st_path.write_text(json.dumps(st))
        cp = brick("inspect", "--format", "json", cid)
        assert cp.returncode != 0 and f'container "{cid}" is not running' in cp.stderr, cp.stdout
        assert str(impostor.pid) not in cp.stdout
    finally:
        impostor.kill()
        impostor.wait()
        brick("delete", "-f", cid)


def test_probe_of_a_process_that_cannot_stop(brick, workdir):
    """The attack: an init sitting in vfork() (its child sleeping) never
    reaches a ptrace stop, and `inspect --probe` waited for it without a bound
    while holding the container's lock, so `delete -f` hung behind it too.
    Now the wait is bounded and named; a paused container is refused at once."""
    import subprocess
    from pathlib import Path
    exe = workdir / "hold"
    src = Path(__file__).parent.parent / "helpers" / "vfork_hold.c"
    subprocess.run(["gcc", "-static", "-O1", "-o", str(exe), str(src)], check=True, timeout=120)
    name = new_id()
    brick.ok("do", "-d", "--no-init", "-v", f"{workdir}:{workdir}:ro", "--name", name, "--", str(exe))
    try:
        time.sleep(0.5)
        cp = subprocess.run([str(brick.binary), "--root", str(brick.root), "inspect", "--probe", name],
                            capture_output=True, text=True, timeout=15)
        assert cp.returncode != 0 and "did not stop for ptrace" in cp.stderr, cp.stderr
        brick.ok("pause", name)
        cp = subprocess.run([str(brick.binary), "--root", str(brick.root), "inspect", "--probe", name],
                            capture_output=True, text=True, timeout=15)
        assert cp.returncode != 0 and "is paused" in cp.stderr, cp.stderr
        brick.ok("resume", name)
    finally:
        subprocess.run([str(brick.binary), "--root", str(brick.root), "delete", "-f", name], capture_output=True,
                       timeout=60)
