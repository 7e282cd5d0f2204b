"""Escape regression suite: each test is the attack, run against brick's
defaults (the config `brick spec` writes, terminal false) unless the attack
needs a specific config. docs/SECURITY.md maps each test to its CVE and to
the default that stops it. The attack helper is tests/helpers/escape/escape.c
("OK ..." when the action succeeded, "ERR <errno> ..." when it was refused).
Attacks touch only files this suite creates in temp dirs."""
import errno
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest

from conftest import BRICK, REPO, brick_only, new_id, rootless_too, run_cmd, wait_for

pytestmark = brick_only

# The attacks marked @rootless_too run twice: against root's brick and, in
# the rootless lane, against brick run by a normal user on a `spec --rootless`
# config (a user namespace mapping only that user, no cgroup).
ROOTLESS_LANE = True


@pytest.fixture(scope="session")
def escape_bin(session_cache):
    out = session_cache / "brick-escape"
    if not out.exists():
        subprocess.run(["cc", "-O2", "-static", "-o", str(out),
                        str(REPO / "tests" / "helpers" / "escape" / "escape.c")],
                       check=True, timeout=120, capture_output=True)
    return out


@pytest.fixture(scope="session")
def default_config(session_cache):
    d = Path(tempfile.mkdtemp(dir=session_cache))
    subprocess.run([BRICK, "spec", "--bundle", str(d)], check=True, capture_output=True)
    cfg = json.loads((d / "config.json").read_text())
    cfg["process"]["terminal"] = False
    return cfg


@pytest.fixture(scope="session")
def default_rootless_config(session_cache):
    d = Path(tempfile.mkdtemp(dir=session_cache))
    subprocess.run([BRICK, "spec", "--rootless", "--bundle", str(d)], check=True, capture_output=True)
    cfg = json.loads((d / "config.json").read_text())
    cfg["process"]["terminal"] = False
    return cfg


@pytest.fixture
def ebundle(bundle, escape_bin, default_config, default_rootless_config, lane, brick):
    def make(*args):
        b = bundle()
        if lane == "root":
            b.config = json.loads(json.dumps(default_config))
        else:  # the user's own spec --rootless: its uid and gid as the container's root
            b.config = json.loads(json.dumps(default_rootless_config))
            for key, own in (("uidMappings", brick.user["uid"]), ("gidMappings", brick.user["gid"])):
                b.config["linux"][key] = [{"containerID": 0, "hostID": own, "size": 1}]
        b.config["process"]["args"] = list(args) or ["/bin/true"]
        shutil.copy(escape_bin, b.rootfs / "bin" / "brick-escape")
        if lane != "root":
            subprocess.run(["chown", "-R", f"{brick.user['uid']}:{brick.user['gid']}", str(b.path)], check=True)
        return b
    return make


@pytest.fixture
def outside():
    """A host directory outside every rootfs (the attacks' target)."""
    d = Path(tempfile.mkdtemp(prefix="outside-", dir="/tmp"))
    yield d
    shutil.rmtree(d, ignore_errors=True)


def verdict(cp, key=None):
    """errno of the helper line (0 for OK); key selects 'key: ...' lines."""
    for line in cp.stdout.splitlines():
        if key is not None:
            if not line.startswith(key + ": "):
                continue
            line = line[len(key) + 2:]
        if line.startswith("OK"):
            return 0
        if line.startswith("ERR"):
            return int(line.split()[1])
    raise AssertionError(f"no verdict{' for ' + key if key else ''}:\n{cp.stdout}\n{cp.stderr}")


def checks(brick, b, items):
    script = "; ".join(f'echo "{k}: $({v} 2>&1)"' for k, v in items.items())
    cp = brick.run(b.sh(script))
    assert cp.returncode == 0, cp.stderr
    return {k: verdict(cp, k) for k in items}


# ------------------------------------------------------------- CVE-2019-5736

