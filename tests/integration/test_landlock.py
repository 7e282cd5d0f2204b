"""run.brick.landlock (docs/LANDLOCK.md): each rule proven by trying what it forbids.

Every check runs tests/helpers/escape/escape.c inside the container; it prints
"OK ..." or "ERR <errno> ...". A control run without the policy shows that the
same action succeeds when Landlock does not forbid it."""
import ctypes
import errno
import json
import os
import shutil
import socket
import subprocess
import uuid

import pytest

from conftest import REPO, brick_only, ns_set

pytestmark = brick_only

ANN = "run.brick.landlock"


def landlock_abi():
    libc = ctypes.CDLL(None, use_errno=True)
    v = libc.syscall(444, None, 0, 1)  # landlock_create_ruleset(NULL, 0, VERSION)
    return v if v > 0 else 0


ABI = landlock_abi()
needs = lambda n: pytest.mark.skipif(ABI < n, reason=f"kernel Landlock ABI {ABI} < {n}")


@pytest.fixture(scope="session")
def escape_bin(session_cache):
    out = session_cache / "brick-escape"
    if not out.exists():
        subprocess.run(["cc", "-O2", "-static", "-o", str(out),
                        str(REPO / "tests" / "helpers" / "escape" / "escape.c")],
                       check=True, timeout=120, capture_output=True)
    return out


@pytest.fixture
def lbundle(bundle, escape_bin):
    def make(policy=None):
        b = bundle()
        shutil.copy(escape_bin, b.rootfs / "bin" / "brick-escape")
        if policy is not None:
            b.config["annotations"] = {ANN: json.dumps(policy)}
        return b
    return make


def results(cp):
    """Lines 'name: OK|ERR n ...' -> {name: errno or 0}."""
    out = {}
    for line in cp.stdout.splitlines():
        if ": " in line:
            k, v = line.split(": ", 1)
            out[k] = 0 if v.startswith("OK") else int(v.split()[1]) if v.startswith("ERR") else v
    return out


def run_checks(brick, b, checks):
    script = "; ".join(f'echo "{k}: $(/bin/brick-escape {v})"' for k, v in checks.items())
    cp = brick.run(b.sh(script))
    assert cp.returncode == 0, cp.stderr
    return results(cp)


FS_POLICY = {"fs": [
    {"path": "/bin", "access": ["read", "execute"]},
    {"path": "/data", "access": ["read"], "required": True},
    {"path": "/rw", "access": ["read", "write", "create", "remove"]},
    {"path": "/dev", "access": ["read", "write"]},
    {"path": "/nonexistent", "access": ["read"]},  # not required: dropped
]}
FS_CHECKS = {
    "read_allowed": "open-read /data/f",
    "read_outside": "open-read /etc/hostname",
    "write_ro_rule": "open-write /data/f",
    "write_rw_rule": "open-write /rw/f",
    "exec_allowed": "exec /bin/true",
    "exec_outside": "exec /rw/bb --help",
}


def fs_bundle(lbundle, policy):
    b = lbundle(policy)
    for d in ("data", "rw"):
        (b.rootfs / d).mkdir()
        (b.rootfs / d / "f").write_text("x\n")
    shutil.copy(b.rootfs / "bin" / "busybox", b.rootfs / "rw" / "bb")
    return b


@needs(1)
def test_fs_rules(brick, lbundle):
    r = run_checks(brick, fs_bundle(lbundle, FS_POLICY), FS_CHECKS)
    assert r["read_allowed"] == 0
    assert r["read_outside"] == errno.EACCES, "read outside the allowed paths"
    assert r["write_ro_rule"] == errno.EACCES, "write under a read-only rule"
    assert r["write_rw_rule"] == 0
    assert r["exec_allowed"] == "" or r["exec_allowed"] == 0  # /bin/true prints nothing
    assert r["exec_outside"] == errno.EACCES, "exec outside the execute rule"


@needs(1)
def test_fs_control_without_policy(brick, lbundle):
    r = run_checks(brick, fs_bundle(lbundle, None), FS_CHECKS)
    assert r["read_outside"] == 0 and r["write_ro_rule"] == 0
    assert r["exec_outside"] != errno.EACCES


@needs(4)
def test_net_rules(brick, lbundle):
    b = lbundle({"net": {"bind": [8080], "connect": [443]}})
    r = run_checks(brick, b, {"bind_ok": "tcp-bind 8080", "bind_denied": "tcp-bind 8081",
                              "connect_ok": "tcp-connect 443", "connect_denied": "tcp-connect 444"})
    assert r["bind_ok"] == 0
    assert r["bind_denied"] == errno.EACCES
    assert r["connect_ok"] != errno.EACCES  # refused/unreachable, but not by Landlock
    assert r["connect_denied"] == errno.EACCES


@needs(6)
@pytest.mark.parametrize("scoped", [True, False])
def test_scope_abstract_unix(brick, lbundle, scoped):
    name = "brick-ll-" + uuid.uuid4().hex[:8]
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind("\0" + name)
    srv.listen(1)
    try:
        b = lbundle({"scope": ["abstract-unix-socket"]} if scoped else None)
        ns_set(b.config, ["pid", "ipc", "uts", "mount"])  # the host's network namespace
        r = run_checks(brick, b, {"connect": f"unix-connect {name}"})
    finally:
        srv.close()
    assert r["connect"] == (errno.EPERM if scoped else 0)


@needs(6)
@pytest.mark.parametrize("scoped", [True, False])
def test_scope_signal(brick, lbundle, scoped):
    victim = subprocess.Popen(["sleep", "60"])
    try:
        b = lbundle({"scope": ["signal"]} if scoped else None)
        ns_set(b.config, ["network", "ipc", "uts", "mount"])  # the host's pid namespace
        r = run_checks(brick, b, {"kill": f"kill {victim.pid} 0", "kill_self": "kill 1 0"})
    finally:
        victim.kill()
        victim.wait()
    assert r["kill"] == (errno.EPERM if scoped else 0)


def test_parse_error_before_create(brick, lbundle):
    b = lbundle({"fs": [{"path": "/data", "access": ["read", "fly"]}]})
    cp = brick.run(b)
    assert cp.returncode == 1
    assert cp.stderr.strip() == ('brick: config.json: annotations["run.brick.landlock"].fs[0].access[1]: '
                                 'unknown access "fly"')
    assert not list(brick.root.glob("*/state.json")) if brick.root.exists() else True


def test_unknown_key_refused(brick, lbundle):
    cp = brick.run(lbundle({"fs": [], "sope": ["signal"]}))
    assert cp.returncode == 1 and 'unknown key "sope"' in cp.stderr


@needs(1)
def test_required_path_missing(brick, lbundle):
    b = lbundle({"fs": [{"path": "/bin", "access": ["read", "execute"]},
                        {"path": "/data", "access": ["read"], "required": True}]})
    cp = brick.run(b)
    assert cp.returncode == 1
    assert 'annotations["run.brick.landlock"].fs[1]: path "/data": No such file or directory' in cp.stderr


@needs(1)
def test_needs_no_new_privs(brick, lbundle):
    b = lbundle({"fs": []})
    b.process["noNewPrivileges"] = False
    cp = brick.run(b)
    assert cp.returncode == 1 and "Landlock needs process.noNewPrivileges" in cp.stderr


@needs(1)
def test_empty_fs_denies_everything(brick, lbundle):
    """"fs": [] handles every right: even the process binary cannot be executed."""
    cp = brick.run(lbundle({"fs": []}).args("/bin/true"))
    assert cp.returncode == 1 and "permission denied" in cp.stderr  # spelled as runc (engines read it)
