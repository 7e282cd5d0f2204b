/* test_compose.c — brick do's flags -> struct compose_opts -> config.json. */
#include <brick/brick.h>

#include "compose/compose.h"
#include "core/util.h"
#include "spec/json.h"
#include "../tap.h"

#include <stdlib.h>
#include <string.h>

static int parse(struct compose_opts *o, struct brick_error *err, const char *const *args)
{
    char *argv[64];
    int argc = 0;
    argv[argc++] = (char *)"do";
    for (; *args; args++)
        argv[argc++] = (char *)*args;
    argv[argc] = NULL;
    return compose_parse(argc, argv, o, err);
}

/* Parse flags, build (as caller: NULL for root), parse the JSON back; NULL
 * on failure (err set). */
static bjson *build_for(const char *const *args, struct compose_caller *caller, struct brick_error *err)
{
    struct compose_opts o;
    char *json = NULL;
    int r = parse(&o, err, args);
    o.caller = caller; /* freed with o */
    if (r == 0)
        r = compose_build(&o, &json, err);
    compose_opts_done(&o);
    if (r < 0)
        return NULL;
    bjson *v = NULL;
    bjson_parse(json, strlen(json), &v, err);
    free(json);
    return v;
}

static bjson *build(const char *const *args, struct brick_error *err)
{
    return build_for(args, NULL, err);
}

static bjson *path(bjson *v, const char *a, const char *b)
{
    v = bjson_get(v, a);
    return b ? bjson_get(v, b) : v;
}

static bool has_str(bjson *arr, const char *s)
{
    for (size_t i = 0; i < bjson_array_len(arr); i++)
        if (streq(bjson_string(bjson_array_get(arr, i)), s))
            return true;
    return false;
}

static bjson *ns_entry(bjson *spec, const char *type)
{
    bjson *a = path(spec, "linux", "namespaces");
    for (size_t i = 0; i < bjson_array_len(a); i++)
        if (streq(bjson_string(bjson_get(bjson_array_get(a, i), "type")), type))
            return bjson_array_get(a, i);
    return NULL;
}

static bjson *mount_at(bjson *spec, const char *dst)
{
    bjson *a = bjson_get(spec, "mounts");
    for (size_t i = 0; i < bjson_array_len(a); i++)
        if (streq(bjson_string(bjson_get(bjson_array_get(a, i), "destination")), dst))
            return bjson_array_get(a, i);
    return NULL;
}

static void test_defaults(void)
{
    struct brick_error err;
    static const char *const a[] = {"--name", "box", "echo", "hi", NULL};
    bjson *s = build(a, &err);
    ok(s, "default spec builds and validates");
    is_str(bjson_string(path(s, "root", "path")), "/", "host root");
    ok(bjson_bool(path(s, "root", "readonly")), "host root is read-only");
    is_str(bjson_string(bjson_get(s, "hostname")), "box", "hostname defaults to the name");
    ok(bjson_bool(path(s, "process", "noNewPrivileges")), "no_new_privs by default");
    ok(has_str(path(path(s, "process", "capabilities"), "bounding", NULL), "CAP_NET_RAW"), "Docker caps");
    ok(!has_str(path(path(s, "process", "capabilities"), "bounding", NULL), "CAP_SYS_ADMIN"), "no SYS_ADMIN");
    ok(ns_entry(s, "network") && !bjson_get(ns_entry(s, "network"), "path"), "new network ns");
    ok(!ns_entry(s, "user") && !ns_entry(s, "time"), "user and time: host");
    ok(mount_at(s, "/tmp") && mount_at(s, "/run") && mount_at(s, "/proc"), "private /tmp /run /proc");
    is_str(bjson_string(path(s, "annotations", COMPOSE_ANN_LOOPBACK)), "up", "loopback annotation");
    ok(path(s, "linux", "seccomp"), "default seccomp profile");
    bjson_free(s);
}

