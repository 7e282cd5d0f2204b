"""Behaviours of runc that users and engines depend on (issue: conformance
pass). Every test here is generic: it runs against Debian's runc too
(BRICK=/usr/sbin/runc) and must pass there."""
import json
import os
import sys

import pytest

from conftest import VAR_TMP_PREFIX, brick_only, foreign_run, minimal_config, new_id, run_cmd, wait_for


def _env_of(b, brick, cid=None):
    cp = brick.run(b, cid)
    assert cp.returncode == 0, cp.stderr
    return cp.stdout.split()


def test_home_from_passwd(brick, bundle):
    """HOME: from the container's /etc/passwd entry of the process uid, "/"
    without one; an empty HOME= is replaced; a given one is kept."""
    b = bundle(["/bin/sh", "-c", "echo $HOME"])
    b.process["env"] = [e for e in b.process["env"] if not e.startswith("HOME=")]
    assert _env_of(b, brick) == ["/root"]
    b.process["user"] = {"uid": 4242, "gid": 4242}
    assert _env_of(b, brick) == ["/"]
    b.process["user"] = {"uid": 0, "gid": 0}
    b.process["env"].append("HOME=")
    assert _env_of(b, brick) == ["/root"]
    b.process["env"][-1] = "HOME=/custom"
    assert _env_of(b, brick) == ["/custom"]


def test_home_in_exec(brick, bundle):
    b = bundle(["/bin/sleep", "60"])
    b.process["env"] = [e for e in b.process["env"] if not e.startswith("HOME=")]
    cid = brick.create(b)
    brick.ok("start", cid)
    try:
        assert brick.ok("exec", cid, "sh", "-c", "echo $HOME").stdout.split() == ["/root"]
        assert brick.ok("exec", "--user", "4242:4242", cid, "sh", "-c", "echo $HOME").stdout.split() == ["/"]
    finally:
        brick.ok("delete", "-f", cid)


def test_loopback_up_in_a_new_network_namespace(brick, bundle):
    b = bundle(["/bin/sh", "-c", "cat /sys/class/net/lo/operstate; grep -c . /proc/net/if_inet6 || true"])
    cp = brick.run(b)
    assert cp.returncode == 0, cp.stderr
    assert cp.stdout.split()[0] == "unknown", cp.stdout  # lo up reads "unknown"; down reads "down"


def test_kill_signal_zero_is_a_liveness_probe(brick, bundle):
    b = bundle(["/bin/sleep", "60"])
    cid = brick.create(b)
    brick.ok("start", cid)
    brick.ok("kill", cid, "0")
    assert brick.state(cid)["status"] == "running"
    brick.ok("delete", "-f", cid)


def test_ps_of_a_stopped_container(brick, bundle):
    b = bundle(["/bin/true"])
    cid = brick.create(b)
    brick.ok("start", cid)
    brick.wait_stopped(cid)
    cp = brick("ps", cid)
    assert cp.returncode == 0, cp.stderr
    assert len(cp.stdout.strip().splitlines()) <= 1, cp.stdout  # the header at most
    cp = brick("ps", "--format", "json", cid)
    assert cp.returncode == 0 and json.loads(cp.stdout or "[]") in ([], None), cp
    brick.ok("delete", cid)


def test_exec_failure_exits_255(brick, bundle):
    b = bundle(["/bin/sleep", "60"])
    cid = brick.create(b)
    brick.ok("start", cid)
    try:
        cp = brick("exec", cid, "/nonexistent")
        assert cp.returncode == 255, (cp.returncode, cp.stderr)
        assert brick("exec", cid, "sh", "-c", "exit 7").returncode == 7
    finally:
        brick.ok("delete", "-f", cid)


def test_hook_without_env_inherits_the_runtimes(brick, bundle, workdir):
    out = workdir / "hook-env"
    b = bundle(["/bin/true"])
    b.config["hooks"] = {"createRuntime": [{"path": sys.executable, "args": [
        sys.executable, "-c", f"import os; open({str(out)!r}, 'w').write(os.environ.get('BK_HOOK_MARK', 'missing'))"]}]}
    env = dict(os.environ, BK_HOOK_MARK="inherited")
    b.write()
    cp = brick("run", "--bundle", b.path, new_id(), env=env)
    assert cp.returncode == 0, cp.stderr
    assert out.read_text() == "inherited"