@pytest.mark.parametrize("how", ["args", "shebang", "shebang-pid1"])
def test_cve_2019_5736_container_cannot_execute_the_runtime(brick, ebundle, how):
    """The init is brick's own process image until execve; the container must
    not get it to run (and so hold) the runtime binary via /proc/self/exe."""
    b = ebundle()
    if how == "args":
        b.args("/proc/self/exe", "--version")
    else:
        target = "/proc/self/exe" if how == "shebang" else "/proc/1/exe"
        (b.rootfs / "evil").write_text(f"#!{target} --version\n")
        os.chmod(b.rootfs / "evil", 0o755)
        b.args("/evil")
    cp = brick.run(b)
    assert "brick" not in cp.stdout.lower() and "version" not in cp.stdout.lower(), cp.stdout


@rootless_too
def test_cve_2019_5736_container_binary_not_writable_via_proc(brick, ebundle):
    cp = brick.run(ebundle("/bin/brick-escape", "exe-write", "/proc/1/exe"))
    assert verdict(cp) != 0


def test_cve_2019_5736_start_hook_cannot_hold_the_runtime(brick, ebundle, workdir):
    """A startContainer hook runs a binary of the container's image while the
    init is still brick: it holds /proc/<init>/exe and tries to reopen it for
    writing once no brick process runs any more (after `start`)."""
    out = workdir / "out"
    out.mkdir()
    b = ebundle("/bin/sleep", "5")
    b.config["mounts"].append({"destination": "/out", "type": "bind", "source": str(out),
                               "options": ["rbind", "rw"]})
    b.config["hooks"] = {"startContainer": [{
        "path": "/bin/brick-escape", "args": ["brick-escape", "exe-hold", "/proc/1/exe", "/out/hook"]}]}
    cid = brick.create(b)
    brick.ok("start", cid)
    hook = out / "hook"
    assert wait_for(lambda: hook.exists() and hook.read_text().endswith("\n"), 15), "no verdict from the hook"
    text = hook.read_text()
    brick.wait_stopped(cid, 15)
    brick.delete(cid)
    assert not text.startswith("OK"), "a container process opened the runtime binary for writing: " + text


def _has_interpreter(path):
    """True when the ELF file asks for a dynamic loader (PT_INTERP)."""
    import struct
    with open(path, "rb") as f:
        hdr = f.read(64)
        phoff, = struct.unpack_from("<Q", hdr, 0x20)
        phentsize, phnum = struct.unpack_from("<HH", hdr, 0x36)
        f.seek(phoff)
        table = f.read(phentsize * phnum)
    return any(struct.unpack_from("<I", table, i * phentsize)[0] == 3 for i in range(phnum))


def test_cve_2019_5736_static_cli_reexecs_before_libc_starts(brick, ebundle, workdir):
    """The static CLI's entry point (src/cli/entry.c) re-executes from the
    read-only bind before the C library starts: the first image makes no
    libc start-up syscall (arch_prctl sets up TLS) before its execveat, and
    the second image is the one that runs main()."""
    if _has_interpreter(BRICK):
        pytest.skip("dynamic build (sanitizers): the re-exec happens in main() instead")
    if not shutil.which("strace"):
        pytest.skip("needs strace")
    b = ebundle()
    b.write()
    log = workdir / "strace.log"
    cp = run_cmd(["strace", "-qq", "-o", str(log), "-e", "trace=execve,execveat,arch_prctl",
                  BRICK, "--root", str(brick.root), "run", "--bundle", str(b.path), new_id()])
    assert cp.returncode == 0, cp.stderr
    calls = [line.split("(", 1)[0].strip() for line in log.read_text().splitlines() if "(" in line]
    assert calls[0] == "execve" and "execveat" in calls, calls
    first = calls[:calls.index("execveat") + 1]
    assert "arch_prctl" not in first, "libc started before the re-exec: %s" % calls
    assert "arch_prctl" in calls[len(first):], calls


