"""Cgroups: every container gets its own cgroup and linux.resources is
enforced for real (memory OOM, pids, cpu quota, devices, freezer), `update`,
`ps`, `events`, and nothing is left in any hierarchy after delete or a
failed create.

Every test uses a cgroupsPath under /brick-test-<uuid>/ so that the host's own
cgroups are never touched; the fixture checks every hierarchy afterwards."""

import json
import os
import time
import uuid
from pathlib import Path

import pytest

from conftest import CGROOT, IS_BRICK, hierarchies, brick_only, new_id, pid_alive, wait_for



def layout():
    hs = hierarchies()
    if hs == [CGROOT]:
        return "v2"
    return "hybrid" if CGROOT / "unified" in hs else "v1"


pytestmark = pytest.mark.skipif(os.geteuid() != 0 or not hierarchies(), reason="needs root and cgroups")


def ctrl_dir(ctrl, inner):
    """The directory of inner (absolute cgroup path) in the hierarchy of ctrl."""
    if layout() == "v2":
        return CGROOT / inner.lstrip("/")
    for h in hierarchies():
        if ctrl in h.name.split(","):
            return h / inner.lstrip("/")
    pytest.skip(f"no {ctrl} hierarchy")


def read(ctrl, inner, name):
    return (ctrl_dir(ctrl, inner) / name).read_text().strip()


@pytest.fixture
def cgparent():
    """A unique parent cgroup name; after the test nothing may remain under it."""
    top = f"/brick-test-{uuid.uuid4().hex[:10]}"
    yield top
    left = [str(h / top.lstrip("/")) for h in hierarchies() if (h / top.lstrip("/")).exists()]
    for d in left:  # clean up before failing
        for sub, _, _ in sorted(os.walk(d), key=lambda t: -len(t[0])):
            try:
                os.rmdir(sub)
            except OSError:
                pass
    assert not left, f"cgroups left behind: {left}"


def with_cgroup(b, cgparent, cid, resources=None):
    b.linux["cgroupsPath"] = f"{cgparent}/{cid}"
    if resources is not None:
        b.linux["resources"] = resources
    return f"{cgparent}/{cid}"


def start(brick, b, cid):
    brick.create(b, cid)
    brick.ok("start", cid)
    return brick.state(cid)["pid"]


def test_placed_in_own_cgroup_every_hierarchy(brick, bundle, cgparent):
    b = bundle(["/bin/brick-probe", "sleep-forever"])
    cid = new_id()
    inner = with_cgroup(b, cgparent, cid)
    pid = start(brick, b, cid)
    for line in Path(f"/proc/{pid}/cgroup").read_text().splitlines():
        _, ctrls, path = line.split(":", 2)
        assert path == inner, line
    for h in hierarchies():
        assert (h / inner.lstrip("/")).is_dir()
    brick.delete(cid, force=True)
    for h in hierarchies():
        assert not (h / cgparent.lstrip("/")).exists(), h


def test_cgroup_namespace_rooted_at_container_cgroup(brick, bundle, cgparent):
    b = bundle(["/bin/cat", "/proc/self/cgroup"])
    b.linux["namespaces"].append({"type": "cgroup"})
    cid = new_id()
    with_cgroup(b, cgparent, cid)
    cp = brick.run(b, cid)
    assert cp.returncode == 0, cp.stderr
    paths = {line.split(":", 2)[2] for line in cp.stdout.splitlines()}
    assert paths == {"/"}, cp.stdout


