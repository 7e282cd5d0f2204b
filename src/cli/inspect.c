/* inspect.c — `brick inspect ID`: what confines a running container, read
 * from /proc/PID (namespaces and who shares them, capabilities, seccomp,
 * no_new_privs, id maps, LSM label) and, with --probe, which dangerous
 * syscalls its seccomp filters block (security/seccomp_inspect.c). */
#include "cli/cli.h"
#include "core/missing.h"
#include "core/cleanup.h"
#include "core/fd.h"
#include "core/util.h"
#include "security/seccomp_probe.h"
#include "spec/json.h"
#include "spec/spec.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const ns_names[] = {"cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts"};

static uint64_t ns_inode(pid_t pid, const char *ns)
{
    char path[64];
    struct stat st;
    snprintf(path, sizeof(path), "/proc/%d/ns/%s", pid, ns);
    return stat(path, &st) == 0 ? (uint64_t)st.st_ino : 0;
}

static bjson *namespaces(pid_t pid, const char *id, const struct brick_container_info *all, size_t n)
{
    bjson *o = bjson_new_object();
    for (size_t i = 0; i < ARRAY_SIZE(ns_names); i++) {
        uint64_t ino = ns_inode(pid, ns_names[i]);
        bjson *e = bjson_new_object(), *shared = bjson_new_array();
        bjson_set(e, "inode", bjson_new_u64(ino));
        for (size_t j = 0; ino && j < n; j++)
            if (all[j].pid > 0 && !streq(all[j].id, id) && ns_inode(all[j].pid, ns_names[i]) == ino)
                bjson_append(shared, bjson_new_string(all[j].id));
        /* "host": the namespace brick itself runs in. */
        bjson_set(e, "host", bjson_new_bool(ino && ino == ns_inode(getpid(), ns_names[i])));
        bjson_set(e, "sharedWith", shared);
        bjson_set(o, ns_names[i], e);
    }
    return o;
}

