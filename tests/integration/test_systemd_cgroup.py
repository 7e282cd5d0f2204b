"""--systemd-cgroup: cgroupsPath is runc's "SLICE:PREFIX:NAME" and the
container's cgroup is <slice path>/<PREFIX>-<NAME>.scope ("a-b.slice" nests
as a.slice/a-b.slice). Without systemd as pid 1 brick makes those directories
through cgroupfs (what these tests exercise); with systemd running the scope
is a transient unit made over D-Bus (the systemd VM lane tests it; on a v1
host it is refused, tested in a private mount namespace that fakes
/run/systemd/system).

Slices are named brickt<uuid>...slice so that the host's own cgroups are never
touched; the fixture checks every hierarchy afterwards."""

import os
import subprocess
import uuid
from pathlib import Path

import pytest

from conftest import CGROOT, hierarchies, BRICK, brick_only, new_id



def ctrl_dir(ctrl, inner):
    for h in hierarchies():
        if h == CGROOT or ctrl in h.name.split(","):
            return h / inner.lstrip("/")
    pytest.skip(f"no {ctrl} hierarchy")


pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0 or not hierarchies(), reason="needs root and cgroups"),
    pytest.mark.skipif(os.path.isdir("/run/systemd/system"),
                       reason="systemd is pid 1: these test the cgroupfs path (the VM lane tests the D-Bus one)"),
]

SD = ("--systemd-cgroup",)


@pytest.fixture
def slice_top():
    """A unique top-level slice name stem; nothing may remain under it after the test."""
    top = f"brickt{uuid.uuid4().hex[:10]}"
    yield top
    left = [str(h / f"{top}.slice") for h in hierarchies() if (h / f"{top}.slice").exists()]
    for d in left:  # clean up before failing
        for sub, _, _ in sorted(os.walk(d), key=lambda t: -len(t[0])):
            try:
                os.rmdir(sub)
            except OSError:
                pass
    assert not left, f"cgroups left behind: {left}"


def test_scope_in_nested_slice_every_hierarchy_limits_and_removal(brick, bundle, slice_top):
    cid = new_id()
    b = bundle(["/bin/brick-probe", "sleep-forever"])
    b.linux["cgroupsPath"] = f"{slice_top}-pods.slice:brick:{cid}"
    b.linux["resources"] = {"pids": {"limit": 10}, "memory": {"limit": 64 << 20}}
    scope = f"/{slice_top}.slice/{slice_top}-pods.slice/brick-{cid}.scope"
    brick.create(b, cid, global_args=SD)
    brick.ok("start", cid, global_args=SD)
    pid = brick.state(cid)["pid"]
    lines = Path(f"/proc/{pid}/cgroup").read_text().splitlines()
    assert lines and all(l.split(":", 2)[2] == scope for l in lines), lines
    for h in hierarchies():  # every v1 hierarchy and the unified tree
        assert (h / scope.lstrip("/")).is_dir(), h
    assert (ctrl_dir("pids", scope) / "pids.max").read_text().strip() == "10"
    mem = ctrl_dir("memory", scope)
    limit = mem / ("memory.max" if (mem / "memory.max").exists() else "memory.limit_in_bytes")
    assert int(limit.read_text()) == 64 << 20
    brick.ok("delete", "--force", cid, global_args=SD)
    for h in hierarchies():  # the scope and both slices brick made are gone
        assert not (h / f"{slice_top}.slice").exists(), h


def test_run_foreground_and_a_shared_slice_stays_while_used(brick, bundle, slice_top):
    """Two containers in one slice: the slice goes with the last of them."""
    a, c = new_id(), new_id()
    ba = bundle(["/bin/brick-probe", "sleep-forever"])
    ba.linux["cgroupsPath"] = f"{slice_top}.slice:brick:{a}"
    brick.create(ba, a, global_args=SD)
    bc = bundle(["/bin/cat", "/proc/self/cgroup"])
    bc.linux["cgroupsPath"] = f"{slice_top}.slice:brick:{c}"
    cp = brick.run(bc, c, global_args=SD)
    assert cp.returncode == 0, cp.stderr
    assert f"/{slice_top}.slice/brick-{c}.scope" in cp.stdout, cp.stdout
    for h in hierarchies():
        assert not (h / f"{slice_top}.slice/brick-{c}.scope").exists(), h
        assert (h / f"{slice_top}.slice/brick-{a}.scope").is_dir(), h
    brick.delete(a, force=True)
    for h in hierarchies():
        assert not (h / f"{slice_top}.slice").exists(), h


