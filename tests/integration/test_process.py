"""process: args, env, cwd, user, umask, rlimits, capabilities, nnp, oom, console, fds."""
import array
import json
import os
import socket
import subprocess
import threading
import time

import pytest

from conftest import (CAP_NUMBERS, IS_BRICK, brick_only, capmask, new_id, ns_set, probe_line,
                      run_cmd, wait_for)


def run_ok(brick, b, **kw):
    cp = brick.run(b, **kw)
    assert cp.returncode == 0, f"rc={cp.returncode}\nstdout: {cp.stdout}\nstderr: {cp.stderr}"
    return cp


def test_args_are_passed_verbatim(brick, bundle):
    b = bundle(["/bin/sh", "-c", 'for a in "$@"; do echo "[$a]"; done', "sh", "a b", "", "*", "$HOME"])
    cp = run_ok(brick, b)
    assert cp.stdout.splitlines() == ["[a b]", "[]", "[*]", "[$HOME]"]


def test_args_resolved_via_path(brick, bundle):
    b = bundle(["echo", "found-in-path"])
    assert run_ok(brick, b).stdout == "found-in-path\n"


def test_env_exact(brick, bundle):
    b = bundle(["/bin/env"])
    b.tag = False
    b.process["env"] = ["PATH=/bin", "A=1", "B=two words", "EMPTY="]
    cp = run_ok(brick, b)
    lines = set(cp.stdout.splitlines())
    assert {"PATH=/bin", "A=1", "B=two words", "EMPTY="} <= lines
    # HOME may be added by the runtime (runc does); nothing else
    assert lines - {"PATH=/bin", "A=1", "B=two words", "EMPTY="} <= {"HOME=/root"}, lines


@pytest.mark.parametrize("cwd", ["/tmp", "/home/app", "/"])
def test_cwd(brick, bundle, cwd):
    b = bundle(["/bin/brick-probe", "cwd"])
    b.process["cwd"] = cwd
    assert probe_line(run_ok(brick, b), "cwd")["_line"] == f"cwd {cwd}"


def test_cwd_missing_is_created(brick, bundle):
    b = bundle(["/bin/brick-probe", "cwd"])
    b.process["cwd"] = "/does/not/exist"
    assert probe_line(run_ok(brick, b), "cwd")["_line"] == "cwd /does/not/exist"
    assert (b.rootfs / "does" / "not" / "exist").is_dir()


def test_user_uid_gid_groups_umask(brick, bundle):
    b = bundle(["/bin/sh", "-c", "/bin/brick-probe ids; /bin/brick-probe umask; /bin/brick-probe write /tmp/f; stat -c '%u %g %a' /tmp/f"])
    b.process["user"] = {"uid": 1000, "gid": 1000, "additionalGids": [5, 6, 65534], "umask": 0o027}
    cp = run_ok(brick, b)
    ids = probe_line(cp, "ids")
    assert (ids["uid"], ids["euid"], ids["suid"]) == ("1000",) * 3
    assert (ids["gid"], ids["egid"], ids["sgid"]) == ("1000",) * 3
    assert set(ids["groups"].split(",")) - {"1000"} == {"5", "6", "65534"}
    assert probe_line(cp, "umask")["_line"] == "umask 0027"
    assert cp.stdout.splitlines()[-1] == "1000 1000 640"


def test_user_nobody_cannot_write_root_owned(brick, bundle):
    b = bundle(["/bin/brick-probe", "write", "/etc/newfile"])
    b.process["user"] = {"uid": 65534, "gid": 65534}
    assert probe_line(run_ok(brick, b), "write")["_line"] == "write errno 13 EACCES"


@pytest.mark.parametrize("soft,hard", [(1024, 1024), (512, 20000), (100, 200)])
def test_rlimit_nofile(brick, bundle, soft, hard):
    b = bundle(["/bin/brick-probe", "rlimits"])
    b.process["rlimits"] = [{"type": "RLIMIT_NOFILE", "soft": soft, "hard": hard}]
    assert probe_line(run_ok(brick, b), "rlimits")["NOFILE"] == f"{soft}:{hard}"


def test_rlimits_several(brick, bundle):
    b = bundle(["/bin/brick-probe", "rlimits"])
    b.process["rlimits"] = [{"type": "RLIMIT_NOFILE", "soft": 256, "hard": 512},
                            {"type": "RLIMIT_CORE", "soft": 0, "hard": 4096},
                            {"type": "RLIMIT_NPROC", "soft": 1000, "hard": 2000}]
    r = probe_line(run_ok(brick, b), "rlimits")
    assert (r["NOFILE"], r["CORE"], r["NPROC"]) == ("256:512", "0:4096", "1000:2000")


