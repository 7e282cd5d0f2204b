"""brick do --x11 / --wayland / --audio / --gpu / --device: GUI apps, shared safely.

Every display server here is our own: Xvfb on a free display number with its
own cookie file, weston's headless backend with its socket in a temporary
XDG_RUNTIME_DIR; each is stopped by its pid. Packages (Debian): xvfb,
x11-apps, x11-utils, xauth, weston, wayland-utils, imagemagick, chromium,
zenity.
"""
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from conftest import REPO, brick_only, new_id, pid_alive, run_cmd, tagged_procs_alive, wait_for

pytestmark = brick_only

PACKAGES = {"Xvfb": "xvfb", "xclock": "x11-apps", "xwd": "x11-apps", "xdpyinfo": "x11-utils",
            "xwininfo": "x11-utils", "xauth": "xauth", "weston": "weston", "wayland-info": "wayland-utils",
            "unshare": "util-linux", "chromium": "chromium", "zenity": "zenity", "convert": "imagemagick",
            # the shipped profiles' apps (test_profiles.py)
            "xterm": "xterm", "mousepad": "mousepad", "abiword": "abiword", "sylpheed": "sylpheed", "mpv": "mpv",
            "slirp4netns": "slirp4netns"}
_apt_tried = set()


def need(*cmds):
    """Skip unless the commands exist; install their Debian packages once if missing."""
    missing = [c for c in cmds if not shutil.which(c)]
    pkgs = sorted({PACKAGES[c] for c in missing if c in PACKAGES} - _apt_tried)
    if pkgs and os.geteuid() == 0:
        _apt_tried.update(pkgs)
        subprocess.run(["apt-get", "install", "-y", "-q", *pkgs], capture_output=True, timeout=600)
    missing = [c for c in cmds if not shutil.which(c)]
    if missing:
        pytest.skip(f"missing {missing} (Debian packages: {sorted({PACKAGES.get(c, c) for c in missing})})")


class Xvfb:
    def __init__(self, num, auth, proc):
        self.num, self.auth, self.proc = num, auth, proc
        self.display = f":{num}"

    def env(self, **extra):
        e = dict(os.environ, DISPLAY=self.display, XAUTHORITY=str(self.auth))
        e.update(extra)
        return e

    def cookie(self):
        out = subprocess.run(["xauth", "-f", str(self.auth), "list"], capture_output=True, text=True).stdout
        return out.split()[-1]


def _free_display(start=80):
    for n in range(start, start + 100):
        if not os.path.exists(f"/tmp/.X11-unix/X{n}") and not os.path.exists(f"/tmp/.X{n}-lock"):
            return n
    raise RuntimeError("no free X display number")


