"""`exec`: a process joins every namespace and the cgroup of a running container,
with runc's flags."""

import json
import os
import re

import pytest

from conftest import brick_only, capmask, DEFAULT_CAPS, host_ns_inode, ns_set, probe_line
from test_process import ConsoleReceiver


@pytest.fixture
def running(brick, bundle):
    """A running container (sleep) with every namespace of its own."""
    b = bundle(["/bin/sleep", "1000"])
    ns_set(b.config, ["pid", "network", "ipc", "uts", "mount", "cgroup"])
    b.config["hostname"] = "exec-target"
    cid = brick.create(b)
    brick.ok("start", cid)
    yield cid, b
    brick("delete", "--force", cid)


def test_exec_joins_every_namespace(brick, running):
    cid, _ = running
    pid = brick.state(cid)["pid"]
    for kind in ("pid", "net", "ipc", "uts", "mnt", "cgroup"):
        cp = brick.ok("exec", cid, "/bin/readlink", f"/proc/self/ns/{kind}")
        assert cp.stdout.strip() == os.readlink(f"/proc/{pid}/ns/{kind}"), kind
        assert cp.stdout.strip() != f"{kind}:[{host_ns_inode(kind)}]"
    # the container's pid 1 is its init, seen from the exec'd process
    cp = brick.ok("exec", cid, "/bin/cat", "/proc/1/cmdline")
    assert cp.stdout.split("\0")[0] == "/bin/sleep"
    assert brick.ok("exec", cid, "/bin/hostname").stdout.strip() == "exec-target"


def test_exec_exit_status_and_args(brick, running):
    cid, _ = running
    cp = brick("exec", cid, "/bin/sh", "-c", 'echo "[$1]"; exit 7', "sh", "a b")
    assert cp.returncode == 7
    assert cp.stdout.strip() == "[a b]"


@brick_only
def test_exec_double_dash_before_the_command(brick, running):
    """`exec ID -- CMD ARGS`: the "--" ends our flags, it is not the command
    (runc 1.1 tries to execute "--"); the command's own "--" stays."""
    cid, _ = running
    cp = brick("exec", cid, "--", "/bin/sh", "-c", 'echo "$@"; exit 5', "sh", "--", "-x")
    assert cp.returncode == 5, cp.stderr
    assert cp.stdout.strip() == "-- -x"


def test_exec_user_env_cwd_caps(brick, running):
    cid, _ = running
    cp = brick.ok("exec", "-u", "1000:1000", "-g", "5", "-e", "FOO=bar", "--cwd", "/tmp", "-c", "CAP_NET_RAW",
                  cid, "/bin/sh", "-c", "id -u; id -g; id -G; echo $FOO; pwd; grep -E 'CapEff|CapBnd' /proc/self/status")
    lines = cp.stdout.splitlines()
    assert lines[0] == "1000" and lines[1] == "1000"
    assert "5" in lines[2].split()
    assert lines[3] == "bar" and lines[4] == "/tmp"
    # (CapEff comes before CapBnd in /proc/self/status) --cap adds to the
    # bounding set; a non-root process keeps only ambient capabilities across
    # execve, and --cap adds to ambient only with an inheritable set (runc)
    bnd = int(lines[6].split()[1], 16)
    eff = int(lines[5].split()[1], 16)
    assert bnd == capmask(DEFAULT_CAPS + ["CAP_NET_RAW"])
    assert eff == 0


def test_exec_cap_ambient_with_inheritable(brick, bundle):
    b = bundle(["/bin/sleep", "1000"])
    b.process["capabilities"]["inheritable"] = list(DEFAULT_CAPS)
    b.process["capabilities"]["ambient"] = []
    cid = brick.create(b)
    brick.ok("start", cid)
    cp = brick.ok("exec", "-u", "1000", "-c", "CAP_NET_RAW", cid, "/bin/grep", "CapEff", "/proc/self/status")
    # CAP_NET_RAW is permitted but not inheritable: the kernel refuses it as
    # ambient and brick skips it (as runc); nothing else is ambient
    assert int(cp.stdout.split()[1], 16) == 0
    brick("delete", "--force", cid)


def test_exec_inherits_container_caps_and_nnp(brick, running):
    cid, _ = running
    cp = brick.ok("exec", cid, "/bin/sh", "-c", "grep -E 'CapBnd|NoNewPrivs' /proc/self/status")
    fields = dict(line.split(":\t") for line in cp.stdout.splitlines())
    assert int(fields["CapBnd"], 16) == capmask(DEFAULT_CAPS)


def test_exec_process_json(brick, running, workdir):
    cid, _ = running
    proc = {"args": ["/bin/sh", "-c", "echo $X; pwd; id -u"], "cwd": "/etc", "env": ["X=from-json"],
            "user": {"uid": 65534, "gid": 65534}, "terminal": False}
    path = workdir / "process.json"
    path.write_text(json.dumps(proc))
    cp = brick.ok("exec", "--process", path, cid)
    assert cp.stdout.splitlines() == ["from-json", "/etc", "65534"]


@brick_only
def test_exec_process_json_error_names_path(brick, running, workdir):
    cid, _ = running
    path = workdir / "process.json"
    path.write_text(json.dumps({"args": ["true"], "cwd": "relative"}))
    cp = brick("exec", "--process", path, cid)
    assert cp.returncode == 255  # runc: every exec that cannot start exits 255
    assert "cwd" in cp.stderr and "absolute" in cp.stderr


