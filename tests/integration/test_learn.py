"""brick do --learn FILE / --profile-file FILE, brick profile merge|diff (issue 21, docs/PROFILES.md)."""
import json
import os
import re
import shutil
import subprocess
import signal
import time

import pytest

from conftest import brick_only, new_id, rootless_too, run_cmd, wait_for
from test_desktop import need, xvfb  # noqa: F401 (a fixture)

pytestmark = brick_only
ROOTLESS_LANE = True

HTTPD = ("busybox httpd -f -p 127.0.0.1:8080 -h /srv/www & sleep 0.5; "
         "python3 -c \"import urllib.request; "
         "print(urllib.request.urlopen('http://127.0.0.1:8080/index.html').read().decode())\"; kill $!")


def names(profile):
    return {n for e in profile["syscalls"] for n in e["names"] if e["action"] == "SCMP_ACT_ALLOW"}


def learn(brick, path, *cmd, flags=()):
    cp = brick("do", "--learn", path, *flags, "--", *cmd)
    assert cp.returncode == 0, cp.stderr
    # what was learned, and what was left out (if anything), is said once
    assert cp.stderr.count(f"brick: --learn {path}: written: ") == 1
    assert cp.stderr.count(f"brick: --learn {path}: left out:") <= 1
    return json.loads(path.read_text())


def refused(stderr, profile, call):
    """The first refusal is one line naming the call; later ones are listed after the run."""
    first = re.search(r"brick: --profile-file (\S+): refused (\w+) \(EPERM\): not in the profile", stderr)
    assert first and first.group(1) == str(profile), stderr
    also = re.search(r"brick: also refused: (.*)", stderr)
    assert call == first.group(2) or (also and call in also.group(1).split()), stderr


HTTPD80 = ("busybox httpd -f -p 127.0.0.1:80 -h /srv/www & "
           "python3 -c \"import time, urllib.request\nfor i in range(100):\n try:\n"
           "  print(urllib.request.urlopen('http://127.0.0.1/index.html').read().decode()); break\n"
           " except OSError: time.sleep(0.1)\"; "
           "chown 0 /srv/www/index.html; kill $!")

PY_BIND = ("import socket, sys\ns = socket.socket()\ntry:\n s.bind(('127.0.0.1', int(sys.argv[1])))\n print('bound')\n"
           "except PermissionError as e:\n print('refused', e.errno)")
PY_RAW = ("import socket\ntry:\n socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)\n print('raw')\n"
          "except PermissionError as e:\n print('refused', e.errno)")


def landlock(profile):
    return json.loads(profile["annotations"]["run.brick.landlock"])


def caps(profile):
    c = profile["annotations"]["run.brick.capabilities"]
    return set(c.split(",")) if c else set()


def rules(profile):
    return {r["path"]: set(r["access"]) for r in landlock(profile)["fs"]}


def tracefs_instances():
    """brick-learn-* tracefs instances (a private tracefs mount to look)."""
    if os.path.isdir("/sys/kernel/tracing/instances"):
        return [n for n in os.listdir("/sys/kernel/tracing/instances") if n.startswith("brick-learn-")]
    cp = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c",
                         "d=$(mktemp -d) && mount -t tracefs nodev $d && ls $d/instances; umount $d; rmdir $d"],
                        capture_output=True, text=True, timeout=30)
    return [n for n in cp.stdout.split() if n.startswith("brick-learn-")]


def no_leaked_instances():
    def alive(name):
        pid = name[len("brick-learn-"):]
        return pid.isdigit() and os.path.exists(f"/proc/{pid}")
    leaked = [n for n in tracefs_instances() if not alive(n)]
    assert not leaked, leaked