static void test_flags(void)
{
    struct brick_error err;
    static const char *const a[] = {"--rootfs", "/srv/r", "-v", "/a:/b:ro", "--tmpfs", "/scratch", "-e",
                                    "A=1", "-e", "A=2", "-w", "/w", "-u", "1000:1001", "--cap-add",
                                    "sys_ptrace", "--cap-drop", "NET_RAW", "--memory", "64m", "--cpus",
                                    "1.5", "--pids-limit", "10", "--net", "host", "--uts", "host",
                                    "--security-opt", "no-new-privileges=false", "--", "prog", "-x",
                                    NULL};
    bjson *s = build(a, &err);
    ok(s, "flag-heavy spec builds");
    if (!s) {
        printf("# %s\n", err.msg);
        return;
    }
    is_str(bjson_string(path(s, "root", "path")), "/srv/r", "--rootfs");
    ok(!bjson_bool(path(s, "root", "readonly")), "--rootfs is writable without --read-only");
    bjson *m = mount_at(s, "/b");
    ok(m && has_str(bjson_get(m, "options"), "ro"), "-v ro bind");
    ok(mount_at(s, "/scratch") && !mount_at(s, "/tmp"), "--tmpfs, no private /tmp with --rootfs");
    bjson *env = path(s, "process", "env");
    ok(has_str(env, "A=2") && !has_str(env, "A=1"), "later -e wins");
    is_str(bjson_string(path(s, "process", "cwd")), "/w", "-w");
    uint64_t uid = 0;
    bjson_u64(path(path(s, "process", "user"), "uid", NULL), &uid);
    is_int(uid, 1000, "-u uid");
    bjson *caps = path(path(s, "process", "capabilities"), "effective", NULL);
    ok(has_str(caps, "CAP_SYS_PTRACE") && !has_str(caps, "CAP_NET_RAW"), "--cap-add/--cap-drop");
    int64_t v = 0;
    bjson_i64(path(path(s, "linux", "resources"), "memory", NULL) ? bjson_get(path(path(s, "linux", "resources"), "memory", NULL), "limit") : NULL, &v);
    is_int(v, 64 << 20, "--memory 64m");
    bjson_i64(bjson_get(path(path(s, "linux", "resources"), "cpu", NULL), "quota"), &v);
    is_int(v, 150000, "--cpus 1.5 -> quota");
    ok(!ns_entry(s, "network") && !ns_entry(s, "uts") && !bjson_get(s, "hostname"), "host net and uts");
    ok(!path(s, "annotations", COMPOSE_ANN_LOOPBACK), "no loopback step for host net");
    ok(!bjson_bool(path(s, "process", "noNewPrivileges")), "no-new-privileges=false");
    bjson_free(s);
}

/* --security-opt apparmor=: the profile as given; "unconfined" is none (the
 * builder never decides the default: compose_apparmor_default does). */
static void test_apparmor(void)
{
    struct brick_error err;
    static const char *const given[] = {"--security-opt", "apparmor=acme", "id", NULL};
    static const char *const colon[] = {"--security-opt", "apparmor:acme", "id", NULL};
    static const char *const unconfined[] = {"--security-opt", "apparmor=unconfined", "id", NULL};
    static const char *const none[] = {"id", NULL};
    bjson *s = build(given, &err);
    is_str(bjson_string(path(s, "process", "apparmorProfile")), "acme", "apparmor=acme");
    bjson_free(s);
    s = build(colon, &err);
    is_str(bjson_string(path(s, "process", "apparmorProfile")), "acme", "apparmor:acme (Docker's old form)");
    bjson_free(s);
    s = build(unconfined, &err);
    ok(s && !path(s, "process", "apparmorProfile"), "apparmor=unconfined: no profile");
    bjson_free(s);
    s = build(none, &err);
    ok(s && !path(s, "process", "apparmorProfile"), "no flag: the builder adds none");
    bjson_free(s);
    static const char *const empty[] = {"--security-opt", "apparmor=", "id", NULL};
    ok(!build(empty, &err), "apparmor= refused");
    like_str(err.msg, "apparmor=PROFILE|unconfined", "the message names the form");
}

static void test_join_paths(void)
{
    struct brick_error err;
    static const char *const a[] = {"--net", "ns:/run/netns/x", "--user", "new", "true", NULL};
    bjson *s = build(a, &err);
    ok(s, "join by path builds");
    is_str(bjson_string(bjson_get(ns_entry(s, "network"), "path")), "/run/netns/x", "ns:PATH joined");
    ok(path(s, "linux", "uidMappings"), "--user new maps ids");
    bjson *sys = mount_at(s, "/sys");
    ok(sys && streq(bjson_string(bjson_get(sys, "type")), "none"), "/sys bound in a new user ns");
    bjson_free(s);
}

static void test_errors(void)
{
    struct brick_error err;
    struct compose_opts o;
    static const char *const bad_mem[] = {"--memory", "lots", "true", NULL};
    ok(parse(&o, &err, bad_mem) < 0 && strstr(err.msg, "--memory"), "bad --memory");
    compose_opts_done(&o);
    static const char *const bad_ns[] = {"--pid", "sideways", "true", NULL};
    ok(parse(&o, &err, bad_ns) < 0 && strstr(err.msg, "--pid"), "bad --pid");
    compose_opts_done(&o);
    static const char *const bad_cap[] = {"--cap-add", "FLY", "true", NULL};
    ok(parse(&o, &err, bad_cap) < 0 && strstr(err.msg, "FLY"), "unknown capability");
    compose_opts_done(&o);
    static const char *const no_cmd[] = {"--name", "x", NULL};
    ok(parse(&o, &err, no_cmd) < 0 && strstr(err.msg, "expected a command"), "missing command");
    compose_opts_done(&o);
    static const char *const pod_net[] = {"--pod", "p", "--net", "host", "true", NULL};
    ok(parse(&o, &err, pod_net) < 0 && strstr(err.msg, "--pod"), "--pod with --net");
    compose_opts_done(&o);
    static const char *const user_num[] = {"--user", "1000", "true", NULL};
    ok(parse(&o, &err, user_num) < 0 && strstr(err.msg, "-u UID"), "--user 1000 hints at -u");
    compose_opts_done(&o);
    static const char *const host_name[] = {"--uts", "host", "--hostname", "h", "true", NULL};
    ok(parse(&o, &err, host_name) < 0 && strstr(err.msg, "UTS"), "--hostname needs uts new");
    compose_opts_done(&o);
    /* detached: the output goes to the log, stdin is /dev/null */
    static const char *const detach_tty[] = {"-d", "-t", "true", NULL};
    ok(parse(&o, &err, detach_tty) < 0 && strstr(err.msg, "brick logs"), "-d -t refused");
    compose_opts_done(&o);
    static const char *const detach_stdin[] = {"-d", "-i", "true", NULL};
    ok(parse(&o, &err, detach_stdin) < 0 && strstr(err.msg, "/dev/null"), "-d -i refused");
    compose_opts_done(&o);
}

