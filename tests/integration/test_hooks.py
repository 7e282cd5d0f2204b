"""OCI hooks: order, state on stdin, namespaces, timeouts, failures."""
import json
import os
import time

from conftest import IS_BRICK, _mountinfo, new_id, pid_alive, wait_for

HOST_KINDS = ("prestart", "createRuntime", "poststart", "poststop")


def host_hook(name, logdir, extra=""):
    script = (f"echo {name} >> {logdir}/hooks.log; cat > {logdir}/{name}.json; "
              f"readlink /proc/self/ns/mnt > {logdir}/{name}.mntns; {extra}")
    return {"path": "/bin/sh", "args": ["sh", "-c", script]}


def add_all_hooks(b):
    host_log = b.rootfs / "tmp"  # host path of the container's /tmp
    b.config["hooks"] = {
        "prestart": [host_hook("prestart", host_log)],
        "createRuntime": [host_hook("createRuntime", host_log)],
        # createContainer: container mount namespace, before pivot_root: host paths
        "createContainer": [host_hook("createContainer", host_log)],
        # startContainer: inside the container after pivot_root: container paths
        "startContainer": [{"path": "/bin/sh", "args": ["sh", "-c",
                            "echo startContainer >> /tmp/hooks.log; cat > /tmp/startContainer.json; "
                            "readlink /proc/self/ns/mnt > /tmp/startContainer.mntns; "
                            "[ -x /bin/brick-probe ] && echo inside > /tmp/startContainer.where"]}],
        "poststart": [host_hook("poststart", host_log)],
        "poststop": [host_hook("poststop", host_log)],
    }
    return host_log


def log_of(d):
    p = d / "hooks.log"
    return p.read_text().split() if p.exists() else []


def test_all_hooks_order_state_and_namespaces(brick, bundle):
    b = bundle(["/bin/brick-probe", "sleep-forever"])
    d = add_all_hooks(b)
    cid = brick.create(b)
    pid = brick.state(cid)["pid"]
    if IS_BRICK:
        assert log_of(d) == ["prestart", "createRuntime", "createContainer"]
    else:  # runc 1.1 runs poststart hooks at create time (fixed in runc 1.2)
        assert log_of(d) == ["prestart", "createRuntime", "createContainer", "poststart"]
    brick.ok("start", cid)
    if IS_BRICK:
        assert wait_for(lambda: log_of(d)[3:] == ["startContainer", "poststart"])
    assert (d / "startContainer.where").read_text() == "inside\n"
    brick.ok("kill", cid, "KILL")
    brick.wait_stopped(cid)
    assert "poststop" not in log_of(d)
    brick.ok("delete", cid)
    if IS_BRICK:
        assert log_of(d) == ["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"]
    else:
        assert log_of(d) == ["prestart", "createRuntime", "createContainer", "poststart", "startContainer", "poststop"]

    host_mnt = os.readlink("/proc/self/ns/mnt")
    for kind in ("prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"):
        st = json.loads((d / f"{kind}.json").read_text())
        assert st["id"] == cid, kind
        assert st["bundle"] == str(b.path), kind
        assert "ociVersion" in st and "status" in st, kind
        if kind in ("prestart", "createRuntime", "poststart"):
            assert st["pid"] == pid, kind
        elif kind != "poststop":
            # hooks inside the container's namespaces may see the pid from the pid namespace
            assert st["pid"] in (pid, 1), kind
        mnt = (d / f"{kind}.mntns").read_text().strip()
        if kind in HOST_KINDS:
            assert mnt == host_mnt, kind
        else:
            assert mnt != host_mnt, kind
    assert json.loads((d / "poststop.json").read_text())["status"] == "stopped"
    # runc's choice, not crun's "created" (docs/ENGINES.md)
    for kind in ("prestart", "createRuntime"):
        assert json.loads((d / f"{kind}.json").read_text())["status"] == "creating", kind
    if IS_BRICK:  # runc 1.1 runs poststart at create, and says "created"
        assert json.loads((d / "poststart.json").read_text())["status"] == "running"


def test_hooks_run_in_order_within_kind(brick, bundle):
    b = bundle(["/bin/true"])
    d = b.rootfs / "tmp"
    b.config["hooks"] = {"prestart": [host_hook(f"p{i}", d) for i in range(4)]}
    assert brick.run(b).returncode == 0
    assert log_of(d) == ["p0", "p1", "p2", "p3"]


def test_hook_args_and_env(brick, bundle):
    b = bundle(["/bin/true"])
    out = b.rootfs / "tmp" / "hookenv"
    b.config["hooks"] = {"createRuntime": [{"path": "/bin/sh", "args": ["sh", "-c", f'echo "$0 $1 $HOOKVAR" > {out}', "zero", "one"],
                                            "env": ["HOOKVAR=set"]}]}
    assert brick.run(b).returncode == 0
    assert out.read_text() == "zero one set\n"