def test_learn_httpd_then_apply(brick, workdir):
    """The issue's test: learn busybox httpd on port 80, re-run it from the
    profile (seccomp, capabilities, Landlock): it serves; everything outside
    what was learned fails, named where brick can name it."""
    www = workdir / "www"
    www.mkdir()
    (www / "index.html").write_text("hello from httpd\n")
    prof = workdir / "httpd.json"
    vol = ("-v", f"{www}:/srv/www")  # writable: Landlock, not a read-only mount, must stop a write
    p = learn(brick, prof, "sh", "-c", HTTPD80, flags=vol)
    no_leaked_instances()
    assert p["defaultAction"] == "SCMP_ACT_ERRNO"
    allowed = names(p)
    assert {"bind", "listen", "execve", "sendmsg", "fchownat"} <= allowed and ({"accept", "accept4"} & allowed)
    assert not {"mount", "unshare", "setns", "ptrace"} & allowed
    # socket only for the families the run used (AF_INET; AF_UNIX: chown asks nscd), clone with the
    # default's CLONE_NEW* mask
    fams = [e["args"][0]["value"] for e in p["syscalls"] if e["names"] == ["socket"]]
    assert 2 in fams and set(fams) <= {1, 2}, p
    clone = [e for e in p["syscalls"] if "clone" in e["names"]]
    assert clone and clone[0]["args"][0]["op"] == "SCMP_CMP_MASKED_EQ"
    # capabilities: port 80 needs CAP_NET_BIND_SERVICE; chown to the owner needs none
    assert "CAP_NET_BIND_SERVICE" in caps(p) and not {"CAP_CHOWN", "CAP_NET_RAW", "CAP_SYS_ADMIN"} & caps(p), caps(p)
    # Landlock: the docroot readable, nothing writable there; the ports used
    r = rules(p)
    assert {"read", "read-file"} & r["/srv/www"] and not {"write", "create", "remove"} & r["/srv/www"], r
    assert "execute" in r["/usr"], r
    assert landlock(p)["net"] == {"bind": [80], "connect": [80]}
    # applied: it serves
    cp = brick("do", "--profile-file", prof, *vol, "--", "sh", "-c", HTTPD80)
    assert cp.returncode == 0, cp.stderr
    assert "hello from httpd" in cp.stdout
    assert "refused" not in cp.stderr
    # outside the learned set: EPERM, and the call is named
    cp = brick("do", "--profile-file", prof, "--", "unshare", "-U", "true")
    assert cp.returncode != 0
    refused(cp.stderr, prof, "unshare")
    cp = brick("do", "--profile-file", prof, "--", "busybox", "mount", "-t", "tmpfs", "x", "/mnt")
    assert cp.returncode != 0
    refused(cp.stderr, prof, "mount")
    cp = brick("do", "--profile-file", prof, "--", "python3", "-c",
               "import socket\ntry:\n socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)\n"
               "except PermissionError: print('EPERM')")
    assert "EPERM" in cp.stdout, cp.stderr
    refused(cp.stderr, prof, "socket")
    # a write outside what was learned (the docroot, writable without the profile): EACCES
    write = ("sh", "-c", "echo x > /srv/www/evil && echo written")
    cp = brick("do", "--profile-file", prof, *vol, "--", *write)
    assert cp.returncode != 0 and "Permission denied" in cp.stderr and not (www / "evil").exists(), cp.stderr
    cp = brick("do", *vol, "--", *write)  # the control: the mount is writable
    assert "written" in cp.stdout, cp.stderr
    (www / "evil").unlink()
    # a bind to another port: EACCES (Landlock), the learned one still works
    cp = brick("do", "--profile-file", prof, "--", "python3", "-c", PY_BIND, "81")
    assert cp.stdout.split() == ["refused", "13"], cp.stdout + cp.stderr
    cp = brick("do", "--profile-file", prof, "--", "python3", "-c", PY_BIND, "80")
    assert cp.stdout.split() == ["bound"], cp.stdout + cp.stderr
    # a capability not learned: EPERM, and the capability is named
    cp = brick("do", "--profile-file", prof, "--", "python3", "-c", PY_RAW)
    assert cp.stdout.split() == ["refused", "1"], cp.stdout + cp.stderr
    assert f"brick: --profile-file {prof}: refused capability CAP_NET_RAW (EPERM): not in the profile" in cp.stderr
    cp = brick("do", "--profile-file", prof, *vol, "--", "chown", "5", "/srv/www/index.html")
    assert cp.returncode != 0 and "refused capability CAP_CHOWN" in cp.stderr, cp.stderr
    assert cp.stderr.count("refused capability") == 1, cp.stderr
    cp = brick("do", "--", "python3", "-c", PY_RAW)  # the control: the default set has CAP_NET_RAW
    assert cp.stdout.split() == ["raw"], cp.stderr
    no_leaked_instances()


def test_learn_stays_within_default_profile(brick, workdir):
    """What the default profile denies is not learned: it failed during the run too."""
    prof = workdir / "u.json"
    cp = brick("do", "--learn", prof, "--", "sh", "-c", "unshare -U true; busybox mount -t tmpfs x /mnt; true")
    assert cp.returncode == 0, cp.stderr
    allowed = names(json.loads(prof.read_text()))
    assert "unshare" not in allowed and "mount" not in allowed
    assert "execve" in allowed


def test_learn_notify_fd_not_in_container(brick, workdir):
    cp = brick("do", "--learn", workdir / "fd.json", "--", "sh", "-c", "ls /proc/$$/fd")
    assert cp.returncode == 0, cp.stderr
    assert cp.stdout.split() == ["0", "1", "2"]