@pytest.mark.parametrize("cgroupns", [True, False])
def test_cgroup_mount_shows_the_container_cgroup(brick, bundle, cgparent, cgroupns):
    """The "cgroup" mount shows the container's own cgroup in every hierarchy
    (v1: a bind of the directory the init placed itself in; in a cgroup
    namespace it reads as a fresh mount: root "/" in mountinfo)."""
    if layout() == "v2":
        pytest.skip("v1 hierarchies only (the VM suite covers cgroup2)")
    b = bundle()
    b.sh('cat /sys/fs/cgroup/pids/pids.max; ls -d /sys/fs/cgroup/pids/*/ 2>/dev/null | wc -l; '
         'grep " /sys/fs/cgroup/pids " /proc/self/mountinfo | tail -n 1; '
         'ls /sys/fs/cgroup | tr "\\n" " "')
    b.add_mount("/sys/fs/cgroup", "cgroup", "cgroup", ["nosuid", "noexec", "nodev", "relatime", "ro"])
    if cgroupns:
        b.linux["namespaces"].append({"type": "cgroup"})
    cid = new_id()
    inner = with_cgroup(b, cgparent, cid, {"pids": {"limit": 77}})
    cp = brick.run(b, cid)
    assert cp.returncode == 0, cp.stderr
    limit, subdirs, mountinfo, names = cp.stdout.splitlines()
    assert limit == "77" and subdirs.strip() == "0", cp.stdout
    assert mountinfo.split()[3] == ("/" if cgroupns else inner), mountinfo
    assert {"pids", "memory", "cpu", "devices", "freezer"} <= set(names.split()), names


def test_default_path_and_removal(brick, bundle):
    b = bundle(["/bin/brick-probe", "sleep-forever"])
    cid = new_id()
    pid = start(brick, b, cid)
    inner = f"/brick/{cid}"
    assert any(l.endswith(":" + inner) for l in Path(f"/proc/{pid}/cgroup").read_text().splitlines())
    brick.delete(cid, force=True)
    for h in hierarchies():
        assert not (h / inner.lstrip("/")).exists()


def test_memory_limit_oom_kill_and_events(brick, bundle, cgparent):
    limit = 32 << 20
    b = bundle(["/bin/sh", "-c", "sleep 1; tail /dev/zero"])
    cid = new_id()
    inner = with_cgroup(b, cgparent, cid, {"memory": {"limit": limit, "swap": limit}})
    brick.create(b, cid)
    assert int(read("memory", inner, "memory.limit_in_bytes" if layout() != "v2" else "memory.max")) <= limit
    ev = brick.popen("events", "--interval", "1s", cid)
    time.sleep(0.3)
    brick.ok("start", cid)
    brick.wait_stopped(cid, timeout=30)
    out, err = ev.communicate(timeout=15)
    records = [json.loads(l) for l in out.splitlines() if l.strip()]
    assert any(r["type"] == "oom" and r["id"] == cid for r in records), (out, err)
    assert any(r["type"] == "stats" for r in records)
    if layout() != "v2":
        assert "oom_kill 1" in read("memory", inner, "memory.oom_control")
    brick.delete(cid)


@brick_only
def test_run_reports_an_oom_kill(brick, bundle, cgparent):
    """`brick run` in the foreground says why its container died, not only
    137 (the limit is the container's cgroup's; the growth stops at 64 MiB)."""
    b = bundle(["/bin/sh", "-c", "x=a; while [ ${#x} -lt 67108864 ]; do x=$x$x; done; echo no-oom"])
    cid = new_id()
    with_cgroup(b, cgparent, cid, {"memory": {"limit": 32 << 20, "swap": 32 << 20}})
    cp = brick.run(b, cid)
    assert "no-oom" not in cp.stdout, "the memory limit was not applied"
    assert cp.returncode == 137, cp.stderr
    assert cp.stderr.strip() == "brick: killed: out of memory (limit 32 MiB)"


def test_pids_limit_stops_fork_bomb(brick, bundle, cgparent):
    script = "for i in $(seq 1 40); do sleep 100 & done 2>/dev/null; sleep 100"
    b = bundle(["/bin/sh", "-c", script])
    cid = new_id()
    inner = with_cgroup(b, cgparent, cid, {"pids": {"limit": 10}})
    start(brick, b, cid)
    assert wait_for(lambda: "max" in read("pids", inner, "pids.events") and
                    int(read("pids", inner, "pids.events").split()[-1]) > 0, timeout=10)
    assert int(read("pids", inner, "pids.current")) <= 10
    assert read("pids", inner, "pids.max") == "10"
    brick.delete(cid, force=True)


