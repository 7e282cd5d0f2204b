"""Sharing namespaces by name: container:NAME resolved through pidfds."""
import json
import os

from conftest import brick_only, new_id

pytestmark = brick_only


def ns_of(brick, cid, kind):
    cp = brick.ok("exec", cid, "readlink", f"/proc/self/ns/{kind}")
    return cp.stdout.strip()


def test_join_net_and_pid_by_name(brick):
    app = new_id()
    brick.ok("do", "-d", "--name", app, "sleep", "60")
    side = new_id()
    brick.ok("do", "-d", "--name", side, "--net", f"container:{app}", "--pid", f"container:{app}", "sleep", "60")
    assert ns_of(brick, app, "net") == ns_of(brick, side, "net")
    assert ns_of(brick, app, "pid") == ns_of(brick, side, "pid")
    assert ns_of(brick, app, "uts") != ns_of(brick, side, "uts")
    st = brick.state(side)
    assert st["namespaces"]["net"]["joined"] is True
    assert st["namespaces"]["net"]["from"] == app
    assert st["namespaces"]["net"]["inode"] == brick.state(app)["namespaces"]["net"]["inode"]
    assert st["namespaces"]["uts"]["joined"] is False
    lst = brick.ok("list").stdout
    assert "SHARES" in lst and f"net<-{app}" in lst
    js = json.loads(brick.ok("list", "--format", "json").stdout)
    assert any(c["id"] == side and c["namespaces"]["pid"]["from"] == app for c in js)
    brick.ok("delete", "-f", side)
    brick.ok("delete", "-f", app)


def test_join_stopped_target_is_refused(brick):
    app = new_id()
    brick.ok("do", "--keep", "--name", app, "true")
    cp = brick("do", "--net", f"container:{app}", "true")
    assert cp.returncode == 1
    assert f"--net container:{app}" in cp.stderr and "stopped" in cp.stderr
    brick.ok("delete", app)


def test_join_ns_path(brick):
    cp = brick.ok("do", "--net", f"ns:/proc/{os.getpid()}/ns/net", "readlink", "/proc/self/ns/net")
    assert cp.stdout.strip() == os.readlink("/proc/self/ns/net")


def test_user_namespace_incompatible(brick):
    a = new_id()
    brick.ok("do", "-d", "--name", a, "--user", "new", "sleep", "60")
    b = new_id()
    brick.ok("do", "-d", "--name", b, "--user", "new", "sleep", "60")
    cp = brick("do", "--user", f"container:{a}", "--net", f"container:{b}", "true")
    assert cp.returncode == 1 and "user namespace" in cp.stderr, cp.stderr
    # joining the user namespace and a namespace it owns works
    cp = brick("do", "--user", f"container:{a}", "--net", f"container:{a}", "readlink", "/proc/self/ns/user")
    assert cp.returncode == 0, cp.stderr
    assert cp.stdout.strip() == ns_of(brick, a, "user")
    brick.ok("delete", "-f", a)
    brick.ok("delete", "-f", b)
