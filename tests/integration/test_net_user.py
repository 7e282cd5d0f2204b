"""brick do --net user and -p: user-mode networking through slirp4netns.

Nothing here touches the machine's network. Every brick command runs in a
network namespace the test makes (`ip netns add`), holding a veth pair with
198.51.100.1/24 (TEST-NET-2) and no route anywhere else, and in a mount
namespace of its own where /etc/resolv.conf names 198.51.100.1: slirp4netns's
DNS forwarder, started there, reads it. The test's own servers listen in that
namespace: HTTP on 198.51.100.1 (a host address the container may reach) and
on 127.0.0.1 (the host's loopback, which it may not), and a one-answer DNS
server on 198.51.100.1:53."""

import json
import os
import random
import shlex
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import brick_only, new_id, pid_alive, run_cmd, tagged_procs_alive, wait_for

pytestmark = [brick_only,
              pytest.mark.skipif(not os.path.exists("/usr/bin/slirp4netns"),
                                 reason="slirp4netns is not installed (./dev deps)"),
              pytest.mark.skipif(not os.path.exists("/dev/net/tun"), reason="no /dev/net/tun (tun module)")]

HOST_IP = "198.51.100.1"
DNS_ANSWER = "203.0.113.7"
PY = "/usr/bin/python3"

# The test's servers, in the test's network namespace: HTTP on HOST_IP and on
# 127.0.0.1 (argv: http port, loopback port), DNS on HOST_IP:53 answering
# every A question with DNS_ANSWER. Stopped by the fixture.
SERVERS = r'''
import http.server, socket, socketserver, struct, sys, threading
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = ("hello from " + self.server.server_address[0]).encode()
        self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a): pass
def serve(addr, port):
    s = socketserver.ThreadingTCPServer((addr, port), H, bind_and_activate=False)
    s.allow_reuse_address = True; s.server_bind(); s.server_activate()
    threading.Thread(target=s.serve_forever, daemon=True).start()
serve("%(host)s", int(sys.argv[1])); serve("127.0.0.1", int(sys.argv[2]))
d = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); d.bind(("%(host)s", 53))
print("ready", flush=True)
while True:
    q, peer = d.recvfrom(512)
    end = 12
    while q[end]: end += q[end] + 1
    question = q[12:end + 5]
    ans = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 4) + socket.inet_aton("%(answer)s")
    d.sendto(q[:2] + b"\x81\x80" + struct.pack(">HHHH", 1, 1, 0, 0) + question + ans, peer)
''' % {"host": HOST_IP, "answer": DNS_ANSWER}


class Net:
    def __init__(self, name, workdir):
        self.name = name
        self.path = f"/run/netns/{name}"
        self.resolv = workdir / "resolv.conf"
        self.resolv.write_text(f"nameserver {HOST_IP}\n")
        self.http_port = random.randrange(20000, 30000)
        self.lo_port = self.http_port + 1
        # every brick command: this network namespace, this resolv.conf
        self.prefix = ["unshare", "--mount", "--propagation", "private", "sh", "-c",
                       f'mount --bind {self.resolv} /etc/resolv.conf && exec nsenter --net={self.path} -- "$@"',
                       "sh"]

    def run(self, argv, timeout=30):
        return run_cmd(["nsenter", f"--net={self.path}", "--", *argv], timeout=timeout)

    def fetch(self, url, timeout=10):
        """GET url from the host's side of the test network; the body, or None."""
        code = ("import sys, urllib.request\n"
                "try: print(urllib.request.urlopen(sys.argv[1], timeout=3).read().decode())\n"
                "except Exception as e: print('failed:', e); sys.exit(1)")
        deadline = time.monotonic() + timeout
        while True:
            cp = self.run([PY, "-c", code, url])
            if cp.returncode == 0 or time.monotonic() > deadline:
                return cp.stdout.strip() if cp.returncode == 0 else None
            time.sleep(0.2)


