/* profile_default.c — brick's default seccomp profile (docs/SECCOMP.md).
 *
 * An allow-list: whatever is not listed fails with EPERM, so a syscall added
 * to a future kernel is denied until someone decides it is safe. What stays
 * out, and why (each a class of container escapes or host-wide effects):
 *   keyrings (add_key, keyctl, request_key: not namespaced, CVE-2016-0728),
 *   bpf/perf_event_open (kernel attack surface, CVE-2021-3490, CVE-2013-2094),
 *   modules, kexec, reboot, swap, acct, quotactl, clock setting (host-wide),
 *   open_by_handle_at (the "shocker" escape from bind mounts),
 *   userfaultfd (stalls kernel code paths in races, CVE-2016-5195 exploits),
 *   io_uring_* (a second syscall interface seccomp cannot see into),
 *   mount/umount/pivot_root/setns/unshare and the new mount API, and clone
 *   with CLONE_NEW* (namespace creation reaches code only root used to reach,
 *   CVE-2022-0185), unless CAP_SYS_ADMIN is granted; clone3 fails with ENOSYS
 *   so that libc falls back to clone, whose flags a filter can read,
 *   ptrace, process_vm_*, kcmp, pidfd_getfd unless CAP_SYS_PTRACE
 *   (CVE-2019-13272),
 *   personality other than the values programs use (READ_IMPLIES_EXEC and
 *   ADDR_NO_RANDOMIZE weaken the address space, CVE-2009-1895),
 *   socket(AF_ALG) (crypto API bugs, CVE-2017-17806) and socket(AF_VSOCK)
 *   (CVE-2021-26708) and socketcall, which hides its arguments. */
#include "security/seccomp.h"
#include "core/cleanup.h"
#include "core/util.h"
#include "spec/json.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

/* Unconditionally allowed. Names this libseccomp or architecture does not
 * know are skipped when compiling, so 32-bit and other-arch names are kept. */
