"""brick do, as a user types it (issue 19, items 3 and 4): a -v, --tmpfs or
--symlink destination that is not on the host is made on a tmpfs over its
nearest parent, never on the host; --bind-try, --ro-bind-try, --symlink,
--unsetenv; -u NAME from the container's /etc/passwd; HOME, USER, LANG, TERM.

The tests marked @rootless_too run a second time as a normal user (the
ubrick fixture)."""
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from conftest import VAR_TMP_PREFIX, OUTSIDE_PREFIX, Brick, brick_only, new_id, rootless_too, wait_for

pytestmark = brick_only
ROOTLESS_LANE = True


def _umount_below(d):
    mps = [l.split()[4] for l in open("/proc/self/mountinfo")]
    for mp in sorted((m for m in mps if m.startswith(str(d) + "/")), key=len, reverse=True):
        subprocess.run(["umount", "-l", mp], capture_output=True, timeout=10)


@pytest.fixture
def hostdir():
    """A directory of the host's tree that brick do shows as it is (not
    under /tmp, which is the sandbox's own): the place destinations go."""
    d = Path(tempfile.mkdtemp(prefix=VAR_TMP_PREFIX, dir="/var/tmp"))
    os.chmod(d, 0o755)
    yield d
    _umount_below(d)
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def src(workdir):
    """A volume's source, readable by the rootless lane's user too."""
    os.chmod(workdir, 0o755)
    d = workdir / "src"
    d.mkdir()
    (d / "f").write_text("data\n")
    return d


def _lines(brick, *args, env=None):
    cp = brick("do", *args, env=env)
    assert cp.returncode == 0, cp.stderr
    return cp.stdout.splitlines()


def test_readme_web_server(brick, workdir):
    """README: `brick do -d --name web -v /srv/www:/srv/www:ro -- busybox
    httpd ...`, the page made by the test, /srv/www absent on the host; then
    fetched from a second container in web's network namespace."""
    if os.path.lexists("/srv/www") or not os.path.isdir("/srv"):
        pytest.skip("needs a host with /srv and no /srv/www")
    www = workdir / "www"
    www.mkdir()
    (www / "index.html").write_text("hello from www\n")
    before = sorted(os.listdir("/srv"))
    cid = new_id()
    brick.ok("do", "-d", "--name", cid, "-v", f"{www}:/srv/www:ro", "--",
             "busybox", "httpd", "-f", "-p", "8080", "-h", "/srv/www")
    try:
        def page():
            cp = brick("do", "--net", f"container:{cid}", "--", "busybox", "wget", "-qO-", "http://127.0.0.1:8080/")
            return cp.stdout
        assert wait_for(lambda: page() == "hello from www\n", 10)
        cp = brick.ok("exec", cid, "sh", "-c", "touch /srv/www/x 2>/dev/null || echo ro;"
                      " touch /srv/y 2>/dev/null || echo ro; ls /srv")
        assert cp.stdout.split()[:2] == ["ro", "ro"] and sorted(cp.stdout.split()[2:]) == sorted(before + ["www"])
    finally:
        brick.ok("delete", "-f", cid)
    assert sorted(os.listdir("/srv")) == before
    assert os.listdir(www) == ["index.html"]


@rootless_too
def test_missing_destinations_made_without_writing_the_host(brick, src, hostdir):
    """A -v deep under a missing parent and a --tmpfs under another: made on a
    tmpfs over the parent, which keeps its entries (a symlink as a symlink)
    and stays read-only; nothing appears on the host."""
    (hostdir / "keep").write_text("kept\n")
    os.symlink("keep", hostdir / "ln")
    deep = f"{hostdir}/a/b/c"
    out = _lines(brick, "-v", f"{src}:{deep}:ro", "--tmpfs", f"{hostdir}/t/u", "--", "sh", "-c",
                 f"cat {deep}/f {hostdir}/keep; readlink {hostdir}/ln; ls {hostdir} | tr '\\n' ' '; echo;"
                 f" touch {hostdir}/t/u/w && echo tmpfs-rw; touch {hostdir}/new 2>/dev/null || echo parent-ro;"
                 f" touch {deep}/x 2>/dev/null || echo bind-ro")
    assert out == ["data", "kept", "keep", "a keep ln t ", "tmpfs-rw", "parent-ro", "bind-ro"]
    assert sorted(os.listdir(hostdir)) == ["keep", "ln"]
    assert os.listdir(src) == ["f"]