@pytest.fixture
def testnet(workdir):
    name = f"brick-nt-{os.getpid()}-{random.randrange(1 << 30)}"
    steps = [["ip", "netns", "add", name], ["ip", "-n", name, "link", "set", "lo", "up"],
             ["ip", "-n", name, "link", "add", "v0", "type", "veth", "peer", "name", "v1"],
             ["ip", "-n", name, "addr", "add", f"{HOST_IP}/24", "dev", "v0"],
             ["ip", "-n", name, "link", "set", "v0", "up"], ["ip", "-n", name, "link", "set", "v1", "up"]]
    net = Net(name, workdir)
    servers = None
    try:
        for s in steps:
            subprocess.run(s, check=True, timeout=30, capture_output=True)
        servers = subprocess.Popen(["nsenter", f"--net={net.path}", "--", PY, "-c", SERVERS, str(net.http_port),
                                    str(net.lo_port)], stdout=subprocess.PIPE, text=True, start_new_session=True)
        assert servers.stdout.readline().strip() == "ready"
        yield net
    finally:
        if servers:
            os.killpg(servers.pid, signal.SIGKILL)
            servers.wait()
        subprocess.run(["ip", "netns", "del", name], timeout=30, capture_output=True)


def in_net(b, net):
    """brick (root or the rootless lane's) run inside the test network."""
    if hasattr(b, "as_user"):  # RootlessBrick: the wrapper goes before setpriv
        plain = type(b).argv
        b.argv = lambda args, global_args=(): net.prefix + plain(b, args, global_args)
    else:
        wrapper = Path(b.root).parent / "brick-in-net"
        wrapper.write_text("#!/bin/sh\n"
                           f'[ -e {net.path} ] || exec {b.binary} "$@"\n'  # the debris check runs after us
                           f'exec {shlex.join(net.prefix)} {b.binary} "$@"\n')
        wrapper.chmod(0o755)
        b.binary = str(wrapper)
    return b


def serve_hostname(port):
    """The container's command: an HTTP server whose /hostname is its hostname."""
    return ["sh", "-c", f"hostname > /tmp/hostname && exec {PY} -m http.server -d /tmp {port}"]


def _comm_ppid(pid):
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None, None
    return stat[stat.index("(") + 1:stat.rindex(")")], int(stat[stat.rindex(")") + 2:].split()[1])


def helpers():
    """This test's supervisors (brick-net, by the test tag) and their
    slirp4netns (a child of one: it gets no environment of the caller's)."""
    sups = [pid for pid in tagged_procs_alive() if _comm_ppid(pid)[0] == "brick-net"]
    out = [(pid, "brick-net") for pid in sups]
    for e in os.listdir("/proc"):
        if e.isdigit():
            comm, ppid = _comm_ppid(int(e))
            if comm == "slirp4netns" and ppid in sups:
                out.append((int(e), comm))
    return out


def no_helpers_left():
    return wait_for(lambda: not helpers(), 10)


def in_container_probe(net):
    """A shell script for the container: its interface, route and resolver,
    the host's HTTP server on a host address, a name through the helper's DNS
    forwarder, and the host's loopback through the gateway (refused)."""
    py_get = ("import sys, urllib.request\n"
              "try: print('GET', urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())\n"
              "except Exception as e: print('GET failed', type(e).__name__)")
    return (f"ip -4 -br addr show tap0; ip route show default; cat /etc/resolv.conf; "
            f"{PY} -c \"$1\" http://{HOST_IP}:{net.http_port}/; "
            f"getent hosts probe.test || echo no-name; "
            f"{PY} -c \"$1\" http://10.0.2.2:{net.lo_port}/", py_get)


def check_probe(out, net):
    assert "10.0.2.100/24" in out, out
    assert "default via 10.0.2.2 dev tap0" in out, out
    assert "nameserver 10.0.2.3" in out, out
    assert f"GET hello from {HOST_IP}" in out, out
    assert f"{DNS_ANSWER}" in out and "probe.test" in out, out
    # --disable-host-loopback: 10.0.2.2 is not the host's 127.0.0.1
    assert "GET hello from 127.0.0.1" not in out and "GET failed" in out, out


def test_net_user_reaches_the_host_network_not_its_loopback(brick, testnet):
    in_net(brick, testnet)
    assert testnet.fetch(f"http://127.0.0.1:{testnet.lo_port}/") == "hello from 127.0.0.1"  # it listens
    script, py_get = in_container_probe(testnet)
    cp = brick("do", "--net", "user", "--", "sh", "-c", script + "; readlink /proc/self/ns/net", "sh", py_get)
    assert cp.returncode == 0, cp.stderr
    check_probe(cp.stdout, testnet)
    host_net = os.readlink(f"/proc/{os.getpid()}/ns/net")
    assert host_net not in cp.stdout
    # the foreground run waited for its helper: nothing is left once it returns
    assert not helpers(), helpers()


