"""brick do on the host's root, attacked from inside: every host submount is
read-only (a tmpfs, a bind, and one mounted after the sandbox started), and
the host's secrets are not there to read (homes, /root, shadow files, SSH
host keys, X authority files) unless a flag grants them (docs/COMPOSE.md)."""
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from conftest import VAR_TMP_PREFIX, brick_only, new_id, wait_for

pytestmark = brick_only


@pytest.fixture
def hostdir():
    """A host directory outside /tmp (which `brick do` replaces by a tmpfs)."""
    d = Path(tempfile.mkdtemp(prefix=VAR_TMP_PREFIX + "do-", dir="/var/tmp"))
    mounted = []
    yield d, mounted
    for m in reversed(mounted):
        subprocess.run(["umount", "-l", str(m)], check=False)
    shutil.rmtree(d, ignore_errors=True)


def test_host_submounts_are_read_only(brick, hostdir):
    d, mounted = hostdir
    for name in ("tmpfs", "bind", "src", "late"):
        (d / name).mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "bk-test", str(d / "tmpfs")], check=True)
    mounted.append(d / "tmpfs")
    subprocess.run(["mount", "--bind", str(d / "src"), str(d / "bind")], check=True)
    mounted.append(d / "bind")
    ready = d / "src" / "ready"
    script = (f"for t in tmpfs bind; do echo pwn > {d}/$t/f 2>/dev/null && echo $t:written || echo $t:refused; done;"
              f" while [ ! -e {d}/bind/go ]; do sleep 0.05; done;"
              f" echo pwn > {d}/late/f 2>/dev/null && echo late:written || echo late:refused")
    p = brick.popen("do", "--", "sh", "-c", script)
    try:
        # a host mount made while the sandbox runs: it must not appear there writable
        time.sleep(0.3)
        subprocess.run(["mount", "-t", "tmpfs", "bk-late", str(d / "late")], check=True)
        mounted.append(d / "late")
        (d / "src" / "go").touch()
        out, err = p.communicate(timeout=30)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    assert p.returncode == 0, err
    assert out.split() == ["tmpfs:refused", "bind:refused", "late:refused"], out
    assert not (d / "tmpfs" / "f").exists() and not (d / "src" / "f").exists() and not (d / "late" / "f").exists()


@pytest.fixture
def planted():
    """Secrets planted on the host by the test, removed afterwards."""
    tag = new_id()
    paths = {
        "root_file": Path(f"/root/.bk-secret-{tag}"),
        "xauth": Path(f"/root/.bk-Xauthority-{tag}"),
        "sshkey": Path(f"/etc/ssh/ssh_host_bk{tag}_key"),
    }
    made_ssh = not Path("/etc/ssh").exists()
    Path("/etc/ssh").mkdir(exist_ok=True)
    for p in paths.values():
        p.write_text("SECRET-" + tag)
        p.chmod(0o600)
    yield tag, paths
    for p in paths.values():
        p.unlink(missing_ok=True)
    if made_ssh:
        shutil.rmtree("/etc/ssh", ignore_errors=True)


def test_secrets_hidden_by_default(brick, planted):
    tag, paths = planted
    script = ("for f in /etc/shadow /etc/gshadow " + " ".join(str(p) for p in paths.values()) + "; do"
              " printf '%s:' $f; cat $f 2>/dev/null | head -c 200 | grep -c . ; done;"
              " echo home=$HOME; echo entries=$(ls -A /home; ls -A /root); touch $HOME/mine && echo home:writable")
    cp = brick("do", "--", "sh", "-c", script)
    assert cp.returncode == 0, cp.stderr
    assert "SECRET-" + tag not in cp.stdout
    for line in cp.stdout.splitlines():
        if ":" in line and line.startswith("/"):
            assert line.endswith(":0"), f"readable in the sandbox: {line}"
    assert "home=/root" in cp.stdout and "home:writable" in cp.stdout
    # the host's homes and /root are empty in the sandbox
    assert "entries=\n" in cp.stdout, cp.stdout
    assert not Path("/root/mine").exists()


def test_host_secrets_flag_restores_the_full_view(brick, planted):
    tag, paths = planted
    cp = brick("do", "--host-secrets", "--", "cat", str(paths["root_file"]), "/etc/shadow")
    assert cp.returncode == 0, cp.stderr
    assert "SECRET-" + tag in cp.stdout and "root:" in cp.stdout


def test_home_dir_is_persistent_and_private(brick, hostdir):
    d, _ = hostdir
    home = d / "apphome"
    home.mkdir()
    brick.ok("do", f"--home={home}", "--", "sh", "-c", 'echo kept > "$HOME/state"; echo $HOME')
    cp = brick.ok("do", f"--home={home}", "--", "sh", "-c", 'cat "$HOME/state"; echo entries=$(ls -A /home)')
    assert cp.stdout.split() == ["kept", "entries="], cp.stdout
    assert (home / "state").read_text() == "kept\n"


@pytest.mark.parametrize("mode", ["host", "host:ro"])
def test_home_host(brick, hostdir, mode):
    d, _ = hostdir
    home = d / "user"
    home.mkdir()
    (home / "notes").write_text("mine")
    env = dict(os.environ, HOME=str(home))
    cp = brick("do", f"--home={mode}", "--", "sh", "-c",
               'echo HOME=$HOME; cat "$HOME/notes"; echo; echo new > "$HOME/new" 2>/dev/null && echo written || echo refused',
               env=env)
    assert cp.returncode == 0, cp.stderr
    assert f"HOME={home}" in cp.stdout and "mine" in cp.stdout
    if mode == "host":
        assert "written" in cp.stdout and (home / "new").exists()
    else:
        assert "refused" in cp.stdout and not (home / "new").exists()


def test_home_flag_errors(brick):
    for args, msg in ((["--home=relative"], "--home"), (["--home=host", "--host-secrets"], "--host-secrets"),
                      (["--rootfs", "/nonexistent", "--home=host"], "--rootfs")):
        cp = brick("do", *args, "--", "true")
        assert cp.returncode != 0 and msg in cp.stderr, cp.stderr
