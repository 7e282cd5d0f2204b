"""brick do --profile NAME, as a normal user runs it (issue 19 item 6).

Each shipped profile starts a real app of its kind on an Xvfb display, from an
unprivileged `brick do` with no sound server and no GPU: in the foreground and
detached (-d, its output in `brick logs`), and a screenshot shows the window
drawn. What a profile asks of the host and the host lacks (sound, a GPU,
Wayland, a device) is left out with one note; the caller's own flags still
fail; --no-FLAG and --FLAG=none turn a profile's flag off. The browser profile's
screenshot is test_desktop.py::test_chromium_rootless_screenshot.
Packages (Debian): xvfb x11-utils xauth imagemagick xterm mousepad abiword sylpheed mpv slirp4netns.
"""
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from conftest import REPO, brick_only, new_id, wait_for
from test_desktop import _stop_foreground, _user_display, _wait_drawn, _window, need, xvfb  # noqa: F401
from test_net_user import tun_for_users  # noqa: F401

pytestmark = brick_only

SCREEN = "800x600x24"

# profile: (program, its argv, a word of its window's title, how many colours a drawn window has at least)
APPS = {
    "terminal": ("xterm", ["xterm", "-T", "brick-terminal", "-geometry", "48x8+0+0", "-bg", "white", "-fg", "navy",
                           "-e", "sh", "-c", "echo drawn in a brick terminal; echo network: $(tail -n +3 "
                           "/proc/net/dev | cut -d: -f1); echo home: $HOME, $(ls -A ~ | wc -l) files; exec sleep 600"],
                 "brick-terminal", 2),
    "editor": ("mousepad", ["mousepad", "notes.txt"], "notes.txt", 8),
    "office": ("abiword", ["abiword", "--geometry=640x480+0+0", "letter.txt"], "letter.txt", 8),
    "mail": ("sylpheed", ["sylpheed"], "Sylpheed", 8),
    "media": ("mpv", ["mpv", "--no-config", "--vo=x11", "--geometry=320x240+0+0", "--title=brick-media",
                      "av://lavfi:testsrc=size=320x240:rate=5"], "brick-media", 100),
}


def _no_gpu():
    return not os.path.exists("/dev/dri") and not any(n.startswith("nvidia") for n in os.listdir("/dev"))


def _left_out(stderr):
    return [ln for ln in stderr.splitlines() if ln.startswith("brick: note: not on this host, left out: ")]


def _session(ubrick, x):
    """A desktop session's environment: the display, its cookie, a UTF-8 locale
    (without one, GTK 2 apps such as sylpheed stop at a question about file names)."""
    return dict(_user_display(ubrick, x), LANG="C.UTF-8")


def _docs(ubrick):
    """The user's documents, bound at the same path (the container's /tmp is its own)."""
    d = ubrick.home / "docs"
    d.mkdir(exist_ok=True)
    (d / "notes.txt").write_text("edited in a brick sandbox\n")
    (d / "letter.txt").write_text("Dear reader,\nthis letter was opened in a brick sandbox.\n")
    for p in (d, d / "notes.txt", d / "letter.txt"):
        os.chown(p, ubrick.user["uid"], ubrick.user["gid"])
    return ["-v", f"{d}:{d}", "-w", str(d)]


def _gone(x, name):
    tree = subprocess.run(["xwininfo", "-root", "-tree"], env=x.env(), capture_output=True, text=True).stdout
    return name not in tree


def _shot(x, name, area):
    """The window's area of the display as a PNG: in docs/images on request
    (BRICK_UPDATE_SCREENSHOT; never by CI runs), else a temporary file."""
    if os.environ.get("BRICK_UPDATE_SCREENSHOT"):
        out = REPO / "docs" / "images" / f"profile-{name}.png"
    else:
        out = Path(tempfile.mkdtemp(prefix="brick-shot-")) / f"profile-{name}.png"
    xwd = subprocess.run(["xwd", "-root", "-silent"], env=x.env(), capture_output=True, check=True).stdout
    w, h, left, top = area
    subprocess.run(["convert", "xwd:-", "-crop", f"{w}x{h}+{max(left, 0)}+{max(top, 0)}", "+repage", f"png:{out}"],
                   input=xwd, check=True)
    return out