def test_publish_defaults_to_the_hosts_loopback(brick, testnet, workdir):
    in_net(brick, testnet)
    www = workdir / "www"
    www.mkdir()
    (www / "index.html").write_text("published page")
    cid, port = new_id(), testnet.http_port + 2
    # -p without --net: user networking; without an address: 127.0.0.1
    brick.ok("do", "-d", "--name", cid, "-v", f"{www}:/srv:ro", "-p", f"{port}:80", "--",
             PY, "-m", "http.server", "-d", "/srv", "80")
    ann = json.loads((brick.root / cid / "config.json").read_text())["annotations"]
    assert ann["run.brick.net"] == "user"
    assert ann["run.brick.net.ports"] == f"127.0.0.1:{port}:80/tcp"
    assert testnet.fetch(f"http://127.0.0.1:{port}/index.html") == "published page"
    assert testnet.fetch(f"http://{HOST_IP}:{port}/index.html", timeout=0) is None  # loopback only
    assert sorted(c for _, c in helpers()) == ["brick-net", "slirp4netns"]
    brick.ok("delete", "-f", cid)
    assert no_helpers_left(), helpers()


UDP_ECHO = ("import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('0.0.0.0', 5353))\n"
            "while True:\n d, a = s.recvfrom(100); s.sendto(b'echo ' + d, a)")
UDP_PING = ("import socket, sys; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(1)\n"
            "for _ in range(10):\n"
            "  s.sendto(b'ping', (sys.argv[1], int(sys.argv[2])))\n"
            "  try: print(s.recv(100).decode()); break\n"
            "  except OSError: pass")


def test_publish_udp(brick, testnet):
    """slirp4netns sends a UDP answer to a client on the host's loopback to
    10.0.2.2, which --disable-host-loopback drops: UDP on 127.0.0.1 needs
    allow_host_loopback=true, said in one line; on another address it works."""
    in_net(brick, testnet)
    port = testnet.http_port + 6
    cp = brick("do", "-p", f"{port}:5353/udp", "--", "true")
    assert cp.returncode != 0
    assert cp.stderr.startswith(f"brick: -p {port}:5353/udp: UDP answers to the host's loopback need "
                                "--net user:allow_host_loopback=true"), cp.stderr
    cid = new_id()
    brick.ok("do", "-d", "--name", cid, "-p", f"0.0.0.0:{port}:5353/udp", "--", PY, "-c", UDP_ECHO)
    assert testnet.run([PY, "-c", UDP_PING, HOST_IP, str(port)]).stdout.strip() == "echo ping"
    brick.ok("delete", "-f", cid)
    cid = new_id()
    brick.ok("do", "-d", "--name", cid, "--net", "user:allow_host_loopback=true", "-p", f"{port}:5353/udp",
             "--", PY, "-c", UDP_ECHO)
    assert testnet.run([PY, "-c", UDP_PING, "127.0.0.1", str(port)]).stdout.strip() == "echo ping"
    # what it costs: the host's 127.0.0.1 is 10.0.2.2 for the container
    script, py_get = in_container_probe(testnet)
    cp = brick("exec", cid, "sh", "-c", f"{PY} -c \"$1\" http://10.0.2.2:{testnet.lo_port}/", "sh", py_get)
    assert cp.stdout.strip() == "GET hello from 127.0.0.1", cp.stdout + cp.stderr
    brick.ok("delete", "-f", cid)
    assert no_helpers_left(), helpers()


def test_publish_on_every_host_address(brick, testnet):
    in_net(brick, testnet)
    cid, port = new_id(), testnet.http_port + 3
    brick.ok("do", "-d", "--name", cid, "--net", "user", "-p", f"0.0.0.0:{port}:8000", "--",
             *serve_hostname(8000))
    assert testnet.fetch(f"http://{HOST_IP}:{port}/hostname") == cid
    brick.ok("delete", "-f", cid)
    assert no_helpers_left(), helpers()


