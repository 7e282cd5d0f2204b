"""End-to-end composition with real Debian programs: sniffing a neighbour's
traffic, tracing a neighbour's process, a pod talking over localhost, exec
into every piece."""
import shutil
import subprocess
import time

import pytest

from conftest import brick_only, new_id, wait_for, ISSUED_IDS

pytestmark = brick_only

HTTPD = "mkdir -p /tmp/www && echo {body} > /tmp/www/index.html && exec busybox httpd -f -p {port} -h /tmp/www"


def need(prog, package):
    if not shutil.which(prog):
        subprocess.run(["apt-get", "install", "-y", package], capture_output=True, timeout=600)
    if not shutil.which(prog):
        pytest.skip(f"{prog} not available")


def wget(brick, *join, url):
    return brick("do", *join, "--", "busybox", "wget", "-q", "-O", "-", url, timeout=30)


def wait_http(brick, join, url):
    assert wait_for(lambda: wget(brick, *join, url=url).returncode == 0, 10), f"{url} never answered"


@pytest.fixture(params=["root", "rootless"])
def who(request):
    """The seed scenarios as root and as a normal user (the rootless lane:
    the sniffer and the tracer join the neighbour's user namespace too, and
    run as its root, -u 0, for their capabilities there)."""
    if request.param == "root":
        return request.getfixturevalue("brick"), ()
    return request.getfixturevalue("ubrick"), ("-u", "0")


def test_tcpdump_sees_neighbours_http(who):
    brick, as_root = who
    need("tcpdump", "tcpdump")
    web = new_id()
    brick.ok("do", "-d", "--name", web, "--", "sh", "-c", HTTPD.format(body="hello-web", port=8080))
    join = ("--net", f"container:{web}")
    wait_http(brick, join, "http://127.0.0.1:8080/")
    sniff = brick.popen("do", *join, *as_root, "--cap-add", "NET_ADMIN", "--", "tcpdump", "-i", "lo", "-n", "-l",
                        "-A", "-Z", "root", "-c", "20", "tcp port 8080")
    time.sleep(1.0)  # tcpdump prints "listening on" to stderr, which we read at the end
    cp = wget(brick, *join, url="http://127.0.0.1:8080/index.html")
    assert cp.returncode == 0 and "hello-web" in cp.stdout, cp.stderr
    try:
        out, err = sniff.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        sniff.send_signal(2)
        out, err = sniff.communicate(timeout=10)
    assert "GET /index.html" in out, err
    brick.ok("delete", "-f", web)


def test_strace_neighbours_process(who):
    brick, as_root = who
    app = new_id()
    brick.ok("do", "-d", "--name", app, "--", "sh", "-c", "while :; do sleep 0.1; done")
    # -k: strace can hang detaching from a tracee caught inside vfork (seen once under
    # load); SIGKILL then ends it and the kernel detaches the tracees
    cp = brick("do", "--pid", f"container:{app}", *as_root, "--cap-add", "SYS_PTRACE", "--",
               "timeout", "-s", "INT", "-k", "5", "2", "strace", "-f", "-p", "2", timeout=30)  # 1: brick's init
    assert "attached" in cp.stderr or "wait4" in cp.stderr, cp.stderr
    assert "wait4" in cp.stderr or "clone" in cp.stderr or "nanosleep" in cp.stderr, cp.stderr
    brick.ok("delete", "-f", app)


def test_pod_of_three_and_exec(brick):
    pod = new_id()
    ISSUED_IDS.add("pod-" + pod)
    brick.ok("pod", "create", pod)
    a, b = new_id(), new_id()
    brick.ok("do", "-d", "--pod", pod, "--name", a, "--", "sh", "-c", HTTPD.format(body="from-a", port=8081))
    brick.ok("do", "-d", "--pod", pod, "--name", b, "--", "sh", "-c", HTTPD.format(body="from-b", port=8082))
    wait_http(brick, ("--pod", pod), "http://localhost:8081/")
    c = new_id()
    cp = brick("do", "--pod", pod, "--name", c, "--", "sh", "-c",
               "busybox wget -q -O - http://127.0.0.1:8081/; busybox wget -q -O - http://localhost:8082/")
    assert cp.returncode == 0, cp.stderr
    assert "from-a" in cp.stdout and "from-b" in cp.stdout
    # exec into each piece: same hostname and network namespace, own mount namespace
    nets, mnts = set(), set()
    for cid in ("pod-" + pod, a, b):
        out = brick.ok("exec", cid, "sh", "-c",
                       "hostname; readlink /proc/self/ns/net; readlink /proc/self/ns/mnt").stdout.split()
        assert out[0] == pod
        nets.add(out[1])
        mnts.add(out[2])
    assert len(nets) == 1 and len(mnts) == 3
    out = brick.ok("exec", b, "busybox", "wget", "-q", "-O", "-", "http://127.0.0.1:8081/").stdout
    assert "from-a" in out
    brick.ok("pod", "rm", "-f", pod)