def assert_nothing_left(brick, cid):
    assert brick("state", cid).returncode != 0
    assert not [p for p in brick.root.iterdir() if not p.name.startswith(".")] if brick.root.exists() else True


def test_failing_prestart_fails_create(brick, bundle):
    b = bundle(["/bin/brick-probe", "sleep-forever"])
    b.config["hooks"] = {"prestart": [{"path": "/bin/sh", "args": ["sh", "-c", "exit 7"]}]}
    b.write()
    cid = new_id()
    before = set(_mountinfo())
    cp = brick("create", "--bundle", b.path, cid)
    assert cp.returncode != 0
    assert_nothing_left(brick, cid)
    assert set(_mountinfo()) <= before


def test_failing_hook_output_in_the_error(brick, bundle):
    """As runc: what a failing hook printed is part of the error (engines see
    only the runtime's error, not its stderr); a hook that succeeds says
    nothing."""
    b = bundle(["/bin/true"])
    b.config["hooks"] = {"createRuntime": [
        {"path": "/bin/sh", "args": ["sh", "-c", "echo fine-hook"]},
        {"path": "/bin/sh", "args": ["sh", "-c", "echo out-line; echo boom-line >&2; exit 3"]}]}
    cp = brick.run(b)
    assert cp.returncode != 0
    assert "out-line" in cp.stderr and "boom-line" in cp.stderr, cp.stderr
    assert "fine-hook" not in cp.stdout + cp.stderr
    if IS_BRICK:
        assert len(cp.stderr.strip().splitlines()) == 1, cp.stderr


def test_hook_leaving_a_process_behind_does_not_hang(brick, bundle):
    """A hook that starts a background process holding its stdout: the
    create goes on when the hook itself exits (runc 1.1 waits for the
    stdout to close)."""
    b = bundle(["/bin/true"])
    b.config["hooks"] = {"createRuntime": [{"path": "/bin/sh", "args": ["sh", "-c", "(sleep 40 &); echo started"]}]}
    from conftest import tagged_procs_alive
    try:
        cp = brick.run(b, timeout=60 if not IS_BRICK else 25)  # a hang is a timeout failure
        assert cp.returncode == 0, cp.stderr
    finally:
        # the hook's sleep: ours; looked for again until none is left (a
        # process between fork and exec may not show its environment yet)
        def none_left():
            for pid in tagged_procs_alive():
                try:
                    os.kill(pid, 9)
                except ProcessLookupError:
                    pass
            return not tagged_procs_alive()
        assert wait_for(none_left, 10)


def test_hook_state_larger_than_a_pipe(brick, bundle):
    """The state on a hook's stdin carries the config's annotations: 100 KB
    of them (Kubernetes allows 256 KiB) to a hook that never reads stdin.
    Written to a pipe before the hook ran, this hung create for ever."""
    b = bundle(["/bin/true"])
    b.config["annotations"] = {"big": "x" * 100000}
    b.config["hooks"] = {"createRuntime": [{"path": "/bin/true", "timeout": 10}],
                         "poststop": [{"path": "/bin/sh", "args": ["sh", "-c", "wc -c > /dev/null"]}]}
    cp = brick.run(b, timeout=30)
    assert cp.returncode == 0, cp.stderr


def test_hook_timeout_kills_slow_hook(brick, bundle):
    b = bundle(["/bin/brick-probe", "sleep-forever"])
    marker = b.rootfs / "tmp" / "hook-survived"
    b.config["hooks"] = {"createRuntime": [{"path": "/bin/sh", "args": ["sh", "-c", f"sleep 20; touch {marker}"],
                                            "timeout": 1}]}
    b.write()
    cid = new_id()
    t0 = time.monotonic()
    cp = brick("create", "--bundle", b.path, cid)
    assert cp.returncode != 0
    if IS_BRICK:  # runc 1.1 kills the hook but still waits for its children's stdio
        assert time.monotonic() - t0 < 10
    assert_nothing_left(brick, cid)


def test_missing_hook_binary_fails_create(brick, bundle):
    b = bundle(["/bin/true"])
    b.config["hooks"] = {"prestart": [{"path": "/nonexistent/hook"}]}
    b.write()
    cid = new_id()
    cp = brick("create", "--bundle", b.path, cid)
    assert cp.returncode != 0
    assert_nothing_left(brick, cid)


def test_poststop_runs_on_delete_force(brick, bundle):
    b = bundle(["/bin/brick-probe", "sleep-forever"])
    d = b.rootfs / "tmp"
    b.config["hooks"] = {"poststop": [host_hook("poststop", d)]}
    cid = brick.create(b)
    brick.ok("start", cid)
    assert log_of(d) == []
    brick.ok("delete", "--force", cid)
    assert log_of(d) == ["poststop"]


def test_poststop_runs_after_foreground_run(brick, bundle):
    b = bundle(["/bin/true"])
    d = b.rootfs / "tmp"
    b.config["hooks"] = {"poststop": [host_hook("poststop", d)]}
    assert brick.run(b).returncode == 0
    assert log_of(d) == ["poststop"]
