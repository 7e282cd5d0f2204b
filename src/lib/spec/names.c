/* names.c — name tables: capabilities, rlimits, signals, namespace and hook
 * kinds, and the enumerated strings of the runtime-spec. Pure lookups. */
#include <brick/brick.h> /* brick_signal_from_string */
#include "spec/names.h"
#include "core/cleanup.h"
#include "core/util.h"
#include "spec/model.h"
#include "spec/spec.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>

/* Indexed by capability number (linux/capability.h); fixed by the kernel ABI,
 * so a table is safer than depending on the build host's headers. */
static const char *const cap_names[] = {
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
};

int oci_cap_from_name(const char *name)
{
    for (size_t i = 0; name && i < ARRAY_SIZE(cap_names); i++)
        if (strcmp(name, cap_names[i]) == 0)
            return (int)i;
    return -1;
}

const char *oci_cap_name(int cap)
{
    return cap >= 0 && (size_t)cap < ARRAY_SIZE(cap_names) ? cap_names[cap] : NULL;
}

int oci_cap_last(void) { return (int)ARRAY_SIZE(cap_names) - 1; }

static const struct {
    const char *name;
    int value;
} rlimits[] = {
    {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_CORE", RLIMIT_CORE},
    {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_DATA", RLIMIT_DATA},
    {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
    {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_NPROC", RLIMIT_NPROC},
    {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
    {"RLIMIT_RTTIME", RLIMIT_RTTIME},
    {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_STACK", RLIMIT_STACK},
};

int oci_rlimit_from_name(const char *name)
{
    for (size_t i = 0; name && i < ARRAY_SIZE(rlimits); i++)
        if (strcmp(name, rlimits[i].name) == 0)
            return rlimits[i].value;
    return -1;
}

static const struct {
    const char *name; /* without "SIG" */
    int value;
} signals[] = {
    {"HUP", SIGHUP},   {"INT", SIGINT},       {"QUIT", SIGQUIT},     {"ILL", SIGILL},   {"TRAP", SIGTRAP},
    {"ABRT", SIGABRT}, {"IOT", SIGIOT},       {"BUS", SIGBUS},       {"FPE", SIGFPE},   {"KILL", SIGKILL},
    {"USR1", SIGUSR1}, {"SEGV", SIGSEGV},     {"USR2", SIGUSR2},     {"PIPE", SIGPIPE}, {"ALRM", SIGALRM},
    {"TERM", SIGTERM}, {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD},     {"CLD", SIGCHLD},  {"CONT", SIGCONT},
    {"STOP", SIGSTOP}, {"TSTP", SIGTSTP},     {"TTIN", SIGTTIN},     {"TTOU", SIGTTOU}, {"URG", SIGURG},
    {"XCPU", SIGXCPU}, {"XFSZ", SIGXFSZ},     {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF}, {"WINCH", SIGWINCH},
    {"IO", SIGIO},     {"POLL", SIGPOLL},     {"PWR", SIGPWR},       {"SYS", SIGSYS},
};

/* "RTMIN", "RTMIN+n", "RTMAX", "RTMAX-n" (n already upper-cased, no SIG). */
static int rt_signal(const char *s)
{
    int base, sign;
    if (startswith(s, "RTMIN")) {
        base = SIGRTMIN;
        sign = 1;
    } else if (startswith(s, "RTMAX")) {
        base = SIGRTMAX;
        sign = -1;
    } else {
        return -1;
    }
    s += 5;
    if (!*s)
        return base;
    int n;
    if ((*s != '+' && *s != '-') || (*s == '+') != (sign > 0) || parse_int(s + 1, &n) < 0 || n < 0)
        return -1;
    int sig = base + sign * n;
    return sig >= SIGRTMIN && sig <= SIGRTMAX ? sig : -1;
}

int brick_signal_from_string(const char *s)
{
    int n;
    if (!s || !*s)
        return -1;
    if (s[0] >= '0' && s[0] <= '9')
        return parse_int(s, &n) == 0 && n > 0 && n < NSIG ? n : -1;
    if (strncasecmp(s, "SIG", 3) == 0)
        s += 3;
    _cleanup_free_ char *up = xstrdup(s);
    for (char *p = up; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    for (size_t i = 0; i < ARRAY_SIZE(signals); i++)
        if (strcmp(up, signals[i].name) == 0)
            return signals[i].value;
    return rt_signal(up);
}

static const char *const ns_names[OCI_NS__MAX] = {
    [OCI_NS_PID] = "pid", [OCI_NS_NETWORK] = "network", [OCI_NS_MOUNT] = "mount",   [OCI_NS_IPC] = "ipc",
    [OCI_NS_UTS] = "uts", [OCI_NS_USER] = "user",       [OCI_NS_CGROUP] = "cgroup", [OCI_NS_TIME] = "time",
};

const char *oci_ns_type_name(enum oci_ns_type t) { return (unsigned)t < OCI_NS__MAX ? ns_names[t] : NULL; }

int oci_ns_type_from_name(const char *name)
{
    for (int i = 0; name && i < OCI_NS__MAX; i++)
        if (strcmp(name, ns_names[i]) == 0)
            return i;
    return -1;
}

const char *oci_hook_kind_name(enum oci_hook_kind k)
{
    static const char *const names[OCI_HOOK__MAX] = {
        [OCI_HOOK_PRESTART] = "prestart",
        [OCI_HOOK_CREATE_RUNTIME] = "createRuntime",
        [OCI_HOOK_CREATE_CONTAINER] = "createContainer",
        [OCI_HOOK_START_CONTAINER] = "startContainer",
        [OCI_HOOK_POSTSTART] = "poststart",
        [OCI_HOOK_POSTSTOP] = "poststop",
    };
    return (unsigned)k < OCI_HOOK__MAX ? names[k] : NULL;
}

const char *const oci_seccomp_actions[] = {
    "SCMP_ACT_KILL",  "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",   "SCMP_ACT_ERRNO",
    "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW",        "SCMP_ACT_LOG",         "SCMP_ACT_NOTIFY", NULL,
};
const char *const oci_seccomp_ops[] = {
    "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE",        "SCMP_CMP_EQ",
    "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ", NULL,
};
/* runc also accepts the empty string: keep the kernel default. */
const char *const oci_propagations[] = {
    "", "shared", "slave", "private", "unbindable", "rshared", "rslave", "rprivate", "runbindable", NULL,
};
const char *const oci_sched_policies[] = {
    "SCHED_OTHER", "SCHED_FIFO", "SCHED_RR", "SCHED_BATCH", "SCHED_ISO", "SCHED_IDLE", "SCHED_DEADLINE", NULL,
};
const char *const oci_ioprio_classes[] = {
    "IOPRIO_CLASS_RT",
    "IOPRIO_CLASS_BE",
    "IOPRIO_CLASS_IDLE",
    NULL,
};
const char *const oci_mpol_modes[] = {
    "MPOL_DEFAULT",   "MPOL_BIND",           "MPOL_INTERLEAVE", "MPOL_WEIGHTED_INTERLEAVE",
    "MPOL_PREFERRED", "MPOL_PREFERRED_MANY", "MPOL_LOCAL",      NULL,
};
const char *const oci_personality_domains[] = {"LINUX", "LINUX32", NULL};

bool oci_name_in(const char *s, const char *const *set)
{
    for (size_t i = 0; s && set[i]; i++)
        if (strcmp(s, set[i]) == 0)
            return true;
    return false;
}
