"""create / start / kill / delete / run lifecycle."""
import json
import os
import signal
import subprocess
import threading
import time

import pytest

from conftest import CURRENT_TAG, _tagged_procs, IS_BRICK, brick_only, new_id, ns_set, pid_alive, wait_for


def read_cmdline(pid):
    with open(f"/proc/{pid}/cmdline", "rb") as f:
        return f.read().split(b"\0")


def test_full_lifecycle(brick, bundle):
    b = bundle(["/bin/brick-probe", "sleep-forever"])
    cid = brick.create(b)
    st = brick.state(cid)
    assert st["status"] == "created"
    assert st["id"] == cid
    pid = st["pid"]
    assert pid > 0 and pid_alive(pid)
    # before start the process waits before execve: it is not the user program yet
    assert b"/bin/brick-probe" not in read_cmdline(pid)

    brick.ok("start", cid)
    assert brick.state(cid)["status"] == "running"
    assert wait_for(lambda: read_cmdline(pid)[:2] == [b"/bin/brick-probe", b"sleep-forever"])

    brick.ok("kill", cid, "KILL")
    brick.wait_stopped(cid)
    assert not pid_alive(pid)

    brick.ok("delete", cid)
    cp = brick("state", cid)
    assert cp.returncode != 0
    assert "does not exist" in cp.stderr


@brick_only
def test_state_unknown_container_message(brick):
    cp = brick("state", "nosuchcontainer")
    assert cp.returncode == 1
    assert cp.stderr.strip() == 'brick: container "nosuchcontainer" does not exist'


def test_start_twice_fails(brick, bundle):
    b = bundle(["/bin/brick-probe", "sleep-forever"])
    cid = brick.create(b)
    brick.ok("start", cid)
    cp = brick("start", cid)
    assert cp.returncode != 0
    brick.delete(cid, force=True)


def test_duplicate_id_rejected(brick, bundle):
    b = bundle(["/bin/brick-probe", "sleep-forever"])
    cid = brick.create(b)
    cp = brick("create", "--bundle", b.path, cid)
    assert cp.returncode != 0
    assert "already exists" in cp.stderr
    if IS_BRICK:
        assert cp.returncode == 1
        assert f'container "{cid}" already exists' in cp.stderr
    # the original container is untouched
    assert brick.state(cid)["status"] == "created"
    brick.delete(cid, force=True)


@pytest.mark.parametrize("code", [0, 3, 77])
def test_run_exit_status(brick, bundle, code):
    b = bundle(["/bin/brick-probe", "exit", str(code)])
    cp = brick.run(b)
    assert cp.returncode == code, cp.stderr


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGUSR1])
def test_run_signal_death_is_128_plus_n(brick, bundle, sig):
    # no pid namespace: a pid-namespace init cannot kill itself with a default-action signal
    b = bundle(["/bin/brick-probe", "kill-self", str(int(sig))])
    ns_set(b.config, ["network", "ipc", "uts", "mount"])
    cp = brick.run(b)
    assert cp.returncode == 128 + int(sig), (cp.returncode, cp.stderr)


def test_run_killed_from_outside(brick, bundle):
    b = bundle(["/bin/brick-probe", "sleep-forever"])
    b.write()
    cid = new_id()
    p = brick.popen("run", "--bundle", b.path, cid)
    assert p.stdout.readline().startswith("sleeping")
    brick.ok("kill", cid, "KILL")
    p.communicate(timeout=20)
    assert p.returncode == 128 + 9


def test_run_output_and_no_state_after(brick, bundle):
    b = bundle(["/bin/sh", "-c", "echo hello-out; echo hello-err >&2"])
    cp = brick.run(b)
    assert cp.returncode == 0, cp.stderr
    assert cp.stdout == "hello-out\n"
    assert "hello-err" in cp.stderr
    assert not list(brick.root.glob("*")) or all(p.name.startswith(".") for p in brick.root.iterdir())


def test_run_keep_leaves_stopped_container(brick, bundle):
    b = bundle(["/bin/true"])
    cid = new_id()
    cp = brick.run(b, cid, extra=["--keep"])
    assert cp.returncode == 0, cp.stderr
    assert brick.state(cid)["status"] == "stopped"
    brick.delete(cid)