def test_profile_merge_and_diff(brick, workdir):
    t, ls, m = workdir / "true.json", workdir / "ls.json", workdir / "m.json"
    learn(brick, t, "true")
    learn(brick, ls, "ls", "/")
    cp = brick("profile", "diff", t, ls)
    assert cp.returncode == 1
    assert "+ getdents64" in cp.stdout.splitlines()
    cp = brick("do", "--profile-file", t, "--", "ls", "/")
    assert cp.returncode != 0 and "refused" in cp.stderr
    cp = brick.ok("profile", "merge", t, ls)
    m.write_text(cp.stdout)
    merged = json.loads(cp.stdout)
    assert names(merged) == names(json.loads(t.read_text())) | names(json.loads(ls.read_text()))
    for cmd in (["true"], ["ls", "/"]):
        cp = brick("do", "--profile-file", m, "--", *cmd)
        assert cp.returncode == 0 and "refused" not in cp.stderr, cp.stderr
    assert brick("profile", "diff", m, m).returncode == 0


def test_learned_profile_is_oci_seccomp(brick, workdir):
    """The learned file is plain linux.seccomp: brick run loads it from a config.json."""
    prof = workdir / "ls.json"
    learn(brick, prof, "ls", "/")
    cfg = json.loads(brick.ok("do", "--print-spec", "--", "ls", "/").stdout)
    cfg["linux"]["seccomp"] = json.loads(prof.read_text())
    b = workdir / "bundle"
    b.mkdir()
    (b / "config.json").write_text(json.dumps(cfg))
    cp = brick("run", "--bundle", b, new_id())
    assert cp.returncode == 0, cp.stderr
    assert "usr" in cp.stdout.split()
    cfg["process"]["args"] = ["unshare", "-U", "true"]
    (b / "config.json").write_text(json.dumps(cfg))
    cp = brick("run", "--bundle", b, new_id())
    assert cp.returncode != 0 and "Operation not permitted" in cp.stderr


@pytest.mark.skipif(not shutil.which("runc"), reason="runc not installed")
def test_learned_profile_under_runc(brick, workdir, bundle):
    """Another engine: runc's init makes calls of its own after loading the filter (the engine floor)."""
    b = bundle(["/bin/ls", "/"])
    prof = workdir / "rl.json"
    learn(brick, prof, "/bin/ls", "/", flags=("--rootfs", b.rootfs))
    b.config["linux"]["seccomp"] = json.loads(prof.read_text())
    b.config["process"]["noNewPrivileges"] = True
    b.write()
    state = workdir / "runc-state"
    for _ in range(3):  # the Go runtime's calls vary from run to run
        cp = run_cmd(["runc", "--root", str(state), "run", "--bundle", str(b.path), new_id()])
        assert cp.returncode == 0, cp.stderr
        assert "bin" in cp.stdout.split()


def test_run_learn_bundle(brick, workdir, bundle):
    """brick run --learn / --profile-file: the same for a bundle, within its own linux.seccomp."""
    b = bundle(["/bin/sh", "-c", "ls /; id -u"])  # busybox mount wants euid 0 first
    b.config["process"]["noNewPrivileges"] = True
    cp = brick("run", "--learn", workdir / "x.json", "--bundle", b.path, new_id())
    assert cp.returncode != 0 and "has no linux.seccomp to learn within" in cp.stderr
    default = json.loads(brick.ok("do", "--print-spec", "--", "true").stdout)["linux"]["seccomp"]
    b.config["linux"]["seccomp"] = default
    b.write()
    prof = workdir / "b.json"
    cp = brick("run", "--learn", prof, "--bundle", b.path, new_id())
    assert cp.returncode == 0 and "bin" in cp.stdout.split(), cp.stderr
    assert "getdents64" in names(json.loads(prof.read_text()))
    cp = brick("run", "--profile-file", prof, "--bundle", b.path, new_id())
    assert cp.returncode == 0 and "bin" in cp.stdout.split(), cp.stderr
    b.args("/bin/busybox", "mount", "-t", "tmpfs", "x", "/tmp")
    b.write()
    cp = brick("run", "--profile-file", prof, "--bundle", b.path, new_id())
    assert cp.returncode != 0
    refused(cp.stderr, prof, "mount")
    assert json.loads((b.path / "config.json").read_text())["linux"]["seccomp"] == default  # bundle untouched


