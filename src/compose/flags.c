/* flags.c — `brick do` flags -> struct compose_opts (pure: no system call
 * beyond getenv for `-e KEY`, which copies the caller's value as Docker does). */
#include "compose/compose.h"
#include "compose/desktop.h"
#include "compose/net.h"
#include "core/cleanup.h"
#include "core/error.h"
#include "core/opts.h"
#include "core/strv.h"
#include "core/util.h"
#include "spec/spec.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static const char *const ns_names[OCI_NS__MAX] = {
    [OCI_NS_PID] = "pid", [OCI_NS_NETWORK] = "net", [OCI_NS_MOUNT] = "mnt",     [OCI_NS_IPC] = "ipc",
    [OCI_NS_UTS] = "uts", [OCI_NS_USER] = "user",   [OCI_NS_CGROUP] = "cgroup", [OCI_NS_TIME] = "time",
};

const char *compose_ns_name(enum oci_ns_type t) { return ns_names[t]; }

int compose_parse_size(const char *s, int64_t *ret)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || v < 0)
        return -EINVAL;
    double mul = 1;
    switch (tolower((unsigned char)*end)) {
    case '\0': break;
    case 'b': mul = 1; break;
    case 'k': mul = 1024.0; break;
    case 'm': mul = 1024.0 * 1024; break;
    case 'g': mul = 1024.0 * 1024 * 1024; break;
    case 't': mul = 1024.0 * 1024 * 1024 * 1024; break;
    default: return -EINVAL;
    }
    if (*end) {
        end++;
        if (tolower((unsigned char)*end) == 'b' && end[-1] != 'b' && end[-1] != 'B')
            end++; /* "512mb" */
        if (*end)
            return -EINVAL;
    }
    double bytes = v * mul;
    if (bytes < 1 || bytes > 9.2e18)
        return -ERANGE;
    *ret = (int64_t)bytes;
    return 0;
}

/* Docker's --cpus: a quota of N * 100ms per 100ms period. */
int compose_parse_cpus(const char *s, uint64_t *ret_quota, uint64_t *ret_period)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v > 0) || v > 4096)
        return -EINVAL;
    *ret_period = 100000;
    *ret_quota = (uint64_t)(v * 100000.0 + 0.5);
    return *ret_quota >= 1000 ? 0 : -ERANGE; /* the kernel's minimum quota is 1ms */
}

int compose_parse_ns(const char *s, struct compose_ns *ret, struct brick_error *err)
{
    *ret = (struct compose_ns){0};
    if (streq(s, "new") || streq(s, "private")) {
        ret->mode = NS_MODE_NEW;
    } else if (streq(s, "host")) {
        ret->mode = NS_MODE_HOST;
    } else if (startswith(s, "container:") && s[10]) {
        ret->mode = NS_MODE_CONTAINER;
        ret->target = xstrdup(s + 10);
    } else if (startswith(s, "ns:") && s[3] == '/') {
        ret->mode = NS_MODE_PATH;
        ret->target = xstrdup(s + 3);
        ret->path = xstrdup(s + 3);
    } else {
        return brick_err(err, EINVAL, "expected new, host, container:NAME or ns:/PATH, got \"%s\"", s);
    }
    return 0;
}