@pytest.mark.parametrize("value", ["3", "0", "junk", "999999"])
def test_cve_2019_5736_stray_tree_variable_changes_nothing(brick, ebundle, value):
    """_BRICK_EXE_TREE names the re-executed image's own detached mount. Set
    by a caller, it must neither skip the re-exec nor touch another mount:
    the container still cannot write (or run) the runtime binary."""
    env = dict(os.environ, _BRICK_EXE_TREE=value)
    cp = brick.run(ebundle("/bin/brick-escape", "exe-write", "/proc/1/exe"), env=env)
    assert verdict(cp) != 0, cp.stdout
    b = ebundle("/proc/self/exe", "--version")
    cp = brick.run(b, env=env)
    assert "version" not in cp.stdout.lower(), cp.stdout


# ------------------------------------------------------------- CVE-2024-21626

@rootless_too
def test_cve_2024_21626_no_leaked_fds(brick, ebundle):
    cp = brick.run(ebundle("/bin/brick-probe", "fds"))
    assert cp.returncode == 0, cp.stderr
    assert cp.stdout.split() == ["fds", "0", "1", "2"]


@rootless_too
@pytest.mark.parametrize("n", [3, 4, 5, 6, 7, 8])
def test_cve_2024_21626_cwd_through_leaked_fd(brick, ebundle, n):
    b = ebundle("/bin/sh", "-c", "cat ../../../../etc/hostname; pwd")
    b.process["cwd"] = f"/proc/self/fd/{n}"
    cp = brick.run(b)
    host = Path("/etc/hostname").read_text().strip()
    assert cp.returncode != 0 or (host not in cp.stdout and cp.stdout.strip().endswith(f"/proc/self/fd/{n}")
                                  is False), cp.stdout


@rootless_too
@pytest.mark.parametrize("how", ["run", "exec"])
def test_cve_2024_21626_executable_through_leaked_fd(brick, ebundle, workdir, how):
    """The executable is looked up (and execve'd) through the container's
    paths only: no host directory fd (procfs, cgroup mount points the init and
    exec's process open for their own placement) may still be open then, or
    PATH=/proc/self/fd/N/../.. reaches a host binary (attack 3 of the CVE)."""
    # a static program that exists only on the host, in a directory of ours
    host_dir = Path(tempfile.mkdtemp(prefix="hostonly-", dir="/tmp"))
    try:
        shutil.copy("/bin/busybox", host_dir / "hostonlyecho")
        os.symlink("hostonlyecho", host_dir / "echo2")
        (host_dir / "run-me").write_text("")
        shutil.copy("/bin/busybox", host_dir / "echo")  # busybox picks its applet from argv[0]
        rel = str(host_dir).lstrip("/")
        path = ":".join(f"/proc/self/fd/{n}/" + "../" * 12 + rel for n in range(3, 40))
        if how == "run":
            b = ebundle("echo", "ESCAPED")
            b.process["env"] = [f"PATH={path}"]
            cp = brick.run(b)
        else:
            b = ebundle("/bin/sleep", "30")
            cid = brick.create(b)
            brick.ok("start", cid)
            cp = brick("exec", "--env", f"PATH={path}", cid, "echo", "ESCAPED")
            brick.delete(cid, force=True)
    finally:
        shutil.rmtree(host_dir, ignore_errors=True)
    assert cp.returncode != 0 and "ESCAPED" not in cp.stdout, cp.stdout + cp.stderr


# ------------------------------------------------------------- CVE-2021-30465