def test_learn_flag_errors(brick, workdir):
    cp = brick("do", "--learn", workdir / "x.json", "-d", "--", "true")
    assert cp.returncode != 0 and "--learn: needs a foreground run" in cp.stderr
    cp = brick("do", "--learn", workdir / "x.json", "--security-opt", "seccomp=unconfined", "--", "true")
    assert cp.returncode != 0 and "--learn and --security-opt" in cp.stderr
    cp = brick("do", "--learn", workdir / "nodir" / "x.json", "--", "true")
    assert cp.returncode != 0 and cp.stderr.count("brick:") == 1 and "No such file or directory" in cp.stderr
    cp = brick("do", "--learn", workdir / "x.json", "--", "/nonexistent")
    assert cp.returncode != 0 and cp.stderr.count("brick:") == 1 and not (workdir / "x.json").exists()
    (workdir / "bad.json").write_text('{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": []}')
    cp = brick("do", "--profile-file", workdir / "bad.json", "--", "true")
    assert cp.returncode != 0 and "defaultAction must be SCMP_ACT_ERRNO" in cp.stderr
    (workdir / "bad.json").write_text('{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 99999999999, '
                                      '"syscalls": []}')
    cp = brick("do", "--profile-file", workdir / "bad.json", "--", "true")
    assert cp.returncode != 0 and "defaultErrnoRet: expected an errno (1-4095)" in cp.stderr, cp.stderr


@rootless_too
def test_learn_and_apply_ls(brick, workdir):
    """Also as a normal user: the supervisor needs no privilege."""
    prof = getattr(brick, "home", workdir) / "ls.json"
    cp = brick("do", "--learn", prof, "--", "ls", "/")
    assert cp.returncode == 0, cp.stderr
    p = json.loads(prof.read_text())
    assert "getdents64" in names(p)
    # Landlock paths are learned either way; capabilities need root (tracefs), and say so once
    assert "execute" in rules(p)["/usr"], p["annotations"]
    if hasattr(brick, "home"):
        assert "run.brick.capabilities" not in p["annotations"]
        assert cp.stderr.count(f"brick: --learn {prof}: left out: capabilities: needs root (tracefs)") == 1, cp.stderr
    else:
        assert caps(p) == set() and "left out" not in cp.stderr, cp.stderr
    cp = brick("do", "--profile-file", prof, "--", "ls", "/")
    assert cp.returncode == 0 and "usr" in cp.stdout.split(), cp.stderr
    cp = brick("do", "--profile-file", prof, "--", "sh", "-c", "echo hi > /tmp/x")
    assert cp.returncode != 0
    assert "refused" in cp.stderr


def test_learn_interrupted_still_writes(brick, workdir):
    """^C reaches the whole foreground group: the command ends, the supervisor writes FILE."""
    prof, cid = workdir / "int.json", new_id()
    p = brick.popen("do", "--name", cid, "--learn", prof, "--", "sleep", "30")

    def running():
        cp = brick("state", cid)
        return cp.returncode == 0 and json.loads(cp.stdout)["status"] == "running"
    assert wait_for(running, timeout=10)
    time.sleep(0.5)  # sleep(1) is past execve and in nanosleep
    os.killpg(p.pid, signal.SIGINT)
    p.wait(timeout=20)
    allowed = names(json.loads(prof.read_text()))
    assert "clock_nanosleep" in allowed or "nanosleep" in allowed


def test_learn_xclock_then_screenshot(brick, workdir, xvfb):
    """A GUI app learned under Xvfb runs again from its profile: the screenshot shows its window."""
    need("xclock", "xwd", "xwininfo")
    convert = shutil.which("convert") or pytest.skip("imagemagick missing")
    x = xvfb()
    prof = workdir / "xclock.json"
    clock = ["xclock", "-update", "1", "-geometry", "300x300+90+30", "-bg", "white", "-fg", "navy"]
    cp = brick("do", "--learn", prof, "--x11", "--", "timeout", "-s", "INT", "3", *clock, env=x.env())
    assert cp.returncode in (0, 124), cp.stderr
    p = brick.popen("do", "--profile-file", prof, "--x11", "--", "timeout", "-s", "INT", "6", *clock, env=x.env())
    try:
        assert wait_for(lambda: "xclock" in subprocess.run(["xwininfo", "-root", "-tree"], env=x.env(),
                                                           capture_output=True, text=True).stdout, 10)
        time.sleep(1.5)  # a few updates: timers, redraws
        shot = workdir / "shot.png"
        xwd = subprocess.run(["xwd", "-root", "-silent"], env=x.env(), capture_output=True, check=True).stdout
        subprocess.run([convert, "xwd:-", f"png:{shot}"], input=xwd, check=True)
        mean = subprocess.run([convert, str(shot), "-crop", "300x300+90+30", "-format", "%[fx:mean]", "info:"],
                              capture_output=True, text=True, check=True).stdout
        assert float(mean) > 0.5, mean
    finally:
        _, err = p.communicate(timeout=20)
    assert "refused" not in err, err