@brick_only
def test_personality_linux32(brick, bundle):
    """linux.personality, applied as runc 1.2 and crun do (Debian's runc 1.1.5
    predates it and runs x86_64)."""
    b = bundle(["/bin/sleep", "60"])
    b.linux["personality"] = {"domain": "LINUX32"}
    b.write()
    cp = brick.run(b.args("/bin/uname", "-m"))
    assert cp.returncode == 0 and cp.stdout.strip() in ("i686", "armv8l", "armv7l"), cp
    cid = brick.create(b.args("/bin/sleep", "60"))
    brick.ok("start", cid)
    try:
        assert brick.ok("exec", cid, "uname", "-m").stdout.strip() in ("i686", "armv8l", "armv7l")
    finally:
        brick.ok("delete", "-f", cid)


@pytest.mark.skipif(os.path.basename(os.environ.get("BRICK", "brick")) != "brick" and "BRICK" in os.environ,
                    reason="runc needs a tty on stdin for a foreground terminal")
def test_pty_owner_and_onlcr(brick, bundle):
    """runc: the container's pty belongs to the process uid with devpts' tty
    group, and ONLCR is off on it."""
    b = bundle(["/bin/sh", "-c", "stat -c %u:%g $(tty); stty -a | grep -o -- '-onlcr'"])
    b.process["terminal"] = True
    b.process["user"] = {"uid": 1000, "gid": 1000}
    b.config["mounts"] = [m if m["destination"] != "/dev/pts" else
                          {**m, "options": m["options"] + ["gid=5"]} for m in b.config["mounts"]]
    cp = brick.run(b, input="", timeout=15)
    assert cp.returncode == 0, cp.stderr
    out = cp.stdout.replace("\r", "").split()
    assert out[0] == "1000:5" and "-onlcr" in out, cp.stdout


def test_created_init_holds_none_of_the_callers_fds(brick, bundle):
    """A caller's pipe left open (not close-on-exec) across `create`: once
    create returns, the waiting init must not hold it (the caller reads EOF),
    as with runc, whose init is a fresh process."""
    b = bundle(["/bin/sleep", "60"])
    b.write()
    r, w = os.pipe()
    os.set_inheritable(w, True)
    cid = new_id()
    try:
        cp = brick("create", "--bundle", b.path, cid, pass_fds=(w,))
        assert cp.returncode == 0, cp.stderr
        os.close(w)
        w = -1
        os.set_blocking(r, False)
        assert wait_for(lambda: _eof(r), 5), "the created container holds the caller's pipe"
    finally:
        if w >= 0:
            os.close(w)
        os.close(r)
        brick("delete", "-f", cid)


def _eof(fd):
    try:
        return os.read(fd, 1) == b""
    except BlockingIOError:
        return False


def test_spec_namespaces_as_runc(brick, workdir):
    """`spec` adds a cgroup namespace only where runc does: on pure cgroup v2
    hosts (on v1 and hybrid ones it hides the container's cgroup paths)."""
    import shutil
    import subprocess
    (workdir / "a").mkdir()
    brick.ok("spec", "--bundle", workdir / "a")
    mine = [n["type"] for n in json.loads((workdir / "a" / "config.json").read_text())["linux"]["namespaces"]]
    v2 = any(l.split()[4] == "/sys/fs/cgroup" and " - cgroup2 " in l for l in open("/proc/self/mountinfo"))
    assert ("cgroup" in mine) == v2, mine
    if shutil.which("runc"):
        (workdir / "b").mkdir()
        subprocess.run(["runc", "spec", "--bundle", str(workdir / "b")], check=True, capture_output=True)
        theirs = [n["type"] for n in json.loads((workdir / "b" / "config.json").read_text())["linux"]["namespaces"]]
        assert sorted(mine) == sorted(theirs), (mine, theirs)


@brick_only
@pytest.mark.parametrize("prop", ["unbindable", "runbindable"])
def test_rootfs_propagation_unbindable(brick, bundle, prop):
    """rootfsPropagation unbindable: applied once the rootfs is bound, not
    before (brick failed with "bind rootfs: Invalid argument"; crun passes,
    Debian's runc 1.1.5 fails the same way brick did)."""
    b = bundle(["/bin/sh", "-c", "awk '$5 == \"/\"' /proc/self/mountinfo"])
    b.linux["rootfsPropagation"] = prop
    cp = brick.run(b)
    assert cp.returncode == 0, cp.stderr
    assert "unbindable" in cp.stdout, cp.stdout


