"""rootfs: pivot_root, readonly, mounts, propagation, /dev, masked/readonly paths, sysctl, symlink attacks."""
import os
import subprocess
import tempfile

import pytest

from conftest import OUTSIDE_PREFIX, brick_only, new_id, probe_line, wait_for


def run_ok(brick, b, extra=()):
    cp = brick.run(b, extra=extra)
    assert cp.returncode == 0, f"rc={cp.returncode}\nstdout: {cp.stdout}\nstderr: {cp.stderr}"
    return cp


@pytest.mark.parametrize("extra", [[], ["--no-pivot"]])
def test_host_paths_not_visible(brick, bundle, workdir, extra):
    secret = workdir / "host-secret"
    secret.write_text("x")
    b = bundle(["/bin/sh", "-c", f"ls {secret} {workdir} 2>&1; ls /; readlink /proc/1/root"])
    cp = run_ok(brick, b, extra)
    assert "host-secret" not in cp.stdout.replace(str(secret), "")
    assert "brick-probe" not in cp.stdout  # ls / shows no /bin content directly
    assert "bin" in cp.stdout.split()
    assert cp.stdout.splitlines()[-1] == "/"


def test_readonly_root(brick, bundle):
    b = bundle(["/bin/sh", "-c", "/bin/brick-probe write /newfile; /bin/brick-probe write /tmp/x"])
    b.config["root"]["readonly"] = True
    b.add_mount("/tmp", "tmpfs", "tmpfs", ["nosuid", "nodev"])
    cp = run_ok(brick, b)
    lines = cp.stdout.splitlines()
    assert lines == ["write errno 30 EROFS", "write ok"]


def test_tmpfs_options(brick, bundle):
    b = bundle(["/bin/sh", "-c", "grep ' /data ' /proc/self/mountinfo; stat -c '%a' /data"])
    b.add_mount("/data", "tmpfs", "tmpfs", ["size=1m", "mode=1750", "nosuid", "noexec"])
    cp = run_ok(brick, b)
    line, mode = cp.stdout.splitlines()
    assert "size=1024k" in line and "nosuid" in line and "noexec" in line, line
    assert mode == "1750"


def test_bind_mount_rw_and_ro(brick, bundle, workdir):
    src = workdir / "src"
    src.mkdir()
    (src / "hostfile").write_text("from-host\n")
    b = bundle(["/bin/sh", "-c", "cat /rw/hostfile; echo new > /rw/created; /bin/brick-probe write /ro/x"])
    b.add_mount("/rw", "bind", src, ["rbind", "rw"])
    b.add_mount("/ro", "bind", src, ["bind", "ro"])
    cp = run_ok(brick, b)
    assert cp.stdout.splitlines() == ["from-host", "write errno 30 EROFS"]
    assert (src / "created").read_text() == "new\n"


def test_bind_noexec_nosuid_nodev(brick, bundle, workdir):
    src = workdir / "exe"
    src.mkdir()
    subprocess.run(["cp", "/bin/busybox", str(src / "true")], check=True)
    b = bundle(["/bin/sh", "-c", "/ne/true; echo rc=$?; /ex/true; echo rc=$?; grep ' /ne ' /proc/self/mountinfo"])
    b.add_mount("/ne", "bind", src, ["bind", "noexec", "nosuid", "nodev"])
    b.add_mount("/ex", "bind", src, ["bind"])
    cp = run_ok(brick, b)
    lines = cp.stdout.splitlines()
    assert lines[0] == "rc=126", cp.stdout
    assert lines[1] == "rc=0"
    opts = lines[2].split()[5].split(",")
    assert {"noexec", "nosuid", "nodev"} <= set(opts), lines[2]


def test_rbind_includes_submounts(brick, bundle, workdir):
    src = workdir / "rb"
    (src / "sub").mkdir(parents=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "rbsub", str(src / "sub")], check=True)
    try:
        (src / "sub" / "inner").write_text("inner\n")
        b = bundle(["/bin/sh", "-c", "cat /r/sub/inner; ls /b/sub"])
        b.add_mount("/r", "bind", src, ["rbind"])
        b.add_mount("/b", "bind", src, ["bind"])
        cp = run_ok(brick, b)
        assert cp.stdout == "inner\n"
    finally:
        subprocess.run(["umount", str(src / "sub")], check=True)


