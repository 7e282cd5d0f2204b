#!/usr/bin/python3
"""notify_listener.py SOCKET LOG — a seccomp user-notification agent for tests.

Listens on the unix socket SOCKET (linux.seccomp.listenerPath), receives the
containerProcessState JSON with the seccomp fd (SCM_RIGHTS), writes the state
as the first line of LOG, then answers every notification:
  mkdir/mkdirat -> success (0) without creating anything, so the container
                   sees a directory "made" that does not exist;
  anything else -> run by the kernel as if unfiltered
                   (SECCOMP_USER_NOTIF_FLAG_CONTINUE).
Each notification is logged as "nr=<number> pid=<pid>". Exits when the
seccomp fd reports the container is gone (or after --timeout seconds).
"""
import array
import ctypes
import fcntl
import json
import os
import select
import socket
import struct
import sys
import time

# struct seccomp_notif { u64 id; u32 pid; u32 flags; struct seccomp_data data; }
# struct seccomp_data { int nr; u32 arch; u64 instruction_pointer; u64 args[6]; }
NOTIF = struct.Struct("=QII iIQ6Q")
# struct seccomp_notif_resp { u64 id; s64 val; s32 error; u32 flags; }
RESP = struct.Struct("=QqiI")


def _iowr(nr, size):
    # _IOWR('!', nr, size): dir=3 (read|write) << 30 | size << 16 | type << 8 | nr
    return (3 << 30) | (size << 16) | (ord("!") << 8) | nr


NOTIF_RECV = _iowr(0, NOTIF.size)
NOTIF_SEND = _iowr(1, RESP.size)
FLAG_CONTINUE = 1
MKDIR_NRS = {83, 258}  # x86_64 mkdir, mkdirat
if os.uname().machine == "aarch64":
    MKDIR_NRS = {34}  # mkdirat (aarch64 has no mkdir)


def receive(conn):
    fds = array.array("i")
    msg, anc, _flags, _addr = conn.recvmsg(1 << 16, socket.CMSG_SPACE(4 * fds.itemsize))
    for level, kind, data in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(data[: len(data) - (len(data) % fds.itemsize)])
    return msg, list(fds)


def serve(nfd, log, deadline):
    while time.monotonic() < deadline:
        r, _, _ = select.select([nfd], [], [], 0.5)
        if not r:
            continue
        buf = bytearray(NOTIF.size)
        try:
            fcntl.ioctl(nfd, NOTIF_RECV, buf, True)
        except OSError:
            return  # ENOENT: target gone; or the filter's last user exited
        nid, pid, _fl, nr, _arch, _ip, *_args = NOTIF.unpack(bytes(buf))
        log.write(f"nr={nr} pid={pid}\n")
        log.flush()
        if nr in MKDIR_NRS:
            resp = RESP.pack(nid, 0, 0, 0)
        else:
            resp = RESP.pack(nid, 0, 0, FLAG_CONTINUE)
        try:
            fcntl.ioctl(nfd, NOTIF_SEND, bytearray(resp), True)
        except OSError:
            pass  # the task died meanwhile


def main():
    path, logpath = sys.argv[1], sys.argv[2]
    timeout = float(sys.argv[3]) if len(sys.argv) > 3 else 30.0
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(1)
    open(path + ".ready", "w").close()
    srv.settimeout(timeout)
    conn, _ = srv.accept()
    msg, fds = receive(conn)
    with open(logpath, "w") as log:
        state = json.loads(msg.decode())
        state["_nfds"] = len(fds)
        log.write(json.dumps(state) + "\n")
        log.flush()
        if fds:
            serve(fds[0], log, time.monotonic() + timeout)
        for fd in fds:
            os.close(fd)
    conn.close()
    srv.close()


if __name__ == "__main__":
    main()
