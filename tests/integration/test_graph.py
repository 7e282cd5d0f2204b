"""brick graph: namespaces by inode, edges where containers share them."""
import shutil
import subprocess

import pytest

from conftest import brick_only, new_id

pytestmark = brick_only


def test_graph_text_and_dot(brick):
    a, b = new_id(), new_id()
    brick.ok("do", "-d", "--name", a, "sleep", "60")
    brick.ok("do", "-d", "--name", b, "--net", f"container:{a}", "sleep", "60")
    ino = brick.state(a)["namespaces"]["net"]["inode"]
    text = brick.ok("graph").stdout
    line = [l for l in text.splitlines() if l.startswith("net ")][0]
    assert str(ino) in line and "yes" in line and a in line and b in line
    assert not [l for l in text.splitlines() if l.startswith("uts ")]  # not shared
    assert [l for l in brick.ok("graph", "--all").stdout.splitlines() if l.startswith("uts ")]
    dot = brick.ok("graph", "--format", "dot").stdout
    assert dot.startswith("graph brick {")
    assert f'"c:{a}" -- "ns:net:{ino}"' in dot and f'"c:{b}" -- "ns:net:{ino}"' in dot
    if not shutil.which("dot"):
        subprocess.run(["apt-get", "install", "-y", "graphviz"], capture_output=True, timeout=300)
    if shutil.which("dot"):
        svg = brick.ok("graph", "--format", "svg").stdout
        assert "<svg" in svg and a in svg
    brick.ok("delete", "-f", b)
    brick.ok("delete", "-f", a)
    cp = brick("graph", "--format", "png")
    assert cp.returncode == 1 and "--format" in cp.stderr