@rootless_too
def test_cover_keeps_the_directory_as_it_was(brick, src, hostdir):
    """The covered directory shows the host's mounts below it, read-only;
    under /etc the secrets stay masked and the symlinks are the host's."""
    (hostdir / "m").mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(hostdir / "m")], check=True)
    (hostdir / "m" / "inside").write_text("submount\n")
    name = hostdir.name
    out = _lines(brick, "-v", f"{src}:{hostdir}/new", "-v", f"{src}:/etc/{name}/x:ro", "--", "sh", "-c",
                 f"cat {hostdir}/m/inside; touch {hostdir}/m/w 2>/dev/null || echo sub-ro;"
                 f" wc -c < /etc/shadow; readlink /etc/localtime || echo none; ls -A /etc | wc -l; cat /etc/{name}/x/f")
    localtime = os.readlink("/etc/localtime") if os.path.islink("/etc/localtime") else "none"
    assert out == ["submount", "sub-ro", "0", localtime, str(len(os.listdir("/etc")) + 1), "data"]
    assert not os.path.lexists(f"/etc/{name}") and sorted(os.listdir(hostdir)) == ["m"]


@rootless_too
def test_bind_try(brick, src, hostdir):
    """--bind-try / --ro-bind-try: a missing source is left out, as with bwrap;
    -v with a missing source is an error that names the flag."""
    out = _lines(brick, "--bind-try", f"{src}/nothing", f"{hostdir}/skipped", "--ro-bind-try", str(src),
                 f"{hostdir}/made", "--", "sh", "-c",
                 f"ls {hostdir}; cat {hostdir}/made/f; touch {hostdir}/made/x 2>/dev/null || echo ro")
    assert out == ["made", "data", "ro"]
    cp = brick("do", "-v", f"{src}/nothing:{hostdir}/x", "--", "true")
    assert cp.returncode == 1
    assert f"-v {src}/nothing:{hostdir}/x: source {src}/nothing: No such file or directory" in cp.stderr
    assert os.listdir(hostdir) == []


@rootless_too
def test_symlink(brick, hostdir):
    """--symlink TARGET DST in a directory of the host (covered) and in the
    private /tmp; a name already taken is refused; the host is untouched."""
    (hostdir / "keep").write_text("kept\n")
    out = _lines(brick, "--symlink", str(hostdir / "keep"), f"{hostdir}/sub/link", "--symlink", "/usr/bin",
                 "/tmp/bin", "--", "sh", "-c", f"readlink {hostdir}/sub/link /tmp/bin; cat {hostdir}/sub/link;"
                 " test -x /tmp/bin/env && echo env")
    assert out == [str(hostdir / "keep"), "/usr/bin", "kept", "env"]
    cp = brick("do", "--symlink", "x", f"{hostdir}/keep", "--", "true")
    assert cp.returncode == 1 and f"--symlink x {hostdir}/keep: {hostdir}/keep exists" in cp.stderr
    assert os.listdir(hostdir) == ["keep"]


@rootless_too
def test_environment(brick):
    """HOME (the private home, writable), USER and LOGNAME, the caller's TERM
    and locale; -e overrides, --unsetenv removes; the caller's other
    variables stay out."""
    env = {"TERM": "foot", "LANG": "C.UTF-8", "LC_TIME": "C", "LC_PAPER": "C", "SECRET_TOKEN": "x"}
    if brick.__class__ is Brick:  # root's: the whole environment; the user's: added to its own
        env = dict(os.environ, **env)
    out = _lines(brick, "-e", "LC_PAPER=POSIX", "--unsetenv", "LC_TIME", "--", "sh", "-c",
                 'touch "$HOME/x" && echo "home=$HOME user=$USER logname=$LOGNAME";'
                 ' echo "term=$TERM lang=$LANG paper=$LC_PAPER time=${LC_TIME-unset} secret=${SECRET_TOKEN-unset}"',
                 env=env)
    user = "root" if brick.__class__ is Brick else brick.user["name"]
    home = "/root" if user == "root" else "/home/user"
    assert out == [f"home={home} user={user} logname={user}",
                   "term=foot lang=C.UTF-8 paper=POSIX time=unset secret=unset"]


