"""brick do -d: the caller's stdio is not the container's; its output goes to a
capped log in its state directory, read with `brick logs` (issue 19)."""
import os
import signal
import subprocess

import pytest

from conftest import (CURRENT_TAG, brick_only, new_id, pid_alive, run_cmd, tagged_procs_alive,
                      wait_for)

pytestmark = brick_only

CAP = 1 << 20  # the logger's bytes per file (src/lib/runtime/logger.h)


def detach(b, *args, timeout=15):
    """`brick do -d ARGS` with its stdout and stderr on pipes, as
    `out=$(brick do -d ...)` runs it: communicate() returns only once every
    holder of the pipes closed them. Returns the printed name."""
    p = b.popen("do", "-d", *args)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        pytest.fail(f"brick do -d {args} kept the caller's stdout open (it waited for the container)")
    assert p.returncode == 0, err
    return out.strip()


def logger_of(b, cid):
    pid, _start = (b.root / cid / "logger").read_text().split()
    return int(pid)


def shell(b, line):
    """`brick LINE` run by sh (pipes, redirections), with a timeout."""
    env = dict(os.environ, BRICK_TEST_TAG=CURRENT_TAG[0])
    return subprocess.run(["sh", "-c", f"'{b.binary}' --root '{b.root}' {line}"], capture_output=True, text=True,
                          timeout=10, env=env)


def logs(b, *args, **kw):
    return b.ok("logs", *args, **kw).stdout


def test_detached_do_returns_at_once_and_logs_its_output(brick):
    cid = new_id()
    name = detach(brick, "--name", cid, "--", "sh", "-c",
                  "echo hi; echo oops >&2; readlink /proc/self/fd/0; sleep 30")
    assert name == cid
    # returned while the container runs on: nothing of it held our pipes
    assert brick.state(cid)["status"] == "running"
    assert wait_for(lambda: "/dev/null" in logs(brick, cid))
    assert logs(brick, cid) == "hi\noops\n/dev/null\n"
    brick.ok("delete", "-f", cid)


def test_detached_do_in_a_pipe_with_rm_and_a_generated_name(brick):
    """`brick do -d ... | cat` returns (the name is printed) while the
    container still runs; with --rm it is gone, log and all, once it exits."""
    cp = shell(brick, "do -d --rm -- sh -c 'echo out; sleep 2' | cat")
    assert cp.returncode == 0, cp.stderr
    name = cp.stdout.strip()
    assert name.startswith("do-")
    assert brick.state(name)["status"] == "running"
    assert logs(brick, "-f", name) == "out\n"
    assert wait_for(lambda: not (brick.root / name).exists(), 10)
    assert wait_for(lambda: not tagged_procs_alive(), 5), tagged_procs_alive()


def test_detached_do_with_closed_stdio(brick):
    """A caller with stdin, stdout and stderr closed: no fd of brick's takes
    their numbers (the container's stdio is made on them)."""
    cid = new_id()
    cp = shell(brick, f"do -d --name {cid} -- sh -c 'echo hi; sleep 30' <&- >&- 2>&-")
    assert cp.returncode == 0
    assert wait_for(lambda: logs(brick, cid) == "hi\n"), logs(brick, cid)
    brick.ok("delete", "-f", cid)


def test_logs_tail_and_follow(brick):
    cid = new_id()
    detach(brick, "--name", cid, "--", "sh", "-c", "printf '1\\n2\\n3\\n4\\n5\\n'; sleep 1; echo six")
    # -f, started while the container runs: the line written later comes, and
    # it returns once the container stopped
    assert logs(brick, "-f", cid, timeout=15) == "1\n2\n3\n4\n5\nsix\n"
    assert brick.state(cid)["status"] == "stopped"
    assert logs(brick, "--tail", "2", cid) == "5\nsix\n"
    assert logs(brick, "-n", "0", cid) == ""
    assert logs(brick, "--tail", "all", cid) == "1\n2\n3\n4\n5\nsix\n"
    assert logs(brick, "-f", "--tail", "1", cid) == "six\n"
    cp = brick("logs", "--tail", "-3", cid)
    assert cp.returncode == 1 and "--tail -3" in cp.stderr
    brick.ok("delete", cid)


def test_log_is_capped(brick):
    """Several MiB of output leave at most two capped files: the last bytes
    are kept, what `logs` prints is what is on disk."""
    cid = new_id()
    detach(brick, "--name", cid, "--", "sh", "-c",
           "i=0; while [ $i -lt 5 ]; do head -c 1000000 /dev/zero | tr '\\0' x; echo \" $i\"; i=$((i+1)); done;"
           " echo END")
    logs(brick, "-f", cid, timeout=30)  # returns once it stopped
    d = brick.root / cid
    sizes = [(d / f).stat().st_size for f in ("log", "log.1")]
    assert sizes[1] == CAP and 0 < sizes[0] <= CAP
    assert sum(sizes) <= 2 * CAP
    out = logs(brick, cid)
    assert out == (d / "log.1").read_text() + (d / "log").read_text()
    assert out.endswith("x 3\n" + "x" * 1000000 + " 4\nEND\n")
    brick.ok("delete", cid)


