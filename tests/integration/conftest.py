"""Fixtures for brick's integration tests.

The binary under test is $BRICK (default: <repo>/build/brick). Tests whose
expectations are specific to brick (exact error texts, brick-only flags) are
marked with @brick_only and are skipped when the binary's basename is not
"brick", so that `BRICK=/usr/sbin/runc` validates the shared semantics.

Every test gets its own --root state directory. After every test an autouse
fixture checks for debris: new mounts, surviving container processes and
leftover state. Debris fails the test (unless the test already failed, in
which case it is only cleaned up).
"""

import copy
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
BRICK = os.environ.get("BRICK", str(REPO / "build" / "brick"))
IS_BRICK = os.path.basename(BRICK) == "brick"
MKROOTFS = REPO / "tests" / "helpers" / "mkrootfs.sh"
DEFAULT_TIMEOUT = 30

brick_only = pytest.mark.skipif(not IS_BRICK, reason="brick-specific expectation (binary is not brick)")


def _sanitizer_build():
    try:
        with open(BRICK, "rb") as f:
            return b"__asan_init" in f.read()
    except OSError:
        return False


SANITIZER_BUILD = _sanitizer_build()

# Host directories the tests make outside their work dir carry this
# session's pid (/var/tmp/bk-<pid>-*, /tmp/outside-<pid>-*): the debris check
# owns only its own suite's, whatever else runs on the machine.
VAR_TMP_PREFIX = f"bk-{os.getpid()}-"
OUTSIDE_PREFIX = f"outside-{os.getpid()}-"

# The heavy suites (the VM, the engines, kill -9 campaigns) run once, against
# the release build; `./dev test --quick` (BRICK_QUICK=1) leaves them out.
heavy = pytest.mark.skipif(SANITIZER_BUILD or os.environ.get("BRICK_QUICK") == "1",
                           reason="heavy suite: release build only, not with --quick")

# Capability masks (see include/uapi/linux/capability.h)
CAP_NUMBERS = {
    "CAP_CHOWN": 0, "CAP_DAC_OVERRIDE": 1, "CAP_DAC_READ_SEARCH": 2, "CAP_FOWNER": 3,
    "CAP_FSETID": 4, "CAP_KILL": 5, "CAP_SETGID": 6, "CAP_SETUID": 7, "CAP_SETPCAP": 8,
    "CAP_LINUX_IMMUTABLE": 9, "CAP_NET_BIND_SERVICE": 10, "CAP_NET_BROADCAST": 11,
    "CAP_NET_ADMIN": 12, "CAP_NET_RAW": 13, "CAP_IPC_LOCK": 14, "CAP_IPC_OWNER": 15,
    "CAP_SYS_MODULE": 16, "CAP_SYS_RAWIO": 17, "CAP_SYS_CHROOT": 18, "CAP_SYS_PTRACE": 19,
    "CAP_SYS_PACCT": 20, "CAP_SYS_ADMIN": 21, "CAP_SYS_BOOT": 22, "CAP_SYS_NICE": 23,
    "CAP_SYS_RESOURCE": 24, "CAP_SYS_TIME": 25, "CAP_SYS_TTY_CONFIG": 26, "CAP_MKNOD": 27,
    "CAP_LEASE": 28, "CAP_AUDIT_WRITE": 29, "CAP_AUDIT_CONTROL": 30, "CAP_SETFCAP": 31,
    "CAP_MAC_OVERRIDE": 32, "CAP_MAC_ADMIN": 33, "CAP_SYSLOG": 34, "CAP_WAKE_ALARM": 35,
    "CAP_BLOCK_SUSPEND": 36, "CAP_AUDIT_READ": 37, "CAP_PERFMON": 38, "CAP_BPF": 39,
    "CAP_CHECKPOINT_RESTORE": 40,
}
DEFAULT_CAPS = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]


def capmask(names):
    m = 0
    for n in names:
        m |= 1 << CAP_NUMBERS[n]
    return m