@rootless_too
def test_user_by_name(brick):
    """-u nobody: ids from the host's /etc/passwd (the sandbox's view), a
    private home it owns; an unknown name is a clear error."""
    out = _lines(brick, "-u", "nobody", "--", "sh", "-c",
                 'id -u; id -g; echo "$USER $HOME"; touch "$HOME/x" && echo home-rw')
    assert out == ["65534", "65534", "nobody /home/user", "home-rw"]
    cp = brick("do", "-u", "no-such-user", "--", "true")
    assert cp.returncode == 1 and 'brick: -u no-such-user: no user "no-such-user" in /etc/passwd' in cp.stderr
    cp = brick("do", "-u", "nobody:no-such-group", "--", "true")
    assert cp.returncode == 1 and 'no group "no-such-group" in /etc/group' in cp.stderr


def test_user_by_name_from_the_rootfs(brick, bundle, hostdir):
    """With --rootfs the names are the rootfs's, resolved inside it: an /etc
    that is a symlink to a host directory is not followed out."""
    b = bundle()
    (b.rootfs / "etc" / "passwd").write_text("root:x:0:0::/root:/bin/sh\napp:x:4242:4343::/home/app:/bin/sh\n")
    (b.rootfs / "etc" / "group").write_text("root:x:0:\ngrp:x:4343:\nextra:x:5000:app\n")
    out = _lines(brick, "--rootfs", str(b.rootfs), "-u", "app", "--", "sh", "-c", 'id -u; id -g; id -G; echo "$HOME $USER"')
    assert out == ["4242", "4343", "4343 5000", "/home/app app"]
    (hostdir / "passwd").write_text("evil:x:0:0::/:/bin/sh\n")
    shutil.rmtree(b.rootfs / "etc")
    os.symlink(str(hostdir), b.rootfs / "etc")
    cp = brick("do", "--rootfs", str(b.rootfs), "-u", "evil", "--", "true")
    assert cp.returncode == 1 and f'no user "evil" in {b.rootfs}/etc/passwd' in cp.stderr


def test_destination_attacks(brick, bundle, src, hostdir, workdir):
    """A destination with "..", or through symlinks that point out of the
    rootfs or across the host's tree: nothing is created or mounted outside
    the container's root."""
    cp = brick("do", "-v", f"{src}:{hostdir}/../x", "--", "true")
    assert cp.returncode == 1 and '".." is not allowed in a destination' in cp.stderr
    assert not os.path.lexists(f"{hostdir.parent}/x")
    # --rootfs: symlinks of the image lead out of it (absolute, and by ..)
    outside = Path(tempfile.mkdtemp(prefix=OUTSIDE_PREFIX, dir="/tmp"))
    try:
        b = bundle()
        os.symlink(str(outside), b.rootfs / "abs")
        os.symlink("../../../../../../.." + str(outside), b.rootfs / "rel")
        out = _lines(brick, "--rootfs", str(b.rootfs), "-v", f"{src}:/abs/x", "--tmpfs", "/rel/t", "--",
                     "sh", "-c", "cat /abs/x/f; ls /rel")
        assert out == ["data", "t", "x"]
        assert os.listdir(outside) == []
        assert sorted(os.listdir(b.rootfs / str(outside).lstrip("/"))) == ["t", "x"]
    finally:
        shutil.rmtree(outside, ignore_errors=True)
    # the host's root: a symlink to another host directory leads the cover
    # there, and a ".." link stops at /; the host is written nowhere
    other = hostdir / "other"
    other.mkdir()
    os.symlink(str(other), hostdir / "abs")
    os.symlink("../../../../../../../.." + str(other), hostdir / "rel")
    out = _lines(brick, "-v", f"{src}:{hostdir}/abs/new", "--symlink", "new", f"{hostdir}/rel/ln", "--", "sh", "-c",
                 f"ls {other} | tr '\\n' ' '; echo; cat {other}/ln/f")
    assert out == ["ln new ", "data"]
    assert os.listdir(other) == [] and sorted(os.listdir(hostdir)) == ["abs", "other", "rel"]
    assert not any(l.split()[4].startswith(str(hostdir)) for l in open("/proc/self/mountinfo"))
