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

from conftest import (OUTSIDE_PREFIX, BRICK, CURRENT_TAG, REPO, RootlessBrick, brick_only, hierarchies, new_id, rootless_too,
                      pty_run, run_cmd, wait_for)

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
    d = Path(tempfile.mkdtemp(prefix=OUTSIDE_PREFIX, dir="/tmp"))
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
        # the secret in brick's command line too (a host path the container never gets):
        # /proc/PID/cmdline needs no ptrace access
        pidfile = os.path.join(tempfile.gettempdir(), f"bk-{marker}.pid")
        for _ in range(execs):
            try:
                results.append(brick("exec", "--pid-file", pidfile, cid, "/bin/true", env=env, timeout=20))
            finally:
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


# ------------------------------------------------ entry points, host snapshots

def _argv(brick, args):
    """brick's whole command line and environment for args (as the rootless
    lane's user in that mode), for callers that start it themselves."""
    args = [str(a) for a in args]
    if isinstance(brick, RootlessBrick):
        return brick.argv(args), brick.env()
    return [brick.binary, "--root", str(brick.root), *args], dict(os.environ, BRICK_TEST_TAG=CURRENT_TAG[0])


def _enter(brick, b, how, argv, opts=(), runner=None, **kw):
    """Run argv in a container of bundle b through one entry point: "run"
    (b's config), "exec" (into b's container, started detached first) or
    "do" (`brick do --rootfs` on b's rootfs: brick do's own config). opts
    are exec's or do's flags; runner(*args, **kw) runs brick (default: the
    fixture)."""
    runner = runner or brick
    if how == "run":
        b.args(*argv).write()
        return runner("run", "--bundle", b.path, new_id(), **kw)
    if how == "do":
        return runner("do", *opts, "--rootfs", b.rootfs, "--", *argv, **kw)
    assert how == "exec", how
    b.args("/bin/sleep", "60").write()
    cid = new_id()
    brick.ok("run", "-d", "--bundle", b.path, cid)
    try:
        return runner("exec", *opts, cid, *argv, **kw)
    finally:
        brick.ok("delete", "-f", cid)


def _tree(d):
    """All an attack could change in host directory d: each entry's type,
    mode, owner, size, mtime and content (a symlink's target)."""
    out = {}
    for top, dirs, files in os.walk(d):
        for name in [""] + dirs + files:
            p = os.path.join(top, name) if name else top
            st = os.lstat(p)
            what = os.readlink(p) if os.path.islink(p) else (Path(p).read_bytes() if os.path.isfile(p) else None)
            out[p] = (st.st_mode, st.st_uid, st.st_gid, st.st_size, st.st_mtime_ns, what)
    return out


def _host_victim(outside):
    """A world-writable host directory holding a world-writable file: only
    the runtime stands between the container and them."""
    os.chmod(outside, 0o777)
    victim = outside / "victim"
    victim.write_text("host file\n")
    victim.chmod(0o666)
    return victim


def _without_dev_mount(b):
    b.config["mounts"] = [m for m in b.config["mounts"] if m["destination"] != "/dev"]


# ------------------------------------------------ /dev of the image (2026)

@rootless_too
@pytest.mark.parametrize("how", ["run", "run-no-dev-mount", "run-no-dev-mount-terminal", "do"])
def test_cve_2026_41579_dev_symlink_to_a_host_directory(brick, ebundle, outside, how):
    """runc's CVE-2026-41579 (crun's GHSA-7vwr-4279-7gq5): the image's /dev is
    a symlink to an existing host directory. runc joined paths under it and
    so deleted a `ptmx` there and made its /dev symlinks (fd, stdin, stdout,
    stderr, ptmx) in it; runc 1.1.5 on this machine does both. Here the
    directory holds a `ptmx` and a `null` and must come out as it went in:
    brick resolves /dev inside the root before it mounts, creates or removes
    anything (rootfs/dev.c works on a directory fd), with the default /dev
    tmpfs, without it (an engine's bind-less config) and with a terminal."""
    _host_victim(outside)
    for name in ("ptmx", "null"):
        (outside / name).write_text("host file\n")
    before = _tree(outside)
    b = ebundle()
    if "no-dev-mount" in how:
        _without_dev_mount(b)
    b.process["terminal"] = how.endswith("terminal")
    shutil.rmtree(b.rootfs / "dev")
    os.symlink(str(outside), b.rootfs / "dev")
    cp = _enter(brick, b, how.split("-")[0], ["/bin/sh", "-c", "test -c /dev/null && test -L /dev/ptmx && echo dev-ok"],
                input="")
    assert _tree(outside) == before
    assert cp.returncode == 0 and "dev-ok" in cp.stdout, cp.stdout + cp.stderr


