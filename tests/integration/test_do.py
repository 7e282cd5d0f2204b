"""brick do: a container from flags, with no bundle to write."""
import json
import os
import signal
import subprocess

import pytest

from conftest import brick_only, new_id, pid_alive, procs_where, run_cmd, wait_for, host_ns_inode

pytestmark = brick_only


def test_do_default_sandbox(brick):
    cid = new_id()
    cp = brick("do", "--name", cid, "--", "sh", "-c",
               "hostname; cat /sys/class/net/lo/operstate; grep -E '^(NoNewPrivs|Seccomp):' /proc/self/status;"
               " touch /etc/x 2>/dev/null && echo writable || echo ro; touch /tmp/t && echo tmp-ok;"
               " readlink /proc/self/ns/net")
    assert cp.returncode == 0, cp.stderr
    out = cp.stdout.split()
    assert out[0] == cid
    assert out[1] in ("unknown", "up")  # lo is up (operstate of lo reads "unknown" when up)
    assert "NoNewPrivs:" in cp.stdout and "Seccomp:\t2" in cp.stdout
    assert "ro" in out and "tmp-ok" in out
    assert f"net:[{host_ns_inode('net')}]" not in cp.stdout
    # foreground: removed on exit, bundle included
    assert not (brick.root / cid).exists()


def test_do_loopback_reachable(brick):
    cp = brick("do", "--", "sh", "-c",
               "busybox nc -l -p 9000 -e echo pong & sleep 0.3; echo ping | busybox nc 127.0.0.1 9000")
    assert cp.returncode == 0, cp.stderr
    assert "pong" in cp.stdout


def test_do_exit_status_and_flags(brick, workdir):
    (workdir / "vol").mkdir()
    (workdir / "vol" / "f").write_text("data")
    cp = brick("do", "-e", "A=1", "-w", "/tmp", "-u", "1000:1000", "-v", f"{workdir}/vol:/mnt:ro",
               "--", "sh", "-c", 'echo "$A $(pwd) $(id -u) $(cat /mnt/f)"; exit 7')
    assert cp.returncode == 7, cp.stderr
    assert cp.stdout.strip() == "1 /tmp 1000 data"


def test_do_detach_keep_and_rm(brick):
    cid = new_id()
    brick.ok("do", "-d", "--name", cid, "sleep", "60")
    st = brick.state(cid)
    assert st["status"] == "running"
    # no bundle directory of its own: the state directory holds config.json
    assert st["bundle"] == str((brick.root / cid).resolve())
    assert (brick.root / cid / "config.json").exists()
    assert not (brick.root / ".do").exists()
    brick.ok("delete", "-f", cid)
    # --keep: the stopped container stays for inspection
    cid2 = new_id()
    brick.ok("do", "--keep", "--name", cid2, "true")
    assert brick.state(cid2)["status"] == "stopped"
    brick.ok("delete", cid2)
    # -d --rm: gone once it exits
    cid3 = new_id()
    brick.ok("do", "-d", "--rm", "--name", cid3, "sleep", "0.5")
    assert wait_for(lambda: not (brick.root / cid3).exists(), 10)


def _monitor_of(cid):
    """The -d --rm monitor: a forked copy of `brick do` (same command line),
    left alone once the `brick do` process returned."""
    pids = procs_where("cmdline", lambda argv: b"do" in argv and b"--rm" in argv and cid.encode() in argv)
    return pids[0] if pids else None


def test_do_rm_monitor_deletes_only_its_own_instance(brick, bundle):
    """Deleted and made again under the same name while its monitor waits,
    the new container is not the monitor's to delete (even a created one,
    which a plain delete would remove)."""
    cid = new_id()
    brick.ok("do", "-d", "--rm", "--name", cid, "sleep", "30")
    assert wait_for(lambda: _monitor_of(cid) is not None)
    mon = _monitor_of(cid)
    os.kill(mon, signal.SIGSTOP)
    try:
        brick.ok("delete", "-f", cid)
        brick.create(bundle(["/bin/true"]), cid)
    finally:
        os.kill(mon, signal.SIGCONT)
    assert wait_for(lambda: not pid_alive(mon), 10), "the monitor did not exit"
    assert brick.state(cid)["status"] == "created"
    brick.ok("delete", cid)


def test_do_errors(brick):
    cp = brick("do", "--memory", "lots", "true")
    assert cp.returncode == 1 and "--memory" in cp.stderr
    cp = brick("do", "--net", "container:ghost", "true")
    assert cp.returncode == 1 and 'container "ghost" does not exist' in cp.stderr
    cp = brick("do", "--tmpfs", "/no/such/dir", "true")
    assert cp.returncode == 1 and "--tmpfs /no/such/dir: /no/such/dir does not exist, and a new name in the " \
        "host's / cannot be made" in cp.stderr
    cid = new_id()
    brick.ok("do", "-d", "--name", cid, "sleep", "60")
    for extra in ([], ["-d"], ["--net", "user"]):
        cp = brick("do", "--name", cid, *extra, "true")
        assert cp.returncode == 1 and f'container "{cid}" already exists' in cp.stderr, (extra, cp.stderr)
        # the container that holds the name is untouched by the failed create
        assert json.loads(brick.ok("state", cid).stdout)["status"] == "running"
    brick.ok("delete", "-f", cid)
    assert not list(p for p in brick.root.iterdir() if not p.name.startswith("."))