def test_learn_file_swapped_by_the_container(brick, workdir):
    """An attack: --learn FILE in a directory the container can write (`-v`).
    The container replaces FILE with a symlink to a host file (or a FIFO)
    before it exits; the profile must still go into the file opened before
    the run, never through the symlink (root would overwrite any host file)
    and never block on the FIFO."""
    out = workdir / "out"
    out.mkdir()
    victim = workdir / "victim"
    victim.write_text("SECRET\n")
    victim.chmod(0o600)
    prof = out / "profile.json"
    cp = brick("do", "--learn", prof, "-v", f"{out}:/mnt", "--", "sh", "-c",
               f"rm -f /mnt/profile.json; ln -s {victim} /mnt/profile.json")
    assert cp.returncode == 0, cp.stderr
    assert victim.read_text() == "SECRET\n"
    assert prof.is_symlink()  # the container's link is left as it made it; the profile went to the original file
    cp = brick("do", "--learn", prof.with_name("p2.json"), "-v", f"{out}:/mnt", "--", "sh", "-c",
               "rm -f /mnt/p2.json; mkfifo /mnt/p2.json", timeout=30)
    assert cp.returncode == 0, cp.stderr
    # an existing FILE that is not a regular file, or a symlink, is refused before the run
    cp = brick("do", "--learn", prof, "--", "true")
    assert cp.returncode != 0 and f"--learn {prof}" in cp.stderr, cp.stderr
    assert victim.read_text() == "SECRET\n"


def test_merge_unions_caps_and_landlock(brick, workdir):
    """Two runs, each needing something the other does not: the merge allows both; diff names them."""
    a, b, m = workdir / "a.json", workdir / "b.json", workdir / "m.json"
    chown = ("sh", "-c", "for i in 1 2; do rm -f /tmp/f; touch /tmp/f && chown 5 /tmp/f; done && echo chowned")
    bind = ("python3", "-c", PY_BIND, "80")
    pa = learn(brick, a, *chown)
    pb = learn(brick, b, *bind)
    assert "CAP_CHOWN" in caps(pa) and "CAP_NET_BIND_SERVICE" not in caps(pa)
    assert "CAP_NET_BIND_SERVICE" in caps(pb) and "CAP_CHOWN" not in caps(pb)
    assert {"write", "create"} <= rules(pa)["/tmp"] and landlock(pb)["net"]["bind"] == [80]
    # each alone: the other's run fails, and says why
    cp = brick("do", "--profile-file", a, "--", *bind)
    assert "bound" not in cp.stdout
    cp = brick("do", "--profile-file", b, "--", *chown)
    assert cp.returncode != 0 and "chowned" not in cp.stdout
    cp = brick("profile", "diff", a, b)
    assert cp.returncode == 1
    lines = cp.stdout.splitlines()
    assert "- capability CAP_CHOWN" in lines and "+ capability CAP_NET_BIND_SERVICE" in lines, cp.stdout
    assert "- landlock /tmp create" in lines and "+ landlock bind 80" in lines, cp.stdout
    cp = brick.ok("profile", "merge", a, b)
    m.write_text(cp.stdout)
    pm = json.loads(cp.stdout)
    assert caps(pm) == caps(pa) | caps(pb)
    assert landlock(pm)["net"]["bind"] == [80] and {"write", "create"} <= rules(pm)["/tmp"]
    cp = brick("do", "--profile-file", m, "--", *chown)
    assert cp.returncode == 0 and "chowned" in cp.stdout and "refused" not in cp.stderr, cp.stderr
    cp = brick("do", "--profile-file", m, "--", *bind)
    assert cp.stdout.split() == ["bound"] and "refused" not in cp.stderr, cp.stderr
    # a profile without learned capabilities (a rootless run's): the merge leaves them unrestricted, and says so
    nc = json.loads(b.read_text())
    del nc["annotations"]["run.brick.capabilities"]
    (workdir / "nc.json").write_text(json.dumps(nc))
    cp = brick.ok("profile", "merge", a, workdir / "nc.json")
    assert "run.brick.capabilities" not in json.loads(cp.stdout)["annotations"]
    assert f"{workdir / 'nc.json'} has no learned capabilities" in cp.stderr


