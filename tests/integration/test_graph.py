"""brick graph: namespaces by inode; the picture shows what containers share."""
import html
import re
import shutil
import struct
import subprocess
import zlib

import pytest

from conftest import brick_only, new_id, ISSUED_IDS

pytestmark = brick_only


def need_dot():
    if not shutil.which("dot"):
        subprocess.run(["apt-get", "install", "-y", "graphviz"], capture_output=True, timeout=300)
    if not shutil.which("dot"):
        pytest.fail("Graphviz's dot is not installed (./dev deps installs graphviz)")


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
    node = re.search(r'"(ns:\d+)" \[[^\n]*tooltip="net %d"' % ino, dot).group(1)
    assert f'"c:{a}" -- "{node}"' in dot and f'"{node}" -- "c:{b}"' in dot  # a made it, b joined
    need_dot()
    svg = brick.ok("graph", "--format", "svg").stdout
    assert "<svg" in svg and a in svg
    brick.ok("delete", "-f", b)
    brick.ok("delete", "-f", a)
    cp = brick("graph", "--format", "png")
    assert cp.returncode == 1 and "--format" in cp.stderr


# ---------------------------------------------------------------- twenty containers

def png_pixels(data):
    """(width, height, rows of RGBA bytes) of an 8-bit RGB/RGBA non-interlaced PNG (what dot writes)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, hdr = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            hdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    w, h, depth, ctype, _, _, interlace = hdr
    assert depth == 8 and ctype in (2, 6) and interlace == 0, hdr
    bpp = 4 if ctype == 6 else 3
    raw, stride, rows, prev = zlib.decompress(idat), w * bpp, [], bytearray(w * bpp)
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            up, ul = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + left) & 255
            elif f == 2:
                line[i] = (line[i] + up) & 255
            elif f == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif f == 4:
                p = left + up - ul
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - ul)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else ul)) & 255
        rows.append(bytes(line) if bpp == 4 else b"".join(bytes(line[i:i + 3]) + b"\xff"
                                                          for i in range(0, stride, 3)))
        prev = line
    return w, h, rows


def colour_count(rows, hexrgb):
    px = bytes.fromhex(hexrgb.lstrip("#")) + b"\xff"
    return sum(len(re.findall(re.escape(px), r)) for r in rows)  # 4-byte aligned enough for solid fills


NS_COLOURS = {"net": "#4e79a7", "pid": "#e15759", "ipc": "#59a14f", "uts": "#b07aa1"}
HOST_FILL = "#f5e6c8"


def start_twenty(brick, started):
    """Two pods (one sharing pid), a shared net, a shared pid + ipc, two on the host's net, five alone."""
    names = {}

    def do(key, *flags):
        cid = new_id()
        names[key] = cid
        brick.ok("do", "-d", "--name", cid, *flags, "sleep", "300")
        started.append(cid)

    for pod, flags in (("web", []), ("db", ["--share-pid"])):
        p = new_id()
        ISSUED_IDS.add("pod-" + p)
        names["pod-" + pod] = p
        brick.ok("pod", "create", *flags, p)
        started.append("pod-" + p)
    for m in ("web-api", "web-front", "web-cache"):
        do(m, "--pod", names["pod-web"])
    for m in ("db-main", "db-backup"):
        do(m, "--pod", names["pod-db"])
    do("proxy")
    do("sniffer", "--net", f"container:{names['proxy']}")
    do("metrics", "--net", f"container:{names['proxy']}")
    do("app")
    do("tracer", "--pid", f"container:{names['app']}")
    do("shell", "--ipc", f"container:{names['app']}")
    do("hostnet1", "--net", "host")
    do("hostnet2", "--net", "host")
    for i in range(5):
        do(f"lone{i}")
    return names


def test_graph_picture_of_twenty_containers(brick, workdir):
    need_dot()
    started = []
    try:
        names = start_twenty(brick, started)
        ids = [c for c in brick.ok("list", "-q").stdout.split()]
        assert len(ids) == 20, ids
        dot = brick.ok("graph", "--format", "dot").stdout
        dot_all = brick.ok("graph", "--format", "dot", "--all").stdout
        svg = html.unescape(brick.ok("graph", "--format", "svg").stdout)  # dot writes "-" as &#45;
        lone_ns = brick.state(names["lone0"])["namespaces"]
        host_net = brick.state(names["hostnet1"])["namespaces"]["net"]["inode"]
    finally:
        for cid in reversed(started):  # members before their pods
            if cid.startswith("pod-"):
                brick("pod", "rm", "--force", cid[4:])
            else:
                brick("delete", "-f", cid)
    assert not brick.ok("list", "-q").stdout.split(), "the containers are cleaned up"

    # clusters: pods first, then what is shared, the host, those alone
    labels = re.findall(r'subgraph cluster_\d+ \{\n    label="([^"]*)"', dot)
    assert sorted(labels) == sorted([f"pod {names['pod-web']}: net ipc uts", f"pod {names['pod-db']}: net pid ipc uts",
                                     "shared: net", "shared: pid ipc", "host: net", "nothing shared"]), labels
    assert "rankdir=LR" in dot and "all holding the host's user, time namespaces" in dot
    # every container drawn, in the dot and in the SVG's text
    for cid in ids:
        assert f'"c:{cid}"' in dot
        assert re.search(r">%s</text>" % re.escape(cid), svg), cid
    # what is not shared is absent, and there with --all
    for kind in ("net", "pid", "ipc", "uts"):
        ino = str(lone_ns[kind]["inode"])
        assert ino not in dot, (kind, ino)
        assert ino in dot_all, (kind, ino)
    assert f"net {host_net} (the host's)" in dot and '"host" [shape=house' in dot
    assert dot.count(" -- ") < 40, "about a line per container, not one per namespace"

    # the picture: landscape, bounded, with the namespace colours and the host in it
    png = workdir / "graph.png"
    subprocess.run(["dot", "-Tpng", "-o", str(png)], input=dot, text=True, check=True, timeout=60)
    w, h, rows = png_pixels(png.read_bytes())
    assert 600 <= w <= 1600 and 250 <= h <= 800, (w, h)  # the old picture: 382 x 7748
    assert w >= 1.5 * h, (w, h)
    for kind, colour in NS_COLOURS.items():
        assert colour_count(rows, colour) > 200, (kind, colour)
    assert colour_count(rows, HOST_FILL) > 500
    subprocess.run(["dot", "-Tpng", "-o", str(png)], input=dot_all, text=True, check=True, timeout=60)
    assert png_pixels(png.read_bytes())[0] > w, "--all draws more"