def test_cpu_quota_throttles(brick, bundle, cgparent):
    b = bundle(["/bin/sh", "-c", "while :; do :; done"])
    cid = new_id()
    inner = with_cgroup(b, cgparent, cid, {"cpu": {"quota": 10000, "period": 100000}})
    start(brick, b, cid)
    time.sleep(1.0)
    stat = dict(l.split() for l in read("cpu", inner, "cpu.stat").splitlines())
    assert int(stat["nr_throttled"]) > 0, stat
    brick.delete(cid, force=True)


def test_device_rule_denies_open(brick, bundle, cgparent):
    b = bundle(["/bin/brick-probe", "open", "/dev/null"])
    cid = new_id()
    with_cgroup(b, cgparent, cid, {"devices": [
        {"allow": False, "access": "rwm"},
        {"allow": False, "type": "c", "major": 1, "minor": 3, "access": "rw"}]})
    cp = brick.run(b, cid)
    assert cp.returncode == 0, cp.stderr
    assert "open errno 1 EPERM" in cp.stdout, cp.stdout
    # the default rules still allow the other standard devices
    b2 = bundle(["/bin/brick-probe", "open", "/dev/zero"])
    with_cgroup(b2, cgparent, new_id(), {"devices": [{"allow": False, "access": "rwm"}]})
    cp = brick.run(b2)
    assert "open ok" in cp.stdout, cp.stdout + cp.stderr


def test_pause_freezes_and_resume_thaws(brick, bundle, cgparent):
    b = bundle(["/bin/sh", "-c", "i=0; while :; do i=$((i+1)); echo $i > /tmp/counter; done"])
    cid = new_id()
    with_cgroup(b, cgparent, cid)
    start(brick, b, cid)
    counter = b.rootfs / "tmp" / "counter"
    assert wait_for(lambda: counter.exists() and counter.read_text().strip())

    def value():
        for _ in range(50):
            t = counter.read_text().strip()
            if t:
                return int(t)
            time.sleep(0.01)
        return 0

    brick.ok("pause", cid)
    assert brick.state(cid)["status"] == "paused"
    v1 = value()
    time.sleep(0.5)
    assert value() == v1
    assert brick("pause", cid).returncode != 0  # already paused
    brick.ok("resume", cid)
    assert brick.state(cid)["status"] == "running"
    assert wait_for(lambda: value() > v1, timeout=5)
    # a paused container can be force-deleted
    brick.ok("pause", cid)
    brick.delete(cid, force=True)


def test_update_changes_limits(brick, bundle, cgparent):
    b = bundle(["/bin/brick-probe", "sleep-forever"])
    cid = new_id()
    inner = with_cgroup(b, cgparent, cid, {"memory": {"limit": 64 << 20}, "pids": {"limit": 50}})
    start(brick, b, cid)
    brick.ok("update", "--memory", "128M", "--pids-limit", "20", "--cpu-quota", "50000",
             "--cpu-period", "100000", "--cpu-shares", "512", "--cpuset-cpus", "0", cid)
    v2 = layout() == "v2"
    assert read("cpuset", inner, "cpuset.cpus") == "0"
    assert int(read("memory", inner, "memory.max" if v2 else "memory.limit_in_bytes")) == 128 << 20
    assert read("pids", inner, "pids.max") == "20"
    if v2:
        assert read("cpu", inner, "cpu.max") == "50000 100000"
    else:
        assert read("cpu", inner, "cpu.cfs_quota_us") == "50000"
        assert read("cpu", inner, "cpu.shares") == "512"
    doc = json.dumps({"memory": {"limit": 96 << 20, "swap": 200 << 20}, "pids": {"limit": 30}})
    brick.ok("update", "-r", "-", cid, input=doc)
    assert int(read("memory", inner, "memory.max" if v2 else "memory.limit_in_bytes")) == 96 << 20
    assert read("pids", inner, "pids.max") == "30"
    cp = brick("update", "--l3-cache-schema", "L3:0=f", cid)
    assert cp.returncode != 0
    if IS_BRICK:  # the saved config follows the updates, merged field by field
        res = json.loads((brick.root / cid / "config.json").read_text())["linux"]["resources"]
        assert res["memory"]["limit"] == 96 << 20 and res["memory"]["swap"] == 200 << 20, res
        assert res["pids"]["limit"] == 30 and res["cpu"]["quota"] == 50000 and res["cpu"]["shares"] == 512, res
    brick.delete(cid, force=True)