@pytest.mark.parametrize("profile", sorted(APPS))
def test_profile_app_screenshot(ubrick, xvfb, tun_for_users, profile):
    """`brick do --profile NAME -- APP` draws APP's window, in the foreground
    and detached; the only note is about what the profile wished for and
    this host lacks (the media player's sound and GPU)."""
    program, argv, title, colours = APPS[profile]
    need(program, "xwd", "xwininfo", "convert")
    if profile == "mail":
        need("slirp4netns")
    x = xvfb(screen=SCREEN)
    env = _session(ubrick, x)
    vol = _docs(ubrick)

    cid = new_id()
    p = ubrick.popen("do", "--name", cid, "--profile", profile, *vol, "--", *argv, env=env)
    try:
        area = _window(x, title, timeout=40)
        count, dev = _wait_drawn(x, area, "%k %[fx:standard_deviation]",
                                 lambda v: v[0] >= colours and v[1] > 0.03, timeout=30)
        assert count >= colours and dev > 0.03, f"{program} drew nothing: {count} colours, deviation {dev}"
        shot = _shot(x, profile, area)
        if not os.environ.get("BRICK_UPDATE_SCREENSHOT"):
            shutil.rmtree(shot.parent, ignore_errors=True)
    finally:
        err = _stop_foreground(ubrick, cid, p)
    notes = _left_out(err)
    if profile == "media":  # a profile's sound and GPU are wishes: one note, no error
        assert len(notes) == 1 and "sound (no sound server at " in notes[0], err
        assert ("a GPU (" in notes[0]) == _no_gpu(), err
    else:
        assert notes == [], err
    assert wait_for(lambda: _gone(x, title), 15), f"{program}'s window outlived its container"

    # detached: the name printed, the output in its log, the window drawn
    cid = new_id()
    cp = ubrick("do", "-d", "--name", cid, "--profile", profile, *vol, "--", *argv, env=env)
    try:
        assert cp.returncode == 0, cp.stderr
        assert cp.stdout.strip() == cid
        assert ubrick.state(cid)["status"] == "running"
        area = _window(x, title, timeout=40)
        _wait_drawn(x, area, "%k", lambda v: v[0] >= colours, timeout=30)
        assert ubrick("logs", cid).returncode == 0
    finally:
        ubrick("delete", "-f", cid)


def test_profiles_network(ubrick, xvfb, tun_for_users):
    """As tight as the app allows: no network but loopback for the local apps;
    mail has one of its own (--net user: a tap device and a default route)."""
    x = xvfb()
    env = _session(ubrick, x)
    for profile in ("terminal", "editor", "office", "media", "gui"):
        cp = ubrick("do", "--profile", profile, "--no-audio", "--no-gpu", "--", "sh", "-c",
                    "tail -n +3 /proc/net/dev | cut -d: -f1", env=env)
        assert cp.returncode == 0, cp.stderr
        assert cp.stdout.split() == ["lo"], (profile, cp.stdout)
    need("slirp4netns")
    cp = ubrick("do", "--profile", "mail", "--", "cat", "/proc/net/route", env=env)
    assert cp.returncode == 0, cp.stderr
    default = [ln.split() for ln in cp.stdout.splitlines()[1:] if ln.split()[1] == "00000000"]
    assert default and default[0][0] == "tap0", cp.stdout