def test_hostname_in_a_joined_uts_namespace(brick, bundle):
    """hostname with a UTS namespace joined by path: set there (runc, crun)."""
    a = bundle(["/bin/sleep", "60"])
    cid = brick.create(a)
    brick.ok("start", cid)
    try:
        pid = brick.state(cid)["pid"]
        b = bundle(["/bin/hostname"])
        b.linux["namespaces"] = [n if n["type"] != "uts" else {"type": "uts", "path": f"/proc/{pid}/ns/uts"}
                                 for n in b.linux["namespaces"]]
        b.config["hostname"] = "bk-joined"
        cp = brick.run(b)
        assert cp.returncode == 0 and cp.stdout.strip() == "bk-joined", cp
    finally:
        brick.ok("delete", "-f", cid)


def test_bind_keeps_the_source_mount_flags(brick, bundle):
    """A bind mount keeps the source mount's nosuid/nodev/noexec/ro where the
    config does not change them (mount(8), newer runc; checked against what
    the kernel reports, not against Debian's runc 1.1.5)."""
    import subprocess
    import tempfile
    src = tempfile.mkdtemp(prefix=VAR_TMP_PREFIX + "flags-", dir="/var/tmp")
    subprocess.run(["mount", "-t", "tmpfs", "-o", "nosuid,nodev,noexec,ro", "bk-flags", src], check=True)
    try:
        b = bundle(["/bin/sh", "-c", "awk '$5 == \"/mnt/src\" {print $6}' /proc/self/mountinfo"])
        b.add_mount("/mnt/src", "bind", src, ["rbind"])
        cp = brick.run(b)
        assert cp.returncode == 0, cp.stderr
        flags = set(cp.stdout.strip().split(","))
        assert {"ro", "nosuid", "nodev", "noexec"} <= flags, flags
    finally:
        subprocess.run(["umount", src], check=False)
        os.rmdir(src)


def test_device_fields_parsed_as_runc(brick, bundle):
    """runc's parsing: a device path with a trailing slash names the device,
    access letters outside "rwm" are ignored ("rwa" is "rw"); brick refused
    both."""
    b = bundle(["/bin/sleep", "60"])
    b.linux["devices"] = [{"path": "/dev/fuse/", "type": "c", "major": 10, "minor": 229, "fileMode": 0o666}]
    b.linux["resources"] = {"devices": [{"allow": True, "type": "c", "major": 10, "minor": 229, "access": "rwa"}]}
    cid = brick.create(b)
    try:
        pid = brick.state(cid)["pid"]
        assert os.path.exists(f"/proc/{pid}/root/dev/fuse")
        rel = [l.split(":", 2)[2] for l in open(f"/proc/{pid}/cgroup").read().splitlines()
               if l.split(":")[1] == "devices"]
        if rel:  # a v1 devices hierarchy: the rule reads back as runc writes it
            rules = open(f"/sys/fs/cgroup/devices{rel[0]}/devices.list").read().splitlines()
            assert any(r in ("c 10:229 rw", "c 10:229 rwm") for r in rules), rules
    finally:
        brick.ok("delete", "-f", cid)


def _mount_flags(out):
    return {l.split()[0]: set(l.split()[1].split(",")) for l in out.splitlines() if len(l.split()) == 2}


@pytest.mark.parametrize("parent", ["/dev", pytest.param("/mnt/ro", marks=brick_only)])
def test_read_only_parent_with_mounts_beneath(brick, bundle, parent):
    """A read-only /dev (or any read-only parent) with mounts beneath it:
    their mount points and /dev's nodes are made first, the parent is made
    read-only after (runc does so for /dev; brick failed "create /dev/pts:
    Read-only file system")."""
    b = bundle(["/bin/sh", "-c", "awk '{print $5, $6}' /proc/self/mountinfo; test -c /dev/null && echo null-ok"])
    if parent == "/dev":
        next(m for m in b.config["mounts"] if m["destination"] == "/dev")["options"].append("ro")
    else:
        b.add_mount("/mnt/ro", "tmpfs", "tmpfs", ["ro", "nosuid"])
        b.add_mount("/mnt/ro/sub/tmp", "tmpfs", "tmpfs", ["nosuid"])
    cp = brick.run(b)
    assert cp.returncode == 0, cp.stderr
    flags = _mount_flags(cp.stdout)
    assert "ro" in flags[parent], flags
    child = "/dev/pts" if parent == "/dev" else "/mnt/ro/sub/tmp"
    assert "rw" in flags[child], flags
    assert "null-ok" in cp.stdout


