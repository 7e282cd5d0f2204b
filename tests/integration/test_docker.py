"""Docker as an engine: a private dockerd (its own data-root, exec-root,
pidfile, socket, containerd namespace, and a network namespace of its own, so
that docker0 and its veths never reach the machine's; iptables off; ulimits
lowered for this host) with `--add-runtime brick=...`. Every test runs with
`--runtime brick` and with `--runtime runc` in the same daemon: brick must
pass what runc passes (docs/ENGINES.md, "Docker")."""
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from conftest import BRICK, heavy, pty_run, run_cmd, wait_for, _umount_under
from test_podman import _remove_cgroup_tree

DOCKER = "/usr/bin/docker"
IMAGE = "bkbusybox:test"
HAVE = os.path.exists(DOCKER) and bool(shutil.which("dockerd"))
pytestmark = [heavy, pytest.mark.skipif(not HAVE, reason="docker.io not installed (apt-get install docker.io)")]


class Docker:
    def __init__(self, d):
        self.dir = Path(d)
        self.ns = "bkmoby-" + uuid.uuid4().hex[:8]
        self.env = dict(os.environ, DOCKER_HOST=f"unix://{d}/docker.sock", DOCKER_CONFIG=str(Path(d) / "client"))
        self.proc = None

    def __call__(self, *args, timeout=60, check=True, input=None):
        cp = run_cmd([DOCKER, *map(str, args)], timeout=timeout, env=self.env, input=input)
        if check:
            assert cp.returncode == 0, f"docker {args} failed ({cp.returncode}):\n{cp.stdout}\n{cp.stderr}"
        return cp

    def inspect(self, name, fmt):
        return self("inspect", "--format", fmt, name).stdout.strip()

    def pty_run(self, *args, timeout=30):
        return pty_run([DOCKER, *args], env=self.env, timeout=timeout)


@pytest.fixture(scope="module")
def docker(base_rootfs):
    d = Path(tempfile.mkdtemp(prefix="bkdk-", dir="/tmp"))
    had_run = os.path.exists("/run/docker")
    dk = Docker(d)
    brick = d / "brick"
    shutil.copy2(BRICK, brick)
    args = ["dockerd", "--data-root", d / "data", "--exec-root", d / "exec", "--pidfile", d / "docker.pid",
            "-H", f"unix://{d}/docker.sock", "--iptables=false", "--ip-masq=false", "--userland-proxy=false",
            "--containerd-namespace", dk.ns, "--containerd-plugins-namespace", dk.ns + "-plugins",
            "--add-runtime", f"brick={brick}", "--default-ulimit", "nofile=1024:1024",
            "--default-ulimit", "nproc=1024:1024", "--exec-opt", "native.cgroupdriver=cgroupfs",
            "--cgroup-parent", "/" + dk.ns]
    if os.path.exists("/usr/bin/tini-static"):
        args += ["--init-path", "/usr/bin/tini-static"]
    log = open(d / "dockerd.log", "w")
    # a network namespace of its own: docker0 and the veths stay there
    dk.proc = subprocess.Popen(["unshare", "--net", "sh", "-c", 'ip link set lo up; exec "$@"', "sh",
                                *map(str, args)], stdout=log, stderr=log, stdin=subprocess.DEVNULL,
                               start_new_session=True)
    try:
        assert wait_for(lambda: dk("version", check=False).returncode == 0, 60), \
            "dockerd did not start:\n" + (d / "dockerd.log").read_text()[-3000:]
        tar = subprocess.Popen(["tar", "-C", str(base_rootfs), "--exclude", ".brick-rootfs-stamp", "-c", "."],
                               stdout=subprocess.PIPE)
        subprocess.run([DOCKER, "import", "-", IMAGE], stdin=tar.stdout, env=dk.env, check=True,
                       capture_output=True, timeout=120)
        tar.wait()
        yield dk
    finally:
        ids = dk("ps", "-aq", check=False).stdout.split()
        if ids:
            dk("rm", "-f", *ids, check=False)
        dk.proc.terminate()
        try:
            dk.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            dk.proc.kill()
            dk.proc.wait()
        log.close()
        for e in os.listdir("/proc"):  # shims and the managed containerd of this daemon
            if e.isdigit():
                try:
                    cmd = open(f"/proc/{e}/cmdline", "rb").read()
                except OSError:
                    continue
                if str(d).encode() in cmd and (b"containerd" in cmd):
                    try:
                        os.kill(int(e), signal.SIGKILL)
                    except ProcessLookupError:
                        pass
        _umount_under(d)
        shutil.rmtree(d, ignore_errors=True)
        _remove_cgroup_tree(dk.ns)
        if not had_run and os.path.isdir("/run/docker"):
            # dockerd makes /run/docker/plugins whatever its exec-root: only empty directories go
            for top, dirs, files in os.walk("/run/docker", topdown=False):
                if not files:
                    try:
                        os.rmdir(top)
                    except OSError:
                        pass