@rootless_too
def test_cve_2021_30465_symlink_swap_between_mounts(brick, ebundle, outside, workdir):
    """A volume the attacker controls holds the next mount's destination; a
    racing thread swaps it between a directory and a symlink to a host path.
    The second mount must always land inside the container."""
    vol = workdir / "vol"
    vol.mkdir()
    (outside / "target").mkdir()
    stop = threading.Event()

    def swapper():
        # never a rename *over* an existing name: a directory renamed over the
        # one the tmpfs sits on detaches that mount in the container (the
        # kernel's rule for mount points in other namespaces), which would
        # read as "missing" without anything having landed outside
        while not stop.is_set():
            try:
                if (vol / "x").is_dir() and not os.path.lexists(vol / "x.tmp"):
                    os.rename(vol / "x", vol / "x.tmp")
                if not os.path.lexists(vol / "x"):
                    os.symlink(str(outside / "target"), vol / "x")
                time.sleep(0.0005)
                if os.path.islink(vol / "x"):
                    os.unlink(vol / "x")
                if not os.path.lexists(vol / "x"):
                    os.rename(vol / "x.tmp", vol / "x")
            except OSError:
                pass

    (vol / "x").mkdir()
    t = threading.Thread(target=swapper, daemon=True)
    t.start()
    landed = []
    try:
        for _ in range(15):
            b = ebundle("/bin/sh", "-c", "grep -c 'size=1236k' /proc/self/mountinfo || true")
            b.config["mounts"].append({"destination": "/vol", "type": "bind", "source": str(vol),
                                       "options": ["rbind", "rw"]})
            b.config["mounts"].append({"destination": "/vol/x", "type": "tmpfs", "source": "tmpfs",
                                       "options": ["size=1236k"]})
            (b.rootfs / outside.relative_to("/") / "target").mkdir(parents=True)
            cp = brick.run(b)
            if cp.returncode == 0:
                landed.append(cp.stdout.strip())
    finally:
        stop.set()
        t.join()
    assert not list((outside / "target").iterdir())
    assert all(x == "1" for x in landed), f"tmpfs missing from the container (mounted outside?): {landed}"


# ------------------------------------------------------------- masking, /dev

@rootless_too
def test_cve_2025_31133_dev_null_symlink_to_host_file(brick, ebundle, outside):
    """No /dev tmpfs: the image's /dev/null is a symlink to a host file. Masking
    must not bind that file over /proc/kcore & co, nor write it."""
    secret = outside / "secret"
    secret.write_text("HOST-SECRET\n")
    b = ebundle("/bin/sh", "-c", "cat /proc/kcore /proc/timer_list 2>&1 | head -c 200; "
                "echo x > /proc/kcore 2>&1; true")
    b.config["mounts"] = [m for m in b.config["mounts"] if m["destination"] not in ("/dev", "/dev/pts",
                                                                                      "/dev/shm", "/dev/mqueue")]
    os.makedirs(b.rootfs / "dev", exist_ok=True)
    os.symlink(str(secret), b.rootfs / "dev" / "null")
    cp = brick.run(b)
    assert "HOST-SECRET" not in cp.stdout
    assert secret.read_text() == "HOST-SECRET\n"


@rootless_too
def test_cve_2025_52565_dev_console_and_ptmx_symlinks(brick, ebundle, outside):
    victim = outside / "victim"
    victim.write_text("untouched\n")
    b = ebundle("/bin/sh", "-c", "echo pwned > /dev/console 2>/dev/null; echo pwned > /dev/ptmx 2>/dev/null; true")
    b.config["mounts"] = [m for m in b.config["mounts"] if m["destination"] != "/dev"]
    (b.rootfs / "dev" / "pts").mkdir(parents=True, exist_ok=True)
    for name in ("console", "ptmx"):
        os.symlink(str(victim), b.rootfs / "dev" / name)
    brick.run(b)
    assert victim.read_text() == "untouched\n"


@rootless_too
def test_dev_symlink_not_followed_before_pivot(brick, ebundle, outside):
    """rootfs/dev is a symlink to a host directory: the /dev tmpfs and the
    device nodes must stay inside the rootfs."""
    b = ebundle()
    shutil.rmtree(b.rootfs / "dev")
    os.symlink(str(outside), b.rootfs / "dev")
    brick.run(b)
    assert list(outside.iterdir()) == []