def test_run_learn_bundle_caps(brick, workdir, bundle):
    """brick run --learn learns a bundle's capabilities and Landlock paths; --profile-file applies them."""
    default = json.loads(brick.ok("do", "--print-spec", "--", "true").stdout)["linux"]["seccomp"]
    b = bundle(["/bin/sh", "-c", "for i in 1 2; do rm -f /tmp/f; touch /tmp/f && chown 5 /tmp/f; done && echo chowned"])
    b.config["process"]["noNewPrivileges"] = True
    for s in ("bounding", "effective", "permitted"):
        b.config["process"]["capabilities"][s] = ["CAP_CHOWN", "CAP_KILL"]
    b.config["linux"]["seccomp"] = default
    b.write()
    prof = workdir / "b.json"
    cp = brick("run", "--learn", prof, "--bundle", b.path, new_id())
    assert cp.returncode == 0 and "chowned" in cp.stdout, cp.stderr
    p = json.loads(prof.read_text())
    assert "CAP_CHOWN" in caps(p) and {"write", "create"} <= rules(p)["/tmp"], p["annotations"]
    cp = brick("run", "--profile-file", prof, "--bundle", b.path, new_id())
    assert cp.returncode == 0 and "chowned" in cp.stdout and "refused" not in cp.stderr, cp.stderr
    # a profile learned without the chown: the capability is dropped and named
    b.args("/bin/sh", "-c", "for i in 1 2; do rm -f /tmp/f; touch /tmp/f && chown 0 /tmp/f; done && echo chowned")
    b.write()
    prof0 = workdir / "b0.json"
    cp = brick("run", "--learn", prof0, "--bundle", b.path, new_id())
    assert cp.returncode == 0 and "chowned" in cp.stdout, cp.stderr
    assert "CAP_CHOWN" not in caps(json.loads(prof0.read_text()))
    b.args("/bin/sh", "-c", "for i in 1 2; do rm -f /tmp/f; touch /tmp/f && chown 5 /tmp/f; done && echo chowned")
    b.write()
    cp = brick("run", "--profile-file", prof0, "--bundle", b.path, new_id())
    assert cp.returncode != 0 and "chowned" not in cp.stdout
    assert f"brick: --profile-file {prof0}: refused capability CAP_CHOWN (EPERM)" in cp.stderr, cp.stderr


ATTACK = r"""
import ctypes, os, threading, time
libc = ctypes.CDLL(None, use_errno=True)
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
libc.syscall.restype = ctypes.c_long
SYS_openat, AT_FDCWD, PAGE = 257, -100, 4096
def openat(dfd, ptr, flags=0):
    return libc.syscall(SYS_openat, ctypes.c_int(dfd), ctypes.c_void_p(ptr), ctypes.c_int(flags), 0)
# 1. a path running into an unmapped page, no NUL
a = libc.mmap(None, 3 * PAGE, 3, 0x22, -1, 0)
ctypes.memset(a, ord("A"), 2 * PAGE)
libc.munmap(a + 2 * PAGE, PAGE)
openat(AT_FDCWD, a)
# 2. 1 MiB without a NUL
big = ctypes.create_string_buffer(b"B" * (1 << 20), 1 << 20)
openat(AT_FDCWD, ctypes.addressof(big))
# 3. a bad pointer, a path full of .., a sockaddr with a bad length
openat(AT_FDCWD, 8)
os.path.exists("/../../../../etc/../etc/hostname") and open("/../../../../etc/../etc/hostname").close()
libc.syscall(49, 0, ctypes.c_void_p(8), 1 << 30)
# 4. a dirfd that is a symlink (O_PATH|O_NOFOLLOW) to a host directory: only its name is recorded
os.symlink("/etc", "/tmp/l")
fd = os.open("/tmp/l", os.O_PATH | os.O_NOFOLLOW)
try:
    os.open("hostname", os.O_RDONLY, dir_fd=fd)
except OSError:
    pass
# 5. another thread swapping the string while it is read
buf = ctypes.create_string_buffer(b"/etc/hostname" + b"\0" * 64, 4096)
stop = []
def flip():
    while not stop:
        ctypes.memmove(buf, b"/nonexistent/" + b"x" * 40 + b"\0", 54)
        ctypes.memmove(buf, b"/etc/hostname\0", 14)
t = threading.Thread(target=flip)
t.start()
for _ in range(300):
    fd2 = openat(AT_FDCWD, ctypes.addressof(buf))
    if fd2 >= 0:
        os.close(fd2)
stop.append(1)
t.join()
# 6. tasks exiting in the middle of their calls
for _ in range(30):
    pid = os.fork()
    if pid == 0:
        for _ in range(100000):
            os.path.exists("/etc/hostname")
        os._exit(0)
    time.sleep(0.005)
    os.kill(pid, 9)
    os.waitpid(pid, 0)
# 7. a comm that looks like a trace line (the capability tracer must not take it)
libc.prctl(15, b", cap 21, ret 0", 0, 0, 0)
open("/tmp/own", "w").close()
os.chown("/tmp/own", 5, 5)
print("survived")
"""