@rootless_too
@pytest.mark.parametrize("target", ["missing", "existing"])
@pytest.mark.parametrize("how", ["run", "exec", "do"])
def test_cve_2026_88264_dev_console_symlink_with_a_terminal(brick, ebundle, outside, how, target):
    """crun's CVE-2026-88264: no /dev mount of its own, a terminal and a
    read-only rootfs; crun made /dev/console through the image's symlink (a
    root-owned file outside the rootfs) or, read-only, bind-mounted the pty
    onto its target. brick makes no /dev/console and mounts nothing by path
    for a terminal: the pty peer comes from TIOCGPTPEER and becomes stdio
    (process/exec.c). The symlink names a missing host file or an existing
    one; neither is created, mounted over or chowned."""
    victim = _host_victim(outside)
    before = _tree(outside)
    b = ebundle()
    _without_dev_mount(b)
    b.config["root"]["readonly"] = True
    b.process["terminal"] = how == "run"
    (b.rootfs / "dev" / "pts").mkdir(parents=True, exist_ok=True)
    os.symlink(str(victim if target == "existing" else outside / "console"), b.rootfs / "dev" / "console")
    opts = {"run": [], "exec": ["-t"], "do": ["-t", "--read-only"]}[how]
    cp = _enter(brick, b, how, ["/bin/sh", "-c", "tty"], opts=opts, input="")
    assert _tree(outside) == before
    assert cp.returncode == 0 and "/dev/pts/" in cp.stdout, cp.stdout + cp.stderr


def _closing(brick, redirections):
    """A runner for _enter: brick started with some of its stdio closed
    ("<&-", "<&- >&- 2>&-")."""
    def run(*args, **kw):
        argv, env = _argv(brick, args)
        return run_cmd(["/bin/sh", "-c", f'exec "$@" {redirections}', "sh", *argv], env=env, **kw)
    return run


@rootless_too
@pytest.mark.parametrize("how", ["run", "exec", "do"])
def test_cve_2026_88265_dev_null_symlink_never_becomes_stdio(brick, ebundle, outside, lane, how):
    """crun's CVE-2026-88265: crun reopened the container's /dev/null for the
    stdio its caller had closed, after pivot_root; a /dev/null symlink to a
    host file put that file on the process's stdin and stdout and chowned it
    to the process's user. Here the caller closes stdin and /dev/null names
    a host file (made so by the image for run and do, by the running
    container for exec). brick fills missing stdio from the host's /dev/null
    before any container path is reachable (cli/create.c) and never opens
    the container's: the host file is none of the process's fds, and
    unchanged. (As root, run refuses a /dev/null that is not char 1:3.)"""
    victim = _host_victim(outside)
    before = _tree(outside)
    b = ebundle()
    _without_dev_mount(b)
    opts = []
    if lane == "root":  # a user of the container, as crun's chown would give it the file
        b.process["user"] = {"uid": 1000, "gid": 1000}
        opts = ["-u", "1000:1000"]
    script = "for fd in 0 1 2; do echo fd$fd=$(stat -L -c %i /proc/self/fd/$fd); done; head -c 64 <&0; true"
    if how == "exec":
        # the container, running, swaps its /dev/null for a symlink (an absolute path: a host path
        # to whoever resolves it outside the container)
        b.args("/bin/sleep", "60").write()
        cid = new_id()
        brick.ok("run", "-d", "--bundle", b.path, cid)
        try:
            link = b.rootfs / "dev" / "null.new"
            os.symlink(str(victim), link)
            os.rename(link, b.rootfs / "dev" / "null")
            cp = _closing(brick, "<&-")("exec", *opts, cid, "/bin/sh", "-c", script)
        finally:
            brick.ok("delete", "-f", cid)
    else:
        (b.rootfs / "dev" / "null").unlink(missing_ok=True)
        os.symlink(str(victim), b.rootfs / "dev" / "null")
        cp = _enter(brick, b, how, ["/bin/sh", "-c", script], opts=opts, runner=_closing(brick, "<&-"))
    assert _tree(outside) == before
    if lane == "root" and how == "run":
        assert cp.returncode != 0 and "/dev/null" in cp.stderr, cp.stdout + cp.stderr
        return
    assert cp.returncode == 0, cp.stdout + cp.stderr
    fds = dict(line.split("=", 1) for line in cp.stdout.splitlines() if line.startswith("fd"))
    assert len(fds) == 3 and str(victim.stat().st_ino) not in fds.values(), cp.stdout
    assert "host file" not in cp.stdout