def test_run_detach_and_pid_file(brick, bundle, workdir):
    b = bundle(["/bin/brick-probe", "sleep-forever"])
    cid = new_id()
    pidfile = workdir / "run.pid"
    cp = brick.run(b, cid, extra=["-d", "--pid-file", pidfile], timeout=20)
    assert cp.returncode == 0, cp.stderr
    st = brick.state(cid)
    assert st["status"] == "running"
    assert int(pidfile.read_text()) == st["pid"]
    assert pid_alive(st["pid"])
    brick.delete(cid, force=True)
    assert wait_for(lambda: not pid_alive(st["pid"]))


def test_create_pid_file(brick, bundle, workdir):
    b = bundle(["/bin/brick-probe", "sleep-forever"])
    pidfile = workdir / "create.pid"
    cid = brick.create(b, extra=["--pid-file", pidfile])
    pid = int(pidfile.read_text())
    assert pid == brick.state(cid)["pid"]
    brick.delete(cid, force=True)
    assert wait_for(lambda: not pid_alive(pid))


def test_created_container_outlives_create_process(brick, bundle):
    b = bundle(["/bin/brick-probe", "sleep-forever"])
    b.write()
    cid = new_id()
    # stdio not on pipes: the container inherits it and would hold pipes open
    p = brick.popen("create", "--bundle", b.path, cid, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    p.wait(timeout=30)
    assert p.returncode == 0
    st = brick.state(cid)
    # the create process is gone, the container is not
    assert not pid_alive(p.pid)
    assert pid_alive(st["pid"])
    time.sleep(0.3)
    assert brick.state(cid)["status"] == "created"
    brick.ok("start", cid)
    assert brick.state(cid)["status"] == "running"
    brick.delete(cid, force=True)


def test_delete_running_needs_force(brick, bundle):
    b = bundle(["/bin/brick-probe", "sleep-forever"])
    cid = brick.create(b)
    brick.ok("start", cid)
    pid = brick.state(cid)["pid"]
    cp = brick("delete", cid)
    assert cp.returncode != 0
    assert pid_alive(pid)
    assert brick.state(cid)["status"] == "running"
    brick.ok("delete", "--force", cid)
    assert wait_for(lambda: not pid_alive(pid))
    assert brick("state", cid).returncode != 0


def test_delete_created_container(brick, bundle):
    b = bundle(["/bin/brick-probe", "sleep-forever"])
    cid = brick.create(b)
    pid = brick.state(cid)["pid"]
    brick.ok("delete", "--force", cid)
    assert wait_for(lambda: not pid_alive(pid))
    assert brick("state", cid).returncode != 0


@pytest.mark.parametrize("sig", ["KILL", "SIGKILL", "9", "TERM", "15", "SIGUSR1"])
def test_kill_signal_forms(brick, bundle, sig):
    b = bundle(["/bin/brick-probe", "sleep-forever"])
    # not a pid-namespace init, which would ignore signals it has no handler for
    ns_set(b.config, ["network", "ipc", "uts", "mount"])
    cid = brick.create(b)
    brick.ok("start", cid)
    pid = brick.state(cid)["pid"]
    brick.ok("kill", cid, sig)
    # probe leaves every signal at its default action, so all of these terminate it
    assert wait_for(lambda: not pid_alive(pid))
    brick.wait_stopped(cid)
    brick.delete(cid)


def test_kill_default_is_sigterm(brick, bundle, workdir):
    # the shell traps TERM and reports it, proving which signal arrived
    b = bundle()
    b.sh("trap 'echo got-TERM > /tmp/sig; exit 0' TERM; echo ready > /tmp/ready; while :; do sleep 0.05; done")
    cid = brick.create(b)
    brick.ok("start", cid)
    assert wait_for(lambda: (b.rootfs / "tmp" / "ready").exists())
    brick.ok("kill", cid)
    brick.wait_stopped(cid)
    assert (b.rootfs / "tmp" / "sig").read_text() == "got-TERM\n"
    brick.delete(cid)


def test_kill_invalid_signal(brick, bundle):
    b = bundle(["/bin/brick-probe", "sleep-forever"])
    cid = brick.create(b)
    brick.ok("start", cid)
    for bad in ("SIGNOPE", "NOPE", "999"):
        cp = brick("kill", cid, bad)
        assert cp.returncode != 0, bad
    assert brick.state(cid)["status"] == "running"
    brick.delete(cid, force=True)


def test_kill_all(brick, bundle):
    b = bundle()
    b.sh("sleep 1000 & sleep 1000 & echo started > /tmp/started; wait")
    cid = brick.create(b)
    brick.ok("start", cid)
    assert wait_for(lambda: (b.rootfs / "tmp" / "started").exists())
    # the shell and both sleeps (a forked child may take a moment to show)
    assert wait_for(lambda: len(_tagged_procs(CURRENT_TAG[0])) >= 3), _tagged_procs(CURRENT_TAG[0])
    procs = _tagged_procs(CURRENT_TAG[0])
    brick.ok("kill", "--all", cid, "KILL")
    assert wait_for(lambda: not [p for p in procs if pid_alive(p)])
    brick.wait_stopped(cid)
    brick.delete(cid)


def test_kill_stopped_container_fails(brick, bundle):
    b = bundle(["/bin/true"])
    cid = brick.create(b)
    brick.ok("start", cid)
    brick.wait_stopped(cid)
    cp = brick("kill", cid, "KILL")
    assert cp.returncode != 0
    brick.delete(cid)


def test_concurrent_kill_while_deleting(brick, bundle):
    b = bundle(["/bin/brick-probe", "sleep-forever"])
    cid = brick.create(b)
    brick.ok("start", cid)
    pid = brick.state(cid)["pid"]
    results = []

    def worker(args):
        results.append((args, brick(*args, timeout=20)))

    threads = [threading.Thread(target=worker, args=(["kill", cid, "KILL"],)) for _ in range(5)]
    threads.append(threading.Thread(target=worker, args=(["delete", "--force", cid],)))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for args, cp in results:
        # no crash (signal death) and no hang; individual kills may lose the race
        assert cp.returncode in (0, 1), (args, cp.returncode, cp.stderr)
        assert "panic" not in cp.stderr.lower() and "sanitizer" not in cp.stderr.lower(), cp.stderr
    deletes = [cp for args, cp in results if args[0] == "delete"]
    assert deletes[0].returncode == 0, deletes[0].stderr
    assert wait_for(lambda: not pid_alive(pid))
    assert brick("state", cid).returncode != 0


@brick_only  # runc 1.1.5 fails this: a losing create removes the winner's state
def test_concurrent_creates_same_id(brick, bundle):
    b = bundle(["/bin/brick-probe", "sleep-forever"])
    b.write()
    cid = new_id()
    results = []

    def worker():
        results.append(brick("create", "--bundle", b.path, cid, timeout=30))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ok = [cp for cp in results if cp.returncode == 0]
    assert len(ok) == 1, [(cp.returncode, cp.stderr) for cp in results]
    st = brick.state(cid)
    assert st["status"] == "created"
    brick.delete(cid, force=True)
    assert wait_for(lambda: not _tagged_procs(CURRENT_TAG[0]))


@brick_only
def test_state_directories_are_recycled_safely(brick, bundle):
    """Deleted containers' directories go to a small pool of empty spares
    (<root>/.spare@dirs, state.c) that creates take again: the pool stays
    bounded and empty, `list` never shows it, and containers created and
    deleted concurrently each see only their own state."""
    b = bundle(["/bin/brick-probe", "sleep-forever"])
    b.write()
    ids = [new_id() for _ in range(8)]

    def cycle(cid):
        for _ in range(3):
            brick.ok("create", "--bundle", b.path, cid, timeout=30)
            st = brick.state(cid)
            assert st["id"] == cid and st["status"] == "created", st
            brick.ok("delete", "--force", cid, timeout=30)

    threads = [threading.Thread(target=cycle, args=(c,)) for c in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    pool = brick.root / ".spare@dirs"
    assert pool.is_dir()
    spares = list(pool.iterdir())
    assert 1 <= len(spares) <= 4, spares
    assert all(s.is_dir() and not any(s.iterdir()) for s in spares), spares
    assert brick.ok("list", "-q").stdout.split() == []
    # a recycled directory serves a new container like a fresh one
    cid = new_id()
    brick.ok("create", "--bundle", b.path, cid)
    assert {"config.json", "state.json"} <= {p.name for p in (brick.root / cid).iterdir()}
    assert brick.ok("list", "-q").stdout.split() == [cid]
    brick.delete(cid, force=True)
    assert wait_for(lambda: not _tagged_procs(CURRENT_TAG[0]))


def test_run_forwards_signals(brick, bundle):
    b = bundle()
    b.sh("trap 'echo got-USR1; exit 42' USR1; echo ready; while :; do sleep 0.05; done")
    b.write()
    p = brick.popen("run", "--bundle", b.path, new_id())
    line = p.stdout.readline()
    assert line == "ready\n", p.stderr.read() if not line else line
    p.send_signal(signal.SIGUSR1)
    out, err = p.communicate(timeout=20)
    assert "got-USR1" in out
    assert p.returncode == 42, err


def _pidfd_receiver(path):
    """Accept one connection on a unix socket and receive one fd (a thread)."""
    import socket
    import threading
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(str(path))
    srv.listen(1)
    srv.settimeout(20)
    got = {}

    def serve():
        try:
            conn, _ = srv.accept()
            with conn:
                _, fds, _, _ = socket.recv_fds(conn, 16, 1)
                got["fd"] = fds[0]
        except Exception as e:  # reported by the test
            got["error"] = e
        finally:
            srv.close()

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    return t, got


def _pidfd_pid(fd):
    for line in open(f"/proc/self/fdinfo/{fd}"):
        if line.startswith("Pid:"):
            return int(line.split()[1])
    return None


@brick_only
def test_pidfd_socket_create_and_exec(brick, bundle, workdir):
    """runc 1.2's --pidfd-socket: the engine gets a pidfd of the init (create)
    and of the exec'd process (exec)."""
    b = bundle(["/bin/sleep", "1000"])
    t, got = _pidfd_receiver(workdir / "pidfd.sock")
    cid = brick.create(b, extra=["--pidfd-socket", workdir / "pidfd.sock"])
    t.join(20)
    assert "fd" in got, got
    assert _pidfd_pid(got["fd"]) == brick.state(cid)["pid"]
    os.close(got["fd"])
    brick.ok("start", cid)
    t, got = _pidfd_receiver(workdir / "pidfd2.sock")
    brick.ok("exec", "-d", "--pid-file", workdir / "exec.pid", "--pidfd-socket", workdir / "pidfd2.sock",
             cid, "/bin/sleep", "1000")
    t.join(20)
    assert "fd" in got, got
    assert _pidfd_pid(got["fd"]) == int((workdir / "exec.pid").read_text())
    os.close(got["fd"])
    brick.delete(cid, force=True)


def test_kill_stopped_says_container_not_running(brick, bundle):
    """containerd's shim (checkKillError) treats a kill error as 'already
    finished' only when it holds "container not running" (or "no such
    process", "does not exist"): runc's words."""
    b = bundle(["/bin/true"])
    cid = brick.create(b)
    brick.ok("start", cid)
    brick.wait_stopped(cid)
    cp = brick("kill", cid, "KILL")
    assert cp.returncode != 0 and "container not running" in cp.stderr, cp.stderr
    # kill --all of a stopped container signals what is left in its cgroup: success, as runc
    cp = brick("kill", "--all", cid, "KILL")
    assert cp.returncode == 0, cp.stderr
    brick.ok("delete", cid)


def test_delete_force_of_missing_container_succeeds_silently(brick):
    """runc: `delete --force` of a container that does not exist exits 0 and
    prints nothing (Podman's --rm cleanup relies on it)."""
    cp = brick("delete", "--force", "nosuch" + new_id())
    assert cp.returncode == 0 and cp.stderr == "", cp.stderr