@pytest.mark.parametrize("fs", ["proc", "sys"])
def test_kernel_fs_on_a_symlink_is_refused(brick, bundle, fs):
    """/proc or /sys a symlink in the image: refused, as runc ("must be
    mounted on ordinary directory"); brick followed the link and mounted
    procfs wherever it pointed."""
    b = bundle(["/bin/true"])
    os.rmdir(b.rootfs / fs)
    os.symlink("/tmp", b.rootfs / fs)
    cp = brick.run(b)
    assert cp.returncode != 0
    assert "must be mounted on" in cp.stderr and "ordinary directory" in cp.stderr, cp.stderr


def test_debug_records_go_to_the_log(brick, bundle, workdir):
    """--debug --log FILE: level=debug records in the log, as runc writes
    them, and none on stderr (engines read stderr as the error)."""
    log = workdir / "debug.log"
    b = bundle(["/bin/true"])
    b.write()
    cp = brick("--debug", "--log", log, "run", "--bundle", b.path, new_id())
    assert cp.returncode == 0, cp.stderr
    assert any('level=debug msg="' in l for l in log.read_text().splitlines()), log.read_text()
    assert "debug" not in cp.stderr, cp.stderr


@pytest.mark.parametrize("opt", ["bind", "rbind"])
def test_bind_source_the_mapped_root_cannot_reach(brick, bundle, workdir, opt):
    """A bind source under a 0700 directory of the host's root, in a
    container with a user namespace: opened with the runtime's credentials
    (in the container's mount namespace, as runc), not the mapped root's
    (brick failed "Permission denied"). What it holds stays as readable as
    its own modes make it."""
    import subprocess
    os.chmod(workdir, 0o755)
    secret = workdir / "secret"
    (secret / "pub").mkdir(parents=True)
    os.chmod(secret, 0o700)
    (secret / "pub" / "f").write_text("reached\n")
    os.chmod(secret / "pub" / "f", 0o644)
    b = bundle(["/bin/cat", "/mnt/s/f"])
    b.linux["uidMappings"] = b.linux["gidMappings"] = [{"containerID": 0, "hostID": 200000, "size": 65536}]
    b.linux["namespaces"].append({"type": "user"})
    subprocess.run(["chown", "-R", "200000:200000", str(b.rootfs)], check=True)
    b.add_mount("/mnt/s", "bind", secret / "pub", [opt])
    cp = brick.run(b)
    assert cp.returncode == 0, cp.stderr
    assert cp.stdout == "reached\n"


@brick_only  # runc 1.1.5 fails: "mount sysfs:/sys ...: operation not permitted"
def test_join_a_network_namespace_another_user_namespace_owns(brick, bundle, workdir):
    """A container with a user namespace of its own joins a network
    namespace that another container's user namespace owns: the kernel
    refuses it a fresh sysfs, so /sys is the host's, bound (crun)."""
    import subprocess
    os.chmod(workdir, 0o755)
    a = bundle(["/bin/sleep", "60"])
    a.linux["uidMappings"] = a.linux["gidMappings"] = [{"containerID": 0, "hostID": 200000, "size": 65536}]
    a.linux["namespaces"].append({"type": "user"})
    subprocess.run(["chown", "-R", "200000:200000", str(a.rootfs)], check=True)
    ca = brick.create(a)
    try:
        pid = brick.state(ca)["pid"]
        b = bundle(["/bin/sh", "-c", "readlink /proc/self/ns/net; ls /sys/class/net"])
        b.linux["uidMappings"] = b.linux["gidMappings"] = [{"containerID": 0, "hostID": 300000, "size": 65536}]
        b.linux["namespaces"] = [n for n in b.linux["namespaces"] if n["type"] != "network"] + [
            {"type": "user"}, {"type": "network", "path": f"/proc/{pid}/ns/net"}]
        subprocess.run(["chown", "-R", "300000:300000", str(b.rootfs)], check=True)
        cp = brick.run(b)
        assert cp.returncode == 0, cp.stderr
        assert cp.stdout.split()[0] == os.readlink(f"/proc/{pid}/ns/net"), cp.stdout
    finally:
        brick.ok("delete", "-f", ca)


