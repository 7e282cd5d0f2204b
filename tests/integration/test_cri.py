"""Kubernetes for real: containerd 1.6 with its CRI plugin, the runc v2 shim
with BinaryName = brick (the RuntimeClass of docs/KUBERNETES.md), driven by
crictl v1.26.1 (../shared/tools) the way a kubelet drives a node. Every test
runs twice, with runtime handler "brick" and with Debian's runc in the same
containerd: brick must do everything runc does. Private root, state, socket
and CNI configuration; containerd runs in a network namespace of its own
(the CNI bridge, the pods' veths and "host network" pods live there, never in
the machine's); the pause and test images are built locally, nothing is
pulled."""
import json
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from conftest import VAR_TMP_PREFIX, BRICK, REPO, heavy, run_cmd, wait_for, _umount_under
from test_podman import _remove_cgroup_tree

ENGINES = REPO / "tests" / "engines"
CRICTL_XZ = REPO.parent / "shared" / "tools" / "crictl-v1.26.1-linux-amd64.xz"
IMAGE = "localhost/busybox:cri"
PAUSE = "localhost/pause:brick"
# the pause container: pid 1 of a shared pid namespace, reaps, ends on TERM
PAUSE_CMD = '["/bin/sh", "-c", "trap \'exit 0\' TERM INT; while :; do sleep 3600 & wait $!; done"]'

HAVE = bool(shutil.which("containerd") and shutil.which("ctr") and shutil.which("containerd-shim-runc-v2")
            and os.path.isdir("/usr/lib/cni") and CRICTL_XZ.exists() and shutil.which("runc"))

pytestmark = [heavy, pytest.mark.skipif(not HAVE, reason="needs containerd, containernetworking-plugins, runc "
                                                          "and ../shared/tools/crictl-v1.26.1-linux-amd64.xz")]


class Cri:
    def __init__(self, d):
        self.dir = Path(d)
        self.sock = self.dir / "containerd.sock"
        self.crictl_bin = self.dir / "crictl"
        self.proc = None

    def __call__(self, *args, timeout=60, check=True):
        argv = [str(self.crictl_bin), "--runtime-endpoint", f"unix://{self.sock}",
                "--image-endpoint", f"unix://{self.sock}", "--timeout", "30s", *map(str, args)]
        cp = run_cmd(argv, timeout=timeout)
        if check:
            assert cp.returncode == 0, f"crictl {args} failed ({cp.returncode}):\n{cp.stdout}\n{cp.stderr}"
        return cp

    def stream(self, *args, timeout=60, check=True):
        """crictl run in containerd's network namespace, where its streaming
        server (exec, attach, port-forward) listens on 127.0.0.1."""
        argv = ["nsenter", f"--net=/proc/{self.proc.pid}/ns/net", str(self.crictl_bin), "--runtime-endpoint",
                f"unix://{self.sock}", "--timeout", "30s", *map(str, args)]
        cp = run_cmd(argv, timeout=timeout)
        if check:
            assert cp.returncode == 0, f"crictl {args} failed ({cp.returncode}):\n{cp.stdout}\n{cp.stderr}"
        return cp

    def json(self, verb, *args):
        return json.loads(self(verb, "-o", "json", *args).stdout)

    def ctr(self, *args, check=True):
        cp = run_cmd(["ctr", "--address", str(self.sock), "--namespace", "k8s.io", *map(str, args)], timeout=120)
        if check:
            assert cp.returncode == 0, f"ctr {args}: {cp.stdout}\n{cp.stderr}"
        return cp


