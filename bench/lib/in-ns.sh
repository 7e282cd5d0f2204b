#!/bin/sh
# in-ns.sh CMD [ARGS...] -- run CMD in a fresh *private* mount namespace in
# which /sys/fs/cgroup/unified (the cgroup2 half of this cgroup-v1 "hybrid"
# host) is hidden.  Debian's crun 1.8.1 refuses hybrid hosts ("cgroups in
# hybrid mode not supported"); every runtime is run this way so that all of
# them see the same pure cgroup-v1 layout.
#
# The script unshares by itself and never touches the caller's namespace: it
# edits mounts only once its mount namespace differs from its parent's (i.e.
# it was exec'd by `unshare -m --propagation private`); otherwise it re-execs
# itself that way, once.  Hiding uses an empty private tmpfs rather than a
# bare umount because crun still mkdirs <id>/cgroup.procs below that path: on
# the bare mountpoint those would land on the host's /sys/fs/cgroup tmpfs
# (invisible under its cgroup2 mount); on our tmpfs they vanish with the
# namespace.
set -e
self_ns=$(readlink /proc/self/ns/mnt || true)
parent_ns=$(readlink "/proc/$PPID/ns/mnt" || true)
if [ -z "$self_ns" ] || [ -z "$parent_ns" ] || [ "$self_ns" = "$parent_ns" ]; then
    if [ -n "$BRICK_BENCH_NS_HOP" ]; then
        echo "in-ns.sh: cannot verify a private mount namespace, refusing" >&2
        exit 1
    fi
    BRICK_BENCH_NS_HOP=1 exec unshare -m --propagation private -- "$0" "$@"
fi
unset BRICK_BENCH_NS_HOP
if mountpoint -q /sys/fs/cgroup/unified; then
    umount /sys/fs/cgroup/unified
    mount -t tmpfs -o size=256m,mode=755 brick-bench /sys/fs/cgroup/unified
fi
exec "$@"
