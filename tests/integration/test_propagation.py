"""Mount propagation between the container and the host, as Kubernetes asks
for it: Bidirectional (rootfsPropagation rshared + an rshared bind: mounts
made in the container appear on the host, CSI drivers rely on it) and
HostToContainer (rslave: the host's later mounts appear inside). Compared
with runc by running the same test with BRICK=/usr/sbin/runc."""
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from conftest import VAR_TMP_PREFIX, wait_for


@pytest.fixture
def shared_dir():
    d = Path(tempfile.mkdtemp(prefix=VAR_TMP_PREFIX + "prop-", dir="/var/tmp"))
    subprocess.run(["mount", "-t", "tmpfs", "bk-prop", str(d)], check=True)
    subprocess.run(["mount", "--make-shared", str(d)], check=True)
    yield d
    subprocess.run(["umount", "-R", "-l", str(d)], check=False)
    shutil.rmtree(d, ignore_errors=True)


def _privileged(b):
    caps = ["CAP_SYS_ADMIN", "CAP_CHOWN", "CAP_DAC_OVERRIDE"]
    for k in ("bounding", "effective", "permitted"):
        b.process["capabilities"][k] = caps
    b.linux.pop("seccomp", None)


def test_bidirectional_reaches_the_host(brick, bundle, shared_dir):
    b = bundle(["/bin/sh", "-c", "mkdir -p /mnt/prop/sub && mount -t tmpfs inner /mnt/prop/sub"
                                 " && touch /mnt/prop/sub/from-container && sleep 2"])
    _privileged(b)
    b.linux["rootfsPropagation"] = "rshared"
    b.add_mount("/mnt/prop", "bind", str(shared_dir), ["rbind", "rshared"])
    b.write()
    p = brick.popen("run", "--bundle", str(b.path), "prop-" + b.path.parent.name[-8:])
    try:
        seen = wait_for(lambda: (shared_dir / "sub" / "from-container").exists(), 10)
    finally:
        p.wait(timeout=30)
    subprocess.run(["umount", "-l", str(shared_dir / "sub")], check=False)
    assert p.returncode == 0, p.stderr.read()
    assert seen, "a mount made in the container under an rshared bind did not reach the host"


def test_host_to_container(brick, bundle, shared_dir):
    b = bundle(["/bin/sh", "-c", "for i in $(seq 100); do [ -e /mnt/prop/late/from-host ] && exit 0; sleep 0.1; done;"
                                 " exit 1"])
    b.add_mount("/mnt/prop", "bind", str(shared_dir), ["rbind", "rslave"])
    b.write()
    p = brick.popen("run", "--bundle", str(b.path), "hostprop-" + b.path.parent.name[-8:])
    try:
        time.sleep(0.5)
        (shared_dir / "late").mkdir()
        subprocess.run(["mount", "-t", "tmpfs", "late", str(shared_dir / "late")], check=True)
        (shared_dir / "late" / "from-host").touch()
        p.wait(timeout=30)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    assert p.returncode == 0, "a host mount made later did not appear in the container (rslave)"