def test_default_is_system_slice_brick_id_scope(brick, bundle):
    cid = new_id()
    had_system_slice = {h: (h / "system.slice").exists() for h in hierarchies()}
    b = bundle(["/bin/brick-probe", "sleep-forever"])
    brick.create(b, cid, global_args=SD)
    pid = brick.state(cid)["pid"]
    scope = f"/system.slice/brick-{cid}.scope"
    lines = Path(f"/proc/{pid}/cgroup").read_text().splitlines()
    assert all(l.split(":", 2)[2] == scope for l in lines), lines
    brick.delete(cid, force=True)
    for h in hierarchies():
        assert not (h / scope.lstrip("/")).exists(), h
        if not had_system_slice[h]:  # brick made it, brick removes it
            assert not (h / "system.slice").exists(), h


@brick_only
@pytest.mark.parametrize("path,msg", [
    ("/brickt-abs/c", 'expected the format "slice:prefix:name"'),
    ("{top}.slice:c", 'expected the format "slice:prefix:name"'),
    ("{top}/x.slice:brick:c", '"/" is not allowed'),
    ("{top}--x.slice:brick:c", 'empty "-" component'),
    ("{top}:brick:c", 'must end in ".slice"'),
    ("{top}.slice:brick:", "is empty"),
    ("{top}.slice:brick:../../c", "invalid unit name"),
])
def test_malformed_path_fails_and_leaves_nothing(brick, bundle, slice_top, path, msg):
    cid = new_id()
    b = bundle(["/bin/true"])
    b.linux["cgroupsPath"] = path.format(top=slice_top)
    for verb in ("create", "run"):
        b.write()
        cp = brick(verb, "--bundle", b.path, cid, global_args=SD)
        assert cp.returncode == 1, cp
        assert cp.stderr.startswith("brick: ") and "linux.cgroupsPath" in cp.stderr, cp.stderr
        assert msg in cp.stderr, cp.stderr
        assert brick("state", cid).returncode != 0
        assert cid not in brick.ok("list").stdout
    for h in hierarchies():
        assert not list(h.glob(f"{slice_top}*")), h
        assert not list(h.glob("brickt-abs")), h


@brick_only
def test_refused_when_systemd_runs_on_a_v1_host(brick, bundle, slice_top):
    """With systemd as pid 1 the scope is a unit made over D-Bus, on cgroup v2
    (tested in the systemd VM lane: test_cgroup_v2_vm.py::test_systemd_host).
    On this v1/hybrid host, with /run/systemd/system faked in a private mount
    namespace (a tmpfs over /run/systemd: the host's /run is not touched), it
    is refused before anything is made."""
    if not os.path.isdir("/run/systemd"):
        pytest.skip("no /run/systemd to mount over")
    cid = new_id()
    b = bundle(["/bin/true"])
    b.linux["cgroupsPath"] = f"{slice_top}.slice:brick:{cid}"
    b.write()
    script = ('mount -t tmpfs -o size=64k brick-test /run/systemd && mkdir /run/systemd/system && '
              'exec "$@"')
    argv = ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh",
            BRICK, "--root", str(brick.root), "--systemd-cgroup", "run", "--bundle", str(b.path), cid]
    cp = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    assert cp.returncode == 1, cp
    assert "systemd's units are made on cgroup v2 hosts only" in cp.stderr, cp.stderr
    assert brick("state", cid).returncode != 0
    for h in hierarchies():
        assert not (h / f"{slice_top}.slice").exists(), h