def test_profile_wishes_and_no_flags(ubrick, xvfb, workdir):
    """A profile's devices are wishes, left out with one note; --no-FLAG and
    --FLAG=none turn them off (no note); the caller's own flags still fail."""
    x = xvfb()
    env = _session(ubrick, x)
    show = 'echo "[$PULSE_SERVER]"'
    cp = ubrick("do", "--profile", "media", "--", "sh", "-c", show, env=env)
    assert cp.returncode == 0, cp.stderr
    assert cp.stdout.strip() == "[]"
    notes = _left_out(cp.stderr)
    assert len(notes) == 1 and "--no-audio" in notes[0], cp.stderr
    cp = ubrick("do", "--profile", "media", "--no-audio", "--no-gpu", "--", "sh", "-c", show, env=env)
    assert cp.returncode == 0 and cp.stdout.strip() == "[]", cp.stderr
    assert _left_out(cp.stderr) == [] and "note" not in cp.stderr, cp.stderr
    # the caller's own --audio and --gpu demand them
    cp = ubrick("do", "--profile", "media", "--audio", "--", "true", env=env)
    assert cp.returncode == 1 and "brick: --audio (PulseAudio or pipewire-pulse): " in cp.stderr, cp.stderr
    if _no_gpu():
        cp = ubrick("do", "--profile", "media", "--no-audio", "--gpu", "--", "true", env=env)
        assert cp.returncode == 1 and "brick: --gpu: no GPU on this host" in cp.stderr, cp.stderr

    # with a sound server (a socket of the user's): the profile's sound; turned off, none
    u = ubrick.user
    (ubrick.home / "xdg" / "pulse").mkdir()
    os.chown(ubrick.home / "xdg" / "pulse", u["uid"], u["gid"])
    pulse = socket.socket(socket.AF_UNIX)
    pulse.bind(str(ubrick.home / "xdg" / "pulse" / "native"))
    pulse.listen(8)
    try:
        sound = f"[unix:/run/user/{u['uid']}/pulse/native]"
        for flags, want in (((), sound), (("--no-audio",), "[]"), (("--audio=none",), "[]"),
                            (("--no-audio", "--audio"), sound)):
            cp = ubrick("do", "--profile", "media", "--no-gpu", *flags, "--", "sh", "-c", show, env=env)
            assert cp.returncode == 0, cp.stderr
            assert cp.stdout.strip() == want, (flags, cp.stdout)
    finally:
        pulse.close()

    # a profile's nested namespaces, turned off: the default seccomp profile's refusal again
    need("unshare")
    unshare = ["unshare", "--user", "--map-root-user", "true"]
    cp = ubrick("do", "--profile", "browser", "--no-audio", "--no-gpu", "--", *unshare, env=env)
    assert cp.returncode == 0, cp.stderr
    cp = ubrick("do", "--profile", "browser", "--no-audio", "--no-gpu", "--no-allow-nested-ns", "--", *unshare,
                env=env)
    assert cp.returncode != 0

    # a user's own profile asking for Wayland and a webcam: X11 and no webcam here, said once
    conf = ubrick.home / "conf" / "brick" / "profiles"
    conf.mkdir(parents=True)
    (conf / "cam.profile").write_text("description=a webcam app\nwayland\ndevice=/dev/brick-no-such-cam\n"
                                      "die-with-parent\n")
    for p in (ubrick.home / "conf", ubrick.home / "conf" / "brick", conf, conf / "cam.profile"):
        os.chown(p, u["uid"], u["gid"])
    cenv = dict(env, XDG_CONFIG_HOME=str(ubrick.home / "conf"))
    cp = ubrick("do", "--profile", "cam", "--", "sh", "-c", 'echo "[$DISPLAY] [$WAYLAND_DISPLAY]"; ls /dev',
                env=cenv)
    assert cp.returncode == 0, cp.stderr
    assert cp.stdout.splitlines()[0] == f"[{x.display}] []"
    assert "brick-no-such-cam" not in cp.stdout
    assert _left_out(cp.stderr) == ["brick: note: not on this host, left out: Wayland (no compositor: X11 "
                                    "instead), /dev/brick-no-such-cam (missing); --x11 to not ask"], cp.stderr
    # the caller's own --device still fails
    cp = ubrick("do", "--profile", "cam", "--device", "/dev/brick-no-such-cam", "--", "true", env=cenv)
    assert cp.returncode == 1 and "brick: --device /dev/brick-no-such-cam: No such file" in cp.stderr, cp.stderr

    # detached with a profile's die-with-parent: it means nothing there, and is dropped
    cid = new_id()
    cp = ubrick("do", "-d", "--name", cid, "--profile", "cam", "--", "sh", "-c", "echo detached; sleep 60", env=cenv)
    try:
        assert cp.returncode == 0, cp.stderr
        assert wait_for(lambda: ubrick("logs", cid).stdout == "detached\n", 10)
    finally:
        ubrick("delete", "-f", cid)
    # the caller's own -d --die-with-parent is refused as before
    cp = ubrick("do", "-d", "--profile", "cam", "--die-with-parent", "--", "true", env=cenv)
    assert cp.returncode == 1 and "detached" in cp.stderr