@pytest.fixture(params=["brick", "runc"])
def rt(request):
    return request.param


@pytest.fixture
def names(docker):
    made = []

    def make():
        n = "c" + uuid.uuid4().hex[:10]
        made.append(n)
        return n
    yield make
    if made:
        docker("rm", "-f", *made, check=False)


LOOP = "trap 'echo bye; exit 0' TERM; echo started; while :; do sleep 0.1; done"


def test_run_exit_codes(docker, rt):
    cp = docker("run", "--rm", "--runtime", rt, IMAGE, "sh", "-c", "echo out; echo err >&2; exit 3", check=False)
    assert (cp.returncode, cp.stdout) == (3, "out\n") and "err" in cp.stderr, cp
    # the CLI reads the runtime's words: "no such file or directory" -> 127, "permission denied" -> 126
    cp = docker("run", "--rm", "--runtime", rt, IMAGE, "/nonexistent", check=False)
    assert cp.returncode == 127 and "nonexistent" in cp.stderr, cp
    cp = docker("run", "--rm", "--runtime", rt, IMAGE, "/etc/passwd", check=False)
    assert cp.returncode == 126, cp
    assert docker("run", "--rm", "--runtime", rt, IMAGE, "sh", "-c", "echo $$").stdout.strip() == "1"


def test_detached_exec_logs_stop_kill_rm(docker, rt, names):
    c = names()
    docker("run", "-d", "--runtime", rt, "--name", c, IMAGE, "sh", "-c", LOOP)
    assert wait_for(lambda: "started" in docker("logs", c).stdout, 10)
    assert docker("exec", c, "sh", "-c", "echo in-exec").stdout == "in-exec\n"
    assert docker("exec", c, "sh", "-c", "exit 4", check=False).returncode == 4
    docker("stop", "-t", "10", c)
    assert docker.inspect(c, "{{.State.Status}} {{.State.ExitCode}}") == "exited 0"
    assert "bye" in docker("logs", c).stdout
    docker("start", c)
    docker("kill", c)
    assert docker("wait", c).stdout.strip() == "137"
    docker("rm", c)


def test_tty(docker, rt):
    status, out = docker.pty_run("run", "--rm", "-it", "--runtime", rt, IMAGE, "sh", "-c", "tty; exit 5")
    assert status == 5 and "/dev/pts/0" in out, out


def test_read_only_and_tmpfs(docker, rt):
    cp = docker("run", "--rm", "--runtime", rt, "--read-only", "--tmpfs", "/scratch", IMAGE, "sh", "-c",
                "touch /etc/x 2>/dev/null && echo rw || echo ro; touch /scratch/y && echo tmpfs-ok")
    assert cp.stdout.split() == ["ro", "tmpfs-ok"], cp


def test_resources_and_update(docker, rt, names):
    c = names()
    docker("run", "-d", "--runtime", rt, "--name", c, "-m", "64m", "--pids-limit", "50", "--cpus", "0.5",
           IMAGE, "sleep", "300")
    cid = docker.inspect(c, "{{.Id}}")
    cg = Path(f"/sys/fs/cgroup/memory/{docker.ns}/{cid}")
    if not cg.exists():
        pytest.skip("not a cgroup v1 memory hierarchy")
    assert (cg / "memory.limit_in_bytes").read_text().strip() == str(64 << 20)
    assert Path(f"/sys/fs/cgroup/pids/{docker.ns}/{cid}/pids.max").read_text().strip() == "50"
    assert Path(f"/sys/fs/cgroup/cpu/{docker.ns}/{cid}/cpu.cfs_quota_us").read_text().strip() == "50000"
    docker("update", "-m", "128m", "--memory-swap", "256m", "--pids-limit", "60", c)
    assert (cg / "memory.limit_in_bytes").read_text().strip() == str(128 << 20)
    assert Path(f"/sys/fs/cgroup/pids/{docker.ns}/{cid}/pids.max").read_text().strip() == "60"
    st = json.loads(docker("stats", "--no-stream", "--format", "{{json .}}", c).stdout)
    assert st["Name"] == c
    docker("pause", c)
    assert docker.inspect(c, "{{.State.Status}}") == "paused"
    docker("unpause", c)
    assert "sleep" in docker("top", c).stdout