/* clang-format off */
static const char *const allowed[] = {
    /* files and directories */
    "access", "faccessat", "faccessat2", "chdir", "fchdir", "getcwd", "chmod", "fchmod", "fchmodat",
    "fchmodat2", "chown", "chown32", "fchown", "fchown32", "fchownat", "lchown", "lchown32", "close",
    "close_range", "creat", "dup", "dup2", "dup3", "fcntl", "fcntl64", "flock", "fsync", "fdatasync",
    "sync", "syncfs", "sync_file_range", "sync_file_range2", "arm_sync_file_range", "ftruncate",
    "ftruncate64", "truncate", "truncate64", "getdents", "getdents64", "link", "linkat", "symlink",
    "symlinkat", "unlink", "unlinkat", "rename", "renameat", "renameat2", "mkdir", "mkdirat", "mknod",
    "mknodat", "rmdir", "open", "openat", "openat2", "name_to_handle_at", "read", "readv", "pread64",
    "preadv", "preadv2", "write", "writev", "pwrite64", "pwritev", "pwritev2", "lseek", "_llseek",
    "readlink", "readlinkat", "stat", "stat64", "lstat", "lstat64", "fstat", "fstat64", "newfstatat",
    "fstatat64", "statx", "statfs", "statfs64", "fstatfs", "fstatfs64", "umask", "utime", "utimes",
    "utimensat", "utimensat_time64", "futimesat", "fallocate", "fadvise64", "fadvise64_64",
    "arm_fadvise64_64", "readahead", "copy_file_range", "sendfile", "sendfile64", "splice", "tee",
    "vmsplice", "getxattr", "lgetxattr", "fgetxattr", "setxattr", "lsetxattr", "fsetxattr", "listxattr",
    "llistxattr", "flistxattr", "removexattr", "lremovexattr", "fremovexattr", "getxattrat",
    "setxattrat", "listxattrat", "removexattrat", "inotify_init", "inotify_init1", "inotify_add_watch",
    "inotify_rm_watch", "fanotify_mark", "ioctl", "cachestat",
    /* memory */
    "brk", "mmap", "mmap2", "munmap", "mremap", "mprotect", "madvise", "mincore", "msync", "mlock",
    "mlock2", "mlockall", "munlock", "munlockall", "remap_file_pages", "membarrier", "memfd_create",
    "memfd_secret", "pkey_alloc", "pkey_free", "pkey_mprotect", "mseal", "map_shadow_stack",
    /* processes, threads, signals */
    "execve", "execveat", "exit", "exit_group", "fork", "vfork", "wait4", "waitid", "waitpid", "kill",
    "tkill", "tgkill", "pidfd_open", "pidfd_send_signal", "process_mrelease", "getpid", "getppid",
    "gettid", "getpgid", "getpgrp", "setpgid", "getsid", "setsid", "set_tid_address", "set_robust_list",
    "get_robust_list", "rseq", "futex", "futex_time64", "futex_waitv", "futex_wake", "futex_wait",
    "futex_requeue", "rt_sigaction", "rt_sigprocmask", "rt_sigpending", "rt_sigqueueinfo",
    "rt_tgsigqueueinfo", "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait", "rt_sigtimedwait_time64",
    "sigaction", "sigprocmask", "sigreturn", "sigaltstack", "signalfd", "signalfd4", "pause",
    "restart_syscall", "prctl", "arch_prctl", "set_thread_area", "get_thread_area", "set_tls",
    "cacheflush", "breakpoint", "riscv_flush_icache", "riscv_hwprobe", "uretprobe", "seccomp",
    "capget", "capset", "landlock_create_ruleset", "landlock_add_rule", "landlock_restrict_self",
    /* identity, limits, scheduling */
    "getuid", "getuid32", "geteuid", "geteuid32", "getgid", "getgid32", "getegid", "getegid32",
    "getresuid", "getresuid32", "getresgid", "getresgid32", "getgroups", "getgroups32", "setuid",
    "setuid32", "setgid", "setgid32", "setreuid", "setreuid32", "setregid", "setregid32", "setresuid",
    "setresuid32", "setresgid", "setresgid32", "setfsuid", "setfsuid32", "setfsgid", "setfsgid32",
    "setgroups", "setgroups32", "getrlimit", "ugetrlimit", "setrlimit", "prlimit64", "getrusage",
    "getpriority", "setpriority", "sched_yield", "sched_getaffinity", "sched_setaffinity",
    "sched_getattr", "sched_setattr", "sched_getparam", "sched_setparam", "sched_getscheduler",
    "sched_setscheduler", "sched_get_priority_max", "sched_get_priority_min", "sched_rr_get_interval",
    "sched_rr_get_interval_time64", "ioprio_get", "ioprio_set", "getcpu", "uname", "sysinfo",
    "getrandom",
    /* time (reading; setting the clock is CAP_SYS_TIME's) */
    "time", "gettimeofday", "clock_gettime", "clock_gettime64", "clock_getres", "clock_getres_time64",
    "clock_nanosleep", "clock_nanosleep_time64", "nanosleep", "adjtimex", "clock_adjtime",
    "clock_adjtime64", "alarm", "getitimer", "setitimer", "times", "timer_create", "timer_delete",
    "timer_getoverrun", "timer_gettime", "timer_gettime64", "timer_settime", "timer_settime64",
    "timerfd_create", "timerfd_gettime", "timerfd_gettime64", "timerfd_settime", "timerfd_settime64",
    /* waiting, events, IPC */
    "poll", "ppoll", "ppoll_time64", "select", "_newselect", "pselect6", "pselect6_time64",
    "epoll_create", "epoll_create1", "epoll_ctl", "epoll_ctl_old", "epoll_wait", "epoll_wait_old",
    "epoll_pwait", "epoll_pwait2", "eventfd", "eventfd2", "pipe", "pipe2", "io_setup", "io_destroy",
    "io_submit", "io_cancel", "io_getevents", "io_pgetevents", "io_pgetevents_time64", "ipc", "msgget",
    "msgsnd", "msgrcv", "msgctl", "semget", "semop", "semctl", "semtimedop", "semtimedop_time64",
    "shmget", "shmat", "shmdt", "shmctl", "mq_open", "mq_unlink", "mq_timedsend", "mq_timedsend_time64",
    "mq_timedreceive", "mq_timedreceive_time64", "mq_notify", "mq_getsetattr",
    /* sockets (socket itself is filtered by family below) */
    "socketpair", "bind", "listen", "accept", "accept4", "connect", "getsockname", "getpeername",
    "getsockopt", "setsockopt", "send", "sendto", "sendmsg", "sendmmsg", "recv", "recvfrom", "recvmsg",
    "recvmmsg", "recvmmsg_time64", "shutdown",
    NULL,
};
/* clang-format on */

/* Allowed only with the capability that already governs them in the kernel. */
static const struct {
    const char *cap;
    const char *names[16];
} with_cap[] = {
    {"CAP_SYS_ADMIN",
     {"mount", "umount", "umount2", "pivot_root", "setns", "unshare", "clone3", "fsopen", "fsconfig",
      "fsmount", "fspick", "move_mount", "open_tree", "mount_setattr", "sethostname", "setdomainname"}},
    {"CAP_SYS_ADMIN", {"fanotify_init", "quotactl", "quotactl_fd", "lookup_dcookie", "syslog"}},
    {"CAP_SYS_PTRACE",
     {"ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd", "process_madvise"}},
    {"CAP_SYS_BOOT", {"reboot"}},
    {"CAP_SYS_CHROOT", {"chroot"}},
    {"CAP_SYS_MODULE", {"init_module", "finit_module", "delete_module"}},
    {"CAP_SYS_PACCT", {"acct"}},
    {"CAP_SYS_RAWIO", {"iopl", "ioperm"}},
    {"CAP_SYS_TIME", {"settimeofday", "stime", "clock_settime", "clock_settime64"}},
    {"CAP_SYS_TTY_CONFIG", {"vhangup"}},
    {"CAP_SYS_NICE",
     {"mbind", "get_mempolicy", "set_mempolicy", "set_mempolicy_home_node", "move_pages", "migrate_pages"}},
    {"CAP_SYSLOG", {"syslog"}},
    {"CAP_BPF", {"bpf"}},
    {"CAP_PERFMON", {"perf_event_open"}},
};

/* CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET (CLONE_NEWTIME
 * only exists for clone3 and unshare: in clone's flags 0x80 is CSIGNAL). */
#define CLONE_NS_MASK UINT64_C(0x7E020000)
#define AF_ALG_ 38
#define AF_VSOCK_ 40

static bool has(const char *const *caps, const char *cap)
{
    for (; caps && *caps; caps++)
        if (streq(*caps, cap))
            return true;
    return false;
}

static bjson *arg(unsigned index, uint64_t value, uint64_t value_two, const char *op)
{
    bjson *a = bjson_new_object();
    bjson_set(a, "index", bjson_new_u64(index));
    bjson_set(a, "value", bjson_new_u64(value));
    if (value_two)
        bjson_set(a, "valueTwo", bjson_new_u64(value_two));
    bjson_set(a, "op", bjson_new_string(op));
    return a;
}

/* Append {"names":[name...],"action":action[,"errnoRet"][,"args":[a]]}. */
static void entry(bjson *list, const char *const *names, size_t n, const char *action, int errno_ret,
                  bjson *a)
{
    bjson *e = bjson_new_object(), *ns = bjson_new_array();
    for (size_t i = 0; i < n && names[i]; i++)
        bjson_append(ns, bjson_new_string(names[i]));
    bjson_set(e, "names", ns);
    bjson_set(e, "action", bjson_new_string(action));
    if (errno_ret)
        bjson_set(e, "errnoRet", bjson_new_u64((uint64_t)errno_ret));
    if (a) {
        bjson *args = bjson_new_array();
        bjson_append(args, a);
        bjson_set(e, "args", args);
    }
    bjson_append(list, e);
}

static void one(bjson *list, const char *name, bjson *a) { entry(list, &name, 1, "SCMP_ACT_ALLOW", 0, a); }

/* personality: PER_LINUX, PER_LINUX32, UNAME26 with each, and the query. */
static void filtered(bjson *list, const char *const *caps)
{
    static const uint64_t personas[] = {0x0, 0x8, 0x20000, 0x20008, 0xffffffff};
    for (size_t i = 0; i < ARRAY_SIZE(personas); i++)
        one(list, "personality", arg(0, personas[i], 0, "SCMP_CMP_EQ"));
    /* Three rules ORed: every family except AF_ALG (38) and AF_VSOCK (40). */
    one(list, "socket", arg(0, AF_ALG_, 0, "SCMP_CMP_LT"));
    one(list, "socket", arg(0, AF_ALG_ + 1, 0, "SCMP_CMP_EQ"));
    one(list, "socket", arg(0, AF_VSOCK_, 0, "SCMP_CMP_GT"));
    if (has(caps, "CAP_SYS_ADMIN")) {
        one(list, "clone", NULL);
        return;
    }
    /* clone's flags are in register 0 on the architectures brick builds for
     * (s390 swaps the first two arguments; it would need its own rule). */
    one(list, "clone", arg(0, CLONE_NS_MASK, 0, "SCMP_CMP_MASKED_EQ"));
    static const char *const c3[] = {"clone3"};
    entry(list, c3, 1, "SCMP_ACT_ERRNO", ENOSYS, NULL);
}

static bjson *architectures(void)
{
    bjson *a = bjson_new_array();
#if defined(__x86_64__)
    static const char *const arches[] = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32", NULL};
#elif defined(__aarch64__)
    static const char *const arches[] = {"SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM", NULL};
#else
    static const char *const arches[] = {NULL};
#endif
    for (const char *const *p = arches; *p; p++)
        bjson_append(a, bjson_new_string(*p));
    return a;
}

struct bjson *sc_default_profile(const char *const *caps)
{
    bjson *p = bjson_new_object(), *list = bjson_new_array();
    bjson_set(p, "defaultAction", bjson_new_string("SCMP_ACT_ERRNO"));
    bjson_set(p, "defaultErrnoRet", bjson_new_u64(EPERM));
    bjson_set(p, "architectures", architectures());
    entry(list, allowed, ARRAY_SIZE(allowed), "SCMP_ACT_ALLOW", 0, NULL);
    for (size_t i = 0; i < ARRAY_SIZE(with_cap); i++)
        if (has(caps, with_cap[i].cap))
            entry(list, with_cap[i].names, ARRAY_SIZE(with_cap[i].names), "SCMP_ACT_ALLOW", 0, NULL);
    filtered(list, caps);
    bjson_set(p, "syscalls", list);
    return p;
}

char *sc_default_profile_json(const char *const *caps)
{
    bjson *p = sc_default_profile(caps);
    char *s = bjson_to_string(p, true);
    bjson_free(p);
    return s;
}