/* "net_raw", "NET_RAW", "cap_net_raw" -> "CAP_NET_RAW"; "all" -> "ALL". */
static int normalize_cap(const char *s, char **ret)
{
    _cleanup_free_ char *up = xstrdup(s);
    for (char *p = up; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    if (streq(up, "ALL")) {
        *ret = TAKE_PTR(up);
        return 0;
    }
    char *name = startswith(up, "CAP_") ? xstrdup(up) : xasprintf("CAP_%s", up);
    if (oci_cap_from_name(name) < 0) {
        free(name);
        return -EINVAL;
    }
    *ret = name;
    return 0;
}

enum {
    OPT_NAME = 256,
    OPT_RM,
    OPT_KEEP,
    OPT_ROOTFS,
    OPT_TMPFS,
    OPT_HOSTNAME,
    OPT_CAP_ADD,
    OPT_CAP_DROP,
    OPT_SECURITY,
    OPT_READ_ONLY,
    OPT_CPUS,
    OPT_PIDS,
    OPT_POD,
    OPT_PRINT,
    OPT_HOME,
    OPT_HOST_SECRETS,
    OPT_NO_INIT,
    OPT_BIND_TRY,
    OPT_RO_BIND_TRY,
    OPT_SYMLINK,
    OPT_UNSETENV,
    OPT_LEARN,
    OPT_PROFILE_FILE,
    OPT_NS_BASE = 512, /* + enum oci_ns_type */
};

/* A destination in the container: absolute, no ".." (where it lands would
 * depend on the symlinks before it). */
static int check_dest(const char *flag, const char *dst, struct brick_error *err)
{
    if (dst[0] != '/')
        return brick_err(err, EINVAL, "%s: %s: expected an absolute destination", flag, dst);
    for (const char *p = dst; (p = strstr(p, "..")); p += 2)
        if (p[-1] == '/' && (p[2] == '/' || !p[2]))
            return brick_err(err, EINVAL, "%s: %s: \"..\" is not allowed in a destination", flag, dst);
    return 0;
}

static int add_volume(struct compose_opts *o, char *flag, const char *src, const char *dst, bool ro,
                      bool try_, struct brick_error *err)
{
    if (src[0] != '/') {
        int r = brick_err(err, EINVAL, "%s: %s: expected an absolute source", flag, src);
        free(flag);
        return r;
    }
    int r = check_dest(flag, dst, err);
    if (r < 0) {
        free(flag);
        return r;
    }
    o->volumes = xrealloc(o->volumes, (o->n_volumes + 1) * sizeof(*o->volumes));
    o->volumes[o->n_volumes++] = (struct compose_volume){xstrdup(src), xstrdup(dst), ro, try_, flag};
    return 0;
}

static int parse_volume(const char *s, struct compose_opts *o, struct brick_error *err)
{
    _cleanup_free_ char *copy = xstrdup(s);
    char *dst = strchr(copy, ':');
    if (!dst || copy[0] != '/' || dst[1] != '/')
        return brick_err(err, EINVAL, "-v: expected /SRC:/DST[:ro|rw], got \"%s\"", s);
    *dst++ = '\0';
    char *mode = strchr(dst, ':');
    bool ro = false;
    if (mode) {
        *mode++ = '\0';
        if (!streq(mode, "ro") && !streq(mode, "rw"))
            return brick_err(err, EINVAL, "-v %s: mode must be ro or rw, got \"%s\"", s, mode);
        ro = streq(mode, "ro");
    }
    return add_volume(o, xasprintf("-v %s", s), copy, dst, ro, false, err);
}

/* -u USER[:GROUP]: numeric ids are taken as they are; a name waits for the
 * container's /etc/passwd and /etc/group (compose_user_resolve). */
static int parse_user(const char *s, struct compose_opts *o, struct brick_error *err)
{
    _cleanup_free_ char *copy = xstrdup(s);
    char *g = strchr(copy, ':');
    if (g)
        *g++ = '\0';
    if (!*copy || (g && !*g))
        return brick_err(err, EINVAL, "-u: expected USER[:GROUP] (names or numbers), got \"%s\"", s);
    uint64_t uid, gid;
    bool num_u = parse_u64(copy, &uid) == 0, num_g = !g || parse_u64(g, &gid) == 0;
    if ((num_u && uid > INT32_MAX) || (g && num_g && gid > INT32_MAX))
        return brick_err(err, EINVAL, "-u %s: ids are at most %d", s, INT32_MAX);
    free(o->user_spec);
    o->user_spec = NULL;
    o->has_user = num_u && num_g;
    if (!o->has_user) {
        o->user_spec = xstrdup(s);
        return 0;
    }
    o->uid = (uint32_t)uid;
    o->gid = g ? (uint32_t)gid : (uint32_t)uid;
    return 0;
}

static int parse_env(const char *s, struct compose_opts *o, struct brick_error *err)
{
    if (!*s || *s == '=')
        return brick_err(err, EINVAL, "-e: expected KEY=VALUE or KEY, got \"%s\"", s);
    if (strchr(s, '=')) {
        strv_push(&o->env, s);
    } else {
        const char *v = getenv(s); /* Docker: -e KEY copies the caller's value, if any */
        if (v)
            strv_push_take(&o->env, xasprintf("%s=%s", s, v));
    }
    return 0;
}

static int parse_unsetenv(const char *s, struct compose_opts *o, struct brick_error *err)
{
    if (!*s || strchr(s, '='))
        return brick_err(err, EINVAL, "--unsetenv: expected a variable name, got \"%s\"", s);
    strv_push(&o->env, s); /* no '=': removed, in order with -e */
    return 0;
}

/* --bind-try SRC DST, --ro-bind-try SRC DST, --symlink TARGET DST. */
static int parse_pair(int c, const char *a, const char *b, struct compose_opts *o, struct brick_error *err)
{
    const char *flag = c == OPT_SYMLINK ? "--symlink" : c == OPT_BIND_TRY ? "--bind-try" : "--ro-bind-try";
    if (!b)
        return brick_err(err, EINVAL, "%s: expected two arguments (%s DST)", flag,
                         c == OPT_SYMLINK ? "TARGET" : "SRC");
    if (c != OPT_SYMLINK)
        return add_volume(o, xasprintf("%s %s %s", flag, a, b), a, b, c == OPT_RO_BIND_TRY, true, err);
    int r = check_dest(flag, b, err);
    if (r < 0)
        return r;
    const char *base = strrchr(b, '/');
    if (!*a || !base[1] || streq(base + 1, "."))
        return brick_err(err, EINVAL, "--symlink %s %s: expected a TARGET and a DST naming the link", a, b);
    o->symlinks = xrealloc(o->symlinks, (o->n_symlinks + 1) * sizeof(*o->symlinks));
    o->symlinks[o->n_symlinks++] = (struct compose_symlink){xstrdup(a), xstrdup(b)};
    return 0;
}

/* What a program needs to draw text and speak the user's language. */
void compose_env_from_caller(struct compose_opts *o, char *const *envp)
{
    static const char *const keys[] = {"TERM=", "LANG=", "LANGUAGE=", "LC_"};
    for (; envp && *envp; envp++)
        for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
            if (startswith(*envp, keys[i]) && strchr(*envp, '='))
                strv_push(&o->caller_env, *envp);
}

static int parse_security_opt(const char *s, struct compose_opts *o, struct brick_error *err)
{
    if (streq(s, "seccomp=unconfined") || streq(s, "seccomp:unconfined")) {
        o->seccomp_unconfined = true;
    } else if (startswith(s, "seccomp=") && s[8]) {
        free(o->seccomp_file);
        o->seccomp_file = xstrdup(s + 8);
    } else if ((startswith(s, "apparmor=") || startswith(s, "apparmor:")) && s[9]) {
        free(o->apparmor);
        o->apparmor = xstrdup(s + 9);
    } else if (streq(s, "no-new-privileges") || streq(s, "no-new-privileges=true")) {
        o->no_new_privs = true;
    } else if (streq(s, "no-new-privileges=false")) {
        o->no_new_privs = false;
    } else {
        return brick_err(err, EINVAL,
                         "--security-opt: expected seccomp=FILE|unconfined, "
                         "apparmor=PROFILE|unconfined or no-new-privileges=true|false, got \"%s\"",
                         s);
    }
    return 0;
}

/* --home=DIR | host | host:ro. The caller's home is $HOME (as for -e KEY,
 * the one look at the caller's environment). */
static int parse_home(const char *arg, struct compose_opts *o, struct brick_error *err)
{
    free(o->home_src);
    o->home_src = NULL;
    if (streq(arg, "host") || streq(arg, "host:ro")) {
        const char *h = getenv("HOME");
        if (!h || h[0] != '/' || streq(h, "/"))
            return brick_err(err, EINVAL, "--home=%s: $HOME is not set to a directory", arg);
        o->home = streq(arg, "host") ? COMPOSE_HOME_HOST : COMPOSE_HOME_HOST_RO;
        o->home_src = xstrdup(h);
        return 0;
    }
    if (arg[0] != '/' || streq(arg, "/"))
        return brick_err(err, EINVAL, "--home: expected an absolute directory, host or host:ro, got \"%s\"",
                         arg);
    o->home = COMPOSE_HOME_DIR;
    o->home_src = xstrdup(arg);
    return 0;
}

/* `brick do`'s options: getopt's table and their documentation (core/opts.h):
 * `brick do --help`, man/brick-do.8's OPTIONS and the shell completions come
 * from here (tools/gendocs.py; ./dev docs regenerates them). */
#define F BRICK_COMPLETE_FILE
#define D BRICK_COMPLETE_DIR
#define NS_WORDS "words:new host container: ns:"
#define NS_HELP "new, host, container:NAME or ns:/PATH (default: new)"
const struct brick_opt compose_do_opts[] = {
    {"name", required_argument, NULL, OPT_NAME, "NAME", "container id (default: do-<pid>)", NULL},
    {"detach", no_argument, NULL, 'd', NULL,
     "do not wait for CMD: print the container's name and return. "
     "Its stdin is /dev/null; its stdout and stderr go to its log (1 MiB, one previous file kept): brick logs NAME",
     NULL},
    {"tty", no_argument, NULL, 't', NULL, "allocate a terminal (not with -d)", NULL},
    {"interactive", no_argument, NULL, 'i', NULL,
     "keep stdin open (always true in the foreground; not with -d)", NULL},
    {"rm", no_argument, NULL, OPT_RM, NULL, "remove the container when it exits (also with -d)", NULL},
    {"keep", no_argument, NULL, OPT_KEEP, NULL, "keep the stopped container after a foreground run", NULL},
    {"rootfs", required_argument, NULL, OPT_ROOTFS, "DIR", "use DIR as the root instead of the host's", D},
    {"volume", required_argument, NULL, 'v', "SRC:DST[:ro]",
     "bind mount SRC at DST. A DST missing on the "
     "host's root is made on a read-only tmpfs over its nearest existing parent, which shows the parent's "
     "entries (nothing is written on the host). A missing SRC is an error",
     F},
    {"tmpfs", required_argument, NULL, OPT_TMPFS, "DST", "mount a tmpfs at DST (made as for -v when missing)",
     NULL},
    {"env", required_argument, NULL, 'e', "KEY[=VALUE]",
     "set an environment variable (KEY alone: the caller's value)", NULL},
    {"workdir", required_argument, NULL, 'w', "DIR", "working directory (default /)", D},
    {"hostname", required_argument, NULL, OPT_HOSTNAME, "NAME", "hostname (default: the container name)",
     NULL},
    {"cap-add", required_argument, NULL, OPT_CAP_ADD, "CAP", "add a capability (ALL: every one)",
     BRICK_COMPLETE_CAP},
    {"cap-drop", required_argument, NULL, OPT_CAP_DROP, "CAP", "drop a capability (ALL: every one)",
     BRICK_COMPLETE_CAP},
    {"security-opt", required_argument, NULL, OPT_SECURITY, "OPT",
     "seccomp=FILE|unconfined, "
     "no-new-privileges=true|false or apparmor=PROFILE|unconfined (default where AppArmor is enabled: "
     "brick-default, loaded by brick when root runs it; a normal user gets it once it is loaded)",
     "words:seccomp= seccomp=unconfined no-new-privileges=false apparmor= apparmor=unconfined"},
    {"read-only", no_argument, NULL, OPT_READ_ONLY, NULL,
     "read-only root (always so, recursively, for the "
     "host's root)",
     NULL},
    {"memory", required_argument, NULL, 'm', "SIZE", "memory limit (512m, 1g)", NULL},
    {"cpus", required_argument, NULL, OPT_CPUS, "N", "CPU quota (0.5, 2)", NULL},
    {"pids-limit", required_argument, NULL, OPT_PIDS, "N", "maximum number of processes (-1: none)", NULL},
    {"pod", required_argument, NULL, OPT_POD, "NAME", "join pod NAME (its net, ipc, uts and maybe pid)",
     BRICK_COMPLETE_POD},
    {"print-spec", no_argument, NULL, OPT_PRINT, NULL, "print the config.json and exit", NULL},
    {"home", required_argument, NULL, OPT_HOME, "DIR|host|host:ro",
     "the home: DIR from the host, the "
     "caller's own (host), read-only (host:ro) (default: a private empty one; other homes and /root hidden)",
     "words:host host:ro /"},
    {"host-secrets", no_argument, NULL, OPT_HOST_SECRETS, NULL,
     "show the host's homes, /root and secret files (hidden by default)", NULL},
    {"no-init", no_argument, NULL, OPT_NO_INIT, NULL,
     "run CMD itself as pid 1 (default: brick's init stays "
     "pid 1, forwards signals to CMD and reaps)",
     NULL},
    {"learn", required_argument, NULL, OPT_LEARN, "FILE",
     "run CMD under the default seccomp profile while a "
     "supervisor on the host records what it uses, then write it to FILE: the syscalls as OCI linux.seccomp, "
     "the capabilities exercised (as root) and the paths and ports touched (a Landlock policy) as annotations "
     "(calls the default denies are not learned; what is left out is said once; foreground only; "
     "docs/PROFILES.md)",
     F},
    {"profile-file", required_argument, NULL, OPT_PROFILE_FILE, "FILE",
     "run CMD under the learned profile "
     "FILE: its syscalls, capabilities and Landlock policy. A syscall outside it fails with EPERM, the first "
     "one named on stderr, the others listed when CMD exits; a dropped capability the command is refused is "
     "named (as root); a path or port outside the policy fails with EACCES (brick profile merge|diff)",
     F},
    {"bind-try", required_argument, NULL, OPT_BIND_TRY, "SRC DST",
     "bind mount SRC at DST, left out when SRC is missing (as bwrap's)", F},
    {"ro-bind-try", required_argument, NULL, OPT_RO_BIND_TRY, "SRC DST", "the same, read-only", F},
    {"symlink", required_argument, NULL, OPT_SYMLINK, "TARGET DST",
     "make DST a symlink to TARGET (an existing one with that target is fine)", NULL},
    {"unsetenv", required_argument, NULL, OPT_UNSETENV, "KEY",
     "remove a variable. The default environment is "
     "PATH, HOME (the sandbox's home), USER, LOGNAME and the caller's TERM, LANG, LANGUAGE and LC_*; -e and "
     "--unsetenv apply in their order",
     NULL},
    {NULL, required_argument, NULL, 'u', "USER[:GROUP]",
     "run as this user: names from the container's "
     "/etc/passwd and /etc/group (the host's, or those of --rootfs), numbers as they are; a named user "
     "without GROUP gets its groups from /etc/group (default: root, or you)",
     BRICK_COMPLETE_USER},
    {NULL, 0, NULL, 0, NULL, "Namespaces and network (docs/COMPOSE.md):", NULL},
    {"net", required_argument, NULL, OPT_NS_BASE + OCI_NS_NETWORK, "MODE",
     "network namespace: new (default: "
     "loopback only), host, container:NAME, ns:/PATH, or user[:allow_host_loopback=true]: a network of its own "
     "through slirp4netns (10.0.2.100/24, gateway 10.0.2.2, DNS 10.0.2.3); the host's 127.0.0.1 stays out of "
     "reach unless allowed (then it is 10.0.2.2)",
     "words:new host user user:allow_host_loopback=true container: ns:"},
    {"network", required_argument, NULL, OPT_NS_BASE + OCI_NS_NETWORK},
    {"pid", required_argument, NULL, OPT_NS_BASE + OCI_NS_PID, "MODE", "pid namespace: " NS_HELP, NS_WORDS},
    {"ipc", required_argument, NULL, OPT_NS_BASE + OCI_NS_IPC, "MODE", "ipc namespace: " NS_HELP, NS_WORDS},
    {"uts", required_argument, NULL, OPT_NS_BASE + OCI_NS_UTS, "MODE", "uts namespace: " NS_HELP, NS_WORDS},
    {"user", required_argument, NULL, OPT_NS_BASE + OCI_NS_USER, "MODE",
     "user namespace (default: host; new when not root: docs/ROOTLESS.md)", NS_WORDS},
    {"userns", required_argument, NULL, OPT_NS_BASE + OCI_NS_USER},
    {"cgroup", required_argument, NULL, OPT_NS_BASE + OCI_NS_CGROUP, "MODE", "cgroup namespace: " NS_HELP,
     NS_WORDS},
    {"cgroupns", required_argument, NULL, OPT_NS_BASE + OCI_NS_CGROUP},
    {"time", required_argument, NULL, OPT_NS_BASE + OCI_NS_TIME, "MODE", "time namespace (default: host)",
     NS_WORDS},
    {"publish", required_argument, NULL, 'p', "[IP:]HOSTPORT:PORT[/tcp|udp]",
     "forward HOSTPORT on the host to "
     "PORT in the container (repeatable; implies --net user, refused with any other --net or --pod). IP "
     "defaults to 127.0.0.1 (the host's loopback only); 0.0.0.0 is every address. IPv4 only",
     NULL},
    {"help", no_argument, NULL, 'h', NULL, "show this help", NULL},
    /* --no-FLAG for every boolean flag (bool_flags below; documented by FLAG's entry); --init undoes --no-init */
    COMPOSE_NO_OPTION("detach", 'd'),
    COMPOSE_NO_OPTION("tty", 't'),
    COMPOSE_NO_OPTION("interactive", 'i'),
    COMPOSE_NO_OPTION("rm", OPT_RM),
    COMPOSE_NO_OPTION("keep", OPT_KEEP),
    COMPOSE_NO_OPTION("read-only", OPT_READ_ONLY),
    COMPOSE_NO_OPTION("print-spec", OPT_PRINT),
    COMPOSE_NO_OPTION("host-secrets", OPT_HOST_SECRETS),
    {"init", no_argument, NULL, COMPOSE_OPT_NO | OPT_NO_INIT, NULL,
     "undo --no-init (the default: brick's init "
     "is pid 1)",
     NULL},
    DESKTOP_LONG_OPTIONS,
    {0},
};
#undef F
#undef D

const struct option *compose_long_options(void)
{
    static struct option buf[BRICK_OPTS_MAX];
    return brick_opts_longopts(compose_do_opts, buf);
}

/* The boolean flags. --FLAG sets the first field (the desktop's through
 * desktop_parse_flag(), which tells a profile's wishes from the caller's
 * demands); --no-FLAG, and --FLAG=none for one with an optional value,
 * clear every field listed: the last one given wins, so a flag a profile
 * set can be turned off after it. */
struct flag_field {
    size_t off, size; /* size 0: the end of the list */
};
#define OPTS_FIELD(f)                                                                                        \
    {                                                                                                        \
        offsetof(struct compose_opts, f), sizeof(((struct compose_opts *)0)->f)                              \
    }
#define DESK_FIELD(f)                                                                                        \
    {                                                                                                        \
        offsetof(struct compose_desktop, f), sizeof(((struct compose_desktop *)0)->f)                        \
    }
static const struct bool_flag {
    int code;
    bool desktop; /* the fields are o->desktop's */
    struct flag_field fields[4];
} bool_flags[] = {
    {'d', false, {OPTS_FIELD(detach)}},
    {'t', false, {OPTS_FIELD(tty)}},
    {'i', false, {OPTS_FIELD(interactive)}},
    {OPT_RM, false, {OPTS_FIELD(rm)}},
    {OPT_KEEP, false, {OPTS_FIELD(keep)}},
    {OPT_READ_ONLY, false, {OPTS_FIELD(read_only)}},
    {OPT_PRINT, false, {OPTS_FIELD(print_spec)}},
    {OPT_HOST_SECRETS, false, {OPTS_FIELD(host_secrets)}},
    {OPT_NO_INIT, false, {OPTS_FIELD(no_init)}},
    {DESKTOP_OPT_X11, true, {DESK_FIELD(x11), DESK_FIELD(x11_auto)}},
    {DESKTOP_OPT_WAYLAND, true, {DESK_FIELD(wayland), DESK_FIELD(wayland_auto)}},
    {DESKTOP_OPT_GUI, true, {DESK_FIELD(gui)}},
    {DESKTOP_OPT_AUDIO, true, {DESK_FIELD(audio), DESK_FIELD(audio_auto), DESK_FIELD(sound_devices)}},
    {DESKTOP_OPT_GPU, true, {DESK_FIELD(gpu), DESK_FIELD(gpu_auto)}},
    {DESKTOP_OPT_DIE_WITH_PARENT, true, {DESK_FIELD(die_with_parent), DESK_FIELD(die_auto)}},
    {DESKTOP_OPT_NESTED_NS, true, {DESK_FIELD(nested_ns)}},
};

static const struct bool_flag *bool_flag(int code)
{
    for (size_t i = 0; i < ARRAY_SIZE(bool_flags); i++)
        if (bool_flags[i].code == code)
            return &bool_flags[i];
    return NULL;
}

/* --FLAG (the compose ones) or --no-FLAG; 1 when c is no boolean flag's. */
static int parse_bool(int c, const char *arg, struct compose_opts *o)
{
    bool off = c & COMPOSE_OPT_NO;
    const struct bool_flag *b = bool_flag(c & ~COMPOSE_OPT_NO);
    if (!b || (!off && b->desktop && !(arg && streq(arg, "none"))))
        return 1; /* not a boolean flag, or the desktop's to set */
    if (!off && !b->desktop) {
        *(bool *)((char *)o + b->fields[0].off) = true;
        return 0;
    }
    char *base = b->desktop ? (char *)o->desktop : (char *)o;
    for (const struct flag_field *f = b->fields; base && f < b->fields + ARRAY_SIZE(b->fields) && f->size;
         f++)
        memset(base + f->off, 0, f->size);
    return 0;
}

int compose_next_opt(int argc, char **argv, const char **ret_arg2)
{
    int c = brick_getopt(argc, argv, COMPOSE_DO_SHORTOPTS, compose_do_opts);
    *ret_arg2 = NULL;
    if ((c == OPT_BIND_TRY || c == OPT_RO_BIND_TRY || c == OPT_SYMLINK) && optind < argc)
        *ret_arg2 = argv[optind++];
    return c;
}

static int parse_cap(const char *arg, char ***list, const char *flag, struct brick_error *err)
{
    char *cap;
    if (normalize_cap(arg, &cap) < 0)
        return brick_err(err, EINVAL, "%s: unknown capability \"%s\"", flag, arg);
    strv_push_take(list, cap);
    return 0;
}

static int parse_namespace_flag(int t, const char *arg, struct compose_opts *o, struct brick_error *err)
{
    struct compose_ns ns;
    if (t == OCI_NS_NETWORK) {
        int r = net_parse_mode(arg, o, err); /* compose/net.h: 1 for user */
        if (r < 0)
            return r;
        if (r > 0)
            arg = "new";
    }
    if (compose_parse_ns(arg, &ns, err) < 0) {
        if (t == OCI_NS_USER && isdigit((unsigned char)arg[0]))
            return brick_err(err, EINVAL,
                             "--user takes a namespace (new, host, container:NAME, "
                             "ns:PATH); the process user is -u UID[:GID]");
        return brick_err_prefix(err, "--%s", ns_names[t]);
    }
    free(o->ns[t].target);
    free(o->ns[t].path);
    o->ns[t] = ns;
    return 0;
}

static int parse_resource(int c, const char *arg, struct compose_opts *o, struct brick_error *err)
{
    if (c == 'm') {
        if (compose_parse_size(arg, &o->memory) < 0)
            return brick_err(err, EINVAL, "--memory: expected a size like 512m or 1g, got \"%s\"", arg);
        o->has_memory = true;
    } else if (c == OPT_CPUS) {
        if (compose_parse_cpus(arg, &o->cpu_quota, &o->cpu_period) < 0)
            return brick_err(err, EINVAL, "--cpus: expected a number of CPUs like 0.5 or 2, got \"%s\"", arg);
        o->has_cpus = true;
    } else {
        if (parse_i64(arg, &o->pids) < 0 || (o->pids < 1 && o->pids != -1))
            return brick_err(err, EINVAL, "--pids-limit: expected a positive number or -1, got \"%s\"", arg);
        o->has_pids = true;
    }
    return 0;
}

static void set_str(char **dst, const char *s)
{
    free(*dst);
    *dst = xstrdup(s);
}

/* One flag; profile: the profile it comes from, NULL for the caller's own. */
static int parse_one(int c, const char *arg, const char *arg2, const char *profile, struct compose_opts *o,
                     struct brick_error *err)
{
    if (parse_bool(c, arg, o) == 0)
        return 0;
    switch (c) {
    case OPT_BIND_TRY:
    case OPT_RO_BIND_TRY:
    case OPT_SYMLINK: return parse_pair(c, arg, arg2, o, err);
    case OPT_UNSETENV: return parse_unsetenv(arg, o, err);
    case OPT_NAME: set_str(&o->name, arg); return 0;
    case OPT_ROOTFS: set_str(&o->rootfs, arg); return 0;
    case 'v': return parse_volume(arg, o, err);
    case OPT_TMPFS:
        if (check_dest("--tmpfs", arg, err) < 0)
            return -EINVAL;
        strv_push(&o->tmpfs, arg);
        return 0;
    case 'e': return parse_env(arg, o, err);
    case 'w':
        if (arg[0] != '/')
            return brick_err(err, EINVAL, "-w: expected an absolute path, got \"%s\"", arg);
        set_str(&o->cwd, arg);
        return 0;
    case 'u': return parse_user(arg, o, err);
    case OPT_HOSTNAME: set_str(&o->hostname, arg); return 0;
    case OPT_CAP_ADD: return parse_cap(arg, &o->cap_add, "--cap-add", err);
    case OPT_CAP_DROP: return parse_cap(arg, &o->cap_drop, "--cap-drop", err);
    case OPT_SECURITY: return parse_security_opt(arg, o, err);
    case 'm':
    case OPT_CPUS:
    case OPT_PIDS: return parse_resource(c, arg, o, err);
    case OPT_POD: set_str(&o->pod, arg); return 0;
    case OPT_HOME: return parse_home(arg, o, err);
    case OPT_LEARN: set_str(&o->learn_file, arg); return 0;
    case OPT_PROFILE_FILE: set_str(&o->profile_file, arg); return 0;
    }
    if (c == 'p')
        return net_parse_publish(arg, o, err);
    if (c >= OPT_NS_BASE && c < OPT_NS_BASE + OCI_NS__MAX)
        return parse_namespace_flag(c - OPT_NS_BASE, arg, o, err);
    if (c >= DESKTOP_OPT_BASE && c < DESKTOP_OPT__END)
        return desktop_parse_flag(c, arg, profile, o, err);
    return brick_err(err, EINVAL, "internal: unhandled option %d", c);
}

/* --learn and --profile-file bring their own seccomp profile and a
 * supervisor that lives as long as the foreground command. */
static int check_learn(const struct compose_opts *o, struct brick_error *err)
{
    const char *flag = o->learn_file ? "--learn" : "--profile-file";
    if (!o->learn_file && !o->profile_file)
        return 0;
    if (o->learn_file && o->profile_file)
        return brick_err(err, EINVAL,
                         "--learn and --profile-file: learn with the default profile, then apply");
    if (o->seccomp_unconfined || o->seccomp_file)
        return brick_err(err, EINVAL, "%s and --security-opt seccomp=...: the profile is %s's", flag, flag);
    if (o->detach || o->print_spec)
        return brick_err(err, EINVAL,
                         "%s: needs a foreground run (the supervisor lives as long as it), "
                         "not %s",
                         flag, o->detach ? "-d" : "--print-spec");
    return 0;
}

/* What no flag combination may produce; checked once all flags are read. */
static int check(struct compose_opts *o, struct brick_error *err)
{
    if (!o->args && !o->print_spec)
        return brick_err(err, EINVAL,
                         "do: expected a command (usage: brick do [options] [--] CMD [ARGS...])");
    if (o->name && !*o->name)
        return brick_err(err, EINVAL, "--name: must not be empty");
    if (o->ns[OCI_NS_MOUNT].mode != NS_MODE_DEFAULT)
        return brick_err(err, EINVAL, "the mount namespace is always new");
    if (o->hostname && o->ns[OCI_NS_UTS].mode != NS_MODE_DEFAULT && o->ns[OCI_NS_UTS].mode != NS_MODE_NEW)
        return brick_err(err, EINVAL, "--hostname needs a new UTS namespace (--uts new)");
    if (o->pod) {
        static const int pod_types[] = {OCI_NS_NETWORK, OCI_NS_IPC, OCI_NS_UTS};
        for (size_t i = 0; i < ARRAY_SIZE(pod_types); i++)
            if (o->ns[pod_types[i]].mode != NS_MODE_DEFAULT)
                return brick_err(err, EINVAL,
                                 "--pod joins the pod's net, ipc and uts namespaces: "
                                 "--%s cannot be given with it",
                                 ns_names[pod_types[i]]);
        if (o->hostname)
            return brick_err(err, EINVAL, "--hostname: a pod member shares the pod's hostname");
    }
    if (o->detach && o->tty)
        return brick_err(err, EINVAL,
                         "-t: a detached container has no terminal (its output goes to its log: "
                         "brick logs NAME)");
    if (o->detach && o->interactive)
        return brick_err(err, EINVAL,
                         "-i: a detached container's stdin is /dev/null (its output goes to its "
                         "log: brick logs NAME)");
    if (o->detach && o->rm && o->keep)
        return brick_err(err, EINVAL, "--rm and --keep contradict each other");
    if (o->rm && o->keep)
        return brick_err(err, EINVAL, "--rm and --keep contradict each other");
    if ((o->home != COMPOSE_HOME_PRIVATE || o->host_secrets) && o->rootfs)
        return brick_err(err, EINVAL, "--home and --host-secrets apply to the host's root, not to --rootfs");
    if (o->home != COMPOSE_HOME_PRIVATE && o->host_secrets)
        return brick_err(err, EINVAL,
                         "--home and --host-secrets: --host-secrets shows the host's homes as they are");
    if (o->seccomp_unconfined && o->seccomp_file)
        return brick_err(err, EINVAL, "--security-opt: seccomp=unconfined and seccomp=FILE both given");
    if (check_learn(o, err) < 0)
        return -EINVAL;
    int r = net_check(o, err);
    return r < 0 ? r : desktop_check(o, err);
}

int compose_parse(int argc, char **argv, struct compose_opts *o, struct brick_error *err)
{
    return compose_parse_origin(argc, argv, NULL, o, err);
}

int compose_parse_origin(int argc, char **argv, char *const *origin, struct compose_opts *o,
                         struct brick_error *err)
{
    *o = (struct compose_opts){.no_new_privs = true};
    optind = 0; /* full reset: the caller may have parsed other flags */
    opterr = 0;
    int c;
    const char *arg2;
    for (;;) {
        int at = optind ? optind : 1; /* the word the next flag starts in */
        if ((c = compose_next_opt(argc, argv, &arg2)) == -1)
            break;
        const char *profile = origin && at < argc && origin[at][0] ? origin[at] : NULL;
        if (c == 'h')
            return 1;
        if (c == '?') {
            if (optopt && optopt < 256)
                return brick_err(err, EINVAL,
                                 "do: unknown or incomplete option '-%c' (see 'brick do --help')", optopt);
            const char *close = brick_opts_closest(argv[optind - 1], compose_do_opts);
            if (close)
                return brick_err(err, EINVAL,
                                 "do: unknown or incomplete option '%s'; did you mean '--%s'? "
                                 "(see 'brick do --help')",
                                 argv[optind - 1], close);
            return brick_err(err, EINVAL, "do: unknown or incomplete option '%s' (see 'brick do --help')",
                             argv[optind - 1]);
        }
        int r = parse_one(c, optarg, arg2, profile, o, err);
        if (r < 0)
            return r;
    }
    if (optind < argc)
        o->args = strv_copy(argv + optind);
    return check(o, err);
}

struct compose_id_range compose_subid_parse(const char *text, const char *name, uint32_t uid)
{
    struct compose_id_range none = {0, 0};
    if (!text)
        return none;
    _cleanup_free_ char *copy = xstrdup(text);
    char num[16];
    snprintf(num, sizeof(num), "%u", uid);
    char *save = NULL;
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        /* NAME_OR_UID:START:COUNT */
        char *a = strchr(line, ':'), *b = a ? strchr(a + 1, ':') : NULL;
        if (!b)
            continue;
        *a = *b = '\0';
        if (!streq(line, num) && !(name && streq(line, name)))
            continue;
        uint64_t start, count;
        if (parse_u64(a + 1, &start) < 0 || parse_u64(b + 1, &count) < 0 || count < 65536 ||
            start + 65536 > UINT32_MAX)
            continue;
        return (struct compose_id_range){(uint32_t)start, 65536};
    }
    return none;
}