@pytest.fixture(scope="module")
def cri(base_rootfs):
    d = Path(tempfile.mkdtemp(prefix="bkcri-", dir="/tmp"))
    c = Cri(d)
    with open(c.crictl_bin, "wb") as f:
        subprocess.run(["xz", "-dc", str(CRICTL_XZ)], stdout=f, check=True, timeout=60)
    c.crictl_bin.chmod(0o755)
    brick = d / "brick"
    shutil.copy2(BRICK, brick)
    (d / "cni").mkdir()
    (d / "cni" / "10-bk.conflist").write_text(json.dumps(
        {"cniVersion": "0.4.0", "name": "bk-cri", "plugins": [
            {"type": "bridge", "bridge": "bkcri0", "isGateway": True, "ipMasq": False,
             "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.88.0.0/16"}]],
                      "dataDir": str(d / "cni-ipam")}},
            {"type": "loopback"}]}))
    text = (ENGINES / "containerd-cri.toml").read_text().replace("@DIR@", str(d)).replace("@BRICK@", str(brick))
    (d / "config.toml").write_text(text)
    log = open(d / "containerd.log", "w")
    # its own network namespace: what CNI makes (bridge, veths) stays in it
    c.proc = subprocess.Popen(["unshare", "--net", "sh", "-c", 'ip link set lo up; exec containerd --config "$0"',
                               str(d / "config.toml")], stdout=log, stderr=log,
                              stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        assert wait_for(lambda: c.sock.exists() and c("version", check=False).returncode == 0, 30), \
            "containerd did not start:\n" + (d / "containerd.log").read_text()[-3000:]
        for name, cmd in ((IMAGE, '["/bin/sh"]'), (PAUSE, PAUSE_CMD)):
            tar = d / (name.split("/")[-1].replace(":", "-") + ".tar")
            subprocess.run(["/usr/bin/python3", str(ENGINES / "mkociimage.py"), str(base_rootfs), str(tar), name, cmd],
                           check=True, timeout=120, capture_output=True)
            c.ctr("images", "import", tar)
        yield c
    finally:
        for pod in c("pods", "-q", check=False).stdout.split():
            c("stopp", pod, check=False)
            c("rmp", "-f", pod, check=False)
        c.proc.terminate()
        try:
            c.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            c.proc.kill()
            c.proc.wait()
        log.close()
        # shims outlive containerd by design: end those of this test's containerd (by their socket dir)
        for e in os.listdir("/proc"):
            if e.isdigit():
                try:
                    cmd = open(f"/proc/{e}/cmdline", "rb").read()
                except OSError:
                    continue
                if b"containerd-shim" in cmd and str(d).encode() in cmd:
                    try:
                        os.kill(int(e), 9)
                    except ProcessLookupError:
                        pass
        _umount_under(d)
        shutil.rmtree(d, ignore_errors=True)
        _remove_cgroup_tree("k8s.io")


@pytest.fixture(params=["brick", "runc"])
def handler(request):
    return request.param


def pod_config(d, name, **linux):
    cfg = {"metadata": {"name": name, "namespace": "bk", "uid": uuid.uuid4().hex, "attempt": 0},
           "log_directory": str(d / "logs" / name), "linux": {"security_context": {}, **linux}}
    (d / "logs" / name).mkdir(parents=True, exist_ok=True)
    p = d / f"pod-{name}.json"
    p.write_text(json.dumps(cfg))
    return p


def ctr_config(d, name, args, **extra):
    cfg = {"metadata": {"name": name}, "image": {"image": IMAGE}, "command": args,
           "log_path": f"{name}.log", "linux": {"security_context": {}}, **extra}
    p = d / f"ctr-{name}-{uuid.uuid4().hex[:6]}.json"
    p.write_text(json.dumps(cfg))
    return p


@pytest.fixture
def pod(cri, handler):
    made = []

    def make(name, **linux):
        name = f"{name}-{handler}-{uuid.uuid4().hex[:6]}"
        cfg = pod_config(cri.dir, name, **linux)
        pid = cri("runp", "--runtime", handler, cfg).stdout.strip()
        made.append(pid)
        return pid, cfg
    yield make
    for p in made:
        cri("stopp", p, check=False)
        cri("rmp", "-f", p, check=False)


def start(cri, pod_id, pod_cfg, name, args, **extra):
    cid = cri("create", pod_id, ctr_config(cri.dir, name, args, **extra), pod_cfg).stdout.strip()
    cri("start", cid)
    return cid


def state(cri, cid):
    st = cri.json("inspect", cid)["status"]
    return st["state"], st.get("exitCode"), st.get("reason", "")


def test_pod_lifecycle(cri, pod):
    p, cfg = pod("life")
    c = start(cri, p, cfg, "sleeper", ["sh", "-c", "echo hello-log; trap 'exit 0' TERM; while :; do sleep 0.2; done"])
    assert state(cri, c)[0] == "CONTAINER_RUNNING"
    cp = cri("exec", "-s", c, "sh", "-c", "echo in-exec; exit 0")
    assert cp.stdout.strip() == "in-exec"
    cp = cri("exec", "-s", c, "sh", "-c", "exit 5", check=False)
    assert cp.returncode != 0 and "exited with 5" in cp.stderr, cp
    assert wait_for(lambda: "hello-log" in cri("logs", c).stdout, 10)
    # a container that exits by itself: the exit is seen, with its code
    e = start(cri, p, cfg, "exiter", ["sh", "-c", "exit 3"])
    assert wait_for(lambda: state(cri, e)[0] == "CONTAINER_EXITED", 20), state(cri, e)
    assert state(cri, e)[1] == 3
    # stop with a grace period: TERM first
    t0 = time.monotonic()
    cri("stop", "--timeout", "10", c)
    assert time.monotonic() - t0 < 8
    assert state(cri, c)[:2] == ("CONTAINER_EXITED", 0)
    cri("rm", c)
    cri("rm", e)
    cri("stopp", p)
    cri("rmp", p)
    assert p not in cri("pods", "-q").stdout


def test_oom_killed(cri, pod):
    p, cfg = pod("oom")
    c = start(cri, p, cfg, "hog", ["sh", "-c", "x=$(head -c 200000000 /dev/zero | tr '\\0' a); sleep 5"],
              linux={"resources": {"memory_limit_in_bytes": 33554432}, "security_context": {}})
    assert wait_for(lambda: state(cri, c)[0] == "CONTAINER_EXITED", 30), state(cri, c)
    assert state(cri, c)[2] == "OOMKilled", state(cri, c)


def test_shared_pid_namespace_and_host_network(cri, pod):
    p, cfg = pod("pidns", security_context={"namespace_options": {"pid": 0}})  # POD
    c = start(cri, p, cfg, "ps", ["sleep", "300"])
    out = cri("exec", "-s", c, "ps", "-o", "pid,args").stdout
    assert "while :" in out or "sleep 3600" in out, out  # the pause container is there
    h, hcfg = pod("hostnet", security_context={"namespace_options": {"network": 2}})  # NODE
    hc = start(cri, h, hcfg, "net", ["sleep", "300"])
    inode = cri("exec", "-s", hc, "readlink", "/proc/self/ns/net").stdout.strip()
    assert inode == os.readlink(f"/proc/{cri.proc.pid}/ns/net"), inode  # containerd's "node" namespace


def test_security_context(cri, pod):
    p, cfg = pod("sec")
    c = start(cri, p, cfg, "user", ["sleep", "300"],
              linux={"security_context": {"run_as_user": {"value": 1000}, "run_as_group": {"value": 1001},
                                          "readonly_rootfs": True, "no_new_privs": True}})
    out = cri("exec", "-s", c, "sh", "-c",
              "id -u; id -g; touch /x 2>/dev/null && echo rw || echo ro; grep NoNewPrivs /proc/self/status;"
              " cat /proc/kcore 2>/dev/null | head -c1 | wc -c").stdout.split()
    assert out[:3] == ["1000", "1001", "ro"], out
    assert "NoNewPrivs:" in out and out[out.index("NoNewPrivs:") + 1] == "1", out
    assert out[-1] == "0", "masked /proc/kcore readable"
    pp, pcfg = pod("priv", security_context={"privileged": True})
    priv = start(cri, pp, pcfg, "priv", ["sleep", "300"], linux={"security_context": {"privileged": True}})
    out = cri("exec", "-s", priv, "sh", "-c", "grep CapEff /proc/self/status; ls /dev | wc -l").stdout.split()
    assert out[1] != "00000000a80425fb", out  # more than the default set


def test_update_and_stats(cri, pod):
    p, cfg = pod("upd")
    c = start(cri, p, cfg, "u", ["sleep", "300"])
    cri("update", "--memory", "67108864", c)
    st = cri.json("stats", "--id", c)
    assert st["stats"] and st["stats"][0]["attributes"]["id"] == c


def test_streaming_exec_attach_port_forward(cri, pod):
    """What the kubelet's streaming server does: exec (not sync), attach and
    port-forward, through containerd's stream server."""
    p, cfg = pod("stream")
    srv = start(cri, p, cfg, "srv", ["sh", "-c", "while :; do echo pong | busybox nc -l -p 8080; done"])
    tick = start(cri, p, cfg, "tick", ["sh", "-c", "while :; do echo tick; sleep 0.2; done"])
    assert cri.stream("exec", srv, "sh", "-c", "echo streamed").stdout.strip() == "streamed"
    # attach: the container's output, live
    att = subprocess.Popen(["nsenter", f"--net=/proc/{cri.proc.pid}/ns/net", str(cri.crictl_bin),
                            "--runtime-endpoint", f"unix://{cri.sock}", "attach", tick],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                           start_new_session=True)
    try:
        line = att.stdout.readline()
    finally:
        att.kill()
        att.wait()
    assert b"tick" in line, line
    # port-forward: a local port in containerd's namespace to the pod's 8080
    pf = subprocess.Popen(["nsenter", f"--net=/proc/{cri.proc.pid}/ns/net", str(cri.crictl_bin),
                           "--runtime-endpoint", f"unix://{cri.sock}", "port-forward", p, "18080:8080"],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                          start_new_session=True)
    try:
        got = ""
        for _ in range(50):
            cp = run_cmd(["nsenter", f"--net=/proc/{cri.proc.pid}/ns/net", "busybox", "nc", "127.0.0.1", "18080"],
                         input="", timeout=10)
            got = cp.stdout
            if "pong" in got:
                break
            time.sleep(0.2)
    finally:
        pf.kill()
        pf.wait()
    assert "pong" in got, got


def test_bidirectional_mount_propagation(cri, pod):
    """Kubernetes mountPropagation: Bidirectional (CSI drivers): a mount made
    in a privileged container under the volume appears on the node."""
    vol = Path(tempfile.mkdtemp(prefix=VAR_TMP_PREFIX + "cri-prop-", dir="/var/tmp"))
    subprocess.run(["mount", "-t", "tmpfs", "bk-cri-prop", str(vol)], check=True)
    subprocess.run(["mount", "--make-shared", str(vol)], check=True)
    try:
        p, cfg = pod("prop", security_context={"privileged": True})
        start(cri, p, cfg, "csi", ["sh", "-c", "mkdir -p /vol/sub && mount -t tmpfs inner /vol/sub && "
                                               "touch /vol/sub/from-pod && sleep 300"],
              mounts=[{"container_path": "/vol", "host_path": str(vol), "propagation": 2}],  # BIDIRECTIONAL
              linux={"security_context": {"privileged": True}})
        assert wait_for(lambda: (vol / "sub" / "from-pod").exists(), 15), "the pod's mount did not reach the node"
    finally:
        subprocess.run(["umount", "-R", "-l", str(vol)], check=False)
        shutil.rmtree(vol, ignore_errors=True)