@rootless_too
@pytest.mark.parametrize("how", ["run", "exec", "do"])
def test_cve_2026_88265_closed_stdio_is_the_null_device(brick, ebundle, workdir, how):
    """The stdio a caller closed, from the other side: its stdin, stdout and
    stderr all closed. crun reopened the container's /dev/null for them;
    brick filled nothing, so its own first fds took those numbers and the
    container inherited them: stdin was the exe guard's handle on the runtime
    binary (the container ran `brick --version` through /proc/self/fd/0),
    stdout an internal pipe. The CLI now puts the host's /dev/null there
    before it opens anything (cli/entry.c, cli/main.c): fds 0-2 of the
    container's process are the null device."""
    out = workdir / "out"
    out.mkdir()
    os.chmod(out, 0o777)
    b = ebundle()
    b.config["mounts"].append({"destination": "/out", "type": "bind", "source": str(out), "options": ["rbind", "rw"]})
    script = """exec 9>/out/fds; for fd in 0 1 2; do echo "$fd $(stat -L -c '%F %t:%T' /proc/$$/fd/$fd)" >&9; done"""
    cp = _enter(brick, b, how, ["/bin/sh", "-c", script], opts=["-v", f"{out}:/out"] if how == "do" else [],
                runner=_closing(brick, "<&- >&- 2>&-"))
    assert cp.returncode == 0, cp.stderr
    assert (out / "fds").read_text().splitlines() == [f"{fd} character special file 1:3" for fd in range(3)]


# ------------------------------------------------ the caller's terminal

def _in_a_terminal(brick, args, timeout=30):
    """Run brick with a fresh pty as the caller's controlling terminal and as
    all three stdio fds, as from an interactive shell. Returns (status,
    what was written to the terminal, what its input queue holds after
    brick exits: what the caller's shell would read next)."""
    argv, env = _argv(brick, args)
    status, out, pending = pty_run(argv, env=env, ctty=True, pending=True, timeout=timeout)
    return status, out.replace("\r", ""), pending


@rootless_too
@pytest.mark.parametrize("how", ["run", "run-terminal", "exec", "exec-t", "do", "do-t"])
def test_cve_2017_5226_tiocsti_into_the_callers_terminal(brick, ebundle, how):
    """bubblewrap's CVE-2017-5226: the sandboxed program kept its caller's
    terminal as controlling terminal and pushed a command into its input
    with ioctl(TIOCSTI); the shell ran it once the sandbox ended. brick
    calls setsid() in the container's init and in exec's process: the
    caller's terminal is no container process's controlling terminal
    (TIOCGSID: ENOTTY), so TIOCSTI on it is refused (EPERM, without
    CAP_SYS_ADMIN) whatever dev.tty.legacy_tiocsti says; with a terminal of
    its own (-t, process.terminal) the container holds no fd of the caller's.
    Either way nothing reaches the caller's input queue."""
    script = ("echo ctty: $(/bin/brick-escape ctty 0); "
              "for fd in 0 1 2; do echo sti$fd: $(/bin/brick-escape tiocsti $fd \"echo INJECTED$fd\n\"); done")
    argv = ["/bin/sh", "-c", script]
    entry, tty = how.split("-")[0], "-" in how
    b = ebundle()
    if entry == "run":
        b.process["terminal"] = tty
        b.args(*argv).write()
        args = ["run", "--bundle", b.path, new_id()]
    elif entry == "do":
        args = ["do", *(["-t"] if tty else []), "--rootfs", b.rootfs, "--", *argv]
    else:
        b.args("/bin/sleep", "60").write()
        cid = new_id()
        brick.ok("run", "-d", "--bundle", b.path, cid)
        args = ["exec", *(["-t"] if tty else []), cid, *argv]
    try:
        status, out, pending = _in_a_terminal(brick, args)
    finally:
        if entry == "exec":
            brick.ok("delete", "-f", cid)
    assert b"INJECTED" not in pending, (pending, out)
    assert status == 0, out
    verdicts = {k: v.strip() for k, v in (line.split(":", 1) for line in out.splitlines() if ":" in line)}
    assert set(verdicts) >= {"ctty", "sti0", "sti1", "sti2"}, out
    if not tty:  # the caller's terminal on every fd
        assert verdicts["ctty"].startswith(f"ERR {errno.ENOTTY} "), out
        assert all(verdicts[f"sti{fd}"].startswith("ERR ") for fd in range(3)), out
    else:  # its own terminal (what it pushes there, it reads itself)
        assert verdicts["ctty"].startswith("OK"), out


