/* learn_profile.c — what --learn saw, written as OCI linux.seccomp.
 *
 * The template is the run's own linux.seccomp (brick's default profile for
 * the run's capabilities, rewritten by compose/learn.c: ALLOW -> NOTIFY).
 * The learned profile keeps its default action (ERRNO, EPERM) and
 * architectures, and allows:
 * - each learned syscall the template allowed unconditionally;
 * - a learned syscall the template allowed only with argument conditions
 *   (clone without CLONE_NEW*, personality's few values) with the same
 *   conditions: learning never widens them;
 * - socket only for the address families the run created.
 * The template's own refusals with another errno (clone3 -> ENOSYS, so libc
 * falls back to clone) are kept, and sendmsg is always allowed: brick's init
 * hands the notify fd over with it after the filter is in.
 *
 * The engine floor: what another engine's init does between loading the
 * filter and execve must be allowed too, or the file is no linux.seccomp for
 * it. runc 1.1.5 (a Go program: its runtime's threads keep running) was seen
 * making fstatfs, epoll_ctl, getpid and rt_sigreturn there (default action
 * SCMP_ACT_LOG, the kernel log, six runs); the rest are the Go runtime's
 * scheduler and signal calls. All are allowed by the default profile. */
#include "cli/learn.h"
#include "compose/compose.h"
#include "core/cleanup.h"
#include "core/strv.h"
#include "core/util.h"
#include "spec/json.h"

#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

bool learn_record_add(struct learn_record *rec, uint32_t arch, int nr)
{
    for (size_t i = 0; i < rec->n_calls; i++)
        if (rec->calls[i].arch == arch && rec->calls[i].nr == nr)
            return false;
    rec->calls = xrealloc(rec->calls, (rec->n_calls + 1) * sizeof(*rec->calls));
    rec->calls[rec->n_calls].arch = arch;
    rec->calls[rec->n_calls].nr = nr;
    rec->n_calls++;
    return true;
}

void learn_record_family(struct learn_record *rec, uint64_t family)
{
    /* socket() fails for a family the kernel does not know: only real ones
     * are recorded (a run trying thousands of numbers once made a profile
     * of thousands of rules), so the set has fewer than AF_MAX members */
    if (family == AF_UNSPEC || family >= AF_MAX)
        return;
    for (size_t i = 0; i < rec->n_families; i++)
        if (rec->families[i] == family)
            return;
    rec->families = xrealloc(rec->families, (rec->n_families + 1) * sizeof(*rec->families));
    rec->families[rec->n_families++] = family;
}

static const char *const engine_floor[] = {
    "sendmsg", /* brick: the notify fd hand-off */
    "fstatfs",      "epoll_ctl",     "epoll_pwait",    "getpid",      "gettid",     "tgkill",
    "rt_sigreturn", "rt_sigaction",  "rt_sigprocmask", "sigaltstack", "futex",      "nanosleep",
    "sched_yield",  "clock_gettime", "mmap",           "munmap",      "madvise",    "fcntl",
    "close",        "read",          "write",          "exit",        "exit_group", "execve",
};
#define N_FLOOR (sizeof(engine_floor) / sizeof(engine_floor[0]))

/* The learned names and the engine floor, sorted, unique. */
static char **learned_names(const struct learn_record *rec)
{
    char **v = xcalloc(rec->n_calls + N_FLOOR + 1, sizeof(*v));
    size_t n = 0;
    for (size_t i = 0; i < N_FLOOR; i++)
        v[n++] = xstrdup(engine_floor[i]);
    for (size_t i = 0; i < rec->n_calls; i++) {
        char *name = seccomp_syscall_resolve_num_arch(rec->calls[i].arch, rec->calls[i].nr);
        if (name)
            v[n++] = name;
    }
    v[n] = NULL;
    strv_sort_unique(v);
    return v;
}

static bool has(char **v, const char *s)
{
    for (; v && *v; v++)
        if (streq(*v, s))
            return true;
    return false;
}

static bjson *allow_rule(bjson *names)
{
    bjson *r = bjson_new_object();
    bjson_set(r, "names", names);
    bjson_set(r, "action", bjson_new_string("SCMP_ACT_ALLOW"));
    return r;
}

static bjson *socket_rule(uint64_t family)
{
    bjson *names = bjson_new_array(), *args = bjson_new_array(), *a = bjson_new_object();
    bjson_append(names, bjson_new_string("socket"));
    bjson *r = allow_rule(names);
    bjson_set(a, "index", bjson_new_u64(0));
    bjson_set(a, "value", bjson_new_u64(family));
    bjson_set(a, "op", bjson_new_string("SCMP_CMP_EQ"));
    bjson_append(args, a);
    bjson_set(r, "args", args);
    return r;
}