@brick_only
def test_update_v1_only_resource_named_in_error(brick, bundle, cgparent):
    if layout() == "v2":
        pytest.skip("v1 host expectation")
    b = bundle(["/bin/brick-probe", "sleep-forever"])
    cid = new_id()
    with_cgroup(b, cgparent, cid)
    start(brick, b, cid)
    cp = brick("update", "-r", "-", cid, input=json.dumps({"unified": {"memory.high": "100"}}))
    assert cp.returncode != 0
    assert "linux.resources.unified" in cp.stderr
    brick.delete(cid, force=True)


def test_events_stats_real_figures(brick, bundle, cgparent):
    b = bundle(["/bin/sh", "-c", "sleep 100 & sleep 100 & wait"])
    cid = new_id()
    with_cgroup(b, cgparent, cid, {"pids": {"limit": 64}})
    start(brick, b, cid)
    assert wait_for(lambda: len(json.loads(brick.ok("ps", "--format", "json", cid).stdout)) >= 3)
    rec = json.loads(brick.ok("events", "--stats", cid).stdout)
    assert rec["type"] == "stats" and rec["id"] == cid
    d = rec["data"]
    assert d["pids"]["current"] >= 3 and d["pids"]["limit"] == 64
    assert d["memory"]["usage"]["usage"] > 0
    assert d["cpu"]["usage"]["total"] > 0
    brick.delete(cid, force=True)


def test_ps_lists_container_processes(brick, bundle, cgparent):
    b = bundle(["/bin/sh", "-c", "sleep 100 & sleep 100 & wait"])
    cid = new_id()
    with_cgroup(b, cgparent, cid)
    pid = start(brick, b, cid)
    assert wait_for(lambda: len(json.loads(brick.ok("ps", "--format", "json", cid).stdout)) == 3)
    pids = json.loads(brick.ok("ps", "--format", "json", cid).stdout)
    assert pid in pids
    table = brick.ok("ps", cid).stdout.splitlines()
    assert table[0].split()[:3] == ["UID", "PID", "PPID"]
    listed = {int(l.split()[1]) for l in table[1:]}
    assert listed == set(pids)
    assert sum(l.endswith(" sleep 100") for l in table[1:]) == 2, table
    # ps options reach ps as they are (runc: exec.Command("ps", args...)):
    # several options work, and shell syntax in one is never run
    t = brick.ok("ps", cid, "-o", "pid,args", "-o", "comm=THECMD").stdout.splitlines()
    assert t[0].split()[0] == "PID" and t[0].split()[-1] == "THECMD", t
    assert {int(l.split()[0]) for l in t[1:]} == set(pids)
    marker = Path(f"/tmp/bk-ps-{os.getpid()}")
    cp = brick("ps", cid, "-o", f"pid;touch {marker}")
    assert cp.returncode != 0 and not marker.exists(), cp.stderr
    brick.delete(cid, force=True)