@pytest.fixture
def xvfb():
    """Factory: start an Xvfb with a cookie of its own; all stopped at the end."""
    need("Xvfb", "xauth", "xdpyinfo")
    servers, dirs = [], []

    def start(authdir=None, screen="480x360x24"):
        d = Path(authdir or tempfile.mkdtemp(prefix="bkx-"))
        dirs.append(d)
        num = _free_display(80 + 7 * len(servers))
        auth = d / f"xauth{num}"
        auth.touch(mode=0o600)
        subprocess.run(["xauth", "-f", str(auth), "add", f":{num}", ".", os.urandom(16).hex()], check=True)
        # -noreset: an X server resets when its last client leaves, which
        # would also forget the cookies that `xauth generate` made.
        p = subprocess.Popen(["Xvfb", f":{num}", "-auth", str(auth), "-noreset", "-nolisten", "tcp",
                              "-screen", "0", screen], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
        x = Xvfb(num, auth, p)
        servers.append(x)
        ok = wait_for(lambda: subprocess.run(["xdpyinfo"], env=x.env(), capture_output=True).returncode == 0, 10)
        assert ok, f"Xvfb :{num} did not come up"
        return x

    yield start
    for x in servers:
        x.proc.send_signal(signal.SIGTERM)
        try:
            x.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            x.proc.kill()
            x.proc.wait()
    for d in dirs:
        shutil.rmtree(d, ignore_errors=True)


def test_x11_xdpyinfo(brick, xvfb):
    x = xvfb()
    cp = brick("do", "--x11", "--", "xdpyinfo", env=x.env())
    assert cp.returncode == 0, cp.stderr
    assert f"name of display:    {x.display}" in cp.stdout
    # the abstract socket is the server's too: the output says why it is out of reach
    assert "abstract socket" in cp.stderr


def test_x11_abstract_note_once(brick, xvfb):
    """The note about the abstract socket explains; said on every run it is
    noise: once per user (a stamp in the state root)."""
    x = xvfb()
    first = brick("do", "--x11", "true", env=x.env())
    assert first.returncode == 0, first.stderr
    assert first.stderr.count("abstract socket") == 1, first.stderr
    assert (brick.root / ".noted-x11-abstract").exists()
    again = brick("do", "--x11", "true", env=x.env())
    assert again.returncode == 0 and again.stderr == "", again.stderr


def test_x11_without_a_server(brick):
    num = _free_display(150)
    cp = brick("do", "--x11", "true", env=dict(os.environ, DISPLAY=f":{num}"))
    assert cp.returncode == 1
    assert cp.stderr.strip() == f"brick: --x11: no X server on :{num} (no socket /tmp/.X11-unix/X{num}, abstract or not)"
    # a socket file left by a server that is gone: refused, named
    sock = f"/tmp/.X11-unix/X{num}"
    os.makedirs("/tmp/.X11-unix", mode=0o1777, exist_ok=True)
    s = socket.socket(socket.AF_UNIX)
    try:
        s.bind(sock)
        s.close()
        cp = brick("do", "--x11", "true", env=dict(os.environ, DISPLAY=f":{num}"))
        assert cp.returncode == 1
        assert cp.stderr.strip() == (f"brick: --x11: no X server on :{num} ({sock} refuses connections: left by a "
                                     "server that is gone?)")
    finally:
        s.close()
        os.unlink(sock)


def test_x11_wrong_xauthority_warns(brick, xvfb, workdir):
    """XAUTHORITY naming a missing file, or one that is no Xauthority file:
    one warning line, and the app runs without a cookie."""
    x = xvfb()
    junk = workdir / "junk"
    junk.write_bytes(b"\xff" * 7)
    for path, why in (("/nonexistent/xauth", "No such file or directory"),
                      (str(junk), "is not an Xauthority file")):
        cp = brick("do", "--x11", "--", "sh", "-c", 'echo "[$XAUTHORITY]"; xdpyinfo >/dev/null 2>&1 || echo refused',
                   env=x.env(XAUTHORITY=path))
        assert cp.returncode == 0, cp.stderr
        warnings = [l for l in cp.stderr.splitlines() if "XAUTHORITY" in l]
        assert len(warnings) == 1, cp.stderr
        assert warnings[0].startswith(f"brick: warning: --x11: XAUTHORITY={path}") and why in warnings[0]
        assert warnings[0].endswith(f"the container gets no cookie for :{x.num}")
        assert cp.stdout.split() == ["[]", "refused"]  # the server checks cookies: no way in


def test_x11_only_this_display(brick, xvfb):
    """Container for :A sees one socket, one cookie; :B is out of reach, by path and abstract socket."""
    a, b = xvfb(), xvfb()
    # put :A's full cookie file where the read-only host root would show it
    vt = Path(tempfile.mkdtemp(prefix="bkx-", dir="/var/tmp"))
    try:
        full = vt / "Xauthority"
        merged = subprocess.run(["sh", "-c", f"xauth -f {a.auth} nlist; xauth -f {b.auth} nlist"],
                                capture_output=True, text=True, check=True).stdout
        subprocess.run(["xauth", "-f", str(full), "nmerge", "-"], input=merged, text=True, check=True)
        script = (
            "ls /tmp/.X11-unix; echo ---; xauth -i -f \"$XAUTHORITY\" list; echo ---;"
            f" wc -c < {full}; echo ---;"
            f" DISPLAY=:{b.num} xdpyinfo >/dev/null 2>&1 && echo B-REACHED || echo B-refused;"
            " python3 -c \"import socket; s=socket.socket(socket.AF_UNIX);"
            f" s.connect('\\0/tmp/.X11-unix/X{b.num}')\" 2>/dev/null && echo ABSTRACT-REACHED || echo abstract-refused;"
            " xdpyinfo >/dev/null && echo A-ok")
        cp = brick("do", "--x11", "--", "sh", "-c", script, env=a.env(XAUTHORITY=str(full)))
        assert cp.returncode == 0, cp.stderr
        socks, cookies, size, rest = cp.stdout.split("---\n")
        assert socks.split() == [f"X{a.num}"]
        lines = [l for l in cookies.splitlines() if "MIT-MAGIC-COOKIE-1" in l]
        assert len(lines) == 1, cookies
        assert a.cookie() in lines[0] and b.cookie() not in cookies
        assert size.strip() == "0"  # the host's full Xauthority is masked
        assert "B-refused" in rest and "abstract-refused" in rest and "A-ok" in rest
    finally:
        shutil.rmtree(vt, ignore_errors=True)


def test_x11_untrusted(brick, xvfb):
    x = xvfb()
    cp = brick("do", "--x11=untrusted", "-u", "1000", "--", "sh", "-c",
               "xauth -i -f \"$XAUTHORITY\" list; xdpyinfo -queryExtensions | grep -c opcode", env=x.env())
    assert cp.returncode == 0, cp.stderr
    assert x.cookie() not in cp.stdout  # a new cookie, not the host's
    assert "MIT-MAGIC-COOKIE-1" in cp.stdout
    trusted = brick("do", "--x11", "--", "sh", "-c", "xdpyinfo -queryExtensions | grep -c opcode", env=x.env())
    assert int(cp.stdout.split()[-1]) < int(trusted.stdout.split()[-1])  # SECURITY hides extensions


def test_x11_screenshot(brick, xvfb):
    """An X client in a container draws a window; a screenshot of the display shows it."""
    need("xclock", "xwd", "xwininfo")
    convert = shutil.which("convert") or pytest.skip("imagemagick missing")
    x = xvfb()
    cid = new_id()
    brick.ok("do", "-d", "--name", cid, "--x11", "--", "xclock", "-update", "1", "-geometry", "300x300+90+30",
             "-bg", "white", "-fg", "navy", "-hd", "red", "-hl", "red", env=x.env())
    try:
        assert wait_for(lambda: "xclock" in subprocess.run(["xwininfo", "-root", "-tree"], env=x.env(),
                                                           capture_output=True, text=True).stdout, 10)
        time.sleep(1.5)
        # the README's picture is refreshed only on request, never by CI runs
        out = (REPO / "docs" / "images" / "desktop-xclock.png" if os.environ.get("BRICK_UPDATE_SCREENSHOT")
               else Path(tempfile.mkdtemp(prefix="brick-shot-")) / "desktop-xclock.png")
        out.parent.mkdir(parents=True, exist_ok=True)
        xwd = subprocess.run(["xwd", "-root", "-silent"], env=x.env(), capture_output=True, check=True).stdout
        subprocess.run([convert, "xwd:-", f"png:{out}"], input=xwd, check=True)
        # the window is there: white pixels in the clock's area, black outside
        stats = subprocess.run([convert, str(out), "-crop", "300x300+90+30", "-format", "%[fx:mean]", "info:"],
                               capture_output=True, text=True, check=True).stdout
        corner = subprocess.run([convert, str(out), "-crop", "60x60+0+300", "-format", "%[fx:mean]", "info:"],
                                capture_output=True, text=True, check=True).stdout
        assert float(stats) > 0.5 and float(corner) < 0.05, (stats, corner)
    finally:
        brick.ok("delete", "-f", cid)
        if not os.environ.get("BRICK_UPDATE_SCREENSHOT") and "out" in locals():
            shutil.rmtree(out.parent, ignore_errors=True)


def test_x11_rootless_screenshot(ubrick, xvfb):
    """The desktop case as a normal user: xclock from an unprivileged
    `brick do --x11` (a user namespace of its own, no cgroup) draws on the
    display; the cookie handed in is the one display's only."""
    need("xclock", "xwd", "xwininfo", "xdpyinfo")
    convert = shutil.which("convert") or pytest.skip("imagemagick missing")
    x = xvfb()
    u = ubrick.user
    env = _user_display(ubrick, x)
    cp = ubrick("do", "--x11", "--", "sh", "-c", "id -u; xdpyinfo | grep '^name of display'", env=env)
    assert cp.returncode == 0, cp.stderr
    assert cp.stdout.split()[0] == str(u["uid"]) and x.display in cp.stdout
    cid = new_id()
    cp = ubrick("do", "-d", "--name", cid, "--x11", "--", "xclock", "-update", "1", "-geometry",
                "200x200+40+40", "-bg", "white", env=env)
    assert cp.returncode == 0, cp.stderr
    shot = Path(tempfile.mkdtemp(prefix="brick-shot-"))
    try:
        assert wait_for(lambda: "xclock" in subprocess.run(["xwininfo", "-root", "-tree"], env=x.env(),
                                                           capture_output=True, text=True).stdout, 10)
        time.sleep(1.5)
        xwd = subprocess.run(["xwd", "-root", "-silent"], env=x.env(), capture_output=True, check=True).stdout
        subprocess.run([convert, "xwd:-", f"png:{shot}/rootless.png"], input=xwd, check=True)
        inside = subprocess.run([convert, f"{shot}/rootless.png", "-crop", "200x200+40+40", "-format",
                                 "%[fx:mean]", "info:"], capture_output=True, text=True, check=True).stdout
        assert float(inside) > 0.5, inside
    finally:
        ubrick("delete", "-f", cid)
        shutil.rmtree(shot, ignore_errors=True)


def _user_display(ubrick, x):
    """The environment of a rootless `brick do` on display x: a copy of its
    cookie file in the user's home, owned by the user."""
    auth = ubrick.home / "Xauthority"
    shutil.copy(x.auth, auth)
    os.chown(auth, ubrick.user["uid"], ubrick.user["gid"])
    return {"DISPLAY": x.display, "XAUTHORITY": str(auth)}


def _window(x, name, timeout=20):
    """Wait for a window of at least 50x50 whose xwininfo line names `name`
    (not the 10x10 group leaders toolkits make); its (w, h, left, top)."""
    found = []

    def look():
        tree = subprocess.run(["xwininfo", "-root", "-tree"], env=x.env(), capture_output=True, text=True).stdout
        for line in tree.splitlines():
            m = re.search(r"(\d+)x(\d+)\+-?\d+\+-?\d+\s+\+(-?\d+)\+(-?\d+)\s*$", line)
            if name in line and m and int(m[1]) >= 50 and int(m[2]) >= 50:
                found.append(tuple(int(v) for v in m.groups()))
                return True
        return False
    assert wait_for(look, timeout, interval=0.2), f"no window {name!r} on {x.display} after {timeout}s"
    return found[-1]


def _wait_drawn(x, area, fmt, drawn, timeout=20):
    """Screenshot the display (xwd) until the statistics `fmt` (ImageMagick
    fx escapes) of `area` (w, h, left, top) satisfy drawn(values); the values."""
    w, h, left, top = area
    last = []

    def shot():
        xwd = subprocess.run(["xwd", "-root", "-silent"], env=x.env(), capture_output=True, check=True).stdout
        out = subprocess.run(["convert", "xwd:-", "-crop", f"{w}x{h}+{left}+{top}", "-format", fmt, "info:"],
                             input=xwd, capture_output=True, check=True).stdout
        last[:] = [float(v) for v in out.split()]
        return drawn(last)
    wait_for(shot, timeout, interval=0.5)
    return last


def _stop_foreground(ubrick, cid, p):
    """End a foreground rootless `brick do --die-with-parent` (the profiles
    have it: no -d) by deleting its container; its stderr."""
    ubrick("delete", "-f", cid)
    try:
        return p.communicate(timeout=20)[1]
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        return p.communicate()[1]


def _renderer_sandboxed(uid):
    """Chromium's namespace sandbox as seen from the host: a renderer of
    user uid in a user and pid namespace other than its browser process's."""
    procs = {}
    for d in Path("/proc").iterdir():
        try:
            # not the directory's owner: that is root for a non-dumpable process (the renderers)
            if d.name.isdigit() and f"\nUid:\t{uid}\t" in (d / "status").read_text():
                cmd = (d / "cmdline").read_bytes().replace(b"\0", b" ")  # chromium rewrites it as one string
                if cmd.startswith(b"/usr/lib/chromium/chromium "):
                    kind = re.search(rb" --type=(\S+)", cmd)
                    procs.setdefault(kind[1] if kind else b"browser", []).append(
                        {n: os.readlink(d / "ns" / n) for n in ("user", "pid")})
        except OSError:
            continue  # gone meanwhile
    browsers, renderers = procs.get(b"browser", []), procs.get(b"renderer", [])
    return len(browsers) == 1 and renderers and all(
        r["user"] != browsers[0]["user"] and r["pid"] != browsers[0]["pid"] for r in renderers)


def test_chromium_rootless_screenshot(ubrick, xvfb, workdir):
    """Chromium from an unprivileged `brick do --profile browser`, with its
    own sandbox (the profile's --allow-nested-ns lets it build its user and
    pid namespaces inside the container's; no --no-sandbox), draws a local
    page whose body is solid red at a known place on the display."""
    need("chromium", "xwd", "xwininfo", "convert")
    x = xvfb()
    u = ubrick.user
    env = _user_display(ubrick, x)
    page = ubrick.home / "page"  # bound at the same path: the container's /tmp is its own
    page.mkdir()
    (page / "red.html").write_text("<!doctype html><body style='margin:0;background:#ff0000'></body>")
    os.chown(page, u["uid"], u["gid"])
    # the user's sound server (a socket nobody answers): --audio binds it as the user
    (ubrick.home / "xdg" / "pulse").mkdir()
    os.chown(ubrick.home / "xdg" / "pulse", u["uid"], u["gid"])
    pulse = socket.socket(socket.AF_UNIX)
    pulse.bind(str(ubrick.home / "xdg" / "pulse" / "native"))
    pulse.listen(8)
    cid = new_id()
    try:
        cp = ubrick("do", "--profile", "browser", "--", "sh", "-c",
                    'test -S "${PULSE_SERVER#unix:}" && echo pulse; df -k /dev/shm | tail -1', env=env)
        assert cp.returncode == 0, cp.stderr
        assert cp.stdout.split()[0] == "pulse" and cp.stdout.split()[2] == str(1 << 20), cp.stdout
        p = ubrick.popen("do", "--name", cid, "--profile", "browser", "-v", f"{page}:{page}:ro", "--",
                         "chromium", "--disable-gpu", "--no-first-run", "--user-data-dir=/tmp/chromium",
                         "--window-position=60,50", "--window-size=320,240", f"--app=file://{page}/red.html",
                         env=env)
        try:
            area = _window(x, "red.html")
            assert area == (320, 240, 60, 50), area
            inside = (area[0] - 20, area[1] - 20, area[2] + 10, area[3] + 10)
            rgb = _wait_drawn(x, inside, "%[fx:mean.r] %[fx:mean.g] %[fx:mean.b]",
                              lambda v: v[0] > 0.95 and v[1] < 0.05 and v[2] < 0.05)
            assert rgb[0] > 0.95 and rgb[1] < 0.05 and rgb[2] < 0.05, f"the page is not drawn: mean rgb {rgb}"
            assert wait_for(lambda: _renderer_sandboxed(u["uid"]), 10), "chromium's renderers are not sandboxed"
        finally:
            err = _stop_foreground(ubrick, cid, p)
        assert "No usable sandbox" not in err, err
    finally:
        pulse.close()


def test_gtk_rootless_screenshot(ubrick, xvfb):
    """A GTK 3 dialog (zenity) from an unprivileged `brick do --profile gui`
    draws its window: GTK's light background with dark text on it."""
    need("zenity", "xwd", "xwininfo", "convert")
    x = xvfb()
    cid = new_id()
    p = ubrick.popen("do", "--name", cid, "--profile", "gui", "--", "zenity", "--info", "--title", "brick-gtk",
                     "--text", "drawn by GTK in a rootless brick", "--timeout", "120", env=_user_display(ubrick, x))
    try:
        area = _window(x, "brick-gtk")
        mean, dev, low = _wait_drawn(x, area, "%[fx:mean] %[fx:standard_deviation] %[fx:minima]",
                                     lambda v: v[0] > 0.6 and v[1] > 0.02 and v[2] < 0.3)
        assert mean > 0.6 and dev > 0.02 and low < 0.3, f"no GTK drawing: mean {mean}, deviation {dev}, min {low}"
    finally:
        _stop_foreground(ubrick, cid, p)


@pytest.fixture
def weston():
    need("weston", "wayland-info")
    d = Path(tempfile.mkdtemp(prefix="bkwl-"))
    d.chmod(0o700)
    p = subprocess.Popen(["weston", "--backend=headless-backend.so", "--socket=wayland-bk", "--idle-time=0"],
                         env=dict(os.environ, XDG_RUNTIME_DIR=str(d)), stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        assert wait_for(lambda: (d / "wayland-bk").exists(), 15), "weston did not start"
        yield d
    finally:
        p.terminate()
        try:
            p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        shutil.rmtree(d, ignore_errors=True)


def test_wayland(brick, weston):
    (weston / "secret").write_text("not for the container")
    env = dict(os.environ, XDG_RUNTIME_DIR=str(weston), WAYLAND_DISPLAY="wayland-bk")
    cp = brick("do", "--wayland", "--", "sh", "-c",
               'echo "$XDG_RUNTIME_DIR $WAYLAND_DISPLAY"; ls "$XDG_RUNTIME_DIR"; wayland-info', env=env)
    assert cp.returncode == 0, cp.stderr
    lines = cp.stdout.splitlines()
    assert lines[0] == "/run/user/0 wayland-bk"
    assert lines[1] == "wayland-bk"  # the socket alone, not the rest of the runtime dir
    assert "wl_compositor" in cp.stdout


def test_audio_socket(brick, workdir):
    rt = Path(tempfile.mkdtemp(prefix="bka-"))
    try:
        (rt / "pulse").mkdir()
        srv = socket.socket(socket.AF_UNIX)
        srv.bind(str(rt / "pulse" / "native"))
        srv.listen(1)
        cp = brick("do", "--audio", "--", "sh", "-c",
                   'echo "$PULSE_SERVER"; cat "$PULSE_CLIENTCONFIG";'
                   ' python3 -c "import socket,os; s=socket.socket(socket.AF_UNIX);'
                   ' s.connect(os.environ[\'PULSE_SERVER\'][5:]); print(\'connected\')"',
                   env=dict(os.environ, XDG_RUNTIME_DIR=str(rt)))
        srv.close()
        assert cp.returncode == 0, cp.stderr
        assert cp.stdout.startswith("unix:/run/user/0/pulse/native\n")
        assert "enable-shm = no" in cp.stdout and "connected" in cp.stdout
    finally:
        shutil.rmtree(rt, ignore_errors=True)


def test_device_and_cgroup_rule(brick):
    if not os.path.exists("/dev/fuse"):
        pytest.skip("no /dev/fuse")
    opener = "exec 3<>/dev/mydev && echo opened-rw"
    cp = brick("do", "--device", "/dev/fuse:/dev/mydev:rw", "--", "sh", "-c", f"ls -l /dev/mydev; {opener}")
    assert cp.returncode == 0, cp.stderr
    assert cp.stdout.startswith("c") and "opened-rw" in cp.stdout
    cp = brick("do", "--device", "/dev/fuse:/dev/mydev:r", "--", "sh", "-c", opener)
    assert cp.returncode != 0 and "Operation not permitted" in cp.stderr


def test_group_add_and_shm_size(brick):
    cp = brick("do", "-u", "1000:1000", "--group-add", "4321", "--shm-size", "256m", "--", "sh", "-c",
               "id -G; df -k /dev/shm | tail -1")
    assert cp.returncode == 0, cp.stderr
    assert "4321" in cp.stdout.splitlines()[0].split()
    assert cp.stdout.splitlines()[1].split()[1] == str(256 * 1024)


def test_nested_namespaces(brick):
    need("unshare")
    cmd = ["unshare", "--user", "--map-root-user", "--pid", "--net", "--fork", "id", "-u"]
    cp = brick("do", "--", *cmd)
    assert cp.returncode != 0  # the default profile denies it
    cp = brick("do", "--allow-nested-ns", "--", *cmd)
    assert cp.returncode == 0, cp.stderr
    assert cp.stdout.strip() == "0"


def test_die_with_parent(brick):
    cid = new_id()
    p = brick.popen("do", "--name", cid, "--die-with-parent", "--", "sleep", "600")
    assert wait_for(lambda: (brick.root / cid / "state.json").exists(), 10)
    st = brick.state(cid)
    assert wait_for(lambda: brick.state(cid)["status"] == "running", 10)
    os.kill(p.pid, signal.SIGKILL)  # no chance to clean up: the guard does
    p.wait()
    assert wait_for(lambda: not pid_alive(st["pid"]), 10)
    assert wait_for(lambda: not (brick.root / cid).exists(), 10)
    # the guard removes the state first, then its files, then exits (slowly under ASan)
    assert wait_for(lambda: not tagged_procs_alive(), 20), tagged_procs_alive()


def test_die_with_parent_refuses_detach(brick):
    cp = brick("do", "-d", "--die-with-parent", "--", "true")
    assert cp.returncode != 0 and "detached" in cp.stderr


def test_profiles(brick, workdir):
    cp = brick("do", "--profile", "help")
    assert cp.returncode == 0, cp.stderr
    for name in ("browser", "editor", "gui", "mail", "media", "office", "terminal", "x11-untrusted"):
        assert f"  {name} " in cp.stdout
    # a user's own profile, found in ~/.config/brick/profiles; a later flag wins
    conf = workdir / "conf" / "brick" / "profiles"
    conf.mkdir(parents=True)
    (conf / "mine.profile").write_text("description=test\ngroup-add=4242\nshm-size=128m\nhostname=prof\n")
    env = dict(os.environ, XDG_CONFIG_HOME=str(workdir / "conf"))
    cp = brick("do", "--profile", "mine", "--hostname", "flag", "--", "sh", "-c", "id -G; hostname", env=env)
    assert cp.returncode == 0, cp.stderr
    assert "4242" in cp.stdout.split() and cp.stdout.split()[-1] == "flag"
    cp = brick("do", "--profile", "nope", "--", "true", env=env)
    assert cp.returncode != 0 and 'no profile "nope"' in cp.stderr


def test_gpu_without_gpu(brick):
    if os.path.exists("/dev/dri") or any(n.startswith("nvidia") for n in os.listdir("/dev")):
        pytest.skip("this machine has a GPU")
    # the caller's --gpu demands one; --gpu=auto (and a profile's gpu) wishes for one
    cp = brick("do", "--gpu", "--", "true")
    assert cp.returncode == 1
    assert cp.stderr.startswith("brick: --gpu: no GPU on this host (no /dev/dri/renderD*, no /dev/nvidia*)")
    cp = brick("do", "--gpu=auto", "--", "true")
    assert cp.returncode == 0, cp.stderr
    assert cp.stderr == ("brick: note: not on this host, left out: a GPU (no /dev/dri/renderD*, no /dev/nvidia*: "
                         "software rendering); --no-gpu to not ask\n")