def test_learn_attacks_on_the_supervisor(brick, workdir):
    """The supervisor (root, on the host) reads the container's memory and
    /proc links: unterminated, huge, unmapped or racing strings, symlinked
    dirfds, dying tasks and a forged comm must neither hang, crash, follow
    anything on the host nor forge the record."""
    prof = workdir / "attack.json"
    start = time.monotonic()
    cp = brick("do", "--learn", prof, "--", "python3", "-c", ATTACK, timeout=120)
    assert cp.returncode == 0 and "survived" in cp.stdout, cp.stderr
    assert time.monotonic() - start < 90
    p = json.loads(prof.read_text())
    paths = [r["path"] for r in landlock(p)["fs"]]
    assert not [x for x in paths if "AAAA" in x or "BBBB" in x or ".." in x or len(x) > 256], paths
    assert "/etc" in paths and "/tmp" in paths
    assert "CAP_CHOWN" in caps(p) and "CAP_SYS_ADMIN" not in caps(p), caps(p)
    no_leaked_instances()


def test_learn_flood_of_paths(brick, workdir):
    """More distinct paths than the record keeps: no Landlock policy (rather than a wrong one), said once."""
    prof = workdir / "flood.json"
    script = ("import os\nfor i in range(2100):\n os.mkdir(f'/tmp/d{i}')\n os.close(os.open(f'/tmp/d{i}', "
              "os.O_RDONLY | os.O_DIRECTORY))\nprint('done')")
    cp = brick("do", "--learn", prof, "--", "python3", "-c", script, timeout=120)
    assert cp.returncode == 0 and "done" in cp.stdout, cp.stderr
    assert f"brick: --learn {prof}: left out: Landlock policy: more than 2048 distinct paths" in cp.stderr, cp.stderr
    p = json.loads(prof.read_text())
    assert "run.brick.landlock" not in p["annotations"] and "CAP_CHOWN" not in caps(p)
    cp = brick("do", "--profile-file", prof, "--", "python3", "-c", script)
    assert cp.returncode == 0 and "done" in cp.stdout, cp.stderr


def test_learn_removes_stale_tracefs_instances(brick, workdir):
    """A supervisor killed with SIGKILL leaves its tracefs instance: the next learning run removes it."""
    if os.path.isdir("/sys/kernel/tracing/instances"):
        base, mnt = "/sys/kernel/tracing", None
    else:
        mnt = workdir / "tracefs"
        mnt.mkdir()
        subprocess.run(["mount", "-t", "tracefs", "nodev", str(mnt)], check=True)
        base = str(mnt)
    stale = f"{base}/instances/brick-learn-{2**22 + 1}"  # above pid_max: no such process
    try:
        os.mkdir(stale)
        learn(brick, workdir / "t.json", "true")
        assert not os.path.exists(stale)
        no_leaked_instances()
    finally:
        if os.path.exists(stale):
            os.rmdir(stale)
        if mnt:
            subprocess.run(["umount", str(mnt)], check=True)


def test_learn_cli_killed_instance_removed(brick, workdir):
    """brick do killed with SIGKILL while learning: the supervisor serves until the container's
    last task is gone, then writes FILE and removes its tracefs instance."""
    prof, cid = workdir / "killed.json", new_id()
    p = brick.popen("do", "--name", cid, "--learn", prof, "--", "sleep", "3")
    try:
        def running():
            cp = brick("state", cid)
            return cp.returncode == 0 and json.loads(cp.stdout)["status"] == "running"
        assert wait_for(running, timeout=10)
        ours = set(tracefs_instances())  # while it runs
        assert ours
        p.kill()
        p.wait(timeout=10)
        assert wait_for(lambda: prof.exists() and prof.stat().st_size > 0, timeout=20)
        assert wait_for(lambda: not ours & set(tracefs_instances()), timeout=10)
        assert "clock_nanosleep" in names(json.loads(prof.read_text())) or \
            "nanosleep" in names(json.loads(prof.read_text()))
    finally:
        brick("delete", "-f", cid)


def test_learn_directory_opened_without_o_directory(brick, workdir):
    """open(dir, O_RDONLY) without O_DIRECTORY (a directory's fsync: sqlite, git) may be a
    directory: the learned profile must run the program it was learned from."""
    py = ("import os; os.makedirs('/tmp/d/e', exist_ok=True); fd = os.open('/tmp/d/e', os.O_RDONLY); "
          "os.fsync(fd); print('ok')")
    prof = workdir / "p.json"
    learn(brick, prof, "python3", "-c", py)
    cp = brick("do", "--profile-file", prof, "--", "python3", "-c", py)
    assert cp.returncode == 0 and "ok" in cp.stdout, cp.stderr