def test_kill_all_through_cgroup(brick, bundle, cgparent):
    b = bundle(["/bin/sh", "-c", "sleep 100 & sleep 100 & wait"])
    b.linux["namespaces"] = [n for n in b.linux["namespaces"] if n["type"] != "pid"]
    cid = new_id()
    with_cgroup(b, cgparent, cid)
    start(brick, b, cid)
    assert wait_for(lambda: len(json.loads(brick.ok("ps", "--format", "json", cid).stdout)) == 3)
    pids = json.loads(brick.ok("ps", "--format", "json", cid).stdout)
    brick.ok("kill", "--all", cid, "KILL")
    assert wait_for(lambda: not any(pid_alive(p) for p in pids))
    brick.delete(cid, force=True)


def test_failed_create_leaves_no_cgroup(brick, bundle, cgparent):
    b = bundle(["/bin/true"])
    cid = new_id()
    with_cgroup(b, cgparent, cid, {"cpu": {"cpus": "4095"}})
    b.write()
    cp = brick("create", "--bundle", b.path, cid)
    assert cp.returncode != 0
    assert "cpu.cpus" in cp.stderr or "cpuset" in cp.stderr, cp.stderr
    assert not (brick.root / cid).exists()
    # the fixture checks that no hierarchy holds anything under cgparent


def test_init_failure_while_cgroup_is_made_reports_the_init_error(brick, bundle, cgparent, tmp_path):
    """On v1 the parent makes the cgroup while the init already mounts (it
    waits for GO only before the cgroup mount and the device nodes). A mount
    that fails before that point must be the error the user sees, and the
    cgroup the parent made meanwhile must go."""
    b = bundle(["/bin/true"])
    cid = new_id()
    with_cgroup(b, cgparent, cid, {"pids": {"limit": 10}, "memory": {"limit": 64 << 20}})
    missing = tmp_path / "no-such-source"
    b.config["mounts"].insert(0, {"destination": "/mnt", "type": "bind", "source": str(missing),
                                  "options": ["rbind"]})
    b.config["mounts"].append({"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
                               "options": ["ro", "nosuid", "noexec", "nodev"]})
    for _ in range(5):  # the init's failure races with each of the parent's cgroup steps
        cp = brick.run(b, cid)
        assert cp.returncode != 0
        assert str(missing) in cp.stderr and "No such file" in cp.stderr, cp.stderr
        assert not (brick.root / cid).exists()
    # the fixture checks that no hierarchy holds anything under cgparent


def test_failed_exec_leaves_no_cgroup(brick, bundle, cgparent):
    b = bundle(["/bin/nope"])
    cid = new_id()
    with_cgroup(b, cgparent, cid, {"pids": {"limit": 10}})
    cp = brick.run(b, cid)
    assert cp.returncode != 0


@brick_only
def test_v2_only_resource_errors_on_v1(brick, bundle, cgparent):
    if layout() == "v2":
        pytest.skip("v1 host expectation")
    b = bundle(["/bin/true"])
    cid = new_id()
    with_cgroup(b, cgparent, cid, {"unified": {"io.weight": "100"}})
    cp = brick.run(b, cid)
    assert cp.returncode != 0
    assert "linux.resources.unified" in cp.stderr


@brick_only
def test_features_json(brick):
    f = json.loads(brick.ok("features").stdout)
    assert f["ociVersionMin"] == "1.0.0"
    assert f["linux"]["cgroup"]["v1"] and f["linux"]["cgroup"]["v2"]
    assert f["linux"]["cgroup"]["systemd"] is True  # the D-Bus driver (systemd VM lane)
    assert f["linux"]["cgroup"]["systemdUser"] is True  # the user manager (rootless), tested in the systemd VM lane
    assert "cgroup" in f["linux"]["namespaces"]