def _without_mount_ns(b):
    b.linux["namespaces"] = [n for n in b.linux["namespaces"] if n["type"] != "mount"]
    b.config["mounts"] = []
    return b


def _our_mounts(d):
    return [l for l in open("/proc/self/mountinfo") if str(d) in l]


# the attacker's moves inside: leave the chroot with chroot(2), regain the
# capabilities with a new user namespace (refused inside a chroot), mount
ESCAPES = ("ls /; ls /proc | wc -l; chroot /tmp /bin/true || echo chroot-refused; "
           "unshare -U true || echo userns-refused; "
           "mount -t tmpfs x /tmp || echo mount-refused")


@brick_only
def test_without_a_mount_namespace(brick, bundle, workdir):
    """No mount namespace (runc and crun accept it): the root entered with
    chroot, nothing mounted anywhere, nothing written into the image; the
    chroot holds. crun runs the same config (it also makes device nodes in
    the image's /dev); runc fails without mounts (no /proc) and with them
    mounts onto the mount namespace it was started in and leaves them."""
    b = _without_mount_ns(bundle(["/bin/sh", "-c", ESCAPES]))
    cp = brick.run(b)
    assert cp.returncode == 0, cp.stderr
    out = cp.stdout.split()
    assert out[:-4] == sorted(os.listdir(b.rootfs)) and out[-4] == "0", out  # the image's root, no procfs
    assert out[-3:] == ["chroot-refused", "userns-refused", "mount-refused"], out
    assert os.listdir(b.rootfs / "dev") == [] and _our_mounts(workdir) == []
    # the control: with a mount namespace the same process creates a user namespace
    c = bundle(["/bin/sh", "-c", ESCAPES])
    c.config["mounts"] = [m for m in c.config["mounts"] if m["destination"] == "/proc"]
    assert "userns-refused" not in brick.run(c).stdout
    ref = foreign_run("crun", b, new_id())
    if ref is not None:
        assert ref.returncode == 0, ref.stderr
        assert ref.stdout.split("--after--")[0].split() == out
        assert os.listdir(b.rootfs / "dev"), "crun made no device nodes in the image"
    d = _without_mount_ns(bundle(["/bin/true"]))
    ref = foreign_run("runc", d, new_id())
    if ref is not None:
        assert ref.returncode != 0 and "/proc/self/fd" in ref.stderr, ref
        d.config["mounts"] = minimal_config()["mounts"]
        ref = foreign_run("runc", d, new_id(), after=f"grep -c {d.path} /proc/self/mountinfo")
        assert ref.returncode == 0, ref.stderr
        assert int(ref.stdout.split("--after--")[1]) >= 6, ref.stdout  # rootfs, proc, dev... left behind
        cp = brick.run(d)
        assert cp.returncode != 0 and "mounts[0] /proc: needs a mount namespace" in cp.stderr, cp.stderr


@pytest.mark.parametrize("what", ["mounts", "maskedPaths", "readonlyPaths", "root.readonly", "rootfsPropagation",
                                  "devices", "CAP_SYS_CHROOT", "CAP_SYS_ADMIN", "CAP_DAC_READ_SEARCH"])