# ------------------------------------------------ cgroups, configs, users

def _delegated_cgroups(uid, gid):
    """A cgroup in every hierarchy given to uid (as systemd delegates one to
    a user's session: the directory and its files); yields their paths."""
    name = "bk-deleg-" + new_id()
    made = []
    for h in hierarchies():
        d = h / name
        try:
            d.mkdir()
        except OSError:
            continue
        made.append(d)
        if (h / "cpuset.cpus").exists():  # v1 cpuset: no task joins an empty set
            for f in ("cpuset.cpus", "cpuset.mems"):
                (d / f).write_text((h / f).read_text())
        for p in [d, *d.iterdir()]:
            os.chown(p, uid, gid)
    return made


def _remove_cgroups(dirs):
    """rmdir each, after whatever cgroups a successful attack made in it."""
    for d in dirs:
        for sub in sorted((top for top, _, _ in os.walk(d)), key=len, reverse=True):
            wait_for(lambda: _rmdir(sub), 10)


def _rmdir(d):
    try:
        os.rmdir(d)
    except FileNotFoundError:
        pass
    except OSError:
        return False
    return True


@rootless_too
@pytest.mark.parametrize("how", ["run", "run-host-network", "run-no-cgroup-mount", "do", "do-host-network"])
def test_cve_2023_25809_host_cgroups_read_only(brick, ebundle, lane, how):
    """runc's CVE-2023-25809: a rootless container without a cgroup namespace
    got the host's /sys/fs/cgroup writable through the bind of the host's
    /sys ("rbind", "ro": read-only on the top mount only), so under
    systemd's delegation it could write the user's own cgroups: a session's
    limits, a new child cgroup. Here the caller runs in a cgroup delegated to
    the container's user in every hierarchy (root's, in root mode); the
    config is `spec --rootless`'s (its /sys a bind of the host's), without a
    network namespace, or without the cgroup mount that covers the bound
    hierarchies. Inside, every mount at or below /sys/fs/cgroup is read-only
    and no child cgroup can be made. Without the cgroup mount the rootless
    container made them (runc 1.1.5 here too); brick now makes "ro" on a
    recursive bind of sysfs recursive (rootfs/mounts.c)."""
    uid, gid = (brick.user["uid"], brick.user["gid"]) if lane == "rootless" else (0, 0)
    dirs = _delegated_cgroups(uid, gid)
    assert dirs, "no cgroup hierarchy to delegate"
    script = ("cat /proc/self/mountinfo; for d in /sys/fs/cgroup /sys/fs/cgroup/* /sys/fs/cgroup/*/bk-deleg*; do"
              ' [ -L "$d" ] || echo "mkdir $d: $(/bin/brick-escape mkdir "$d/escape-25809")"; done')
    entry, host_net = how.split("-")[0], how.endswith("host-network")
    b = ebundle()
    if entry == "run":
        if host_net:
            b.linux["namespaces"] = [n for n in b.linux["namespaces"] if n["type"] != "network"]
        if how.endswith("no-cgroup-mount"):
            b.config["mounts"] = [m for m in b.config["mounts"] if m["destination"] != "/sys/fs/cgroup"]
        b.args("/bin/sh", "-c", script).write()
        args = ["run", "--bundle", b.path, new_id()]
    else:
        args = ["do", *(["--net", "host"] if host_net else []), "--rootfs", b.rootfs, "--", "/bin/sh", "-c", script]
    argv, env = _argv(brick, args)
    procs = " ".join(str(d / "cgroup.procs") for d in dirs)
    try:
        cp = run_cmd(["/bin/sh", "-c", f'for f in {procs}; do echo $$ > $f; done; exec "$@"', "sh", *argv], env=env)
        escaped = [str(d) for d in dirs if (d / "escape-25809").exists()]
    finally:
        _remove_cgroups(dirs)
    assert cp.returncode == 0, cp.stdout + cp.stderr
    assert not escaped, escaped
    mounts = [line.split() for line in cp.stdout.splitlines() if line[:1].isdigit()]
    cg = [(m[4], m[5]) for m in mounts if m[4] == "/sys/fs/cgroup" or m[4].startswith("/sys/fs/cgroup/")]
    assert all("ro" in opts.split(",") for _, opts in cg), cp.stdout
    made = [line for line in cp.stdout.splitlines() if line.startswith("mkdir ")]
    assert made and all(": ERR " in line for line in made), made