def minimal_config(args=None):
    """A minimal, valid OCI config (written here, not taken from `spec`)."""
    caps = list(DEFAULT_CAPS)
    return {
        "ociVersion": "1.0.2",
        "process": {
            "terminal": False,
            "user": {"uid": 0, "gid": 0},
            "args": args or ["/bin/true"],
            "env": ["PATH=/bin:/sbin:/usr/bin:/usr/sbin", "TERM=xterm", "HOME=/root"],
            "cwd": "/",
            "capabilities": {
                "bounding": list(caps), "effective": list(caps),
                "permitted": list(caps), "inheritable": [], "ambient": [],
            },
            "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}],
            "noNewPrivileges": True,
        },
        "root": {"path": "rootfs", "readonly": False},
        "hostname": "brick-test",
        "mounts": [
            {"destination": "/proc", "type": "proc", "source": "proc"},
            {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
             "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
            {"destination": "/dev/pts", "type": "devpts", "source": "devpts",
             "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]},
            {"destination": "/dev/shm", "type": "tmpfs", "source": "shm",
             "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
            {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue",
             "options": ["nosuid", "noexec", "nodev"]},
            {"destination": "/sys", "type": "sysfs", "source": "sysfs",
             "options": ["nosuid", "noexec", "nodev", "ro"]},
        ],
        "linux": {
            "namespaces": [{"type": t} for t in ("pid", "network", "ipc", "uts", "mount")],
            "maskedPaths": [],
            "readonlyPaths": [],
        },
    }


def ns_set(config, kinds):
    """Replace the namespace list by the given types (or {type,path} dicts)."""
    config["linux"]["namespaces"] = [k if isinstance(k, dict) else {"type": k} for k in kinds]
    if not any(n["type"] == "uts" and "path" not in n for n in config["linux"]["namespaces"]):
        # setting a hostname needs a private UTS namespace (runc refuses otherwise)
        config.pop("hostname", None)
        config.pop("domainname", None)


# ---------------------------------------------------------------- processes

def _kill_group(proc):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def pty_run(argv, *, env=None, send=None, winsize=None, ctty=False, pending=False, timeout=30):
    """Run argv with a new pty as its stdin, stdout and stderr, in a session of its own, and
    return (exit status, what it wrote to the terminal) — the output as text, \r\n left in.

    send: written to the terminal once "READY" appears in the output. winsize: (rows, cols) set
    on the pty first. ctty: the pty is also the session's controlling terminal, as from an
    interactive shell. pending: keep the pty open here and return a third item, the bytes left
    in its input queue after the program ended (what the caller's shell would read next).
    Reads until the terminal hangs up (every holder closed it) or the program ended with
    nothing more to read; fails the test after timeout seconds (the session is killed)."""
    import fcntl
    import pty
    import select
    import termios
    master, slave = pty.openpty()
    if winsize:
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", winsize[0], winsize[1], 0, 0))

    def controlling_terminal():
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    p = None
    try:
        p = subprocess.Popen([str(a) for a in argv], stdin=slave, stdout=slave, stderr=slave, env=env,
                             start_new_session=not ctty, preexec_fn=controlling_terminal if ctty else None)
        if not pending:
            os.close(slave)
            slave = -1
        out = b""
        sent = False
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            r, _, _ = select.select([master], [], [], 0.2)
            if r:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # EIO: the last holder of the terminal closed it
                    break
                if not chunk:
                    break
                out += chunk
            if send and not sent and b"READY" in out:
                os.write(master, send.encode())
                sent = True
            if not r and p.poll() is not None:
                break
        else:
            raise AssertionError(f"pty {argv} timed out; output: {out!r}")
        status = p.wait(timeout=10)
        if not pending:
            return status, out.decode(errors="replace")
        attrs = termios.tcgetattr(slave)
        attrs[3] &= ~termios.ICANON  # lflag: hand over a line not yet ended too
        attrs[6][termios.VMIN], attrs[6][termios.VTIME] = 0, 0
        termios.tcsetattr(slave, termios.TCSANOW, attrs)
        return status, out.decode(errors="replace"), os.read(slave, 65536)
    finally:
        if p is not None and p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
        os.close(master)
        if slave >= 0:
            os.close(slave)


def run_cmd(argv, timeout=DEFAULT_TIMEOUT, input=None, env=None, pass_fds=(), stdin=None):
    """Run argv with a timeout that kills its whole process group.

    stdout/stderr go to temporary files, not pipes: a detached container
    (create, run -d) inherits the runtime's stdio and would otherwise keep
    the pipes open forever."""
    env = dict(os.environ if env is None else env)
    env.setdefault("BRICK_TEST_TAG", CURRENT_TAG[0])
    with tempfile.TemporaryFile("w+") as fout, tempfile.TemporaryFile("w+") as ferr:
        proc = subprocess.Popen(argv, stdin=subprocess.PIPE if input is not None else (stdin or subprocess.DEVNULL),
                                stdout=fout, stderr=ferr, text=True, env=env,
                                start_new_session=True, pass_fds=pass_fds)
        try:
            if input is not None:
                proc.communicate(input=input, timeout=timeout)
            else:
                proc.wait(timeout=timeout)
            timed_out = False
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            proc.wait()
            timed_out = True
        fout.seek(0)
        ferr.seek(0)
        out, err = fout.read(), ferr.read()
    if timed_out:
        raise AssertionError(f"timeout after {timeout}s: {argv}\nstdout: {out}\nstderr: {err}")
    return subprocess.CompletedProcess(argv, proc.returncode, out, err)


def foreign_run(runtime, b, cid, after=""):
    """`run` bundle b (config written first) with Debian's runc or crun, to
    compare in the same test: in a private mount namespace, so whatever the
    runtime mounts goes with it, and with this hybrid host's cgroup2 mount
    hidden there (crun refuses hybrid hosts). `after`: a shell command run in
    that namespace once the runtime exited, its output after a line
    "--after--". None when the runtime is not installed."""
    if not shutil.which(runtime):
        return None
    b.write()
    hide = "umount /sys/fs/cgroup/unified 2>/dev/null; " if os.path.ismount("/sys/fs/cgroup/unified") else ""
    root = b.path.parent / f"{runtime}-root"
    script = f"{hide}{runtime} --root {root} run -b {b.path} {cid}; rc=$?; echo --after--; {after or ':'}; exit $rc"
    return run_cmd(["unshare", "-m", "--propagation", "private", "sh", "-c", script])


# Tag of the running test: put into the runtime's environment and into the
# container's process.env so that the debris check can find every process a
# test started, whatever namespaces it lives in.
CURRENT_TAG = ["none"]
ISSUED_IDS = set()


def pid_alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
        return state != "Z"
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False


def wait_for(pred, timeout=10.0, interval=0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(interval)
    return pred()


# ---------------------------------------------------------------- bundles

class Bundle:
    def __init__(self, path, config):
        self.path = Path(path)
        self.rootfs = self.path / "rootfs"
        self.config = config
        self.tag = True

    @property
    def process(self):
        return self.config["process"]

    @property
    def linux(self):
        return self.config["linux"]

    def args(self, *argv):
        self.config["process"]["args"] = list(argv)
        return self

    def sh(self, script):
        return self.args("/bin/sh", "-c", script)

    def add_mount(self, destination, type_, source, options=None):
        m = {"destination": destination, "type": type_, "source": str(source)}
        if options is not None:
            m["options"] = list(options)
        self.config["mounts"].append(m)
        return m

    def write(self, raw=None):
        """Write config.json. The test tag is appended to process.env unless
        self.tag is False (tests that check the exact environment)."""
        with open(self.path / "config.json", "w") as f:
            if raw is not None:
                f.write(raw)
                return self
            cfg = self.config
            if self.tag and isinstance(cfg.get("process"), dict) and isinstance(cfg["process"].get("env"), list):
                cfg = copy.deepcopy(cfg)
                cfg["process"]["env"].append("BRICK_TEST_TAG=" + CURRENT_TAG[0])
            json.dump(cfg, f, indent=2)
        return self


class Brick:
    """Runs the binary under test with a per-test --root."""

    def __init__(self, root, tracker):
        self.root = Path(root)
        self.tracker = tracker
        self.binary = BRICK

    def __call__(self, *args, timeout=DEFAULT_TIMEOUT, input=None, global_args=(), pass_fds=(), env=None):
        argv = [self.binary, "--root", str(self.root), *global_args, *[str(a) for a in args]]
        cp = run_cmd(argv, timeout=timeout, input=input, pass_fds=pass_fds, env=env)
        self._track(args)
        return cp

    def popen(self, *args, global_args=(), **kw):
        argv = [self.binary, "--root", str(self.root), *global_args, *[str(a) for a in args]]
        kw.setdefault("stdout", subprocess.PIPE)
        kw.setdefault("stderr", subprocess.PIPE)
        kw.setdefault("stdin", subprocess.DEVNULL)
        kw.setdefault("text", True)
        kw.setdefault("start_new_session", True)
        env = dict(kw.pop("env", None) or os.environ)
        env.setdefault("BRICK_TEST_TAG", CURRENT_TAG[0])
        kw["env"] = env
        p = subprocess.Popen(argv, **kw)
        self.tracker.popens.append(p)
        return p

    def _track(self, args):
        # remember every container pid we can learn about
        self.tracker.scan_state(self)

    # convenience helpers ------------------------------------------------
    def ok(self, *args, **kw):
        cp = self(*args, **kw)
        assert cp.returncode == 0, f"{args} failed ({cp.returncode}):\nstdout: {cp.stdout}\nstderr: {cp.stderr}"
        return cp

    def state(self, cid):
        cp = self.ok("state", cid)
        st = json.loads(cp.stdout)
        if st.get("pid"):
            self.tracker.pids.add(st["pid"])
        return st

    def run(self, bundle, cid=None, extra=(), timeout=DEFAULT_TIMEOUT, **kw):
        """Foreground `run` of a bundle (config written first); returns CompletedProcess."""
        bundle.write()
        cid = cid or new_id()
        return self("run", "--bundle", bundle.path, *extra, cid, timeout=timeout, **kw)

    def create(self, bundle, cid=None, extra=(), **kw):
        bundle.write()
        cid = cid or new_id()
        cp = self.ok("create", "--bundle", bundle.path, *extra, cid, **kw)
        self.state(cid)  # records the pid for the debris check
        return cid

    def delete(self, cid, force=False):
        args = ["delete"] + (["--force"] if force else []) + [cid]
        return self.ok(*args)

    def wait_stopped(self, cid, timeout=10):
        assert wait_for(lambda: json.loads(self.ok("state", cid).stdout)["status"] == "stopped", timeout), \
            f"container {cid} did not stop"


def new_id():
    cid = "t" + uuid.uuid4().hex[:12]
    ISSUED_IDS.add(cid)
    return cid


class Tracker:
    def __init__(self):
        self.pids = set()
        self.popens = []

    def scan_state(self, brick):
        # Ask nothing of the runtime here (that could recurse); read pid files the
        # tests wrote plus whatever the runtime keeps: runc's state.json has init_process_pid.
        root = brick.root
        if not root.is_dir():
            return
        for sj in root.glob("*/state.json"):
            try:
                data = json.loads(sj.read_text())
            except (OSError, ValueError):
                continue
            for key in ("init_process_pid", "pid"):
                if isinstance(data.get(key), int) and data[key] > 0:
                    self.pids.add(data[key])


# ---------------------------------------------------------------- session setup

def _find_probe(cache):
    cands = []
    if os.environ.get("BRICK_PROBE"):
        cands.append(Path(os.environ["BRICK_PROBE"]))
    cands.append(Path(BRICK).resolve().parent / "tests" / "helpers" / "brick-probe")
    cands.append(REPO / "build" / "tests" / "helpers" / "brick-probe")
    for c in cands:
        if c.is_file() and os.access(c, os.X_OK):
            return c
    # not built by meson (e.g. BRICK=/usr/sbin/runc without a build tree): compile it
    out = cache / "brick-probe"
    subprocess.run(["cc", "-O2", "-static", "-o", str(out), str(REPO / "tests" / "helpers" / "probe.c")],
                   check=True, timeout=120)
    return out


@pytest.fixture(scope="session")
def session_cache():
    d = Path(tempfile.mkdtemp(prefix="brick-it-"))
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="session")
def base_rootfs(session_cache):
    probe = _find_probe(session_cache)
    rootfs = session_cache / "rootfs"
    subprocess.run([str(MKROOTFS), str(rootfs), str(probe)], check=True, timeout=120)
    return rootfs


@pytest.fixture
def workdir():
    """A short per-test directory (unix socket paths are limited to 108 bytes)."""
    d = Path(tempfile.mkdtemp(prefix="bk-", dir="/tmp"))
    yield d
    _umount_under(d)
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def bundle(workdir, base_rootfs):
    """Factory: bundle(args=None) -> Bundle with a private copy of the rootfs."""
    n = [0]

    def make(args=None):
        n[0] += 1
        path = workdir / f"b{n[0]}"
        path.mkdir()
        subprocess.run(["cp", "-a", str(base_rootfs), str(path / "rootfs")], check=True, timeout=60)
        os.unlink(path / "rootfs" / ".brick-rootfs-stamp")
        b = Bundle(path, minimal_config(args))
        b.write()
        return b

    return make


@pytest.fixture
def tracker():
    return Tracker()


# A module that sets ROOTLESS_LANE = True runs its tests marked @rootless_too
# twice: with root's brick and, in the rootless lane, with brick run by a
# normal user (the ubrick fixture); its other tests with root's ("[root]").
rootless_too = pytest.mark.rootless_too


def pytest_generate_tests(metafunc):
    if "brick" in metafunc.fixturenames and getattr(metafunc.module, "ROOTLESS_LANE", False):
        both = metafunc.definition.get_closest_marker("rootless_too") is not None
        metafunc.parametrize("lane", ["root", "rootless"] if both else ["root"], indirect=True)


@pytest.fixture
def lane(request):
    """"root", or "rootless" for the second run of a @rootless_too test."""
    return getattr(request, "param", "root")


@pytest.fixture
def brick(request, lane, workdir, tracker):
    if lane == "root":
        return Brick(workdir / "state", tracker)
    return request.getfixturevalue("ubrick")


# ---------------------------------------------------------------- debris check

def _mountinfo():
    res = {}
    with open("/proc/self/mountinfo") as f:
        for line in f:
            parts = line.split()
            res[parts[0]] = parts[4]  # mount id -> mount point
    return res


def _umount_under(d):
    d = str(d)
    for _ in range(5):
        mps = [mp for mp in _mountinfo().values() if mp == d or mp.startswith(d + "/")]
        if not mps:
            return
        for mp in sorted(mps, key=len, reverse=True):
            subprocess.run(["umount", "-l", mp], capture_output=True, timeout=10)


def procs_where(what, pred):
    """pids (not ours) whose /proc/PID/<what> ("environ", "cmdline"), split at
    NUL bytes, satisfies pred."""
    out = []
    for e in os.listdir("/proc"):
        if not e.isdigit() or int(e) == os.getpid():
            continue
        try:
            with open(f"/proc/{e}/{what}", "rb") as f:
                fields = f.read().split(b"\0")
        except OSError:
            continue
        if pred(fields):
            out.append(int(e))
    return out


def _tagged_procs(tag):
    """pids carrying BRICK_TEST_TAG=tag in their environment."""
    needle = ("BRICK_TEST_TAG=" + tag).encode()
    return procs_where("environ", lambda env: needle in env)


def tagged_procs_alive():
    """The current test's own processes still running (brick's helpers such as
    `brick do`'s guard carry the test's tag in their environment)."""
    return [p for p in _tagged_procs(CURRENT_TAG[0]) if pid_alive(p)]


def _cgroups_named(ids, maxdepth=5):
    found = []
    if not ids:
        return found
    for top, dirs, _ in os.walk("/sys/fs/cgroup"):
        depth = top.count("/") - 3
        for d in dirs:
            if d in ids:
                found.append(os.path.join(top, d))
        if depth >= maxdepth:
            dirs[:] = []
    return found


def _procs_rooted_under(d):
    """pids whose root directory lies under d (container processes of this test)."""
    d = os.path.realpath(str(d))
    out = []
    for e in os.listdir("/proc"):
        if not e.isdigit():
            continue
        try:
            r = os.readlink(f"/proc/{e}/root")
        except OSError:
            continue
        if r == d or r.startswith(d + "/"):
            out.append(int(e))
    return out


def pytest_configure(config):
    config.addinivalue_line("markers", "rootless_too: the attack runs unprivileged too (test_escapes.py)")


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)


@pytest.fixture(autouse=True)
def debris_check(request, workdir, brick, tracker):
    """Runs after every test, before its workdir is removed."""
    before = set(_mountinfo())
    CURRENT_TAG[0] = workdir.name
    ISSUED_IDS.clear()
    yield
    rep = getattr(request.node, "rep_call", None)
    test_failed = rep is None or rep.failed
    problems = []

    # 1. state left in --root
    leftover_ids = []
    if brick.root.is_dir():
        tracker.scan_state(brick)
        leftover_ids = [p.name for p in brick.root.iterdir() if not p.name.startswith(".")]
        allowed = getattr(request.node, "allow_state", False)
        if leftover_ids and not allowed:
            problems.append(f"state left in --root: {leftover_ids}")

    # 2. surviving processes: pids from state/pid files, plus anything rooted in our bundles
    survivors = set()
    for p in tracker.popens:
        if p.poll() is None:
            survivors.add(p.pid)
    for pid in tracker.pids:
        if pid_alive(pid):
            survivors.add(pid)
    for pidfile in workdir.rglob("*.pid"):
        try:
            pid = int(pidfile.read_text().strip())
        except (OSError, ValueError):
            continue
        if pid_alive(pid):
            survivors.add(pid)
    survivors.update(p for p in _procs_rooted_under(workdir) if pid_alive(p))
    survivors.update(p for p in _tagged_procs(workdir.name) if pid_alive(p))
    survivors.discard(os.getpid())
    if survivors:
        problems.append(f"processes survived the test: {sorted(survivors)}")

    # cleanup (always)
    for cid in leftover_ids:
        run_cmd([brick.binary, "--root", str(brick.root), "delete", "--force", cid], timeout=15)
    for pid in survivors:
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    for p in tracker.popens:
        if p.poll() is None:
            _kill_group(p)
        try:
            p.communicate(timeout=5)
        except Exception:
            pass

    # 3. cgroups named after this test's containers
    cgs = []
    if ISSUED_IDS:
        wait_for(lambda: not [p for p in survivors if pid_alive(p)], 5)
        cgs = _cgroups_named(ISSUED_IDS | set(leftover_ids))
        if cgs:
            problems.append(f"cgroups left behind: {cgs}")
            for cg in sorted(cgs, key=len, reverse=True):
                for _ in range(50):
                    try:
                        os.rmdir(cg)
                        break
                    except FileNotFoundError:
                        break
                    except OSError:
                        time.sleep(0.05)

    # 4. new mounts of this test: under its work dir and the host directories
    # the attack tests make (/tmp/outside-<pid>-*, /var/tmp/bk-<pid>-*). Mounts elsewhere
    # belong to whatever else runs on the machine (an engine's containers,
    # another suite) and never fail this test.
    def ours(mp):
        return (mp == str(workdir) or mp.startswith(str(workdir) + "/") or mp.startswith("/tmp/" + OUTSIDE_PREFIX)
                or mp.startswith("/var/tmp/" + VAR_TMP_PREFIX))
    new = {}
    for _ in range(3):
        now = _mountinfo()
        new = {k: v for k, v in now.items() if k not in before and ours(v)}
        if not new:
            break
        time.sleep(0.1)
    if new:
        problems.append(f"mounts left behind: {sorted(new.values())}")
        for mp in sorted(new.values(), key=len, reverse=True):
            if mp.startswith(str(workdir)) or mp.startswith("/tmp/" + OUTSIDE_PREFIX):
                subprocess.run(["umount", "-l", mp], capture_output=True, timeout=10)

    if problems and not test_failed:
        pytest.fail("debris after test: " + "; ".join(problems), pytrace=False)


@pytest.fixture
def allow_state(request):
    """Request this fixture to allow state to remain in --root after the test."""
    request.node.allow_state = True


# ---------------------------------------------------------------- misc helpers

def probe_line(cp, key):
    """Find the probe output line starting with key; return dict of k=v fields."""
    for line in cp.stdout.splitlines():
        if line.startswith(key + " ") or line == key:
            fields = {}
            for tok in line.split()[1:]:
                if "=" in tok:
                    k, v = tok.split("=", 1)
                    fields[k] = v
            fields["_line"] = line
            return fields
    raise AssertionError(f"no '{key}' line in output:\nstdout: {cp.stdout}\nstderr: {cp.stderr}")


CGROOT = Path("/sys/fs/cgroup")


def hierarchies():
    """Mount points of every cgroup hierarchy (v1 and v2) under /sys/fs/cgroup."""
    out = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            left, right = line.split(" - ", 1)
            mp, fstype = left.split()[4], right.split()[0]
            if fstype in ("cgroup", "cgroup2") and (mp == str(CGROOT) or mp.startswith(str(CGROOT) + "/")):
                out.append(Path(mp))
    return out


def host_ns_inode(kind):
    return os.stat(f"/proc/self/ns/{kind}").st_ino


# ---------------------------------------------------------------- rootless lane

# one account per test session (its pid in the name): two suites on one machine
# never share it, and an account whose session died is swept by the next one
ROOTLESS_PREFIX = "brick-rl-"
ROOTLESS_SUBIDS = (300000, 65536)


def _subid_lines_without(name):
    for f in ("/etc/subuid", "/etc/subgid"):
        try:
            lines = Path(f).read_text().splitlines()
        except FileNotFoundError:
            continue
        keep = [ln for ln in lines if ln.split(":")[0] != name]
        if keep != lines:
            Path(f).write_text("".join(ln + "\n" for ln in keep))


def _sweep_dead_rootless_users():
    """Accounts of this lane whose session (the pid in the name) has ended:
    a killed run's debris, ours by name."""
    import pwd
    for pw in pwd.getpwall():
        rest = pw.pw_name[len(ROOTLESS_PREFIX):]
        if not pw.pw_name.startswith(ROOTLESS_PREFIX) or not rest.isdigit():
            continue
        try:
            alive = b"pytest" in Path(f"/proc/{rest}/cmdline").read_bytes()
        except OSError:
            alive = False
        if not alive:
            subprocess.run(["userdel", pw.pw_name], timeout=30)
            _subid_lines_without(pw.pw_name)


@pytest.fixture(scope="session")
def rootless_user():
    """A normal user this session creates (a system account without a login,
    with a subordinate id range), and a world-readable copy of the binary it
    runs; both removed at the end."""
    import pwd
    if os.geteuid() != 0:
        pytest.skip("the rootless lane creates its user as root")
    _sweep_dead_rootless_users()
    name = f"{ROOTLESS_PREFIX}{os.getpid()}"
    try:
        pw = pwd.getpwnam(name)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
                       check=True, timeout=30)
        pw = pwd.getpwnam(name)
    start, count = ROOTLESS_SUBIDS
    for flag in ("--add-subuids", "--add-subgids"):
        subprocess.run(["usermod", flag, f"{start}-{start + count - 1}", name], check=True, timeout=30)
    top = Path(tempfile.mkdtemp(prefix="brick-rl-", dir="/tmp"))
    os.chmod(top, 0o755)
    binary = top / "brick"
    shutil.copy2(BRICK, binary)
    os.chmod(binary, 0o755)
    try:
        yield {"name": name, "uid": pw.pw_uid, "gid": pw.pw_gid, "binary": binary, "top": top}
    finally:
        shutil.rmtree(top, ignore_errors=True)
        subprocess.run(["userdel", name], timeout=30)
        _subid_lines_without(name)


@pytest.fixture
def no_subids(rootless_user):
    """The lane's user without its subordinate range for one test: only its
    own id can be mapped (newuidmap would refuse anything else)."""
    start, count = ROOTLESS_SUBIDS
    rng = f"{start}-{start + count - 1}"
    subprocess.run(["usermod", "--del-subuids", rng, "--del-subgids", rng, rootless_user["name"]],
                   check=True, timeout=30)
    yield
    subprocess.run(["usermod", "--add-subuids", rng, "--add-subgids", rng, rootless_user["name"]],
                   check=True, timeout=30)


class RootlessBrick(Brick):
    """The binary run as the rootless lane's user: no --root (the default,
    $XDG_RUNTIME_DIR/brick, is what is tested), a per-test XDG_RUNTIME_DIR
    and HOME owned by the user, no capabilities, no supplementary groups."""

    def __init__(self, user, home, tracker):
        super().__init__(home / "xdg" / "brick", tracker)
        self.user = user
        self.home = home
        self.binary = str(user["binary"])

    def env(self, extra=None):
        env = {"PATH": "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", "HOME": str(self.home),
               "XDG_RUNTIME_DIR": str(self.home / "xdg"), "BRICK_TEST_TAG": CURRENT_TAG[0]}
        # a sanitizer build keeps the suite's settings: LeakSanitizer's exit
        # check ptraces the process (and makes it dumpable meanwhile), which
        # hangs once `brick exec` has joined the container's user namespace
        env.update({k: v for k, v in os.environ.items() if k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS")})
        env.update(extra or {})
        return env

    def argv(self, args, global_args=()):
        u = self.user
        return ["setpriv", f"--reuid={u['uid']}", f"--regid={u['gid']}", "--clear-groups", "--inh-caps=-all",
                "--", self.binary, *global_args, *[str(a) for a in args]]

    def __call__(self, *args, timeout=DEFAULT_TIMEOUT, input=None, global_args=(), pass_fds=(), env=None):
        cp = run_cmd(self.argv(args, global_args), timeout=timeout, input=input, pass_fds=pass_fds,
                     env=self.env(env))
        self._track(args)
        return cp

    def popen(self, *args, global_args=(), **kw):
        kw.setdefault("stdout", subprocess.PIPE)
        kw.setdefault("stderr", subprocess.PIPE)
        kw.setdefault("stdin", subprocess.DEVNULL)
        kw.setdefault("text", True)
        kw.setdefault("start_new_session", True)
        kw["env"] = self.env(kw.pop("env", None))
        p = subprocess.Popen(self.argv(args, global_args), **kw)
        self.tracker.popens.append(p)
        return p

    def as_user(self, argv, **kw):
        """Any command as the user (runc, podman, a check)."""
        u = self.user
        return run_cmd(["setpriv", f"--reuid={u['uid']}", f"--regid={u['gid']}", "--clear-groups",
                        "--inh-caps=-all", "--", *[str(a) for a in argv]], env=self.env(kw.pop("env", None)), **kw)


@pytest.fixture
def ubrick(rootless_user, workdir, tracker):
    """brick as the rootless lane's user, in a home of its own under the
    test's workdir. After the test: every container left in its state root
    is debris (deleted, and the test fails)."""
    os.chmod(workdir, 0o755)
    home = workdir / "u"
    (home / "xdg").mkdir(parents=True)
    for p in (home, home / "xdg"):
        os.chown(p, rootless_user["uid"], rootless_user["gid"])
        os.chmod(p, 0o700)
    b = RootlessBrick(rootless_user, home, tracker)
    yield b
    left = [p.name for p in b.root.iterdir() if not p.name.startswith(".")] if b.root.is_dir() else []
    for cid in left:
        b("delete", "--force", cid)
    assert not left, f"containers left in the user's state root: {left}"
