"""cgroup v2 resource tests, run inside a qemu VM with a pure cgroup v2 kernel, three times: on a
busybox initramfs, on a Debian 12 userspace with systemd as pid 1 (the systemd lane), and on an
arm64 busybox initramfs under qemu-system-aarch64 (the aarch64 lane).

The host may be cgroup v1/hybrid, so tests/vm/run-vm.sh boots Debian's kernel under qemu (TCG, no
KVM needed) with an initramfs holding the runtime and tests/vm/cgroup2-suite.sh, and prints the
suite's TAP block on the serial console. The VM boots once per module (about 1-2 minutes); each
scenario below asserts its own TAP line.

Runtime under test: $BRICK_VM_RUNTIME if set (e.g. /usr/bin/crun or /usr/sbin/runc to validate the
suite), else $BRICK (default <repo>/build/brick). The aarch64 lane runs $BRICK_VM_AARCH64_RUNTIME
if set, else cross-builds <repo>/build-aarch64/brick with `./dev cross` (which installs the cross
toolchain); it is skipped only when that toolchain cannot be installed, or when BRICK_VM_RUNTIME
names another runtime without an arm64 one beside it.
Skipped only when CI is unset and BRICK_VM=0; under CI=true it always runs.
"""

import os
import re
import subprocess
import tempfile
from pathlib import Path

import pytest

from conftest import BRICK, REPO, heavy

RUN_VM = REPO / "tests" / "vm" / "run-vm.sh"
VM_TIMEOUT = 600

# keep in sync with TESTS in tests/vm/cgroup2-suite.sh
SCENARIOS = [
    "memory_max",
    "memory_oom_kill",
    "memory_swap",
    "pids_max",
    "pids_fork_limit",
    "cpu_max",
    "cpu_weight",
    "cpuset_cpus",
    "io_weight",
    "devices_deny",
    "devices_allow",
    "pause_resume",
    "update_memory",
    "update_pids",
    "events_stats",
    "unified_memory_high",
    "own_cgroup",
    "cgroupns_root",
    "ps_pids",
    "exec_joins_cgroup",
    "delete_removes_cgroup",
]

_ci = os.environ.get("CI", "").lower() not in ("", "0", "false", "no")
pytestmark = [heavy, pytest.mark.skipif(
    not _ci and os.environ.get("BRICK_VM") == "0",
    reason="cgroup v2 VM tests disabled with BRICK_VM=0 (CI unset)")]

TAP_LINE = re.compile(r"^(ok|not ok) (\d+) - (\S+)(?: # (.*))?$")


class VmRun:
    def __init__(self, runtime, rc, tap, console, stderr):
        self.runtime = runtime
        self.rc = rc
        self.tap = tap
        self.console = console
        self.stderr = stderr
        self.plan = None
        self.results = {}  # name -> (ok, reason)
        self.order = []
        for line in tap.splitlines():
            m = re.match(r"^1\.\.(\d+)$", line)
            if m and self.plan is None:
                self.plan = int(m.group(1))
                continue
            m = TAP_LINE.match(line)
            if m:
                self.results[m.group(3)] = (m.group(1) == "ok", m.group(4) or "")
                self.order.append(m.group(3))

    @property
    def complete(self):
        return self.rc in (0, 1) and self.plan is not None and self.plan == len(self.order)

    def why_incomplete(self):
        if getattr(self, "failure", None):
            return self.failure
        tail = "\n".join(self.console.splitlines()[-40:])
        return (f"run-vm.sh exited {self.rc} for {self.runtime}; plan {self.plan}, "
                f"{len(self.order)} results\n--- run-vm.sh stderr (tail) ---\n"
                f"{self.stderr[-3000:]}\n--- console (tail) ---\n{tail}")


# the systemd lane (run-vm.sh --systemd): a Debian 12 userspace with systemd as pid 1 runs the
# same suite as a service, plus the scenarios of tests/vm/systemd-lane/*.sh (their LANE_TESTS lines)
def lane_file_scenarios(lane_dir):
    return [name for f in sorted((REPO / "tests" / "vm" / lane_dir).glob("*.sh"))
            for m in re.finditer(r'^LANE_TESTS="\$LANE_TESTS ([^"]*)"', f.read_text(), re.M)
            for name in m.group(1).split()]


SYSTEMD_SCENARIOS = lane_file_scenarios("systemd-lane")
# the SELinux lane (run-vm.sh --selinux): the same userspace with SELinux as the major LSM, only the
# scenarios of tests/vm/selinux-lane/*.sh
SELINUX_SCENARIOS = lane_file_scenarios("selinux-lane")
# the aarch64 lane (run-vm.sh --arch aarch64): the initramfs lane on arm64, the same suite
LANES = {"initramfs": [], "systemd": ["--systemd"], "selinux": ["--selinux"], "aarch64": ["--arch", "aarch64"]}


def lane_scenarios(lane):
    return {"initramfs": SCENARIOS, "systemd": SYSTEMD_SCENARIOS + SCENARIOS, "selinux": SELINUX_SCENARIOS,
            "aarch64": SCENARIOS}[lane]