def test_do_ns_path_errors_name_the_flag(brick):
    """The user wrote flags, not a config.json: an ns:PATH that cannot be
    joined is reported against the flag."""
    for argv, want in ((["--net", "ns:/nonexistent"], "brick: --net ns:/nonexistent: No such file or directory"),
                       (["--net", "ns:/etc/passwd"], "brick: --net ns:/etc/passwd: not a net namespace file"),
                       (["--uts", f"ns:/proc/{os.getpid()}/ns/net"],
                        f"brick: --uts ns:/proc/{os.getpid()}/ns/net: not a uts namespace file")):
        cp = brick("do", *argv, "true")
        assert cp.returncode == 1, cp.stderr
        assert cp.stderr.strip() == want
        assert "config.json" not in cp.stderr
    cp = brick("do", "--net", f"ns:/proc/{os.getpid()}/ns/net", "--", "readlink", "/proc/self/ns/net")
    assert cp.returncode == 0, cp.stderr
    assert cp.stdout.strip() == os.readlink(f"/proc/{os.getpid()}/ns/net")
    assert not list(p for p in brick.root.iterdir() if not p.name.startswith("."))


# Doubles a string until it holds 64 MiB: past the 32 MiB limit of the
# container's cgroup, so the OOM killer acts there; bounded, should the limit
# ever not be applied, so the host never lends it more than a few hundred MiB.
GROW = 'x=a; while [ ${#x} -lt 67108864 ]; do x=$x$x; done; echo no-oom'


def test_do_reports_an_oom_kill(brick):
    cp = brick("do", "-m", "32m", "--", "sh", "-c", GROW)
    assert "no-oom" not in cp.stdout, "the memory limit was not applied"
    assert cp.returncode == 137, cp.stderr
    assert cp.stderr.strip() == "brick: killed: out of memory (limit 32 MiB)"
    # a child killed, the command itself living on: said too, its status kept
    cp = brick("do", "-m", "32m", "--", "sh", "-c", f"({GROW}) 2>/dev/null; echo survived")
    assert cp.returncode == 0 and cp.stdout.strip() == "survived", cp.stderr
    assert cp.stderr.strip().endswith(
        "brick: out of memory (limit 32 MiB): the kernel killed 1 process in the container")
    # no OOM, no line
    cp = brick("do", "-m", "32m", "--", "sh", "-c", "exit 9")
    assert cp.returncode == 9 and cp.stderr == ""


def test_print_spec_runs_under_runc(brick, bundle, workdir):
    runc = "/usr/sbin/runc"
    if not os.path.exists(runc):
        pytest.skip("runc not installed")
    b = bundle()
    cp = brick.ok("do", "--print-spec", "--rootfs", str(b.path / "rootfs"), "--", "sh", "-c", "echo from-runc")
    spec = json.loads(cp.stdout)
    assert spec["root"]["path"] == str(b.path / "rootfs")
    (b.path / "config.json").write_text(cp.stdout)
    cid = new_id()
    r = run_cmd([runc, "--root", str(workdir / "runc"), "run", "-b", str(b.path), cid], timeout=30)
    run_cmd([runc, "--root", str(workdir / "runc"), "delete", "-f", cid])
    assert r.returncode == 0, r.stderr
    assert "from-runc" in r.stdout


def test_do_signals_reach_the_command(brick):
    """pid 1 is brick's init, the command its child: SIGTERM from `timeout`
    and a Ctrl-C's SIGINT reach the command, which as pid 1 without handlers
    would ignore them (timeout 1 brick do -- sleep 20 ran for 20 s)."""
    import time
    t0 = time.monotonic()
    cp = run_cmd(["timeout", "-s", "TERM", "1", brick.binary, "--root", str(brick.root), "do", "--", "sleep", "20"],
                 timeout=15)
    assert cp.returncode == 124 and time.monotonic() - t0 < 8, cp
    p = brick.popen("do", "--", "sh", "-c", "trap 'exit 3' INT; echo ready; while :; do sleep 0.1; done")
    assert p.stdout.readline().strip() == "ready"
    p.send_signal(signal.SIGINT)
    assert p.wait(timeout=10) == 3
    cp = brick("do", "--", "sh", "-c", "echo $$; grep -c . /proc/1/environ || true; exit 5")
    assert cp.returncode == 5 and cp.stdout.split()[0] != "1", cp.stdout  # the command is not pid 1
    cp = brick("do", "--no-init", "--", "sh", "-c", "echo $$")
    assert cp.stdout.strip() == "1", cp.stdout