@rootless_too
@pytest.mark.parametrize("how", ["run", "exec", "do"])
def test_cve_2021_43784_config_strings_longer_than_64k(brick, ebundle, how):
    """runc's CVE-2021-43784: runc handed the config to its C bootstrap
    (nsexec) as netlink attributes with a 16-bit length; a string over 65535
    bytes (a bind mount's source) overflowed it and its tail was read as
    further attributes: namespace paths, clone flags, id maps of the
    attacker's choosing. brick has no such message: the container's
    processes are forks of the one that parsed the config and exchange only
    fixed-size typed records with it (runtime/sync.h). Here an environment
    value, an argument and an annotation of 70000 bytes whose tail spells a
    namespace path arrive whole, the process is in the pid and mount
    namespaces its config makes, and a 70000-byte mount source is refused
    with a message."""
    tail = "/proc/1/ns/mnt" * 4
    big = "A" * (70000 - len(tail)) + tail
    script = ('echo "env=${#BIG} arg=${#1} tail=$(printf %s "$BIG" | tail -c 14)";'
              " echo pid=$(readlink /proc/self/ns/pid) mnt=$(readlink /proc/self/ns/mnt)")
    b = ebundle()
    if how == "run":
        b.process["env"].append("BIG=" + big)
        b.config.setdefault("annotations", {})["test.big"] = big
    cp = _enter(brick, b, how, ["/bin/sh", "-c", script, "sh", big], opts=["-e", "BIG=" + big])
    assert cp.returncode == 0, cp.stderr
    assert "env=70000 arg=70000 tail=/proc/1/ns/mnt" in cp.stdout, cp.stdout
    for ns in ("pid", "mnt"):
        assert f"{ns}={os.readlink('/proc/self/ns/' + ns)}" not in cp.stdout, cp.stdout
    if how == "run":
        b = ebundle("/bin/true")
        b.config["mounts"].append({"destination": "/mnt", "type": "bind", "source": "/" + "./" * 35000 + "tmp",
                                   "options": ["rbind", "ro"]})
        cp = brick.run(b)
        assert cp.returncode != 0 and "/mnt" in cp.stderr, cp.stderr


@rootless_too
@pytest.mark.parametrize("user", ["4294967296", "-1", "2147483648", "4294967295"])
@pytest.mark.parametrize("how", ["config", "exec", "do"])
def test_cve_2026_46680_out_of_range_user_never_becomes_root(brick, ebundle, how, user):
    """containerd's CVE-2026-46680 (the class of its CVE-2024-40635): a numeric
    user out of uid_t's range was not refused but taken for a user *name*
    and looked up in the image's /etc/passwd, where the image names a user
    "4294967296" with uid 0 (or it truncated to 0, or read as (uid_t)-1,
    setresuid's "unchanged"). brick takes users as numbers only, never looks
    one up, and refuses ids above 2^31-1 (runc's bound) in the config, in
    `exec -u` and in `do -u`."""
    b = ebundle()
    with open(b.rootfs / "etc" / "passwd", "a") as f:
        f.write(f"{user}:x:0:0:trap:/:/bin/sh\n")
    argv = ["/bin/sh", "-c", "id -u"]
    if how == "config":
        b.process["user"] = {"uid": int(user), "gid": 0}
        cp = _enter(brick, b, "run", argv)
        assert cp.returncode != 0 and "process.user.uid" in cp.stderr, cp.stdout + cp.stderr
        b.process["user"] = {"uid": 0, "gid": int(user)}
        cp = _enter(brick, b, "run", argv)
        assert cp.returncode != 0 and "process.user.gid" in cp.stderr, cp.stdout + cp.stderr
        return
    for u in (user, f"{user}:0", f"1000:{user}"):
        cp = _enter(brick, b, how, argv, opts=["-u", u])
        assert cp.returncode != 0 and cp.stdout.strip() == "", (u, cp.stdout, cp.stderr)
        assert "-u" in cp.stderr or "user" in cp.stderr, (u, cp.stderr)