def test_engine_zero_values_are_unset(brick, bundle):
    """Docker writes Go zero values for every resource it does not set
    ("blockIO": {"weight": 0}, ...): runc treats them as unset, so must brick
    (docker run --runtime brick failed on every container)."""
    b = bundle(["/bin/true"])
    b.linux["resources"] = {
        "blockIO": {"weight": 0, "leafWeight": 0},
        "memory": {"limit": 0, "reservation": 0, "swap": 0, "kernelTCP": 0},
        "cpu": {"shares": 0, "quota": 0, "period": 0, "realtimeRuntime": 0, "realtimePeriod": 0},
        "pids": {"limit": 0},
    }
    cp = brick.run(b)
    assert cp.returncode == 0, cp.stderr


def _freeze(d, on):
    if layout() == "v2":
        (d / "cgroup.freeze").write_text("1" if on else "0")
    else:
        (d / "freezer.state").write_text("FROZEN" if on else "THAWED")


@pytest.mark.parametrize("frozen", ["itself", pytest.param("parent", marks=brick_only)])
def test_prefrozen_cgroup_is_refused(brick, bundle, cgparent, frozen):
    """A cgroup frozen before the container comes (or its parent frozen):
    `run -d` fails at once, as runc ("container's cgroup unexpectedly
    frozen"); brick waited for ever. Under a frozen parent runc 1.1.5 still
    hangs (it reads the cgroup's own freezer state only)."""
    cid = new_id()
    b = bundle(["/bin/sleep", "60"])
    inner = with_cgroup(b, cgparent, cid)
    d = ctrl_dir("freezer", inner if frozen == "itself" else cgparent)
    d.mkdir(parents=True)
    _freeze(d, True)
    b.write()
    try:
        cp = brick("run", "-d", "--bundle", b.path, cid, timeout=20)
        assert cp.returncode != 0 and "unexpectedly frozen" in cp.stderr, cp
    finally:
        _freeze(d, False)
        brick("delete", "-f", cid)
        for h in hierarchies():
            for p in (h / inner.lstrip("/"), h / cgparent.lstrip("/")):
                if p.exists():
                    wait_for(lambda: not (p / "cgroup.procs").read_text().strip(), 5)
                    p.rmdir()


@pytest.mark.parametrize("where", ["default", pytest.param("nested", marks=brick_only)])
def test_realtime_budget_under_a_parent(brick, bundle, cgparent, where):
    """cpu.realtimeRuntime for a container whose cgroup has parents with no
    realtime budget (brick's default /brick/<id>, or a cgroupsPath under a
    new parent): the parents get the budget, top down (brick failed with
    "write cpu.rt_runtime_us: Invalid argument"; runc's default path has no
    parent, and runc 1.1.5 fails the nested case as brick did)."""
    if layout() == "v2" or not (ctrl_dir("cpu", "/") / "cpu.rt_runtime_us").exists():
        pytest.skip("no v1 realtime group scheduling")
    cid = new_id()
    b = bundle(["/bin/sleep", "60"])
    res = {"cpu": {"realtimeRuntime": 1000, "realtimePeriod": 1000000}}
    if where == "nested":
        inner = with_cgroup(b, cgparent, cid, res)
    else:
        b.linux["resources"] = res
    start(brick, b, cid)
    try:
        if where == "default":
            pid = brick.state(cid)["pid"]
            inner = next(l.split(":", 2)[2] for l in open(f"/proc/{pid}/cgroup").read().splitlines()
                         if "cpu" in l.split(":")[1].split(","))
        assert read("cpu", inner, "cpu.rt_runtime_us") == "1000"
        if where == "nested":  # a second container fits in the parent too
            c2 = new_id()
            b2 = bundle(["/bin/sleep", "60"])
            with_cgroup(b2, cgparent, c2, res)
            start(brick, b2, c2)
            brick.ok("delete", "-f", c2)
    finally:
        brick.ok("delete", "-f", cid)
        if where == "nested":
            for h in hierarchies():
                p = h / cgparent.lstrip("/")
                if p.exists():
                    p.rmdir()