void compose_opts_done(struct compose_opts *o)
{
    free(o->name);
    free(o->rootfs);
    for (size_t i = 0; i < o->n_volumes; i++) {
        free(o->volumes[i].src);
        free(o->volumes[i].dst);
        free(o->volumes[i].flag);
    }
    free(o->volumes);
    for (size_t i = 0; i < o->n_symlinks; i++) {
        free(o->symlinks[i].target);
        free(o->symlinks[i].dst);
    }
    free(o->symlinks);
    strv_free(o->tmpfs);
    strv_free(o->env);
    strv_free(o->caller_env);
    free(o->user_spec);
    free(o->user_name);
    free(o->groups);
    free(o->cwd);
    free(o->hostname);
    strv_free(o->cap_add);
    strv_free(o->cap_drop);
    free(o->seccomp_file);
    free(o->seccomp_json);
    free(o->learn_file);
    free(o->profile_file);
    free(o->notify_path);
    free(o->apparmor);
    free(o->pod);
    for (int t = 0; t < OCI_NS__MAX; t++) {
        free(o->ns[t].target);
        free(o->ns[t].path);
    }
    strv_free(o->annotations);
    strv_free(o->args);
    desktop_free(o->desktop);
    free(o->home_src);
    strv_free(o->secrets);
    free(o->caller);
    net_ports_free(o);
    free(o->net_resolv);
    *o = (struct compose_opts){0};
}
