"""containerd (io.containerd.runc.v2 shim, go-runc) driving the runtime under test, through ctr.

The suite starts its own containerd with tests/engines/containerd.toml: root,
state and sockets in a temp dir, a namespace named for the session (so the
containers' cgroups are /<namespace>/<id>), no CRI and no CNI. The image is
an OCI image layout written by hand (tests/engines/mkociimage.py) from the
busybox rootfs and loaded with `ctr image import`: no registry. The runtime
is chosen per container with `--runc-binary` (the runc shim's BinaryName
option) and `--runc-root` (its Root option).

containerd 1.6 keeps shim sockets in /run/containerd/s whatever its config
says; the fixture removes that directory again if it created it.

Skipped when containerd or ctr is not installed (apt-get install containerd).
"""
import json
import os
import re
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest

from conftest import BRICK, REPO, heavy, pty_run, run_cmd, wait_for, _umount_under
from test_podman import _remove_cgroup_tree

ENGINES = REPO / "tests" / "engines"
IMAGE = "docker.io/library/busybox:latest"

HAVE_CONTAINERD = bool(shutil.which("containerd") and shutil.which("ctr") and shutil.which("containerd-shim-runc-v2"))

pytestmark = heavy


class Containerd:
    def __init__(self, d):
        self.dir = Path(d)
        self.ns = "brick-" + uuid.uuid4().hex[:8]
        self.sock = self.dir / "containerd.sock"
        self.brick = self.dir / "brick"
        self.brick_root = self.dir / "brick-state"
        self.proc = None

    def ctr_argv(self, *args):
        return ["ctr", "--address", str(self.sock), "--namespace", self.ns, *[str(a) for a in args]]

    def ctr(self, *args, timeout=60, check=True, input=None):
        cp = run_cmd(self.ctr_argv(*args), timeout=timeout, input=input)
        if check:
            assert cp.returncode == 0, f"ctr {args} failed ({cp.returncode}):\n{cp.stdout}\n{cp.stderr}"
        return cp

    def runtime_opts(self):
        """What the runc shim's options (BinaryName, Root) say, as ctr flags."""
        return ["--runc-binary", self.brick, "--runc-root", self.brick_root, "--fifo-dir", self.dir / "fifo"]

    def runtime(self, *args, input=None):
        """The runtime itself, as go-runc calls it for this namespace."""
        return run_cmd([str(self.brick), "--root", str(self.brick_root / self.ns), *map(str, args)], input=input)

    def pty_ctr(self, *args, timeout=30):
        return pty_run(self.ctr_argv(*args), timeout=timeout)

    def cleanup_container(self, cid):
        self.ctr("task", "kill", "-s", "SIGKILL", "--all", cid, check=False)
        if wait_for(lambda: "STOPPED" in self.ctr("task", "ls", check=False).stdout or
                    cid not in self.ctr("task", "ls", check=False).stdout, 5):
            pass
        self.ctr("task", "delete", "--force", cid, check=False)
        self.ctr("container", "delete", cid, check=False)