def test_cve_2025_52881_sysctl_not_redirected_by_container_mounts(brick, ebundle):
    """The config binds a rootfs directory over /proc/sys/kernel; the sysctl
    write must still reach the kernel (through brick's own procfs)."""
    b = ebundle("/bin/sh", "-c", "cat /proc/sys/kernel/domainname; uname -a >/dev/null")
    fake = b.rootfs / "fake"
    fake.mkdir()
    (fake / "domainname").write_text("fake\n")
    b.config["mounts"].append({"destination": "/proc/sys/kernel", "type": "bind", "source": str(fake),
                               "options": ["rbind", "rw"]})
    b.config["linux"]["sysctl"] = {"kernel.domainname": "brick-52881"}
    cp = brick.run(b.args("/bin/sh", "-c", "domainname 2>/dev/null || cat /proc/sys/kernel/domainname"))
    assert (fake / "domainname").read_text() == "fake\n", "sysctl written into the container's file"
    if cp.returncode == 0:
        assert "brick-52881" in cp.stdout or "fake" in cp.stdout


@rootless_too
def test_core_pattern_and_sysrq_not_writable(brick, ebundle):
    before = Path("/proc/sys/kernel/core_pattern").read_text()
    r = checks(brick, ebundle(), {
        "core_pattern": "/bin/brick-escape write /proc/sys/kernel/core_pattern '|/evil'",
        "sysrq": "/bin/brick-escape write /proc/sysrq-trigger h",
    })
    assert r["core_pattern"] in (errno.EROFS, errno.EACCES, errno.EPERM)
    assert r["sysrq"] != 0
    assert Path("/proc/sys/kernel/core_pattern").read_text() == before


@rootless_too
def test_cve_2022_0492_cgroup_v1_release_agent(brick, ebundle):
    r = checks(brick, ebundle(), {
        "mount_cgroup": "/bin/brick-escape mount cgroup /tmp/cg cgroup rdma",
        "release_agent": "/bin/brick-escape write /sys/fs/cgroup/release_agent /evil",
    })
    assert r["mount_cgroup"] in (errno.EPERM, errno.EACCES)
    assert r["release_agent"] != 0


@rootless_too
def test_mknod_block_device(brick, ebundle):
    r = checks(brick, ebundle(), {"mknod": "/bin/brick-escape mknod-open /dev/brick-sda 8 0"})
    assert r["mknod"] in (errno.EPERM, errno.EACCES)


def test_keyring_is_the_containers_own(brick, ebundle):
    desc = "brick-escape-" + new_id()
    add = subprocess.run(["python3", "-c", f"""
import ctypes; libc = ctypes.CDLL(None)
print(libc.syscall(248, b"user", b"{desc}", b"secret", 6, -3))"""], capture_output=True, text=True)
    if add.returncode != 0 or int(add.stdout.strip() or -1) < 0:
        pytest.skip("cannot add a key to the host session keyring")
    r = checks(brick, ebundle(), {"search": f"/bin/brick-escape key-search {desc}"})
    assert r["search"] != 0


# ------------------------------------------------------------- CVE-2016-9962

def _race_execs(brick, ebundle, caps=(), stop=False, execs=100):
    """A process of the container races every new pid for /proc/PID/mem and
    /proc/PID/environ (or SIGSTOPs it) while `brick exec` runs `execs` times
    with a secret in its own environment. Returns the racer's counters and
    the exec results."""
    marker = "BRICKSECRET" + new_id()
    b = ebundle("/bin/sh", "-c", f"/bin/brick-escape race-proc /tmp/stop {marker} {int(stop)} > /tmp/race.out")
    b.config["root"]["readonly"] = False  # the racer's report, read from the host
    # in the runtime's heap (the saved config), never in a container program's memory
    b.config.setdefault("annotations", {})["test.marker"] = marker
    for c in caps:
        for kind in ("bounding", "effective", "permitted"):
            b.process["capabilities"][kind].append(c)
    b.write()
    cid = new_id()
    brick.ok("run", "-d", "--bundle", b.path, cid)
    env = dict(os.environ, BRICK_HOST_SECRET=marker)
    results = []
    try:
        for _ in range(execs):
            # the secret in brick's command line too (a host path the container never gets):
            # /proc/PID/cmdline needs no ptrace access
            pidfile = os.path.join(tempfile.gettempdir(), f"bk-{marker}.pid")
            results.append(brick("exec", "--pid-file", pidfile, cid, "/bin/true", env=env, timeout=20))
            if os.path.exists(pidfile):
                os.unlink(pidfile)
    finally:
        (b.rootfs / "tmp" / "stop").touch()
        brick.wait_stopped(cid, timeout=20)
        brick.ok("delete", "-f", cid)
    out = (b.rootfs / "tmp" / "race.out").read_text()
    assert out.startswith("OK "), out
    print("racer:", out.strip())
    return {k: int(v) for k, v in (kv.split("=") for kv in out.split()[1:])}, results


