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

/* Parse flags, build, parse the JSON back; NULL on failure (err set). */
static bjson *build(const char *const *args, struct brick_error *err)
{
    struct compose_opts o;
    char *json = NULL;
    int r = parse(&o, err, args);
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

int main(void)
{
    test_defaults();
    test_flags();
    test_join_paths();
    test_errors();
    test_units();
    return tap_done();
}
