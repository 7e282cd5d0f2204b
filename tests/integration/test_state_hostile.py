"""state.json is input: a corrupt one must not make a container
unmanageable, and a hostile cgroup record must not turn delete or kill on
the host's processes and directories."""
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from conftest import VAR_TMP_PREFIX, CGROOT, brick_only, hierarchies, new_id, pid_alive, run_cmd, wait_for

pytestmark = brick_only


def _cgroup_dirs(cid):
    out = []
    for h in hierarchies():
        out += [p for p in h.glob(f"**/{cid}") if p.is_dir()]
    return out


def test_corrupt_state_is_listed_and_deleted(brick, bundle):
    b = bundle(["/bin/sleep", "60"])
    cid = brick.create(b)
    pid = brick.state(cid)["pid"]
    brick.ok("start", cid)
    assert _cgroup_dirs(cid)
    (brick.root / cid / "state.json").write_text('{"id": "' + cid + '", "pid": ')  # truncated
    cp = brick("list")
    assert cp.returncode == 0, cp.stderr
    row = [l for l in cp.stdout.splitlines() if l.startswith(cid)]
    assert row and "unknown" in row[0], cp.stdout
    assert cid in cp.stderr and "corrupt" in cp.stderr, cp.stderr
    js = json.loads(brick.ok("list", "--format", "json").stdout)
    assert [c["status"] for c in js if c["id"] == cid] == ["unknown"]
    assert brick("state", cid).returncode != 0
    brick.ok("delete", "-f", cid)
    assert wait_for(lambda: not pid_alive(pid), 5), "the init survived delete -f"
    assert not (brick.root / cid).exists()
    assert not _cgroup_dirs(cid)


@pytest.fixture
def victim():
    """A host process in a cgroup of the host (made by the test), and an
    ordinary host directory: what a hostile record points at."""
    pids = Path("/sys/fs/cgroup/pids")
    if not pids.is_dir():
        pytest.skip("no v1 pids hierarchy")
    name = "bk-victim-" + new_id()
    cg = pids / name
    cg.mkdir()
    p = subprocess.Popen(["sleep", "60"])
    (cg / "cgroup.procs").write_text(str(p.pid))
    plain = Path(tempfile.mkdtemp(prefix=VAR_TMP_PREFIX + "plain-", dir="/var/tmp"))
    (plain / "dir").mkdir()
    yield {"pid": p.pid, "cg": cg, "name": name, "plain": plain}
    p.kill()
    p.wait()
    for _ in range(100):
        try:
            cg.rmdir()
            break
        except FileNotFoundError:
            break
        except OSError:
            time.sleep(0.02)
    shutil.rmtree(plain, ignore_errors=True)


def _records(cid, v):
    m = "/sys/fs/cgroup/pids"
    return {
        "dotdot": {"layout": "v1", "path": f"/brick/{cid}",
                   "hierarchies": [{"name": "pids", "mount": m, "dir": f"{m}/brick/{cid}/../../{v['name']}",
                                    "created": f"{m}/brick/{cid}/../../{v['name']}"}]},
        "foreign": {"layout": "v1", "path": f"/{v['name']}",
                    "hierarchies": [{"name": "pids", "mount": m, "dir": f"{m}/{v['name']}",
                                     "created": f"{m}/{v['name']}"}]},
        # a cgroup inside the hierarchy posing as its mount: dir = "mount" + the config's path
        "nested-mount": {"layout": "v1", "path": f"/brick/{cid}",
                         "hierarchies": [{"name": "pids", "mount": str(v["cg"]), "dir": f"{v['cg']}/brick/{cid}",
                                          "created": f"{v['cg']}/brick/{cid}"}]},
        "not-cgroupfs": {"layout": "v1", "path": "/dir",
                         "hierarchies": [{"name": "pids", "mount": str(v["plain"]), "dir": f"{v['plain']}/dir",
                                          "created": f"{v['plain']}/dir"}]},
    }