@rootless_too
def test_cve_2016_9962_exec_process_not_readable_from_the_container(brick, ebundle):
    """runc's CVE-2016-9962: the process `exec` makes is in the container's
    pid namespace before its execve; container root (same uid) could open
    its /proc/PID/mem read-write and take it over before seccomp and
    no_new_privs, or read the caller's environment. Non-dumpable from birth,
    it yields nothing to a racer without CAP_SYS_PTRACE."""
    r, results = _race_execs(brick, ebundle)
    assert all(cp.returncode == 0 for cp in results), [cp.stderr for cp in results if cp.returncode][:3]
    assert r["runtime"] > 0, f"the racer never saw an exec process before its execve: {r}"
    assert r["mem"] == 0 and r["environ"] == 0 and r["cmdline"] == 0, r


@rootless_too
def test_cve_2016_9962_racer_with_cap_sys_ptrace(brick, ebundle):
    """What the design guarantees to a racer holding CAP_SYS_PTRACE in the
    exec process's user namespace (docs/SECURITY.md): the kernel lets it open
    /proc/PID/mem (as with runc); the caller's environment is wiped before the
    process does anything else, so the secret is not there to read."""
    r, results = _race_execs(brick, ebundle, caps=["CAP_SYS_PTRACE"])
    assert r["runtime"] > 0, r
    assert r["environ"] == 0 and r["cmdline"] == 0, r


@rootless_too
def test_exec_stopped_by_the_container_does_not_hang(brick, ebundle):
    """A process of the container SIGSTOPs every new process while it is still
    the runtime: `brick exec` reports it and returns, instead of waiting for
    ever."""
    r, results = _race_execs(brick, ebundle, stop=True, execs=30)
    assert r["stopped"] > 0, r
    failed = [cp for cp in results if cp.returncode != 0]
    assert failed, r
    assert all("stopped" in cp.stderr for cp in failed), [cp.stderr for cp in failed]


@rootless_too
def test_ptrace_outside_processes(brick, ebundle):
    victim = subprocess.Popen(["sleep", "30"])
    try:
        r = checks(brick, ebundle(), {"ptrace": f"/bin/brick-escape ptrace {victim.pid}",
                                      "visible": f"/bin/brick-escape open-read /proc/{victim.pid}/cmdline"})
    finally:
        victim.kill()
        victim.wait()
    assert r["ptrace"] in (errno.ESRCH, errno.EPERM)
    assert r["visible"] != 0


def test_tiocsti_into_callers_terminal(brick, ebundle):
    """brick calls setsid(): the caller's terminal is not the container's
    controlling terminal, so TIOCSTI on the inherited fd fails."""
    import pty
    master, slave = pty.openpty()
    try:
        b = ebundle("/bin/brick-escape", "tiocsti", "0", "id\n")
        b.write()
        cp = run_cmd([BRICK, "--root", str(brick.root), "run", "--bundle", str(b.path), new_id()],
                     stdin=slave)
    finally:
        os.close(slave)
        os.set_blocking(master, False)
        try:
            injected = os.read(master, 100)
        except OSError:
            injected = b""
        os.close(master)
    assert verdict(cp) != 0, cp.stdout
    assert b"id" not in injected