def test_helper_dies_with_the_container_and_never_before(brick, testnet):
    in_net(brick, testnet)
    cid, port = new_id(), testnet.http_port + 4
    fg = brick.popen("do", "--name", cid, "-p", f"127.0.0.1:{port}:8000", "--", *serve_hostname(8000))
    assert testnet.fetch(f"http://127.0.0.1:{port}/hostname") == cid
    # kill -9 of a foreground `brick do`: its container runs on (as with
    # `runc run`), and so does its network
    os.kill(fg.pid, signal.SIGKILL)
    fg.wait()
    assert testnet.fetch(f"http://127.0.0.1:{port}/hostname") == cid
    brick.ok("delete", "-f", cid)
    assert no_helpers_left(), helpers()
    # the supervisor killed: slirp4netns follows (its --exit-fd closes)
    cid2 = new_id()
    brick.ok("do", "-d", "--name", cid2, "--net", "user", "--", "sleep", "60")
    sup = [p for p, c in helpers() if c == "brick-net"]
    assert len(sup) == 1, helpers()
    os.kill(sup[0], signal.SIGKILL)
    assert no_helpers_left(), helpers()
    brick.ok("delete", "-f", cid2)


def test_kill9_of_brick_do_leaves_no_helper(brick, testnet):
    """kill -9 at random instants of `brick do --net user` (before, during
    and after the helper's start), then `delete -f` of what it made."""
    in_net(brick, testnet)
    dirs = set(Path("/tmp").glob("brick-net-*"))  # the supervisor's, with the resolv.conf
    rnd = random.Random(19)
    for i in range(12):
        cid = new_id()
        p = brick.popen("do", "--name", cid, "--net", "user", "--", "sleep", "30")
        time.sleep(rnd.uniform(0, 0.4))
        p.kill()
        p.wait()
        if (brick.root / cid).exists():
            brick("delete", "-f", cid)
        assert no_helpers_left(), (i, helpers())
    assert not [p for p in brick.root.iterdir() if not p.name.startswith(".")]
    assert wait_for(lambda: not set(Path("/tmp").glob("brick-net-*")) - dirs, 5)


def test_errors_name_the_flag(brick, testnet):
    cases = [
        (["--net", "host", "-p", "8080:80"], "-p 8080:80: publishing a port needs --net user, not --net host"),
        (["--pod", "p", "-p", "8080:80"], "-p 8080:80: publishing a port needs --net user, not --pod p"),
        (["-p", "80"], "-p 80: expected [IP:]HOSTPORT:CONTAINERPORT[/tcp|udp]"),
        (["-p", "8080:0"], "-p 8080:0: ports are numbers from 1 to 65535"),
        (["-p", "8080-8081:80"], "-p 8080-8081:80: ports are numbers from 1 to 65535"),
        (["-p", "8080:80/sctp"], "-p 8080:80/sctp: the protocol is tcp or udp"),
        (["-p", "[::1]:8080:80"], "-p [::1]:8080:80: IPv6 addresses are not supported"),
        (["-p", "localhost:8080:80"], "-p localhost:8080:80: \"localhost\" is not an IPv4 address"),
        (["-p", "8080:80", "-p", "0.0.0.0:8080:81"], "-p 0.0.0.0:8080:81: host port 8080/tcp is already published"),
        (["--net", "user", "--print-spec"], "--net user: its helper runs beside the container; --print-spec"),
        (["--net", "user", "--pod", "p"], "--pod joins the pod's net, ipc and uts namespaces: --net cannot"),
    ]
    for flags, msg in cases:
        cp = brick("do", *flags, "--", "true")
        assert cp.returncode != 0, flags
        assert cp.stderr.startswith("brick: " + msg) and cp.stderr.count("\n") == 1, (flags, cp.stderr)
    # a port the host already uses: refused before the command starts, nothing left
    in_net(brick, testnet)
    cid = new_id()
    cp = brick("do", "--name", cid, "-p", f"{HOST_IP}:{testnet.http_port}:80", "--", "touch", "/tmp/ran")
    assert cp.returncode != 0
    assert cp.stderr == (f"brick: -p {HOST_IP}:{testnet.http_port}:80: cannot bind "
                         f"{HOST_IP}:{testnet.http_port}/tcp on the host: Address already in use\n")
    assert not (brick.root / cid).exists()
    assert no_helpers_left(), helpers()


@pytest.fixture
def tun_for_users():
    """Debian's udev makes /dev/net/tun mode 0666; a machine without udev
    (CI's) leaves it 0600, and an unprivileged slirp4netns cannot open it."""
    mode = stat.S_IMODE(os.stat("/dev/net/tun").st_mode)
    if mode & 0o006 != 0o006:
        os.chmod("/dev/net/tun", 0o666)
    yield
    os.chmod("/dev/net/tun", mode)