def test_exec_detach_pid_file(brick, running, workdir, tracker):
    cid, _ = running
    pidfile = workdir / "exec.pid"
    brick.ok("exec", "-d", "--pid-file", pidfile, cid, "/bin/sleep", "1000")
    pid = int(pidfile.read_text())
    tracker.pids.add(pid)
    assert open(f"/proc/{pid}/cmdline").read().split("\0")[0] == "/bin/sleep"
    cp = brick.ok("exec", cid, "/bin/ps")
    assert cp.stdout.count("sleep 1000") == 2


def test_exec_missing_binary(brick, running):
    cid, _ = running
    cp = brick("exec", cid, "/bin/nope")
    assert cp.returncode != 0
    if os.path.basename(brick.binary) == "brick":
        assert 'exec "/bin/nope": no such file or directory' in cp.stderr


def test_exec_tty_console_socket(brick, running, workdir):
    cid, _ = running
    rx = ConsoleReceiver(workdir / "console.sock")
    cp = brick("exec", "-d", "-t", "--console-socket", workdir / "console.sock", cid,
               "/bin/sh", "-c", "tty; echo done")
    assert cp.returncode == 0, cp.stderr
    out = rx.finish()
    assert "/dev/pts/" in out and "done" in out


def test_exec_not_running(brick, bundle):
    b = bundle(["/bin/true"])
    cid = brick.create(b)
    brick.ok("start", cid)
    brick.wait_stopped(cid)
    cp = brick("exec", cid, "/bin/true")
    assert cp.returncode != 0
    if os.path.basename(brick.binary) == "brick":
        assert "stopped" in cp.stderr
    brick.delete(cid)


def test_exec_unknown_container(brick):
    cp = brick("exec", "nosuch", "/bin/true")
    assert cp.returncode != 0
    if os.path.basename(brick.binary) == "brick":
        assert 'container "nosuch" does not exist' in cp.stderr


def test_exec_joins_cgroup(brick, running, workdir):
    cid, _ = running
    pid = brick.state(cid)["pid"]
    init_cg = open(f"/proc/{pid}/cgroup").read()
    cp = brick.ok("exec", cid, "/bin/sh", "-c", "sleep 0; cat /proc/self/cgroup")
    # inside its own cgroup namespace the path reads "/", whatever the host path is
    assert cp.stdout.splitlines()
    assert init_cg.count("\n") == len(cp.stdout.splitlines())
    # from the host: a detached exec'd process sits in exactly the init's cgroups, in
    # every hierarchy (cloned into the cgroup2 one, moved by itself into the v1 ones)
    pf = workdir / "exec.pid"
    brick.ok("exec", "-d", "--pid-file", str(pf), cid, "/bin/sleep", "60")
    epid = int(pf.read_text())
    try:
        assert open(f"/proc/{epid}/cgroup").read() == init_cg
    finally:
        os.kill(epid, 9)


@brick_only
def test_exec_gets_the_container_seccomp_and_landlock(brick, bundle):
    """An exec'd process is confined like the init: the container's seccomp
    filter, no_new_privs and its Landlock policy."""
    b = bundle(["/bin/sleep", "1000"])
    b.linux["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW",
                          "syscalls": [{"names": ["mkdirat", "mkdir"], "action": "SCMP_ACT_ERRNO",
                                        "errnoRet": 13}]}
    b.config.setdefault("annotations", {})["run.brick.landlock"] = json.dumps(
        {"fs": [{"path": "/", "access": ["read", "execute"]}, {"path": "/tmp", "access": ["all"]}]})
    b.process["noNewPrivileges"] = True
    cid = brick.create(b)
    brick.ok("start", cid)
    cp = brick.ok("exec", cid, "/bin/sh", "-c",
                  "grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status; mkdir /tmp/d; echo mkdir=$?;"
                  " touch /tmp/f; echo tmp=$?; touch /dev/shm/f; echo shm=$?")
    out = cp.stdout
    assert "Seccomp:\t2" in out and "NoNewPrivs:\t1" in out
    assert "mkdir=1" in out          # the filter's EACCES
    assert "tmp=0" in out            # Landlock allows /tmp
    assert "shm=1" in out            # ... and nothing else for writing
    brick("delete", "--force", cid)


@brick_only
def test_exec_preserve_fds_never_leaks_runtime_fds(brick, running):
    """CVE-2024-21626 class: --preserve-fds N without the caller passing N fds
    must not hand the container brick's own fds (state dir, host /proc,
    pidfds, sockets) that happen to sit at those numbers."""
    cid, _ = running
    cp = brick.ok("exec", "--preserve-fds", "8", cid, "/bin/sh", "-c", "ls -l /proc/self/fd/ 2>/dev/null")
    extra = {}
    for line in cp.stdout.splitlines():
        if "->" not in line:
            continue
        fd, target = line.split("->", 1)
        fd = int(fd.split()[-1])
        if fd >= 3:
            extra[fd] = target.strip()
    # only ls's own handle on the directory it lists may be open beyond stdio
    assert all(re.fullmatch(r"/proc/\d+/fd", t) for t in extra.values()), extra


@brick_only
def test_log_file_never_reaches_the_container(brick, bundle, workdir):
    """The --log file is opened before the command's flags: it must not be
    kept as a preserved fd."""
    b = bundle(["/bin/sh", "-c", "ls -l /proc/self/fd/"])
    log = workdir / "brick.log"
    cp = brick.run(b, extra=["--preserve-fds", "2"], global_args=["--log", str(log)])
    assert cp.returncode == 0, cp.stderr
    assert str(log) not in cp.stdout and "brick.log" not in cp.stdout, cp.stdout