@rootless_too
def test_dev_kmsg(brick, ebundle):
    r = checks(brick, ebundle(), {"kmsg": "/bin/brick-escape open-read /dev/kmsg"})
    assert r["kmsg"] != 0


@rootless_too
def test_module_autoload_through_socket_families(brick, ebundle):
    """socket() of an unusual family could make the kernel modprobe it. The
    default seccomp profile refuses such families before the kernel looks."""
    if "seccomp" not in json.dumps(ebundle().config.get("linux", {})):
        pytest.skip("the default spec carries no seccomp profile yet (seccomp support not built)")
    # AF_DECnet(12), AF_IPX(4), AF_APPLETALK(5), AF_X25(9), AF_AX25(3), AF_NETROM(6), AF_ROSE(11)
    fams = {f"af{f}": f"/bin/brick-escape socket {f} 2" if f not in (3, 6, 11) else
            f"/bin/brick-escape socket {f} 5" for f in (3, 4, 5, 6, 9, 11, 12)}
    r = checks(brick, ebundle(), fams)
    assert all(v != 0 for v in r.values()), r


# ------------------------------------------------ user and capability parsing

def test_cve_2016_3697_numeric_user_is_a_uid(brick, ebundle):
    """The image's /etc/passwd names a user "1000" whose uid is 0: a numeric
    user is a uid, never a name looked up (runc's CVE-2016-3697)."""
    b = ebundle("/bin/sh", "-c", "id -u")
    with open(b.rootfs / "etc" / "passwd", "a") as f:
        f.write("1000:x:0:0:trap:/:/bin/sh\n")
    b.config["process"]["user"] = {"uid": 1000, "gid": 1000}
    cp = brick.run(b)
    assert cp.returncode == 0 and cp.stdout.strip() == "1000", cp
    b.config["process"]["user"] = {"uid": 0, "gid": 0}
    b.config["process"]["args"] = ["/bin/sleep", "60"]
    cid = new_id()
    b.write()
    brick.ok("run", "-d", "--bundle", b.path, cid)
    try:
        cp = brick("exec", "-u", "1000", cid, "id", "-u")
        assert cp.stdout.strip() == "1000", cp
        # crun's CVE-2026-30892: exec -u 1 parsed as uid 0
        assert brick("exec", "-u", "1", cid, "id", "-u").stdout.strip() == "1"
        assert brick("exec", "-u", "1:1", cid, "id", "-g").stdout.strip() == "1"
    finally:
        brick.ok("delete", "-f", cid)


@pytest.mark.parametrize("uid", [4294967295, 4294967296, 2147483648])
def test_cve_2024_40635_uid_overflow_never_becomes_root(brick, ebundle, uid):
    """containerd's CVE-2024-40635 class: an id that truncates or reads as
    (uid_t)-1 ("leave unchanged") would keep the process root. Refused with
    the JSON path, as runc refuses ids above 2^31-1."""
    b = ebundle("/bin/sh", "-c", "id -u")
    b.config["process"]["user"] = {"uid": uid, "gid": 0}
    cp = brick.run(b)
    assert cp.returncode != 0 and "process.user.uid" in cp.stderr, cp
    b.config["process"]["user"] = {"uid": 1000, "gid": uid}
    cp = brick.run(b)
    assert cp.returncode != 0 and "process.user.gid" in cp.stderr, cp


def test_exec_and_do_refuse_overflowing_ids(brick, ebundle):
    b = ebundle("/bin/sleep", "60")
    cid = new_id()
    b.write()
    brick.ok("run", "-d", "--bundle", b.path, cid)
    try:
        for u in ("4294967295", "4294967296", "2147483648:0", "0:4294967295"):
            cp = brick("exec", "-u", u, cid, "id", "-u")
            assert cp.returncode != 0 and cp.stdout.strip() != "0", (u, cp)
    finally:
        brick.ok("delete", "-f", cid)
    cp = brick("do", "-u", "4294967295", "--", "id", "-u")
    assert cp.returncode != 0 and "-u" in cp.stderr, cp