@pytest.mark.parametrize("prop,visible", [("slave", True), ("private", False)])
def test_rootfs_propagation_visibility(brick, bundle, workdir, prop, visible):
    src = workdir / "prop"
    src.mkdir()
    subprocess.run(["mount", "--bind", str(src), str(src)], check=True)
    subprocess.run(["mount", "--make-shared", str(src)], check=True)
    (src / "late").mkdir()
    try:
        b = bundle(["/bin/sh", "-c",
                    "while [ ! -e /tmp/go ]; do sleep 0.05; done; ls /p/late > /tmp/seen; touch /tmp/done; sleep 100"])
        b.config["linux"]["rootfsPropagation"] = prop
        b.add_mount("/p", "bind", src, ["rbind", prop if prop != "private" else "rprivate"])
        cid = brick.create(b)
        brick.ok("start", cid)
        subprocess.run(["mount", "-t", "tmpfs", "latefs", str(src / "late")], check=True)
        (src / "late" / "marker").write_text("")
        (b.rootfs / "tmp" / "go").write_text("")
        assert wait_for(lambda: (b.rootfs / "tmp" / "done").exists())
        seen = (b.rootfs / "tmp" / "seen").read_text().split()
        brick.delete(cid, force=True)
    finally:
        subprocess.run(["umount", "-R", str(src)], check=False)
    assert ("marker" in seen) == visible, seen


def test_special_filesystems(brick, bundle):
    b = bundle(["/bin/cat", "/proc/self/mountinfo"])
    b.add_mount("/sys/fs/cgroup", "cgroup", "cgroup", ["nosuid", "noexec", "nodev", "relatime", "ro"])
    cp = run_ok(brick, b)
    mounts = {}
    for line in cp.stdout.splitlines():
        pre, post = line.split(" - ", 1)
        mounts[pre.split()[4]] = post.split()[0]
    assert mounts.get("/proc") == "proc"
    assert mounts.get("/sys") == "sysfs"
    assert mounts.get("/dev/pts") == "devpts"
    assert mounts.get("/dev/mqueue") == "mqueue"
    assert mounts.get("/dev/shm") == "tmpfs"
    assert any(k.startswith("/sys/fs/cgroup") and v in ("cgroup", "cgroup2", "tmpfs") for k, v in mounts.items()), mounts


DEVICES = {"/dev/null": "1:3", "/dev/zero": "1:5", "/dev/full": "1:7", "/dev/random": "1:8",
           "/dev/urandom": "1:9", "/dev/tty": "5:0"}


def test_default_devices(brick, bundle):
    script = "; ".join(f"/bin/brick-probe stat {d}" for d in DEVICES)
    script += "; for l in fd stdin stdout stderr; do readlink /dev/$l; done; /bin/brick-probe stat /dev/ptmx; echo hi > /dev/null; head -c 4 /dev/zero | wc -c"
    b = bundle(["/bin/sh", "-c", script])
    cp = run_ok(brick, b)
    lines = cp.stdout.splitlines()
    for line, (dev, mm) in zip(lines, DEVICES.items()):
        assert f"type=char dev={mm} " in line, (dev, line)
        assert "mode=0666" in line, (dev, line)
    assert lines[6:10] == ["/proc/self/fd", "/proc/self/fd/0", "/proc/self/fd/1", "/proc/self/fd/2"]
    assert "type=link" in lines[10] or "dev=5:2" in lines[10], lines[10]
    assert lines[11].strip() == "4"


def test_linux_devices(brick, bundle):
    b = bundle(["/bin/brick-probe", "stat", "/dev/custom"])
    b.config["linux"]["devices"] = [{"path": "/dev/custom", "type": "c", "major": 1, "minor": 3,
                                     "fileMode": 0o640, "uid": 1000, "gid": 65534}]
    line = probe_line(run_ok(brick, b), "stat")["_line"]
    assert "type=char dev=1:3 mode=0640 uid=1000 gid=65534" in line, line


def test_masked_paths(brick, bundle):
    b = bundle(["/bin/sh", "-c", "cat /proc/kcore | wc -c; ls -A /sys/firmware | wc -l; cat /etc/hostname | wc -c"])
    b.config["linux"]["maskedPaths"] = ["/proc/kcore", "/sys/firmware", "/etc/hostname", "/does/not/exist"]
    cp = run_ok(brick, b)
    assert [l.strip() for l in cp.stdout.splitlines()] == ["0", "0", "0"]


def test_readonly_paths(brick, bundle):
    b = bundle(["/bin/sh", "-c", "/bin/brick-probe write /proc/sys/kernel/domainname; /bin/brick-probe write /etc/x; /bin/brick-probe write /tmp/x"])
    b.config["linux"]["readonlyPaths"] = ["/proc/sys", "/etc", "/does/not/exist"]
    cp = run_ok(brick, b)
    assert cp.stdout.splitlines() == ["write errno 30 EROFS", "write errno 30 EROFS", "write ok"]