/* A conditional template rule, limited to the learned names; NULL: none learned. */
static bjson *conditional_rule(const bjson *t, char **learned)
{
    bjson *names = bjson_new_array(), *tn = bjson_get(t, "names");
    for (size_t i = 0; i < bjson_array_len(tn); i++) {
        const char *n = bjson_string(bjson_array_get(tn, i));
        if (has(learned, n) && !streq(n, "socket"))
            bjson_append(names, bjson_new_string(n));
    }
    if (bjson_array_len(names) == 0) {
        bjson_free(names);
        return NULL;
    }
    bjson *r = bjson_copy(t);
    bjson_set(r, "names", names);
    bjson_set(r, "action", bjson_new_string("SCMP_ACT_ALLOW"));
    return r;
}

/* Names the template allows only under argument conditions. */
static void conditional_names(const bjson *calls, char ***ret)
{
    for (size_t i = 0; i < bjson_array_len(calls); i++) {
        bjson *t = bjson_array_get(calls, i), *tn = bjson_get(t, "names");
        if (!streq(bjson_string(bjson_get(t, "action")), "SCMP_ACT_NOTIFY") ||
            !bjson_array_len(bjson_get(t, "args")))
            continue;
        for (size_t j = 0; j < bjson_array_len(tn); j++)
            if (bjson_string(bjson_array_get(tn, j)))
                strv_push(ret, bjson_string(bjson_array_get(tn, j)));
    }
}

char *learn_caps_string(uint64_t caps)
{
    char *s = xstrdup("");
    for (int i = 0; i < 64; i++) {
        const char *name = compose_cap_name(i);
        if (!(caps & (1ULL << i)) || !name)
            continue;
        char *t = xasprintf("%s%s%s", s, *s ? "," : "", name);
        free(s);
        s = t;
    }
    return s;
}

static const struct {
    unsigned bits;
    const char *name;
} access_names[] = {
    {LR_READ_FILE | LR_READ_DIR, "read"},
    {LR_READ_FILE, "read-file"},
    {LR_READ_DIR, "read-dir"},
    {LR_WRITE, "write"},
    {LR_EXECUTE, "execute"},
    {LR_CREATE, "create"},
    {LR_REMOVE, "remove"},
    {LR_REFER, "refer"},
    {LR_IOCTL_DEV, "ioctl-dev"},
};

static bjson *access_list(unsigned rights)
{
    bjson *a = bjson_new_array();
    for (size_t i = 0; i < sizeof(access_names) / sizeof(access_names[0]); i++)
        if ((rights & access_names[i].bits) == access_names[i].bits) {
            bjson_append(a, bjson_new_string(access_names[i].name));
            rights &= ~access_names[i].bits;
        }
    return a;
}

/* a is a strict ancestor of b. */
static bool ancestor(const char *a, const char *b)
{
    size_t n = strlen(a);
    if (streq(a, "/"))
        return !streq(b, "/");
    return strncmp(a, b, n) == 0 && b[n] == '/';
}

static int by_path(const void *a, const void *b)
{
    return strcmp(((const struct learn_path *)a)->path, ((const struct learn_path *)b)->path);
}

static bjson *ports(const uint16_t *p, size_t n, bool skip_zero)
{
    bjson *a = bjson_new_array();
    bool seen[65536] = {0};
    for (size_t i = 0; i < n; i++)
        seen[p[i]] = true;
    for (size_t i = skip_zero ? 1 : 0; i < 65536; i++)
        if (seen[i])
            bjson_append(a, bjson_new_u64(i));
    return a;
}

/* path, lifted off the directories the run made (they do not exist when
 * the policy is applied, a rule there would be dropped): the parent of the
 * outermost made directory it is in or beneath. */
static void lift(const struct learn_record *rec, const char *path, char out[PATH_MAX])
{
    snprintf(out, PATH_MAX, "%s", path);
    for (bool again = true; again;) {
        again = false;
        for (size_t i = 0; i < rec->n_made; i++) {
            size_t n = strlen(rec->made[i]);
            if (strncmp(out, rec->made[i], n) != 0 || (out[n] != '/' && out[n] != 0) ||
                streq(rec->made[i], "/"))
                continue;
            snprintf(out, PATH_MAX, "%s", rec->made[i]);
            char *slash = strrchr(out, '/');
            slash[slash == out ? 1 : 0] = 0;
            again = true;
        }
    }
}