_vms = {}


def booted(lane):
    if lane not in _vms:
        _vms[lane] = boot(lane)
    return _vms[lane]


@pytest.fixture(scope="module", params=["initramfs", "systemd", "aarch64"])
def vm(request):
    """The lanes that run the cgroup v2 suite."""
    return booted(request.param)


@pytest.fixture(scope="module")
def systemd_vm():
    return booted("systemd")


@pytest.fixture(scope="module")
def selinux_vm():
    return booted("selinux")


class BuildFailed(Exception):
    pass


class SkippedLane:
    """A lane that could not be booted for a reason that is not brick's: every test skips with it."""
    def __init__(self, lane, reason):
        self.lane, self.skip_reason = lane, reason


def aarch64_runtime():
    """(runtime, None) or (None, reason to skip); a failed cross build raises BuildFailed."""
    if os.environ.get("BRICK_VM_AARCH64_RUNTIME"):
        return os.environ["BRICK_VM_AARCH64_RUNTIME"], None
    if os.environ.get("BRICK_VM_RUNTIME"):
        return None, ("BRICK_VM_RUNTIME names an x86_64 runtime; set BRICK_VM_AARCH64_RUNTIME to an "
                      "arm64 build of it for the aarch64 lane")
    run = lambda *a, t: subprocess.run([str(REPO / "dev"), *a], stdin=subprocess.DEVNULL,
                                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=t)
    cp = run("cross-deps", t=1200)
    if cp.returncode != 0:
        return None, f"the arm64 cross toolchain cannot be installed (./dev cross-deps):\n{cp.stdout[-2000:]}"
    out = REPO / "build-aarch64"
    cp = run("cross", str(out), t=1200)
    if cp.returncode != 0:
        raise BuildFailed(f"./dev cross {out} exited {cp.returncode}:\n{cp.stdout[-4000:]}")
    return str(out / "brick"), None


def boot(lane):
    runtime = os.environ.get("BRICK_VM_RUNTIME") or BRICK
    if lane == "aarch64":
        try:
            runtime, why = aarch64_runtime()
        except (BuildFailed, subprocess.TimeoutExpired) as e:
            # every scenario of the lane fails with this, and the build is not retried per test
            run = VmRun(str(REPO / "build-aarch64" / "brick"), 3, "", "", "")
            run.lane, run.failure = lane, f"the arm64 build failed: {e}"
            return run
        if why:
            return SkippedLane(lane, why)
    d = Path(tempfile.mkdtemp(prefix="brick-vmtest-"))
    tap, log = d / "tap", d / "console.log"
    try:
        cp = subprocess.run(
            [str(RUN_VM), *LANES[lane], "--runtime", runtime, "--tap", str(tap), "--log", str(log),
             "--timeout", str(VM_TIMEOUT)],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            timeout=VM_TIMEOUT + 300)  # + kernel download, qemu install, initramfs build
        rc, stderr = cp.returncode, cp.stderr
    except subprocess.TimeoutExpired as e:
        rc, stderr = -1, (e.stderr or b"").decode(errors="replace") if isinstance(e.stderr, bytes) else (e.stderr or "")
    read = lambda p: p.read_text(errors="replace") if p.exists() else ""
    run = VmRun(runtime, rc, read(tap), read(log), stderr)
    run.lane = lane
    for p in (tap, log):
        p.unlink(missing_ok=True)
    d.rmdir()
    return run


def skip_if_lane_skipped(vm):
    if getattr(vm, "skip_reason", None):
        pytest.skip(f"{vm.lane} lane: {vm.skip_reason}")


@pytest.mark.parametrize("lane", list(LANES))
def test_vm_result_block_complete(lane):
    vm = booted(lane)
    skip_if_lane_skipped(vm)
    assert vm.complete, vm.why_incomplete()
    assert sorted(vm.order) == sorted(lane_scenarios(vm.lane)), \
        f"suite scenarios {vm.order} differ from this file's list {lane_scenarios(vm.lane)}"


@pytest.mark.parametrize("name", SYSTEMD_SCENARIOS)
def test_systemd_host(systemd_vm, name):
    """The systemd lane's own scenarios (tests/vm/systemd-lane/*.sh)."""
    test_cgroup_v2(systemd_vm, name)


@pytest.mark.parametrize("name", SELINUX_SCENARIOS)
def test_selinux_host(selinux_vm, name):
    """The SELinux lane's scenarios (tests/vm/selinux-lane/*.sh)."""
    test_cgroup_v2(selinux_vm, name)


@pytest.mark.parametrize("name", SCENARIOS)
def test_cgroup_v2(vm, name):
    skip_if_lane_skipped(vm)
    if not vm.complete and name not in vm.results:
        pytest.fail(vm.why_incomplete(), pytrace=False)
    assert name in vm.results, f"scenario {name} missing from the VM's TAP output:\n{vm.tap}"
    ok, reason = vm.results[name]
    assert ok, f"{name} failed in the VM with {vm.runtime}: {reason}"