@pytest.fixture(scope="module")
def containerd(base_rootfs):
    if not HAVE_CONTAINERD:
        pytest.skip("containerd not installed (apt-get install containerd)")
    d = Path(tempfile.mkdtemp(prefix="bkctr-", dir="/tmp"))
    had_run = os.path.exists("/run/containerd")
    cd = Containerd(d)
    shutil.copy2(BRICK, cd.brick)  # a stable copy for the whole module
    text = (ENGINES / "containerd.toml").read_text().replace("@DIR@", str(d)).replace("@BRICK@", str(cd.brick))
    (d / "config.toml").write_text(text)
    log = open(d / "containerd.log", "w")
    cd.proc = subprocess.Popen(["containerd", "--config", str(d / "config.toml")], stdout=log, stderr=log,
                               stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        assert wait_for(lambda: cd.sock.exists() and
                        run_cmd(["ctr", "--address", str(cd.sock), "version"], timeout=10).returncode == 0, 30), \
            "containerd did not start:\n" + (d / "containerd.log").read_text()
        image = d / "busybox-oci.tar"
        subprocess.run(["/usr/bin/python3", str(ENGINES / "mkociimage.py"), str(base_rootfs), str(image), IMAGE],
                       check=True, timeout=120, capture_output=True)
        cd.ctr("image", "import", image)
        yield cd
    finally:
        for cid in cd.ctr("container", "ls", "-q", check=False).stdout.split():
            cd.cleanup_container(cid)
        cd.ctr("image", "rm", IMAGE, check=False)
        cd.ctr("namespace", "rm", cd.ns, check=False)
        cd.proc.terminate()
        try:
            cd.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            cd.proc.kill()
            cd.proc.wait()
        log.close()
        _umount_under(d)
        shutil.rmtree(d, ignore_errors=True)
        _remove_cgroup_tree(cd.ns)
        if not had_run and os.path.isdir("/run/containerd"):
            # only the empty directories the shims and ctr made (s, fifo, ...)
            for top, dirs, files in os.walk("/run/containerd", topdown=False):
                if not files:
                    try:
                        os.rmdir(top)
                    except OSError:
                        pass


@pytest.fixture
def cid(containerd):
    made = []

    def make():
        c = "c" + uuid.uuid4().hex[:8]
        made.append(c)
        return c

    yield make
    for c in made:
        containerd.cleanup_container(c)


def test_run_output_and_exit_status(containerd, cid):
    c = cid()
    cp = containerd.ctr("run", "--rm", *containerd.runtime_opts(), IMAGE, c,
                        "sh", "-c", "echo hello; echo err >&2; exit 3", check=False)
    assert cp.returncode == 3, cp
    assert cp.stdout == "hello\n"
    assert "err" in cp.stderr
    assert c not in containerd.ctr("container", "ls", "-q").stdout


def test_run_tty(containerd, cid):
    c = cid()
    status, out = containerd.pty_ctr("run", "--rm", "-t", *containerd.runtime_opts(), IMAGE, c,
                                     "sh", "-c", "tty; exit 7")
    assert status == 7, out
    assert "/dev/pts/0" in out


def test_detached_exec_pause_kill_delete(containerd, cid):
    c = cid()
    containerd.ctr("run", "-d", *containerd.runtime_opts(), IMAGE, c,
                   "sh", "-c", "trap 'exit 9' TERM; while :; do sleep 0.1; done")
    tasks = containerd.ctr("task", "ls").stdout
    assert c in tasks and "RUNNING" in tasks
    cp = containerd.ctr("task", "exec", "--exec-id", "e1", c, "sh", "-c", "echo in-exec; exit 4", check=False)
    assert cp.returncode == 4 and cp.stdout == "in-exec\n", cp
    status, out = containerd.pty_ctr("task", "exec", "-t", "--exec-id", "e2", c, "sh", "-c", "tty; exit 5")
    assert status == 5 and "/dev/pts/" in out, out
    # ps --format json through the shim
    pids = containerd.ctr("task", "ps", c).stdout
    assert len(pids.strip().splitlines()) >= 2
    containerd.ctr("task", "pause", c)
    assert "PAUSED" in containerd.ctr("task", "ls").stdout
    containerd.ctr("task", "resume", c)
    assert "RUNNING" in containerd.ctr("task", "ls").stdout
    metrics = containerd.ctr("task", "metrics", c).stdout
    assert "memory" in metrics or "pids" in metrics
    containerd.ctr("task", "kill", "-s", "SIGTERM", c)
    assert wait_for(lambda: "STOPPED" in containerd.ctr("task", "ls").stdout, 10)
    containerd.ctr("task", "delete", c)
    containerd.ctr("container", "delete", c)
    assert not (containerd.brick_root / containerd.ns / c).exists()


def test_kill_all(containerd, cid):
    c = cid()
    containerd.ctr("run", "-d", *containerd.runtime_opts(), IMAGE, c, "sh", "-c", "sleep 1000 & sleep 1000")
    containerd.ctr("task", "kill", "--all", "-s", "SIGKILL", c)
    assert wait_for(lambda: "STOPPED" in containerd.ctr("task", "ls").stdout, 10)
    containerd.ctr("task", "delete", c)


def test_runtime_error_reaches_ctr_through_json_log(containerd, cid):
    c = cid()
    cp = containerd.ctr("run", "--rm", *containerd.runtime_opts(), IMAGE, c, "/nonexistent", check=False)
    assert cp.returncode != 0
    # the shim reads the last error record of the runtime's --log (JSON) file;
    # without it the message would only be "exit status 1"
    assert "OCI runtime create failed" in cp.stderr, cp.stderr
    assert "/nonexistent" in cp.stderr, cp.stderr
    assert "exit status 1: unknown" not in cp.stderr


def test_go_runc_argv_on_a_shim_container(containerd, cid):
    """state, list/ps --format json, update --resources -, events --stats: as go-runc runs them."""
    c = cid()
    containerd.ctr("run", "-d", *containerd.runtime_opts(), IMAGE, c, "sleep", "1000")
    st = json.loads(containerd.runtime("state", c).stdout)
    assert st["id"] == c and st["status"] == "running" and st["pid"] > 0
    listed = json.loads(containerd.runtime("list", "--format", "json").stdout)
    assert [x["id"] for x in listed] == [c]
    assert json.loads(containerd.runtime("ps", "--format", "json", c).stdout) == [st["pid"]]
    cp = containerd.runtime("update", "--resources", "-", c, input=json.dumps({"memory": {"limit": 64 << 20}}))
    assert cp.returncode == 0, cp.stderr
    cp = containerd.runtime("events", "--stats", c)
    assert cp.returncode == 0, cp.stderr
    ev = json.loads(cp.stdout.splitlines()[0])
    assert ev["type"] == "stats" and ev["data"]["memory"]["usage"]["limit"] == 64 << 20
    containerd.ctr("task", "kill", "-s", "SIGKILL", c)
    assert wait_for(lambda: "STOPPED" in containerd.ctr("task", "ls").stdout, 10)
    containerd.ctr("task", "delete", c)


def test_config_declares_brick_runtime_class(containerd):
    """The CRI runtime class of docs/KUBERNETES.md parses (CRI itself needs a kubelet and CNI)."""
    # the suite's daemon runs without CRI; dump the same config with CRI enabled
    text = (containerd.dir / "config.toml").read_text().replace('"io.containerd.grpc.v1.cri",', "")
    (containerd.dir / "config-cri.toml").write_text(text)
    cp = run_cmd(["containerd", "--config", str(containerd.dir / "config-cri.toml"), "config", "dump"])
    assert cp.returncode == 0, cp.stderr
    assert '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.brick]' in cp.stdout, cp.stdout
    assert 'runtime_type = "io.containerd.runc.v2"' in cp.stdout
    assert f'BinaryName = "{containerd.brick}"' in cp.stdout


def test_version_in_runc_format_and_docs_cover_every_command():
    """`--version` as runc prints it; a man page and a completion entry per command."""
    out = run_cmd([BRICK, "--version"]).stdout.splitlines()
    assert out[0].split()[1] == "version" and out[1].startswith("commit:") and out[2].startswith("spec:")
    if os.path.basename(BRICK) != "brick":
        return
    helptext = run_cmd([BRICK, "--help"]).stdout
    cmds = [l.split()[0] for l in helptext.split("Commands:")[1].split("Global")[0].splitlines()
            if l.strip() and l.split()[0] != "help"]
    completions = [(REPO / "completion" / f).read_text() for f in ("brick.bash", "_brick", "brick.fish")]
    for c in cmds:
        assert (REPO / "man" / f"brick-{c}.8").is_file(), c
        for completion in completions:  # generated from the option tables (tools/gendocs.py)
            assert re.search(rf"(^|[\s'\"(]){re.escape(c)}([\s'\")]|$)", completion, re.M), c
    meson = (REPO / "meson.build").read_text()
    for c in cmds:
        assert f"'man/brick-{c}.8'" in meson, c