def test_rlimit_above_host_hard_limit_fails(brick, bundle):
    # root here lacks CAP_SYS_RESOURCE: the hard limit cannot exceed the host's 20000
    with open("/proc/self/limits") as f:
        host_hard = [line for line in f if line.startswith("Max open files")][0].split()[4]
    if host_hard == "unlimited":
        pytest.skip("host nofile hard limit is unlimited")
    with open("/proc/self/status") as f:
        if int([l for l in f if l.startswith("CapEff")][0].split()[1], 16) & (1 << 24):
            pytest.skip("CAP_SYS_RESOURCE present")
    b = bundle(["/bin/true"])
    b.process["rlimits"] = [{"type": "RLIMIT_NOFILE", "soft": 1024, "hard": int(host_hard) + 1}]
    cid = new_id()
    cp = brick.run(b, cid)
    assert cp.returncode != 0
    assert brick("state", cid).returncode != 0


def caps_of(cp):
    c = probe_line(cp, "caps")
    return {k: int(c[k], 16) for k in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")}


def test_capabilities_root_without_nnp(brick, bundle):
    b = bundle(["/bin/brick-probe", "caps"])
    bnd = ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SETUID", "CAP_SETGID"]
    inh = ["CAP_CHOWN", "CAP_KILL"]
    b.process["noNewPrivileges"] = False
    b.process["capabilities"] = {"bounding": bnd, "effective": ["CAP_KILL"], "permitted": ["CAP_KILL", "CAP_CHOWN"],
                                 "inheritable": inh, "ambient": []}
    got = caps_of(run_ok(brick, b))
    # uid 0 executing a file without file capabilities: P' = (I & all) | bounding, E' = P'
    assert got == {"CapInh": capmask(inh), "CapPrm": capmask(bnd), "CapEff": capmask(bnd),
                   "CapBnd": capmask(bnd), "CapAmb": 0}, {k: hex(v) for k, v in got.items()}


def test_capabilities_empty(brick, bundle):
    b = bundle(["/bin/brick-probe", "caps"])
    b.process["capabilities"] = {"bounding": [], "effective": [], "permitted": [], "inheritable": [], "ambient": []}
    got = caps_of(run_ok(brick, b))
    assert got == {"CapInh": 0, "CapPrm": 0, "CapEff": 0, "CapBnd": 0, "CapAmb": 0}


def test_capabilities_nonroot_ambient(brick, bundle):
    b = bundle(["/bin/brick-probe", "caps"])
    b.process["user"] = {"uid": 1000, "gid": 1000}
    amb = ["CAP_NET_BIND_SERVICE"]
    full = ["CAP_NET_BIND_SERVICE", "CAP_KILL", "CAP_CHOWN"]
    b.process["capabilities"] = {"bounding": full, "effective": full, "permitted": full,
                                 "inheritable": ["CAP_NET_BIND_SERVICE", "CAP_KILL"], "ambient": amb}
    got = caps_of(run_ok(brick, b))
    # non-root execve of a plain file: P' = E' = ambient
    assert got == {"CapInh": capmask(["CAP_NET_BIND_SERVICE", "CAP_KILL"]), "CapPrm": capmask(amb),
                   "CapEff": capmask(amb), "CapBnd": capmask(full), "CapAmb": capmask(amb)}, \
        {k: hex(v) for k, v in got.items()}


def test_capabilities_nonroot_no_ambient_has_none(brick, bundle):
    b = bundle(["/bin/brick-probe", "caps"])
    b.process["user"] = {"uid": 1000, "gid": 1000}
    full = ["CAP_NET_BIND_SERVICE", "CAP_KILL"]
    b.process["capabilities"] = {"bounding": full, "effective": full, "permitted": full,
                                 "inheritable": [], "ambient": []}
    got = caps_of(run_ok(brick, b))
    assert (got["CapPrm"], got["CapEff"], got["CapAmb"], got["CapBnd"]) == (0, 0, 0, capmask(full))


def test_capability_really_enforced(brick, bundle):
    # without CAP_MKNOD mknod fails, with it it works (devices cgroup allows c 1:3 by default)
    b = bundle(["/bin/brick-probe", "mknod", "/tmp/null2"])
    cp = run_ok(brick, b)
    assert probe_line(cp, "mknod")["_line"] == "mknod errno 1 EPERM"


@pytest.mark.parametrize("nnp", [True, False])
def test_no_new_privileges(brick, bundle, nnp):
    b = bundle(["/bin/brick-probe", "nnp"])
    b.process["noNewPrivileges"] = nnp
    assert probe_line(run_ok(brick, b), "nnp")["_line"] == f"nnp {int(nnp)}"


# lowering oom_score_adj needs CAP_SYS_RESOURCE, which root lacks on this host: only raise it
@pytest.mark.parametrize("adj", [500, 1000])
def test_oom_score_adj(brick, bundle, adj):
    b = bundle(["/bin/cat", "/proc/self/oom_score_adj"])
    b.process["oomScoreAdj"] = adj
    assert run_ok(brick, b).stdout.strip() == str(adj)


# ------------------------------------------------------------------ console

class ConsoleReceiver:
    """Listens on a unix socket, receives the pty master via SCM_RIGHTS, reads it."""

    def __init__(self, path):
        self.path = str(path)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(self.path)
        self.sock.listen(1)
        self.sock.settimeout(30)
        self.master = None
        self.output = b""
        self.error = None
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        try:
            conn, _ = self.sock.accept()
            with conn:
                msg, fds, flags, addr = socket.recv_fds(conn, 4096, 4)
                assert len(fds) == 1, fds
                self.master = fds[0]
            while True:
                try:
                    chunk = os.read(self.master, 4096)
                except OSError:  # EIO once the slave side is closed
                    break
                if not chunk:
                    break
                self.output += chunk
        except Exception as e:  # reported by the test
            self.error = e

    def finish(self, timeout=20):
        self.thread.join(timeout)
        assert not self.thread.is_alive(), "console reader did not finish"
        if self.master is not None:
            os.close(self.master)
        self.sock.close()
        assert self.error is None, self.error
        return self.output.decode(errors="replace")


def test_terminal_console_socket(brick, bundle, workdir):
    b = bundle(["/bin/sh", "-c", "tty; stty size; echo console-ok; [ -t 0 ] && [ -t 1 ] && echo both-tty"])
    b.process["terminal"] = True
    b.process["consoleSize"] = {"height": 40, "width": 100}
    rx = ConsoleReceiver(workdir / "console.sock")
    cid = brick.create(b, extra=["--console-socket", workdir / "console.sock"])
    brick.ok("start", cid)
    out = rx.finish()
    lines = [l.strip() for l in out.splitlines()]
    assert lines[0].startswith("/dev/pts/"), out
    assert "40 100" in lines, out
    assert "console-ok" in lines and "both-tty" in lines, out
    brick.wait_stopped(cid)
    brick.delete(cid)


def test_terminal_without_console_socket_fails(brick, bundle):
    b = bundle(["/bin/true"])
    b.process["terminal"] = True
    cid = new_id()
    b.write()
    cp = brick("create", "--bundle", b.path, cid)
    assert cp.returncode != 0
    assert brick("state", cid).returncode != 0


# ------------------------------------------------------------------ fds

def run_with_fd3(brick, b, extra, env_extra=None, nfds=1):
    """Run with host fds 3.. (nfds of them) open in the runtime process."""
    b.write()
    paths = []
    for i in range(nfds):
        p = b.path / f"extra{i}"
        p.write_text("x")
        paths.append(p)

    def pre():
        for i, p in enumerate(paths):
            fd = os.open(p, os.O_RDONLY)
            if fd != 3 + i:
                os.dup2(fd, 3 + i)
                os.close(fd)
    env = dict(os.environ)
    env.update(env_extra or {})
    env.setdefault("BRICK_TEST_TAG", __import__("conftest").CURRENT_TAG[0])
    argv = [brick.binary, "--root", str(brick.root), "run", "--bundle", str(b.path), *extra, new_id()]
    if "LISTEN_FDS" in env:
        # socket activation: LISTEN_PID must name the runtime process itself
        argv = ["/bin/sh", "-c", 'LISTEN_PID=$$; export LISTEN_PID; exec "$@"', "sh", *argv]
    cp = subprocess.run(argv, capture_output=True, text=True, timeout=30, preexec_fn=pre,
                        pass_fds=tuple(range(3, 3 + nfds)), env=env)
    return cp


def test_signal_dispositions_start_default(brick, bundle, workdir):
    """Signals the caller ignores (nohup's SIGHUP, an engine's SIGPIPE) do not
    stay ignored in the container; handled ones are reset by execve anyway."""
    import signal as sig
    b = bundle(["/bin/grep", "-E", "^Sig(Ign|Cgt):", "/proc/self/status"])  # a shell ignores SIGQUIT itself
    b.write()

    def ignore():
        for s in (sig.SIGHUP, sig.SIGPIPE, sig.SIGUSR2, sig.SIGTERM):
            sig.signal(s, sig.SIG_IGN)

    out, err = workdir / "sig.out", workdir / "sig.err"
    with open(out, "w") as fo, open(err, "w") as fe:
        rc = subprocess.run([brick.binary, "--root", str(brick.root), "run", "--bundle", str(b.path), new_id()],
                            stdout=fo, stderr=fe, preexec_fn=ignore, timeout=60).returncode
    text = out.read_text()
    assert rc == 0, err.read_text()
    ign = int(text.split("SigIgn:")[1].split()[0], 16)
    assert ign == 0, text


def test_no_fd_leaks(brick, bundle):
    b = bundle(["/bin/brick-probe", "fds"])
    cp = run_with_fd3(brick, b, [])
    assert cp.returncode == 0, cp.stderr
    assert probe_line(cp, "fds")["_line"] == "fds 0 1 2"


def test_preserve_fds(brick, bundle):
    b = bundle(["/bin/sh", "-c", "/bin/brick-probe fds; cat <&3"])
    b.args("/bin/brick-probe", "fds")
    cp = run_with_fd3(brick, b, ["--preserve-fds", "2"], nfds=2)
    assert cp.returncode == 0, cp.stderr
    assert probe_line(cp, "fds")["_line"] == "fds 0 1 2 3 4"


@brick_only
@pytest.mark.parametrize("how", ["preserve-fds", "listen-fds"])
def test_a_closed_preserved_fd_is_dev_null_in_the_container(brick, bundle, how):
    """The caller hands fds 3 and 4 on but fd 4 is closed: the runtime fills
    it with /dev/null before opening anything of its own, so no fd of the
    runtime's can take number 4 and reach the container (the library does it,
    so every caller of brick_create/brick_run is covered). runc 1.1.5 hands
    the container a directory of its own there."""
    b = bundle(["/bin/sh", "-c", "stat -L -c '%F %t:%T' /proc/self/fd/4"])
    extra, env = (["--preserve-fds", "2"], None) if how == "preserve-fds" else ([], {"LISTEN_FDS": "2"})
    cp = run_with_fd3(brick, b, extra, env_extra=env, nfds=1)
    assert cp.returncode == 0, cp.stderr
    assert cp.stdout.split()[-1] == "1:3" and "character" in cp.stdout, cp.stdout


def test_preserved_fd_is_usable(brick, bundle):
    b = bundle(["/bin/sh", "-c", "cat <&3; echo"])
    cp = run_with_fd3(brick, b, ["--preserve-fds", "1"])
    assert cp.returncode == 0, cp.stderr
    assert cp.stdout == "x\n"


def test_listen_fds(brick, bundle):
    b = bundle(["/bin/sh", "-c", "/bin/brick-probe fds; echo LISTEN_FDS=$LISTEN_FDS"])
    cp = run_with_fd3(brick, b, ["--preserve-fds", "1"], env_extra={"LISTEN_FDS": "1"}, nfds=2)
    assert cp.returncode == 0, cp.stderr
    # sh itself may hold a private fd; list via the probe's own line
    assert probe_line(cp, "fds")["_line"] == "fds 0 1 2 3 4"
    assert "LISTEN_FDS=1" in cp.stdout.splitlines()


@brick_only
def test_terminal_relay_passes_stdin_eof(brick, bundle):
    """`printf 'hello\\n' | brick run` of a terminal container: the relay
    writes the terminal's end-of-file character when stdin ends, so `cat`
    in the container ends too (it hung for ever). runc refuses a foreground
    terminal without a tty on stdin."""
    b = bundle(["/bin/cat"])
    b.process["terminal"] = True
    cp = brick.run(b, input="hello\n", timeout=15)
    assert cp.returncode == 0, cp.stderr
    assert "hello" in cp.stdout
    # an unfinished last line: the first ^D only hands "tail" to cat (it hung)
    cp = brick.run(b, input="hello\ntail", timeout=15)
    assert cp.returncode == 0, cp.stderr
    assert "tail" in cp.stdout


def test_relative_executable_resolves_in_cwd(brick, bundle):
    """Kubernetes `command: ["./x"]` with `workingDir`, `podman run -w /bin
    busybox ./echo`: args[0] relative to process.cwd (runc does the same)."""
    b = bundle(["./echo", "from-cwd"])
    b.process["cwd"] = "/bin"
    cp = brick.run(b)
    assert cp.returncode == 0, cp.stderr
    assert cp.stdout.strip() == "from-cwd"