/* The fs rules, a rule covered by an ancestor's rights left out. */
static bjson *fs_rules(const struct learn_record *rec)
{
    struct learn_record r = {0};
    bool exec = false;
    for (size_t i = 0; i < rec->n_paths; i++) {
        char p[PATH_MAX];
        lift(rec, rec->paths[i].path, p);
        learn_rule_add(&r, p, rec->paths[i].rights);
        exec |= rec->paths[i].rights & LR_EXECUTE;
    }
    if (exec) { /* the ELF interpreter, which the kernel opens itself */
        learn_rule_add(&r, "/lib", LR_READ_FILE | LR_EXECUTE);
        learn_rule_add(&r, "/lib64", LR_READ_FILE | LR_EXECUTE);
    }
    if (r.n_paths)
        qsort(r.paths, r.n_paths, sizeof(*r.paths), by_path);
    bjson *fs = bjson_new_array();
    for (size_t i = 0; i < r.n_paths; i++) {
        bool covered = false;
        for (size_t j = 0; j < r.n_paths && !covered; j++)
            covered = ancestor(r.paths[j].path, r.paths[i].path) && !(r.paths[i].rights & ~r.paths[j].rights);
        if (!covered) {
            bjson *e = bjson_new_object();
            bjson_set(e, "path", bjson_new_string(r.paths[i].path));
            bjson_set(e, "access", access_list(r.paths[i].rights));
            bjson_append(fs, e);
        }
    }
    for (size_t i = 0; i < r.n_paths; i++)
        free(r.paths[i].path);
    free(r.paths);
    return fs;
}

unsigned learn_root_rights(const struct learn_record *rec)
{
    unsigned r = 0;
    for (size_t i = 0; !rec->paths_lost && i < rec->n_paths; i++) {
        char p[PATH_MAX];
        lift(rec, rec->paths[i].path, p);
        if (streq(p, "/"))
            r |= rec->paths[i].rights;
    }
    return r;
}

char *learn_access_string(unsigned rights)
{
    bjson *a = access_list(rights);
    char *s = xstrdup("");
    for (size_t i = 0; i < bjson_array_len(a); i++) {
        char *t = xasprintf("%s%s%s", s, *s ? "," : "", bjson_string(bjson_array_get(a, i)));
        free(s);
        s = t;
    }
    bjson_free(a);
    return s;
}

char *learn_landlock_policy(const struct learn_record *rec)
{
    if (rec->paths_lost)
        return NULL;
    bjson *p = bjson_new_object(), *net = bjson_new_object();
    bjson_set(p, "fs", fs_rules(rec));
    bjson_set(net, "bind", ports(rec->bind, rec->n_bind, false));
    bjson_set(net, "connect", ports(rec->connect, rec->n_connect, true));
    bjson_set(p, "net", net);
    char *s = bjson_to_string(p, false);
    bjson_free(p);
    return s;
}

/* "annotations" of the learned file: what brick applies besides seccomp. */
static bjson *annotations(const struct learn_record *rec)
{
    bjson *a = bjson_new_object();
    char *ll = learn_landlock_policy(rec);
    if (ll)
        bjson_set(a, LEARN_LANDLOCK_ANNOTATION, bjson_new_string(ll));
    free(ll);
    if (rec->caps_learned) {
        char *caps = learn_caps_string(rec->caps);
        bjson_set(a, LEARN_CAPS_ANNOTATION, bjson_new_string(caps));
        free(caps);
    }
    return a;
}

bjson *learn_profile_build(const struct learn_record *rec, const bjson *tmpl)
{
    _cleanup_strv_ char **learned = learned_names(rec), **cond = NULL;
    bjson *calls = bjson_get(tmpl, "syscalls"), *out = bjson_new_array(), *plain = bjson_new_array();
    conditional_names(calls, &cond);
    for (char **n = learned; *n; n++)
        if (!has(cond, *n) && !streq(*n, "socket"))
            bjson_append(plain, bjson_new_string(*n));
    bjson_append(out, allow_rule(plain));
    for (size_t i = 0; i < rec->n_families && has(learned, "socket"); i++)
        bjson_append(out, socket_rule(rec->families[i]));
    for (size_t i = 0; i < bjson_array_len(calls); i++) {
        bjson *t = bjson_array_get(calls, i), *r = NULL;
        const char *action = bjson_string(bjson_get(t, "action"));
        if (streq(action, "SCMP_ACT_NOTIFY") && bjson_array_len(bjson_get(t, "args")))
            r = conditional_rule(t, learned);
        else if (action && !streq(action, "SCMP_ACT_NOTIFY") && !streq(action, "SCMP_ACT_ALLOW"))
            r = bjson_copy(t); /* the template's own refusals: clone3 -> ENOSYS */
        if (r)
            bjson_append(out, r);
    }
    bjson *p = bjson_new_object();
    bjson_set(p, "defaultAction", bjson_new_string("SCMP_ACT_ERRNO"));
    bjson_set(p, "defaultErrnoRet", bjson_new_u64(1));
    if (bjson_get(tmpl, "architectures"))
        bjson_set(p, "architectures", bjson_copy(bjson_get(tmpl, "architectures")));
    bjson_set(p, "syscalls", out);
    bjson *a = annotations(rec);
    if (bjson_object_len(a))
        bjson_set(p, "annotations", a);
    else
        bjson_free(a);
    return p;
}