@pytest.mark.parametrize("kind", ["dotdot", "foreign", "nested-mount", "not-cgroupfs"])
def test_hostile_cgroup_record(brick, bundle, victim, kind):
    b = bundle(["/bin/sleep", "60"])
    cid = new_id()
    brick.ok("run", "-d", "--bundle", b.path, cid)
    st_path = brick.root / cid / "state.json"
    st = json.loads(st_path.read_text())
    real = _cgroup_dirs(cid)
    st["cgroup"] = _records(cid, victim)[kind]
    if kind == "nested-mount":
        (victim["cg"] / "brick" / cid).mkdir(parents=True)
        (victim["cg"] / "brick" / cid / "cgroup.procs").write_text(str(victim["pid"]))
    st_path.write_text(json.dumps(st))
    try:
        brick("pause", cid)
        brick("update", "--pids-limit", "7", cid)
        brick("kill", "--all", cid, "KILL")
        cp = brick("delete", "-f", cid)
        assert cp.returncode == 0, cp.stderr
        assert pid_alive(victim["pid"]), f"a hostile record ({kind}) made brick kill a host process"
        assert victim["cg"].is_dir() and (victim["plain"] / "dir").is_dir(), "a host directory was removed"
        assert "left alone" in cp.stderr, cp.stderr
        if kind == "nested-mount":
            assert (victim["cg"] / "brick" / cid).is_dir(), "a host cgroup was removed"
            assert (victim["cg"] / "brick" / cid / "pids.max").read_text().strip() == "max"
    finally:
        if kind == "nested-mount":
            (victim["cg"] / "cgroup.procs").write_text(str(victim["pid"]))
            for d in (victim["cg"] / "brick" / cid, victim["cg"] / "brick"):
                try:
                    d.rmdir()
                except OSError:
                    pass
        # the container's real cgroup, which the hostile record hid
        for d in sorted(real, key=lambda p: len(str(p)), reverse=True):
            wait_for(lambda: not (d / "cgroup.procs").exists() or not (d / "cgroup.procs").read_text().strip(), 5)
            try:
                d.rmdir()
            except OSError:
                pass


def test_state_record_is_checked_by_the_fuzzer_invariant(brick, bundle):
    """A well-formed record of a real container still works after the checks
    (kill --all, pause, delete use it)."""
    b = bundle(["/bin/sleep", "60"])
    cid = new_id()
    brick.ok("run", "-d", "--bundle", b.path, cid)
    brick.ok("pause", cid)
    assert brick.state(cid)["status"] == "paused"
    brick.ok("resume", cid)
    brick.ok("kill", "--all", cid, "KILL")
    brick.wait_stopped(cid)
    brick.ok("delete", cid)
    assert not _cgroup_dirs(cid)


def test_many_annotations_parse_in_linear_time(brick, bundle):
    """100k annotations (and 20k sysctl keys): each member visited once. The
    quadratic walk took over two minutes here; the timeout is the check."""
    b = bundle(["/bin/true"])
    b.config["annotations"] = {f"k{i}": "v" * 10 for i in range(100000)}
    b.config["root"]["path"] = "/nonexistent-root"
    b.write()
    cp = brick("create", "--bundle", b.path, new_id(), timeout=20)
    assert cp.returncode != 0 and "nonexistent-root" in cp.stderr, cp.stderr


def test_state_pid_of_a_host_process(brick, bundle):
    """state.json's pid and start time are input too: pointed at a host
    process, kill and delete -f must not signal it (the init must be in the
    container's own cgroup)."""
    import subprocess
    victim = subprocess.Popen(["sleep", "60"])
    try:
        b = bundle(["/bin/sleep", "60"])
        cid = new_id()
        brick.ok("run", "-d", "--bundle", b.path, cid)
        st_path = brick.root / cid / "state.json"
        st = json.loads(st_path.read_text())
        real = st["pid"]
        with open(f"/proc/{victim.pid}/stat") as f:
            start = int(f.read().rsplit(")", 1)[1].split()[19])
        st["pid"], st["pid_start"] = victim.pid, start
        st_path.write_text(json.dumps(st))
        brick("kill", cid, "KILL")
        brick("exec", cid, "true")
        brick("delete", "-f", cid)
        assert victim.poll() is None, "a hostile state.json made brick kill a host process"
        # the container's own processes went with its cgroup
        assert wait_for(lambda: not pid_alive(real), 5)
    finally:
        victim.kill()
        victim.wait()