def test_no_flags_of_do(brick):
    """--no-FLAG for do's own booleans: the last one given wins."""
    cp = brick("do", "--no-init", "--init", "--", "sh", "-c", "cat /proc/1/comm")
    assert cp.returncode == 0, cp.stderr
    assert cp.stdout.strip() != "sh"  # brick's init is pid 1 again
    cp = brick("do", "--init", "--no-init", "--", "sh", "-c", "cat /proc/1/comm")
    assert cp.stdout.strip() == "sh", cp.stderr
    cid = new_id()
    cp = brick("do", "-d", "--no-detach", "--name", cid, "--", "echo", "foreground")
    assert cp.returncode == 0 and cp.stdout == "foreground\n", cp.stderr
    cp = brick("do", "--print-spec", "--no-print-spec", "--", "true")
    assert cp.returncode == 0 and cp.stdout == "", cp.stderr
    cp = brick("do", "--no-audo", "--", "true")
    assert cp.returncode == 1 and "did you mean '--no-audio'" in cp.stderr, cp.stderr


def test_profiles_detached_browser_gui_untrusted(ubrick, xvfb, workdir):
    """The other shipped profiles detached too: chromium from --profile browser
    (its own sandbox, a local page), xclock from --profile gui and from
    --profile x11-untrusted; each window drawn, then closed by brick delete."""
    need("chromium", "xclock", "xwd", "xwininfo", "convert")
    x = xvfb(screen=SCREEN)
    env = _session(ubrick, x)
    page = ubrick.home / "page"
    page.mkdir()
    (page / "green.html").write_text("<!doctype html><title>brick-green</title>"
                                     "<body style='margin:0;background:#00c000'></body>")
    os.chown(page, ubrick.user["uid"], ubrick.user["gid"])
    runs = {
        "browser": (["-v", f"{page}:{page}:ro", "--", "chromium", "--disable-gpu", "--no-first-run",
                     "--user-data-dir=/tmp/chromium", "--window-position=0,0", "--window-size=320,240",
                     f"--app=file://{page}/green.html"], "green.html",
                    "%[fx:mean.g]", lambda v: v[0] > 0.6),
        "gui": (["--", "xclock", "-geometry", "200x200+0+0", "-title", "brick-gui", "-bg", "white"], "brick-gui",
                "%[fx:mean]", lambda v: v[0] > 0.5),
        "x11-untrusted": (["--", "xclock", "-geometry", "200x200+0+0", "-title", "brick-untrusted", "-bg", "white"],
                          "brick-untrusted", "%[fx:mean]", lambda v: v[0] > 0.5),
    }
    for profile, (args, title, fmt, drawn) in runs.items():
        cid = new_id()
        cp = ubrick("do", "-d", "--name", cid, "--profile", profile, *args, env=env)
        try:
            assert cp.returncode == 0, (profile, cp.stderr)
            assert cp.stdout.strip() == cid
            area = _window(x, title, timeout=40)
            inside = (min(area[0], 200) - 20, min(area[1], 200) - 20, area[2] + 10, area[3] + 10)
            v = _wait_drawn(x, inside, fmt, drawn, timeout=30)
            assert drawn(v), (profile, v)
        finally:
            ubrick("delete", "-f", cid)
        assert wait_for(lambda: _gone(x, title), 15), f"{profile}: the window outlived its container"