def test_delete_removes_the_log_and_its_logger(brick):
    cid = new_id()
    detach(brick, "--name", cid, "--", "sleep", "30")
    pid = logger_of(brick, cid)
    assert pid_alive(pid)
    with open(f"/proc/{pid}/cmdline", "rb") as f:
        assert f.read().rstrip(b"\0") == b"brick-logger"
    # it holds nothing of its caller's: no terminal, no pipe, no lock
    fds = sorted(os.readlink(f"/proc/{pid}/fd/{n}") for n in os.listdir(f"/proc/{pid}/fd"))
    assert fds.count("/dev/null") == 3 and len(fds) == 6, fds
    assert os.getsid(pid) == pid
    assert pid in tagged_procs_alive()  # what the checks below would find
    brick.ok("delete", "-f", cid)
    assert not pid_alive(pid)
    assert not (brick.root / cid).exists()
    assert wait_for(lambda: not tagged_procs_alive(), 5), tagged_procs_alive()
    cp = brick("logs", cid)
    assert cp.returncode == 1 and f'container "{cid}" does not exist' in cp.stderr


def test_a_logger_record_naming_another_process_kills_nothing(brick):
    """The logger record is input (state.json's rules): one naming another
    process, with that process's true start time, must not make delete
    kill it. Only a process whose command line is brick-logger's is one."""
    cid = new_id()
    detach(brick, "--name", cid, "--", "sleep", "30")
    real = logger_of(brick, cid)
    victim = subprocess.Popen(["sleep", "60"], start_new_session=True)
    try:
        start = open(f"/proc/{victim.pid}/stat").read().rsplit(")", 1)[1].split()[19]
        (brick.root / cid / "logger").write_text(f"{victim.pid} {start}\n")
        brick.ok("delete", "-f", cid)
        assert victim.poll() is None, "delete killed the process a forged logger record named"
    finally:
        victim.kill()
        victim.wait()
        if pid_alive(real):
            os.kill(real, signal.SIGKILL)  # our record was replaced: the real logger is ours to end


def test_a_failed_detached_do_leaves_no_logger(brick):
    """The logger starts before the container: a create that fails after it
    (here the command cannot be executed) kills it and removes the log."""
    cid = new_id()
    cp = brick("do", "-d", "--name", cid, "--", "/no/such/command")
    assert cp.returncode == 1 and "/no/such/command" in cp.stderr
    assert cp.stdout == ""
    assert not (brick.root / cid).exists()
    assert wait_for(lambda: not tagged_procs_alive(), 5), tagged_procs_alive()


def test_logs_of_a_container_without_one(brick, bundle):
    cid = brick.create(bundle(["/bin/true"]))
    cp = brick("logs", cid)
    assert cp.returncode == 1
    assert f'container "{cid}" has no log (only `brick do -d` containers keep one)' in cp.stderr
    brick.ok("delete", cid)


def test_a_dead_logger_does_not_block_the_container(brick):
    """A stuck logger fills the pipe and the writer waits (as with conmon);
    a dead one makes its writes fail (EPIPE): the container is not blocked
    for ever."""
    cid = new_id()
    detach(brick, "--name", cid, "--", "sh", "-c", "sleep 1; head -c 50000000 /dev/zero")
    pid = logger_of(brick, cid)
    os.kill(pid, signal.SIGSTOP)
    try:
        assert not wait_for(lambda: brick.state(cid)["status"] == "stopped", 2.5)
    finally:
        os.kill(pid, signal.SIGKILL)
    brick.wait_stopped(cid, timeout=10)
    assert os.path.getsize(brick.root / cid / "log") < 50000000
    brick.ok("delete", cid)


def test_the_logger_and_state_are_out_of_the_containers_reach(brick):
    """The container sees neither the state directory (the logger writes only
    there, through a directory fd, with O_NOFOLLOW names) nor the logger."""
    cid = new_id()
    state = brick.root / cid
    detach(brick, "--name", cid, "--", "sh", "-c",
           f"test -e '{state}' && echo state-visible; test -e /run/brick && echo root-visible;"
           " cat /proc/[0-9]*/cmdline | tr '\\0' ' ' | grep -q brick-[l]ogger && echo logger-visible; echo checked")
    assert logs(brick, "-f", cid, timeout=15) == "checked\n"
    brick.ok("delete", cid)


def test_detached_do_rootless(ubrick):
    cid = new_id()
    name = detach(ubrick, "--name", cid, "--", "sh", "-c", "echo hi from $(id -u); sleep 30")
    assert name == cid
    assert ubrick.state(cid)["status"] == "running"
    line = f"hi from {ubrick.user['uid']}\n"  # the user's own uid inside (docs/ROOTLESS.md)
    assert wait_for(lambda: logs(ubrick, cid) == line), logs(ubrick, cid)
    pid = logger_of(ubrick, cid)
    assert os.stat(f"/proc/{pid}").st_uid == ubrick.user["uid"]
    ubrick.ok("kill", cid, "KILL")
    assert logs(ubrick, "-f", "--tail", "1", cid, timeout=15) == line
    ubrick.ok("delete", cid)
    assert not pid_alive(pid)
    assert wait_for(lambda: not tagged_procs_alive(), 5), tagged_procs_alive()