def test_rootless_net_user_and_publish(ubrick, testnet, tun_for_users):
    in_net(ubrick, testnet)
    script, py_get = in_container_probe(testnet)
    cp = ubrick("do", "--net", "user", "--", "sh", "-c", script, "sh", py_get)
    assert cp.returncode == 0, cp.stderr
    check_probe(cp.stdout, testnet)
    assert not helpers(), helpers()
    cid, port = new_id(), testnet.http_port + 5
    ubrick.ok("do", "-d", "--name", cid, "-p", f"127.0.0.1:{port}:8080", "--", *serve_hostname(8080))
    assert testnet.fetch(f"http://127.0.0.1:{port}/hostname") == cid
    # unprivileged, with a subordinate range: slirp4netns in its sandbox
    slirp = [p for p, c in helpers() if c == "slirp4netns"]
    assert slirp and "--enable-sandbox" in Path(f"/proc/{slirp[0]}/cmdline").read_text()
    # as the user (real uid); its sandbox's effective uid is the container's root, a subordinate id
    status = Path(f"/proc/{slirp[0]}/status").read_text()
    uids = [int(x) for x in next(ln for ln in status.splitlines() if ln.startswith("Uid:")).split()[1:]]
    assert uids[0] == ubrick.user["uid"] and 0 not in uids, uids
    ubrick.ok("delete", "-f", cid)
    assert no_helpers_left(), helpers()


def test_rootless_net_user_without_a_subordinate_range(ubrick, no_subids, testnet, tun_for_users):
    """Only the user's own id is mapped: slirp4netns's sandbox (uid 0 in the
    container's user namespace) cannot be, and it runs without one."""
    in_net(ubrick, testnet)
    cid, port = new_id(), testnet.http_port + 7
    ubrick.ok("do", "-d", "--name", cid, "-p", f"127.0.0.1:{port}:8080", "--", *serve_hostname(8080))
    assert testnet.fetch(f"http://127.0.0.1:{port}/hostname") == cid
    slirp = [p for p, c in helpers() if c == "slirp4netns"]
    assert slirp and "--enable-sandbox" not in Path(f"/proc/{slirp[0]}/cmdline").read_text()
    ubrick.ok("delete", "-f", cid)
    assert no_helpers_left(), helpers()


def test_helpers_hold_nothing_of_the_callers(brick, testnet):
    """An attack from a --pid host container with root's default
    capabilities: slirp4netns runs as uid 0 with fewer capabilities, so the
    container may read its /proc/PID/environ and walk /proc/PID/root. Neither
    may hold the caller's secrets: its environment is a fixed PATH, and its
    root has an empty /run (no /run/brick/*/config.json with another
    container's -e values). brick-net's command line is wiped (it was
    `brick do ... -e KEY=secret`) and it is not dumpable."""
    in_net(brick, testnet)
    secret = "S3CRET" + new_id()
    cid = new_id()
    brick.ok("do", "-d", "--name", cid, "--net", "user", "-e", f"API_TOKEN={secret}", "--", "sleep", "60",
             env={"CALLER_SECRET": secret})
    try:
        procs = dict((c, p) for p, c in helpers())
        assert set(procs) == {"slirp4netns", "brick-net"}, helpers()
        cmdline = Path(f"/proc/{procs['brick-net']}/cmdline").read_bytes()
        assert secret.encode() not in cmdline, cmdline
        status = Path(f"/proc/{procs['brick-net']}/status").read_text()
        # the container's view, as a --pid host root would read them
        probe = brick("do", "--pid", "host", "--", "sh", "-c",
                      f"tr '\\0' '\\n' < /proc/{procs['slirp4netns']}/environ; echo ---; "
                      f"ls /proc/{procs['slirp4netns']}/root/run/; echo ---; "
                      f"cat /proc/{procs['slirp4netns']}/root{brick.root}/{cid}/config.json; echo ---; "
                      f"tr '\\0' ' ' < /proc/{procs['brick-net']}/cmdline")
        assert secret not in probe.stdout + probe.stderr, probe.stdout
        assert "PATH=" in probe.stdout.split("---")[0] and "CALLER_SECRET" not in probe.stdout, probe.stdout
    finally:
        brick.ok("delete", "-f", cid)
    assert no_helpers_left(), helpers()