static void test_units(void)
{
    int64_t b;
    ok(compose_parse_size("512m", &b) == 0 && b == 512LL << 20, "512m");
    ok(compose_parse_size("1g", &b) == 0 && b == 1LL << 30, "1g");
    ok(compose_parse_size("100", &b) == 0 && b == 100, "bytes");
    ok(compose_parse_size("1x", &b) < 0, "bad unit");
    uint64_t q, p;
    ok(compose_parse_cpus("0.5", &q, &p) == 0 && q == 50000 && p == 100000, "0.5 cpus");
    ok(compose_parse_cpus("0", &q, &p) < 0, "0 cpus refused");
}

/* As an unprivileged caller (uid 1000) with or without a subordinate range. */
static bjson *build_as(const char *const *args, uint32_t sub_start, struct brick_error *err)
{
    struct compose_caller *c = calloc(1, sizeof(*c));
    *c = (struct compose_caller){.uid = 1000, .gid = 1000};
    if (sub_start)
        c->subuid = c->subgid = (struct compose_id_range){sub_start, 65536};
    return build_for(args, c, err);
}

static bool map_is(bjson *a, size_t i, uint64_t inside, uint64_t host, uint64_t size)
{
    bjson *m = bjson_array_get(a, i);
    uint64_t c = 0, h = 0, n = 0;
    bjson_u64(bjson_get(m, "containerID"), &c);
    bjson_u64(bjson_get(m, "hostID"), &h);
    bjson_u64(bjson_get(m, "size"), &n);
    return m && c == inside && h == host && n == size;
}

static void test_rootless(void)
{
    struct brick_error err;
    static const char *const plain[] = {"id", NULL};
    bjson *s = build_as(plain, 0, &err);
    ok(s, "unprivileged default builds");
    ok(ns_entry(s, "user") && !bjson_get(ns_entry(s, "user"), "path"), "a new user namespace");
    bjson *um = path(s, "linux", "uidMappings");
    ok(bjson_array_len(um) == 1 && map_is(um, 0, 1000, 1000, 1), "the caller's uid, as itself");
    uint64_t uid = 0;
    bjson_u64(path(path(s, "process", "user"), "uid", NULL), &uid);
    ok(uid == 1000, "the process runs as the caller");
    is_str(bjson_string(path(mount_at(s, "/sys"), "type", NULL)), "none", "/sys bound, not mounted");
    bjson_free(s);

    static const char *const root[] = {"-u", "0", "id", NULL};
    s = build_as(root, 0, &err);
    ok(s && map_is(path(s, "linux", "gidMappings"), 0, 0, 1000, 1), "-u 0: the caller is root inside");
    bjson_free(s);

    static const char *const other[] = {"-u", "1234", "id", NULL};
    ok(!build_as(other, 0, &err) && strstr(err.msg, "/etc/subuid"), "another id needs a range");
    s = build_as(other, 200000, &err);
    um = s ? path(s, "linux", "uidMappings") : NULL;
    ok(um && bjson_array_len(um) == 3 && map_is(um, 0, 0, 200000, 1234) && map_is(um, 1, 1234, 1000, 1) &&
           map_is(um, 2, 1235, 201234, 64301),
       "with a range: 0..65535, the process's id is the caller's");
    bjson_free(s);

    static const char *const host[] = {"--user", "host", "id", NULL};
    ok(!build_as(host, 0, &err) && strstr(err.msg, "unprivileged"), "--user host refused");

    struct compose_id_range r = compose_subid_parse("alice:100000:65536\nbob:165536:65536\n1001:300000:70000\n",
                                                    "bob", 1002);
    ok(r.start == 165536 && r.count == 65536, "subuid by name");
    r = compose_subid_parse("alice:100000:65536\n1001:300000:70000\n", "carol", 1001);
    ok(r.start == 300000 && r.count == 65536, "subuid by uid");
    r = compose_subid_parse("carol:100000:1000\nbroken\ncarol:x:y\n", "carol", 7);
    ok(r.count == 0, "short or malformed ranges ignored");
}

int main(void)
{
    test_rootless();
    test_defaults();
    test_flags();
    test_join_paths();
    test_apparmor();
    test_errors();
    test_units();
    return tap_done();
}