def test_sysctl(brick, bundle):
    b = bundle(["/bin/sh", "-c", "cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmax"])
    b.config["linux"]["sysctl"] = {"net.ipv4.ip_forward": "1", "kernel.shmmax": "123456789"}
    cp = run_ok(brick, b)
    assert cp.stdout.split() == ["1", "123456789"]
    with open("/proc/sys/kernel/shmmax") as f:
        assert f.read().strip() != "123456789"


def test_hostname(brick, bundle):
    b = bundle(["/bin/brick-probe", "hostname"])
    b.config["hostname"] = "my-host"
    assert probe_line(run_ok(brick, b), "hostname")["_line"].startswith("hostname my-host domainname ")
    assert os.uname().nodename != "my-host"


@brick_only  # runc 1.1 ignores domainname (added in runc 1.2)
def test_domainname(brick, bundle):
    b = bundle(["/bin/brick-probe", "hostname"])
    b.config["hostname"] = "my-host"
    b.config["domainname"] = "example.org"
    assert probe_line(run_ok(brick, b), "hostname")["_line"] == "hostname my-host domainname example.org"


def test_symlink_mount_destination_stays_in_rootfs(brick, bundle):
    outside = tempfile.mkdtemp(prefix=OUTSIDE_PREFIX, dir="/tmp")
    try:
        b = bundle(["/bin/sh", "-c", "ls /evil/ 2>&1; grep ' /tmp/outside' /proc/self/mountinfo; true"])
        os.symlink(outside, b.rootfs / "evil")
        b.add_mount("/evil", "tmpfs", "tmpfs", ["size=1m"])
        cid = new_id()
        cp = brick.run(b, cid)
        # either refused or mounted inside the rootfs; never on the host path
        host_mounts = open("/proc/self/mountinfo").read()
        assert f" {outside} " not in host_mounts
        assert os.listdir(outside) == []
    finally:
        subprocess.run(["umount", "-l", outside], capture_output=True)
        os.rmdir(outside)


def test_symlink_bind_destination_escape(brick, bundle, workdir):
    outside = tempfile.mkdtemp(prefix=OUTSIDE_PREFIX, dir="/tmp")
    src = workdir / "bsrc"
    src.mkdir()
    (src / "payload").write_text("p")
    try:
        b = bundle(["/bin/true"])
        os.symlink("../../../../../../.." + outside, b.rootfs / "evil2")
        b.add_mount("/evil2", "bind", src, ["bind"])
        brick.run(b)
        assert not os.path.exists(os.path.join(outside, "payload"))
        assert f" {outside} " not in open("/proc/self/mountinfo").read()
    finally:
        subprocess.run(["umount", "-l", outside], capture_output=True)
        os.rmdir(outside)


def test_tmpcopyup(brick, bundle):
    """Podman adds tmpcopyup to every --tmpfs and to --read-only's tmpfs
    mounts: the tmpfs starts with a copy of the directory it covers (owners,
    modes, symlinks as symlinks), and writes stay in it. runc does the same."""
    b = bundle(["/bin/sh", "-c", "cat /data/f; readlink /data/link; stat -c '%a %u:%g' /data /data/sub/g;"
                                 " echo new > /data/f && cat /data/f"])
    data = b.rootfs / "data"
    (data / "sub").mkdir(parents=True)
    (data / "f").write_text("from-image\n")
    (data / "sub" / "g").write_text("x")
    os.chown(data / "sub" / "g", 1234, 5678)
    os.chmod(data / "sub" / "g", 0o640)
    os.chmod(data, 0o750)
    os.symlink("/../../../../etc/shadow", data / "link")
    b.config["root"]["readonly"] = True
    b.add_mount("/data", "tmpfs", "tmpfs", ["tmpcopyup", "nosuid", "nodev"])
    cp = brick.run(b)
    assert cp.returncode == 0, cp.stderr
    assert cp.stdout.split("\n")[:5] == ["from-image", "/../../../../etc/shadow", "750 0:0", "640 1234:5678", "new"], cp.stdout
    assert (data / "f").read_text() == "from-image\n"  # the image is unchanged


def test_tmpfs_takes_the_mode_of_an_existing_directory(brick, bundle):
    """runc: a tmpfs over an existing directory gets that directory's mode;
    mode=1777 holds where the directory is made for the mount."""
    b = bundle(["/bin/sh", "-c", "stat -c %a /old /new"])
    (b.rootfs / "old").mkdir()
    os.chmod(b.rootfs / "old", 0o711)
    b.add_mount("/old", "tmpfs", "tmpfs", ["mode=1777"])
    b.add_mount("/new", "tmpfs", "tmpfs", ["mode=1777"])
    cp = brick.run(b)
    assert cp.returncode == 0, cp.stderr
    assert cp.stdout.split() == ["711", "1777"], cp.stdout
