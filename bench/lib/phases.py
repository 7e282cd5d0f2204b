#!/usr/bin/python3
"""phases.py EVENTS.txt COMM -- per-phase medians of `run` from `perf script`
output (comm pid time event), see bench/phases."""
import re
import statistics
import sys

ORDER = [("exec1 done", "kernel execve of brick (first image)"),
         ("re-exec start", "the entry point (before libc): open_tree + mount_setattr of the binary"),
         ("re-exec done", "execveat of the read-only bind (second image)"),
         ("state root", "libc start-up, noexec on the bind, parse (do: build) the spec, host checks, "
                        "seccomp (cache), verified procfs; first mkdir = the state root"),
         ("clone3", "state dir (a recycled spare), config copy, the cgroup (run, do: made before the "
                    "clone, every hierarchy), sockets"),
         ("P: cgroup mkdir", "clone3 returns; the parent makes the cgroup from here, in parallel (create)"),
         ("C: first mount op", "clone3 (new namespaces); the init starts (run, do: in brick's memory), "
                               "session, keyring, hostname, lo"),
         ("C: GO", "mounts before the first that needs the cgroup; GO (run, do: sent at once), the init "
                   "moves itself into its v1 cgroups (marked by the cgroup namespace's unshare: DO=1 only)"),
         ("C: pivot_root", "rootfs bind, mounts, /dev, devices"),
         ("C: seccomp", "pivot_root, masked + read-only paths, sysctls, rlimits, fds, identity"),
         ("C: execve /bin/true", "seccomp(2), or the above when there is no seccomp"),
         ("C: true running", "execve of the container process"),
         ("C: true exits", "the container process (busybox true) runs"),
         ("P: wait4 returns", "exit notification to brick"),
         ("P: rmdir cgroups", "state read back, cgroup empty check"),
         ("P: exit", "rmdir of the cgroups, state dir removal, brick exits")]


def main():
    comm = sys.argv[2][:15]
    runs, cur = [], None
    for line in open(sys.argv[1]):
        m = re.match(r"\s*(\S+)\s+(\d+)\s+([\d.]+):\s+(\S+):", line)
        if not m:
            continue
        c, pid, t, ev = m.group(1), int(m.group(2)), float(m.group(3)) * 1e3, m.group(4)
        if ev.endswith("sys_enter_execve") and c != comm and c != "true":
            cur = {"_launch": t, "_pid": None}
            runs.append(cur)
            continue
        if cur is None:
            continue
        if c == comm and ev.endswith("sys_exit_execve") and cur["_pid"] is None:
            cur["_pid"] = pid
            cur["exec1 done"] = t
            continue
        if cur["_pid"] is None:
            continue

        def s(k):
            cur.setdefault(k, t)
        if pid == cur["_pid"]:
            if ev.endswith("enter_execveat"):
                s("re-exec start")
            elif "re-exec start" in cur and (ev.endswith("exit_execveat") or ev.endswith("exit_execve")):
                s("re-exec done")
            elif ev.endswith("enter_mkdir"):
                s("P: cgroup mkdir" if "clone3" in cur else "state root")
            elif ev.endswith("enter_clone3"):
                s("clone3")
            elif ev.endswith("exit_wait4"):
                s("P: wait4 returns")
            elif ev.endswith("enter_rmdir"):
                s("P: rmdir cgroups")
            elif ev.endswith("sched_process_exit"):
                s("P: exit")
        else:
            if ev.endswith("enter_fsopen") or ev.endswith("enter_openat2"):
                s("C: first mount op")
            elif ev.endswith("enter_unshare") and "C: first mount op" in cur:
                s("C: GO")
            elif ev.endswith("enter_pivot_root"):
                s("C: pivot_root")
            elif ev.endswith("enter_seccomp"):
                s("C: seccomp")
            elif ev.endswith("enter_execve"):
                s("C: execve /bin/true")
            elif ev.endswith("exit_execve"):
                s("C: true running")
            elif ev.endswith("sched_process_exit"):
                s("C: true exits")
    print("| mark | at ms (median) | + ms | what the + ms were spent on |")
    print("|---|---:|---:|---|")
    prev = 0.0
    rows = []
    for k, what in ORDER:
        v = [r[k] - r["_launch"] for r in runs if k in r]
        if v:
            rows.append((statistics.median(v), k, what))
    for m, k, what in sorted(rows):  # P and C overlap: in time order
        print("| %s | %.2f | %.2f | %s |" % (k, m, m - prev, what))
        prev = m
    print("\n%d runs" % len(runs))


if __name__ == "__main__":
    main()
