"""Namespaces: new, absent (shared with the host), joined by path, user and time."""
import os

import pytest

from conftest import brick_only, new_id, ns_set, pid_alive

NS_FILES = {"pid": "pid", "network": "net", "ipc": "ipc", "uts": "uts", "mount": "mnt",
            "cgroup": "cgroup", "user": "user", "time": "time"}
SCRIPT = "for n in pid net ipc uts mnt cgroup user time; do echo \"ns $n $(readlink /proc/self/ns/$n)\"; done"
USERNS_MAP = [{"containerID": 0, "hostID": 200000, "size": 65536}]


def ns_of(cp):
    assert cp.returncode == 0, cp.stderr
    out = {}
    for line in cp.stdout.splitlines():
        if line.startswith("ns "):
            _, n, link = line.split(" ", 2)
            out[n] = link
    assert len(out) == 8, cp.stdout
    return out


def host_ns(n):
    return os.readlink(f"/proc/self/ns/{n}")


def userns_bundle(bundle, workdir):
    os.chmod(workdir, 0o755)  # the mapped root must be able to reach the rootfs
    b = bundle()
    b.linux["uidMappings"] = USERNS_MAP
    b.linux["gidMappings"] = USERNS_MAP
    return b


@pytest.mark.parametrize("kind", ["pid", "network", "ipc", "uts", "mount", "cgroup"])
def test_new_namespace(brick, bundle, kind):
    b = bundle().sh(SCRIPT)
    kinds = ["mount", kind] if kind != "mount" else ["mount"]
    ns_set(b.config, kinds)
    got = ns_of(brick.run(b))
    f = NS_FILES[kind]
    assert got[f] != host_ns(f)
    # everything not requested is shared with the host
    for other, of in NS_FILES.items():
        if other not in kinds:
            assert got[of] == host_ns(of), other


def test_user_namespace(brick, bundle, workdir):
    b = userns_bundle(bundle, workdir)
    b.sh(SCRIPT + "; cat /proc/self/uid_map /proc/self/gid_map; stat -c 'owner %u %g' /etc/passwd /home/app")
    ns_set(b.config, ["pid", "network", "ipc", "uts", "mount", "user"])
    # files owned by host uid 200000+1000 appear as 1000 inside
    os.chown(b.rootfs / "home" / "app", 201000, 201000)
    for p in b.rootfs.rglob("*"):
        if p.name != "app":
            os.lchown(p, 200000, 200000)
    os.lchown(b.rootfs, 200000, 200000)
    cp = brick.run(b)
    got = ns_of(cp)
    assert got["user"] != host_ns("user")
    maps = [line.split() for line in cp.stdout.splitlines() if line.split()[:1] == ["0"]]
    assert maps == [["0", "200000", "65536"], ["0", "200000", "65536"]], cp.stdout
    assert "owner 0 0" in cp.stdout
    assert "owner 1000 1000" in cp.stdout


def test_user_namespace_unmapped_owner_is_overflow(brick, bundle, workdir):
    b = userns_bundle(bundle, workdir)
    b.sh("stat -c 'owner %u %g' /etc/passwd")
    ns_set(b.config, ["pid", "network", "ipc", "uts", "mount", "user"])
    os.lchown(b.rootfs, 200000, 200000)  # rootfs root mapped, files stay host-root owned
    cp = brick.run(b)
    assert cp.returncode == 0, cp.stderr
    assert "owner 65534 65534" in cp.stdout


@brick_only  # runc 1.1 has no time namespace support
def test_time_namespace_boottime_offset(brick, bundle):
    b = bundle().sh("readlink /proc/self/ns/time; cat /proc/uptime")
    ns_set(b.config, ["pid", "network", "ipc", "uts", "mount", "time"])
    b.linux["timeOffsets"] = {"boottime": {"secs": 86400, "nanosecs": 0},
                              "monotonic": {"secs": 3600, "nanosecs": 0}}
    cp = brick.run(b)
    assert cp.returncode == 0, cp.stderr
    link, uptime = cp.stdout.splitlines()[:2]
    assert link != host_ns("time")
    with open("/proc/uptime") as f:
        host_up = float(f.read().split()[0])
    inside = float(uptime.split()[0])
    assert 86400 + host_up - 5 < inside < 86400 + host_up + 30, (inside, host_up)


def test_join_network_namespace_by_path(brick, bundle):
    a = bundle(["/bin/brick-probe", "sleep-forever"])
    ca = brick.create(a)
    pid_a = brick.state(ca)["pid"]
    b = bundle().sh(SCRIPT)
    ns_set(b.config, ["pid", "ipc", "uts", "mount", {"type": "network", "path": f"/proc/{pid_a}/ns/net"}])
    got = ns_of(brick.run(b))
    assert got["net"] == os.readlink(f"/proc/{pid_a}/ns/net")
    assert got["net"] != host_ns("net")
    assert got["ipc"] != os.readlink(f"/proc/{pid_a}/ns/ipc")
    brick.delete(ca, force=True)


def test_join_pid_namespace_sees_processes(brick, bundle):
    a = bundle(["/bin/brick-probe", "sleep-forever"])
    ca = brick.create(a)
    brick.ok("start", ca)
    pid_a = brick.state(ca)["pid"]
    b = bundle().sh("cat /proc/1/cmdline | tr '\\0' ' '; echo; readlink /proc/self/ns/pid")
    ns_set(b.config, ["ipc", "uts", "mount", "network", {"type": "pid", "path": f"/proc/{pid_a}/ns/pid"}])
    cp = brick.run(b)
    assert cp.returncode == 0, cp.stderr
    lines = cp.stdout.splitlines()
    assert lines[0].strip() == "/bin/brick-probe sleep-forever"
    assert lines[1] == os.readlink(f"/proc/{pid_a}/ns/pid")
    brick.delete(ca, force=True)


def test_join_uts_and_ipc_by_path(brick, bundle):
    a = bundle(["/bin/brick-probe", "sleep-forever"])
    a.config["hostname"] = "container-a"
    ca = brick.create(a)
    pid_a = brick.state(ca)["pid"]
    b = bundle().sh("hostname; readlink /proc/self/ns/ipc")
    del b.config["hostname"]
    ns_set(b.config, ["pid", "mount", "network", {"type": "uts", "path": f"/proc/{pid_a}/ns/uts"},
                      {"type": "ipc", "path": f"/proc/{pid_a}/ns/ipc"}])
    cp = brick.run(b)
    assert cp.returncode == 0, cp.stderr
    assert cp.stdout.splitlines() == ["container-a", os.readlink(f"/proc/{pid_a}/ns/ipc")]
    brick.delete(ca, force=True)


def test_join_wrong_namespace_type_fails(brick, bundle):
    a = bundle(["/bin/brick-probe", "sleep-forever"])
    ca = brick.create(a)
    pid_a = brick.state(ca)["pid"]
    b = bundle(["/bin/true"])
    ns_set(b.config, ["pid", "ipc", "uts", "mount", {"type": "network", "path": f"/proc/{pid_a}/ns/ipc"}])
    cid = new_id()
    b.write()
    cp = brick("create", "--bundle", b.path, cid)
    assert cp.returncode != 0
    assert brick("state", cid).returncode != 0
    brick.delete(ca, force=True)


def test_join_missing_namespace_path_fails(brick, bundle):
    b = bundle(["/bin/true"])
    ns_set(b.config, ["pid", "ipc", "uts", "mount", {"type": "network", "path": "/nonexistent/ns/net"}])
    cid = new_id()
    cp = brick.run(b, cid)
    assert cp.returncode != 0
    assert brick("state", cid).returncode != 0