def _capinh(cp):
    for line in cp.stdout.splitlines():
        if line.startswith("CapInh:"):
            return int(line.split()[1], 16)
    raise AssertionError(cp.stdout + cp.stderr)


@rootless_too
def test_cve_2022_29162_no_inheritable_capabilities(brick, ebundle):
    """runc's CVE-2022-29162 and Moby's CVE-2022-24769/Podman's CVE-2022-27650:
    the inheritable set was left filled, so a file with inheritable file
    capabilities gained them at execve. The default spec, exec and do give
    an empty inheritable set."""
    b = ebundle("/bin/sleep", "60")
    cid = new_id()
    b.write()
    brick.ok("run", "-d", "--bundle", b.path, cid)
    try:
        assert _capinh(brick.ok("exec", cid, "cat", "/proc/self/status")) == 0
        assert _capinh(brick.ok("exec", "--cap", "CAP_SYS_ADMIN", cid, "cat", "/proc/self/status")) == 0
        assert _capinh(brick.ok("exec", cid, "cat", "/proc/1/status")) == 0
    finally:
        brick.ok("delete", "-f", cid)
    assert _capinh(brick.ok("do", "--", "cat", "/proc/self/status")) == 0


# ------------------------------------------------------ paths in the image

@rootless_too
def test_cve_2019_18837_symlinked_mount_target(brick, ebundle, outside, workdir):
    """crun's CVE-2019-18837: a mount destination that is a symlink out of the
    rootfs. It resolves inside the root: the host directory gets nothing."""
    src = workdir / "src"
    src.mkdir()
    (src / "payload").write_text("x")
    b = ebundle("/bin/true")
    (b.rootfs / "mnt").mkdir(exist_ok=True)
    os.symlink(str(outside), b.rootfs / "mnt" / "target")
    b.config["mounts"].append({"destination": "/mnt/target", "type": "bind", "source": str(src),
                               "options": ["rbind", "ro"]})
    brick.run(b)
    assert list(outside.iterdir()) == []
    assert not any(l.split()[4] == str(outside) for l in open("/proc/self/mountinfo"))


@rootless_too
def test_cve_2024_45310_mount_point_created_outside(brick, ebundle, outside, workdir):
    """runc's CVE-2024-45310: a missing mount destination behind a symlink made
    an empty file or directory on the host. Created inside the root only."""
    f = workdir / "file"
    f.write_text("x")
    b = ebundle("/bin/true")
    os.symlink(str(outside), b.rootfs / "escape")
    b.config["mounts"] += [
        {"destination": "/escape/newfile", "type": "bind", "source": str(f), "options": ["bind", "ro"]},
        {"destination": "/escape/newdir/sub", "type": "tmpfs", "source": "tmpfs"},
    ]
    brick.run(b)
    assert list(outside.iterdir()) == [], list(outside.iterdir())


@rootless_too
@pytest.mark.parametrize("how", ["absolute", "relative"])
def test_cve_2019_19921_proc_as_a_symlink(brick, ebundle, outside, how):
    """runc's CVE-2019-19921 and CVE-2023-27561: the image's /proc is a symlink
    (out of the root): procfs must not land on a host directory, and the
    masked paths must still be masked."""
    b = ebundle("/bin/sh", "-c", "cat /proc/kcore 2>/dev/null | head -c 1 | wc -c")
    shutil.rmtree(b.rootfs / "proc", ignore_errors=True)
    os.symlink(str(outside) if how == "absolute" else "../../../../../../" + str(outside).lstrip("/"),
               b.rootfs / "proc")
    cp = brick.run(b)
    assert list(outside.iterdir()) == []
    assert not any(l.split()[4] == str(outside) for l in open("/proc/self/mountinfo"))
    if cp.returncode == 0:
        assert cp.stdout.strip() == "0", cp.stdout