@rootless_too
@pytest.mark.parametrize("how", ["run", "exec", "do"])
def test_cve_2026_47262_image_group_and_passwd_cannot_stall_the_runtime(brick, ebundle, how):
    """containerd's CVE-2026-47262: parsing the image's /etc/group without a
    bound let an image stall the runtime. brick reads no /etc/group of the
    image (ids are numbers) and of its /etc/passwd only the HOME of the
    process's uid when the config sets none, as runc does: from a regular
    file (opened without blocking) of at most 1 MiB (core/missing.h). Here
    /etc/group is a FIFO nobody writes (an open for reading would hang) and
    /etc/passwd a 4 GiB sparse file: the process starts at once, HOME=/."""
    b = ebundle()
    group, passwd = b.rootfs / "etc" / "group", b.rootfs / "etc" / "passwd"
    group.unlink(missing_ok=True)
    os.mkfifo(group)
    with open(passwd, "r+b") as f:
        f.truncate(4 << 30)
    started = time.monotonic()
    cp = _enter(brick, b, how, ["/bin/sh", "-c", "echo HOME=$HOME"], timeout=20)
    took = time.monotonic() - started
    assert cp.returncode == 0, cp.stderr
    assert took < 10, took
    if how != "do":  # brick do gives a home of its own
        assert cp.stdout.split() == ["HOME=/"], cp.stdout


@rootless_too
def test_cve_2025_24965_handler_annotation_writes_nothing_into_the_image(brick, ebundle, outside):
    """crun's CVE-2025-24965: with the krun handler (annotation
    run.oci.handler=krun) crun wrote its .krun_config.json into the rootfs
    through a symlink the image put there, i.e. onto a host file. brick has
    no handlers and writes no file into the rootfs; the annotation is only
    an annotation, and the symlinks' targets (an existing host file, a
    missing one) are neither changed nor created."""
    victim = _host_victim(outside)
    before = _tree(outside)
    b = ebundle("/bin/true")
    b.config.setdefault("annotations", {})["run.oci.handler"] = "krun"
    os.symlink(str(victim), b.rootfs / ".krun_config.json")
    os.symlink(str(outside / "created"), b.rootfs / ".krun_vm.json")
    cp = brick.run(b)
    assert _tree(outside) == before
    assert cp.returncode == 0, cp.stderr


# ------------------------------------------------ how brick is installed

@pytest.mark.parametrize("bits", ["setuid", "setgid", "file-capabilities"])
def test_cve_2020_5291_refuses_privileges_the_caller_lacks(rootless_user, workdir, bits):
    """bubblewrap's CVE-2020-5291: bwrap installed setuid let its users gain
    privileges. brick is never installed so; a copy that is (setuid or
    setgid root, or with file capabilities) refuses to run for a user who
    lacks those privileges, before it reads an argument: `--log FILE` alone
    would append to any file as root. Before the fix a setuid-root brick ran
    `brick do -- id -u` as 0 for any user. Root itself still runs it."""
    top = rootless_user["top"]
    if os.statvfs(top).f_flag & os.ST_NOSUID:
        pytest.skip(f"{top} is mounted nosuid")
    exe = top / f"brick-{bits}"
    shutil.copy2(BRICK, exe)
    if bits == "file-capabilities":
        if not shutil.which("setcap"):
            pytest.skip("needs setcap")
        os.chmod(exe, 0o755)
        subprocess.run(["setcap", "cap_sys_admin,cap_dac_override+ep", str(exe)], check=True)
    else:
        os.chmod(exe, 0o4755 if bits == "setuid" else 0o2755)
    log = workdir / "root-only.log"
    log.write_text("root's\n")
    log.chmod(0o600)
    u = rootless_user
    as_user = ["setpriv", f"--reuid={u['uid']}", f"--regid={u['gid']}", "--clear-groups", "--inh-caps=-all", "--"]
    env = {"PATH": "/usr/bin:/bin:/usr/sbin:/sbin", "HOME": str(workdir), "XDG_RUNTIME_DIR": str(workdir)}
    try:
        for args in (["do", "--", "id", "-u"], ["--log", str(log), "--version"], ["--version"]):
            cp = run_cmd([*as_user, str(exe), *args], env=env)
            assert cp.returncode != 0 and "refusing to run" in cp.stderr, (args, cp.stdout, cp.stderr)
            assert cp.stdout == "", (args, cp.stdout)
        assert log.read_text() == "root's\n"
        assert run_cmd([str(exe), "--version"]).returncode == 0
    finally:
        exe.unlink()