def test_share_network_and_pid(docker, rt, names):
    web = names()
    docker("run", "-d", "--runtime", rt, "--name", web, IMAGE, "sh", "-c",
           "echo listening; while :; do echo hi | busybox nc -l -p 8080; done")
    assert wait_for(lambda: "listening" in docker("logs", web).stdout, 10)
    time.sleep(0.3)
    cp = docker("run", "--rm", "--runtime", rt, "--network", f"container:{web}", IMAGE, "sh", "-c",
                "echo | busybox nc 127.0.0.1 8080")
    assert "hi" in cp.stdout, cp
    cp = docker("run", "--rm", "--runtime", rt, "--pid", f"container:{web}", IMAGE, "ps", "-o", "args")
    assert "nc -l -p 8080" in cp.stdout, cp


def test_caps_seccomp_nnp_user(docker, rt, tmp_path):
    def capeff(*flags):
        cp = docker("run", "--rm", "--runtime", rt, *flags, IMAGE, "sh", "-c", "grep CapEff /proc/self/status")
        return int(cp.stdout.split()[1], 16)
    base = capeff()
    assert capeff("--cap-add", "SYS_PTRACE") == base | (1 << 19)
    assert capeff("--cap-drop", "CHOWN") == base & ~1
    cp = docker("run", "--rm", "--runtime", rt, "--security-opt", "seccomp=unconfined", IMAGE, "sh", "-c",
                "grep Seccomp: /proc/self/status")
    assert cp.stdout.split()[1] == "0", cp
    prof = tmp_path / "seccomp.json"
    prof.write_text(json.dumps({"defaultAction": "SCMP_ACT_ALLOW",
                                "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}))
    cp = docker("run", "--rm", "--runtime", rt, "--security-opt", f"seccomp={prof}", IMAGE, "sh", "-c",
                "mkdir /tmp/d 2>/dev/null && echo made || echo denied")
    assert cp.stdout.strip() == "denied", cp
    cp = docker("run", "--rm", "--runtime", rt, "--security-opt", "no-new-privileges", "--user", "1000:1000",
                IMAGE, "sh", "-c", "id -u; id -g; grep NoNewPrivs /proc/self/status")
    assert cp.stdout.split()[:2] == ["1000", "1000"] and cp.stdout.split()[-1] == "1", cp


def test_init_and_restart_policy(docker, rt, names):
    if not os.path.exists("/usr/bin/tini-static"):
        pytest.skip("tini not installed (docker --init needs it)")
    cp = docker("run", "--rm", "--runtime", rt, "--init", IMAGE, "ps", "-o", "pid,args")
    assert "tini" in cp.stdout or "init" in cp.stdout.splitlines()[1], cp
    c = names()
    docker("run", "-d", "--runtime", rt, "--name", c, "--restart", "on-failure:2", IMAGE, "sh", "-c", "exit 1")
    assert wait_for(lambda: docker.inspect(c, "{{.State.Status}} {{.RestartCount}}") == "exited 2", 30), \
        docker.inspect(c, "{{.State.Status}} {{.RestartCount}}")


def test_privileged_as_runc(docker):
    """--privileged asks for every capability: where the host's root lacks
    some (this machine: CAP_SYS_RESOURCE), runc fails to set them, and so must
    brick; elsewhere both give CAP_SYS_ADMIN and the host's devices."""
    res = {}
    for rt in ("runc", "brick"):
        cp = docker("run", "--rm", "--runtime", rt, "--privileged", IMAGE, "sh", "-c",
                    "grep CapEff /proc/self/status", check=False)
        res[rt] = cp.returncode
        if cp.returncode == 0:
            assert int(cp.stdout.split()[1], 16) & (1 << 21), cp
    assert (res["brick"] == 0) == (res["runc"] == 0), res


def test_none_network_has_loopback(docker, rt, names):
    """`--network none` is a new network namespace: lo is up (runc, crun), so
    a container joining it gets "Connection refused" from a closed port, not
    "Network is unreachable"."""
    c = names()
    docker("run", "-d", "--runtime", rt, "--network", "none", "--name", c, IMAGE, "sleep", "300")
    cp = docker("run", "--rm", "--runtime", rt, "--network", f"container:{c}", IMAGE, "sh", "-c",
                "cat /sys/class/net/lo/operstate; busybox nc 127.0.0.1 9 </dev/null 2>&1; true")
    assert cp.stdout.split()[0] == "unknown", cp  # up
    assert "unreachable" not in cp.stdout.lower(), cp