/* "Key:\tvalue" from /proc/PID/status; NULL when absent. */
static const char *status_field(const char *status, const char *key, char *buf, size_t len)
{
    size_t kl = strlen(key);
    for (const char *l = status; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
        if (strncmp(l, key, kl) == 0 && l[kl] == ':') {
            const char *v = l + kl + 1;
            v += strspn(v, " \t");
            size_t n = strcspn(v, "\n");
            snprintf(buf, len, "%.*s", (int)(n < len ? n : len - 1), v);
            return buf;
        }
    return NULL;
}

static bjson *cap_set(const char *hex)
{
    bjson *a = bjson_new_array();
    uint64_t mask = hex ? strtoull(hex, NULL, 16) : 0;
    for (int c = 0; c < 64; c++)
        if (mask & (UINT64_C(1) << c)) {
            const char *name = oci_cap_name(c);
            bjson_append(a, name ? bjson_new_string(name) : bjson_new_i64(c));
        }
    return a;
}

static bjson *from_status(const char *status)
{
    static const char *const sets[][2] = {{"CapBnd", "bounding"}, {"CapEff", "effective"},
                                          {"CapPrm", "permitted"}, {"CapInh", "inheritable"},
                                          {"CapAmb", "ambient"}};
    static const char *const modes[] = {"disabled", "strict", "filter"};
    char buf[128];
    bjson *o = bjson_new_object(), *caps = bjson_new_object(), *sc = bjson_new_object();
    for (size_t i = 0; i < ARRAY_SIZE(sets); i++)
        bjson_set(caps, sets[i][1], cap_set(status_field(status, sets[i][0], buf, sizeof(buf))));
    bjson_set(o, "capabilities", caps);
    const char *m = status_field(status, "Seccomp", buf, sizeof(buf));
    int mode = m ? atoi(m) : -1;
    bjson_set(sc, "mode", bjson_new_string(mode >= 0 && mode <= 2 ? modes[mode] : "unknown"));
    const char *f = status_field(status, "Seccomp_filters", buf, sizeof(buf));
    bjson_set(sc, "filters", bjson_new_i64(f ? atoi(f) : 0));
    bjson_set(o, "seccomp", sc);
    const char *nnp = status_field(status, "NoNewPrivs", buf, sizeof(buf));
    bjson_set(o, "noNewPrivileges", bjson_new_bool(nnp && atoi(nnp) == 1));
    return o;
}

static bjson *proc_text(pid_t pid, const char *name)
{
    char path[64];
    _cleanup_free_ char *text = NULL;
    snprintf(path, sizeof(path), "/proc/%d/%s", pid, name);
    if (read_file_at(AT_FDCWD, path, BRICK_READ_SMALL, &text, NULL) < 0)
        return bjson_new_string("unknown");
    size_t n = strlen(text);
    while (n && (text[n - 1] == '\n' || text[n - 1] == '\0'))
        text[--n] = '\0';
    return bjson_new_string(text);
}

static bjson *probe(pid_t pid, struct brick_error *err)
{
    int res[64];
    if (sc_n_probes > ARRAY_SIZE(res))
        return NULL;
    int n = sc_probe_process(pid, res, err);
    if (n < 0)
        return NULL;
    bjson *o = bjson_new_object(), *blocked = bjson_new_array(), *allowed = bjson_new_array();
    int count = 0;
    for (size_t i = 0; i < sc_n_probes; i++) {
        if (sc_probes[i].control)
            continue;
        bool b = res[i] == SC_PROBE_KILLED || sc_probe_blocked(&sc_probes[i], res[i]);
        bjson_append(b ? blocked : allowed, bjson_new_string(sc_probes[i].name));
        count += b;
    }
    bjson_set(o, "filters", bjson_new_i64(n));
    bjson_set(o, "tried", bjson_new_i64((int64_t)sc_n_probes));
    bjson_set(o, "blockedCount", bjson_new_i64(count));
    bjson_set(o, "blocked", blocked);
    bjson_set(o, "allowed", allowed);
    return o;
}

static bjson *report(const struct brick_container_info *c, const struct brick_container_info *all, size_t n,
                     const char *status)
{
    bjson *o = from_status(status);
    bjson_set(o, "id", bjson_new_string(c->id));
    bjson_set(o, "pid", bjson_new_i64(c->pid));
    bjson_set(o, "status", bjson_new_string(c->status));
    bjson_set(o, "namespaces", namespaces(c->pid, c->id, all, n));
    bjson_set(o, "uidMap", proc_text(c->pid, "uid_map"));
    bjson_set(o, "gidMap", proc_text(c->pid, "gid_map"));
    bjson_set(o, "lsmLabel", proc_text(c->pid, "attr/current"));
    /* The kernel exposes no per-process Landlock state. */
    bjson_set(o, "landlock", bjson_new_string("unknown"));
    return o;
}

static void print_list(const char *key, bjson *arr)
{
    printf("%-18s", key);
    for (size_t i = 0; i < bjson_array_len(arr); i++) {
        const char *s = bjson_string(bjson_array_get(arr, i));
        printf("%s%s", i ? " " : "", s ? s : "?");
    }
    printf("%s\n", bjson_array_len(arr) ? "" : "(none)");
}

static void print_text(bjson *o)
{
    char *pid = bjson_to_string(bjson_get(o, "pid"), false);
    printf("%-18s%s (pid %s, %s)\n", "container", bjson_string(bjson_get(o, "id")), pid,
           bjson_string(bjson_get(o, "status")));
    free(pid);
    bjson *ns = bjson_get(o, "namespaces");
    for (size_t i = 0; i < ARRAY_SIZE(ns_names); i++) {
        bjson *e = bjson_get(ns, ns_names[i]);
        char *ino = bjson_to_string(bjson_get(e, "inode"), false);
        char key[32];
        snprintf(key, sizeof(key), "ns %s", ns_names[i]);
        printf("%-18s%s%s", key, ino, bjson_bool(bjson_get(e, "host")) ? " (host)" : "");
        free(ino);
        print_list(" shared with:", bjson_get(e, "sharedWith"));
    }
    static const char *const sets[] = {"bounding", "effective", "permitted", "inheritable", "ambient"};
    for (size_t i = 0; i < ARRAY_SIZE(sets); i++) {
        char key[32];
        snprintf(key, sizeof(key), "cap %s", sets[i]);
        print_list(key, bjson_get(bjson_get(o, "capabilities"), sets[i]));
    }
    bjson *sc = bjson_get(o, "seccomp");
    char *nf = bjson_to_string(bjson_get(sc, "filters"), false);
    printf("%-18s%s (%s filters)\n", "seccomp", bjson_string(bjson_get(sc, "mode")), nf);
    free(nf);
    printf("%-18s%s\n", "no_new_privs", bjson_bool(bjson_get(o, "noNewPrivileges")) ? "yes" : "no");
    printf("%-18s%s\n%-18s%s\n", "uid_map", bjson_string(bjson_get(o, "uidMap")), "gid_map",
           bjson_string(bjson_get(o, "gidMap")));
    printf("%-18s%s\n%-18s%s\n", "lsm label", bjson_string(bjson_get(o, "lsmLabel")), "landlock",
           bjson_string(bjson_get(o, "landlock")));
    bjson *p = bjson_get(o, "probe");
    if (p) {
        char *cnt = bjson_to_string(bjson_get(p, "blockedCount"), false);
        char *tried = bjson_to_string(bjson_get(p, "tried"), false);
        printf("%-18s%s blocked of %s tried\n", "probe", cnt, tried);
        free(cnt);
        free(tried);
        print_list("probe blocked", bjson_get(p, "blocked"));
        print_list("probe allowed", bjson_get(p, "allowed"));
    }
}

static int inspect_one(struct cli_globals *g, const char *id, bool json, bool want_probe)
{
    struct brick_container_info *v;
    size_t n;
    struct brick_error err;
    if (brick_list(g->root, &v, &n, &err) < 0)
        return cli_fail(&err);
    const struct brick_container_info *c = NULL;
    for (size_t i = 0; i < n; i++)
        if (streq(v[i].id, id))
            c = &v[i];
    int r = 0;
    _cleanup_free_ char *status = NULL;
    char path[64];
    if (c && c->pid > 0)
        snprintf(path, sizeof(path), "/proc/%d/status", c->pid);
    if (!c)
        r = cli_failf("container \"%s\" does not exist", id);
    else if (c->pid <= 0 || streq(c->status, "stopped") ||
             read_file_at(AT_FDCWD, path, BRICK_READ_SMALL, &status, NULL) < 0)
        r = cli_failf("inspect: container \"%s\" is not running", id);
    bjson *o = r == 0 ? report(c, v, n, status) : NULL;
    if (o && want_probe) {
        bjson *p = probe(c->pid, &err);
        if (p)
            bjson_set(o, "probe", p);
        else
            r = cli_fail(&err);
    }
    if (o && r == 0 && json) {
        char *s = bjson_to_string(o, true);
        puts(s);
        free(s);
    } else if (o && r == 0) {
        print_text(o);
    }
    bjson_free(o);
    brick_container_info_free(v, n);
    return r;
}

static const struct brick_opt inspect_opts[] = {
    {"format", required_argument, NULL, 'f', "text|json", "output format (default text)", "words:text json"},
    {"probe", no_argument, NULL, 'p', NULL, "copy the process's seccomp filters (ptrace) and try a list of "
     "dangerous syscalls against them in a throwaway child", NULL},
    {"help", no_argument, NULL, 'h', NULL, "show this help", NULL},
    {0},
};

static int inspect_main(struct cli_globals *g, int argc, char **argv)
{
    bool json = false, want_probe = false;
    int c;
    while ((c = cli_getopt(argc, argv, "f:ph", inspect_opts, &cmd_inspect)) != -1) {
        if (c == 'f' && (streq(optarg, "json") || streq(optarg, "text")))
            json = streq(optarg, "json");
        else if (c == 'f')
            return cli_failf("inspect: --format: expected text or json, got \"%s\"", optarg);
        else if (c == 'p')
            want_probe = true;
        else
            return c == 'h' ? cli_help(&cmd_inspect) : 1;
    }
    if (cli_want_args(argc, argv, 1, 1, &cmd_inspect) < 0)
        return 1;
    return inspect_one(g, argv[optind], json, want_probe);
}

const struct cli_command cmd_inspect = {
    .name = "inspect",
    .summary = "report how a running container is confined",
    .usage = "inspect [options] <container-id>\n\n"
             "Reads /proc of the container process: namespaces (and which containers under --root\n"
             "share them), capability sets, seccomp mode, no_new_privs, id maps, LSM label.\n",
    .run = inspect_main,
    .opts = inspect_opts,
    .shortopts = "f:ph",
    .args = BRICK_COMPLETE_CONTAINER,
};