def test_learn_non_utf8_path(brick, workdir):
    """A file name that is not UTF-8: the profile stays valid JSON (the rule goes on its directory)."""
    py = "import os; os.makedirs(b'/tmp/\\xff\\xfe', exist_ok=True); open(b'/tmp/\\xff\\xfe/f', 'wb').close()"
    prof = workdir / "p.json"
    cp = brick("do", "--learn", prof, "--", "python3", "-c", py)
    assert cp.returncode == 0, cp.stderr
    p = json.loads(prof.read_bytes().decode("utf-8"))
    assert {"write", "create"} <= rules(p)["/tmp"], landlock(p)
    cp = brick("do", "--profile-file", prof, "--", "python3", "-c", py)
    assert cp.returncode == 0, cp.stderr


def test_learn_failed_write_never_unlinks_through_a_swapped_directory(brick, workdir):
    """An attack: FILE's directory is shared with the container, which swaps it for a symlink to
    a host directory holding a file of the same name, then fills the file system so that the
    profile cannot be written. brick removes the empty FILE it made only through the directory
    it opened with it, and only if the name is still that file: the host file stays."""
    shared = workdir / "shared"
    shared.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(shared)], check=True)
    try:
        victim = workdir / "victim"
        victim.mkdir()
        (victim / "p.json").write_text("host file\n")
        sub = shared / "sub"
        sub.mkdir()
        script = (f"mv {sub} {shared}/old && ln -s {victim} {sub} && "
                  f"dd if=/dev/zero of={shared}/fill bs=4k 2>/dev/null; true")
        cp = brick("do", "-v", f"{shared}:{shared}", "--learn", sub / "p.json", "--", "sh", "-c", script)
        assert cp.returncode != 0 and "could not be written" in cp.stderr, cp.stderr
        assert (victim / "p.json").read_text() == "host file\n"
        assert not (shared / "old" / "p.json").exists()  # ours (empty, in the real directory): removed
    finally:
        subprocess.run(["umount", "-l", str(shared)], check=False)


def test_profile_file_never_replaces_a_bundles_landlock_policy(brick, workdir, bundle):
    """A bundle with its own run.brick.landlock: a learned file's policy would replace it (maybe
    wider): refused, naming both."""
    default = json.loads(brick.ok("do", "--print-spec", "--", "true").stdout)["linux"]["seccomp"]
    b = bundle(["/bin/sh", "-c", "echo x > /tmp/w && echo wrote"])
    b.config["process"]["noNewPrivileges"] = True
    b.config["linux"]["seccomp"] = default
    b.config.setdefault("annotations", {})["run.brick.landlock"] = json.dumps(
        {"fs": [{"path": "/", "access": ["read", "execute"]}]})
    b.write()
    prof = workdir / "l.json"
    learn(brick, prof, "sh", "-c", "echo x > /tmp/w")
    cp = brick("run", "--profile-file", prof, "--bundle", b.path, new_id())
    assert cp.returncode != 0 and "wrote" not in cp.stdout
    assert 'the config has its own annotations["run.brick.landlock"]' in cp.stderr, cp.stderr


def _children(pid):
    out = []
    for e in os.listdir("/proc"):
        if e.isdigit():
            try:
                with open(f"/proc/{e}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        out.append(int(e))
            except (OSError, ValueError, IndexError):
                pass
    return out


def test_learn_supervisor_killed_the_run_ends(brick, workdir):
    """The supervisor killed (OOM killer, an admin): every notified call now fails with ENOSYS.
    The run must still end (exit stays allowed while learning; brick's init gives up on ENOSYS),
    brick do must say nothing was written, and removes the instance the supervisor left."""
    cid = new_id()
    p = brick.popen("do", "--name", cid, "--learn", workdir / "k.json", "--", "sh", "-c", "sleep 2; sleep 1")
    try:
        def cmdline(pid):
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    return f.read()
            except OSError:
                return None

        def supervisor():  # a forked copy of brick do (brick's init wipes its command line)
            return [c for c in _children(p.pid) if cmdline(c) == cmdline(p.pid)]
        def running():  # the supervisor holds the notify fd by then
            cp = brick("state", cid)
            return cp.returncode == 0 and json.loads(cp.stdout)["status"] == "running"
        assert wait_for(lambda: running() and supervisor() and tracefs_instances(), timeout=10)
        sup = supervisor()[0]
        os.kill(sup, signal.SIGKILL)
        _, err = p.communicate(timeout=20)
        assert p.returncode != 0 and "could not be written" in err, err
        assert f"brick-learn-{sup}" not in tracefs_instances()  # removed by brick do at once
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        brick("delete", "-f", cid)