def test_without_a_mount_namespace_what_needs_one_is_refused(brick, bundle, workdir, what):
    """What would mount (runc and crun do it in the host's mount namespace,
    runc refuses masked and read-only paths) or leave the chroot: refused,
    naming the JSON path; nothing is left."""
    b = _without_mount_ns(bundle(["/bin/true"]))
    path = {"mounts": "mounts[0] /tmp", "maskedPaths": "linux.maskedPaths", "readonlyPaths": "linux.readonlyPaths",
            "root.readonly": "root.readonly", "rootfsPropagation": "linux.rootfsPropagation",
            "devices": "linux.devices", "CAP_SYS_CHROOT": "process.capabilities.bounding",
            "CAP_SYS_ADMIN": "process.capabilities.effective",
            "CAP_DAC_READ_SEARCH": "process.capabilities.permitted"}[what]
    if what == "mounts":
        b.add_mount("/tmp", "tmpfs", "tmpfs", ["nosuid"])
    elif what in ("maskedPaths", "readonlyPaths"):
        b.linux[what] = ["/proc/kcore"]
    elif what == "root.readonly":
        b.config["root"]["readonly"] = True
    elif what == "rootfsPropagation":
        b.linux["rootfsPropagation"] = "private"
    elif what == "devices":
        b.linux["devices"] = [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229}]
    elif what == "CAP_SYS_CHROOT":
        b.process["capabilities"]["bounding"].append(what)
    elif what == "CAP_DAC_READ_SEARCH":  # open_by_handle_at opens the host's / by its handle
        b.process["capabilities"]["permitted"].append(what)
    else:
        b.process["capabilities"]["effective"].append(what)  # any set counts
    cp = brick.run(b)
    assert cp.returncode != 0
    assert f"config.json: {path}" in cp.stderr and ("mount namespace" in cp.stderr), cp.stderr
    assert _our_mounts(workdir) == [] and os.listdir(b.rootfs / "dev") == []
    if what in ("maskedPaths", "readonlyPaths"):
        ref = foreign_run("runc", b, new_id())
        if ref is not None:
            assert ref.returncode != 0 and "without a private MNT namespace" in ref.stderr, ref


@brick_only
def test_exec_without_a_mount_namespace(brick, bundle, workdir):
    """exec enters the init's root (the host's mount namespace gives none);
    --cap cannot add what leaves the chroot; state and delete leave nothing."""
    b = _without_mount_ns(bundle(["/bin/sleep", "60"]))
    cid = brick.create(b)
    try:
        brick.ok("start", cid)
        cp = brick.ok("exec", cid, "sh", "-c", ESCAPES)
        assert cp.stdout.split()[:-4] == sorted(os.listdir(b.rootfs)), cp.stdout
        assert cp.stdout.split()[-3:] == ["chroot-refused", "userns-refused", "mount-refused"]
        cp = brick("exec", "--cap", "CAP_SYS_CHROOT", cid, "true")
        assert cp.returncode == 255 and "CAP_SYS_CHROOT would leave the chroot" in cp.stderr, cp.stderr
        assert brick.state(cid)["status"] == "running"
    finally:
        brick.ok("delete", "-f", cid)
    assert brick("state", cid).returncode != 0
    assert _our_mounts(workdir) == [] and os.listdir(b.rootfs / "dev") == []
    # made from another mount namespace (an engine's own): exec still lands
    # in the chroot, not at the root of the namespace the init shares
    cid = new_id()
    cp = run_cmd(["unshare", "-m", "--propagation", "private", brick.binary, "--root", brick.root, "create",
                  "--bundle", b.path, cid])
    assert cp.returncode == 0, cp.stderr
    try:
        assert brick.ok("exec", cid, "ls", "/").stdout.split() == sorted(os.listdir(b.rootfs))
    finally:
        brick.ok("delete", "-f", cid)


USERNS_SCRIPT = "cat /proc/self/uid_map /proc/self/gid_map; id -u; touch /dev/x && echo dev-ok"


@brick_only
def test_user_namespace_without_mappings(brick, bundle):
    """A new user namespace without uidMappings/gidMappings: its root is the
    runtime's own uid and gid, one id each, as crun maps it (runc refuses:
    "no uid mappings found"). Unmapped, the container's root could make no
    file on a file system mounted inside (/dev: EOVERFLOW)."""
    b = bundle(["/bin/sh", "-c", USERNS_SCRIPT])
    os.chmod(b.path.parent, 0o755)
    b.linux["namespaces"].append({"type": "user"})
    cp = brick.run(b)
    assert cp.returncode == 0, cp.stderr
    assert cp.stdout.split() == ["0", "0", "1", "0", "0", "1", "0", "dev-ok"], cp.stdout
    ref = foreign_run("crun", b, new_id())
    if ref is not None:
        assert ref.returncode == 0, ref.stderr
        assert ref.stdout.split("--after--")[0].split() == cp.stdout.split()
    ref = foreign_run("runc", b, new_id())
    if ref is not None:
        assert ref.returncode != 0 and "no uid mappings found" in ref.stderr, ref
    b.linux["uidMappings"] = [{"containerID": 0, "hostID": 0, "size": 1}]  # one without the other
    cp = brick.run(b)
    assert cp.returncode != 0 and "config.json: linux.gidMappings:" in cp.stderr, cp.stderr
