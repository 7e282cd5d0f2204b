/* test_compose.c — brick do's flags -> struct compose_opts -> config.json. */
#include <brick/brick.h>

#include "compose/compose.h"
#include "core/util.h"
#include "spec/json.h"
#include "../tap.h"
#include "parse.h"

#include <stdlib.h>
#include <string.h>

static const struct compose_probe *test_probe; /* set by the destination tests */

/* Parse flags, build (as caller: NULL for root), parse the JSON back; NULL
 * on failure (err set). */
static bjson *build_for(const char *const *args, struct compose_caller *caller, struct brick_error *err)
{
    struct compose_opts o;
    char *json = NULL;
    int r = parse(&o, err, args);
    o.caller = caller; /* freed with o */
    o.probe = test_probe;
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

static bjson *build(const char *const *args, struct brick_error *err) { return build_for(args, NULL, err); }

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
    static const char *const a[] = {"--rootfs",
                                    "/srv/r",
                                    "-v",
                                    "/a:/b:ro",
                                    "--tmpfs",
                                    "/scratch",
                                    "-e",
                                    "A=1",
                                    "-e",
                                    "A=2",
                                    "-w",
                                    "/w",
                                    "-u",
                                    "1000:1001",
                                    "--cap-add",
                                    "sys_ptrace",
                                    "--cap-drop",
                                    "NET_RAW",
                                    "--memory",
                                    "64m",
                                    "--cpus",
                                    "1.5",
                                    "--pids-limit",
                                    "10",
                                    "--net",
                                    "host",
                                    "--uts",
                                    "host",
                                    "--security-opt",
                                    "no-new-privileges=false",
                                    "--",
                                    "prog",
                                    "-x",
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
    bjson_i64(path(path(s, "linux", "resources"), "memory", NULL)
                  ? bjson_get(path(path(s, "linux", "resources"), "memory", NULL), "limit")
                  : NULL,
              &v);
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

    struct compose_id_range r =
        compose_subid_parse("alice:100000:65536\nbob:165536:65536\n1001:300000:70000\n", "bob", 1002);
    ok(r.start == 165536 && r.count == 65536, "subuid by name");
    r = compose_subid_parse("alice:100000:65536\n1001:300000:70000\n", "carol", 1001);
    ok(r.start == 300000 && r.count == 65536, "subuid by uid");
    r = compose_subid_parse("carol:100000:1000\nbroken\ncarol:x:y\n", "carol", 7);
    ok(r.count == 0, "short or malformed ranges ignored");
}

/* A host tree for the destination walk: what lstat and readlink would say. */
static const struct {
    const char *path;
    int kind;
    const char *target;
} fake_tree[] = {
    {"/srv", COMPOSE_DIR, NULL},
    {"/etc", COMPOSE_DIR, NULL},
    {"/etc/passwd", COMPOSE_FILE, NULL},
    {"/var", COMPOSE_DIR, NULL},
    {"/var/run", COMPOSE_LINK, "/run"},
    {"/lnk", COMPOSE_LINK, "srv"},
    {"/var/up", COMPOSE_LINK, "../../../../srv/deep"},
    {"/srv/deep", COMPOSE_DIR, NULL},
    {"/data", COMPOSE_DIR, NULL},
    {"/data/vol", COMPOSE_DIR, NULL},
    {"/srv/cur", COMPOSE_LINK, "www"},
    {"/loop", COMPOSE_LINK, "/loop"},
};

static int fake_lookup(void *data, const char *path, char **ret_target)
{
    (void)data;
    *ret_target = NULL;
    for (size_t i = 0; i < sizeof(fake_tree) / sizeof(*fake_tree); i++) {
        if (!streq(fake_tree[i].path, path))
            continue;
        if (fake_tree[i].target)
            *ret_target = strdup(fake_tree[i].target);
        return fake_tree[i].kind;
    }
    return COMPOSE_MISSING;
}

static const struct compose_probe fake_probe = {.lookup = fake_lookup};

/* The covers of a build with the fake host (a JSON text), or the error. */
static const char *covers_of(const char *const *args, char *buf, size_t len)
{
    struct brick_error err;
    test_probe = &fake_probe;
    bjson *s = build(args, &err);
    test_probe = NULL;
    const char *c = s ? bjson_string(path(s, "annotations", "run.brick.cover")) : err.msg;
    snprintf(buf, len, "%s", c ? c : "none");
    bjson_free(s);
    return buf;
}

static void test_destinations(void)
{
    char b[1024];
    static const char *const readme[] = {"-v", "/data/vol:/srv/www:ro", "true", NULL};
    is_str(covers_of(readme, b, sizeof(b)), "[\"/srv\"]", "the README's -v: /srv covered");
    static const char *const deep[] = {"-v", "/data/vol:/srv/a/b/c", "--tmpfs", "/etc/x/y", "true", NULL};
    is_str(covers_of(deep, b, sizeof(b)), "[\"/etc\",\"/srv\"]", "deep under a missing parent");
    static const char *const mine[] = {"-v", "/data/vol:/tmp/x/y",  "-v",           "/data/vol:/var/run/z",
                                       "-v", "/data/vol:/srv/deep", "--home=/data", "true",
                                       NULL};
    is_str(covers_of(mine, b, sizeof(b)), "none", "under /tmp, /run (through a symlink), existing: nothing");
    static const char *const tmpfs_parent[] = {"--tmpfs", "/srv/t", "-v", "/data/vol:/srv/t/y", "true", NULL};
    is_str(covers_of(tmpfs_parent, b, sizeof(b)), "[\"/srv\"]", "--tmpfs made first, -v inside it");
    static const char *const links[] = {"-v", "/data/vol:/lnk/n", "-v", "/data/vol:/var/up/m", "true", NULL};
    is_str(covers_of(links, b, sizeof(b)), "[\"/srv\",\"/srv/deep\"]",
           "symlinks followed as in the root (.. stops at /)");
    static const char *const in_vol[] = {"-v", "/data:/srv/d", "-v", "/data/vol:/srv/d/new", "true", NULL};
    is_str(covers_of(in_vol, b, sizeof(b)), "[\"/srv\"]", "inside a read-write -v: made there");
    static const char *const ro_vol[] = {"-v", "/data:/srv/d:ro", "-v", "/data/vol:/srv/d/new", "true", NULL};
    ok(strstr(covers_of(ro_vol, b, sizeof(b)), "-v /data/vol:/srv/d/new: /srv/d/new does not exist in the "
                                               "read-only bind at /srv/d"),
       "inside a read-only -v: an error naming the flag");
    static const char *const top[] = {"--tmpfs", "/newtop", "true", NULL};
    ok(strstr(covers_of(top, b, sizeof(b)), "--tmpfs /newtop: /newtop does not exist"), "never a cover of /");
    static const char *const file[] = {"-v", "/data:/etc/passwd/x", "true", NULL};
    ok(strstr(covers_of(file, b, sizeof(b)), "Not a directory"), "below a file");
    static const char *const tmpfs_file[] = {"--tmpfs", "/etc/passwd", "true", NULL};
    ok(strstr(covers_of(tmpfs_file, b, sizeof(b)), "--tmpfs /etc/passwd: /etc/passwd is not a directory"),
       "--tmpfs on a file");
    static const char *const loop[] = {"-v", "/data:/loop/x", "true", NULL};
    ok(strstr(covers_of(loop, b, sizeof(b)), "symbolic links"), "a symlink loop");
    static const char *const rootfs[] = {"--rootfs", "/r", "-v", "/data:/srv/x", "true", NULL};
    is_str(covers_of(rootfs, b, sizeof(b)), "none", "--rootfs: the runtime makes it in the rootfs");
}

static void test_symlinks_and_try(void)
{
    char b[1024];
    struct brick_error err;
    static const char *const ln[] = {"--symlink", "/data", "/srv/current", "--symlink", "www", "/srv/cur",
                                     "--symlink", "x",     "/tmp/l",       "true",      NULL};
    is_str(covers_of(ln, b, sizeof(b)), "[\"/srv\"]", "--symlink in an existing host directory: covered");
    test_probe = &fake_probe;
    bjson *s = build(ln, &err);
    test_probe = NULL;
    is_str(bjson_string(path(s, "annotations", "run.brick.symlinks")),
           "[{\"path\":\"/srv/current\",\"target\":\"/data\"},{\"path\":\"/srv/cur\",\"target\":\"www\"},"
           "{\"path\":\"/tmp/l\",\"target\":\"x\"}]",
           "symlinks annotation");
    bjson_free(s);
    static const char *const taken[] = {"--symlink", "other", "/srv/cur", "true", NULL};
    ok(strstr(covers_of(taken, b, sizeof(b)), "--symlink other /srv/cur: /srv/cur exists"), "a taken name");
    struct compose_opts o;
    static const char *const two[] = {"--bind-try", "/a", "/b", "--ro-bind-try", "/c", "/d", "true", NULL};
    ok(parse(&o, &err, two) == 0 && o.n_volumes == 2 && o.volumes[1].ro && o.volumes[0].try_ &&
           streq(o.volumes[1].flag, "--ro-bind-try /c /d") && o.args && streq(o.args[0], "true"),
       "--bind-try SRC DST, --ro-bind-try SRC DST");
    compose_opts_done(&o);
    static const char *const half[] = {"--symlink", "x", NULL};
    ok(parse(&o, &err, half) < 0 && strstr(err.msg, "--symlink: expected two arguments"),
       "one argument short");
    compose_opts_done(&o);
    static const char *const dots[] = {"-v", "/a:/srv/../etc", "true", NULL};
    ok(parse(&o, &err, dots) < 0 && strstr(err.msg, "\"..\" is not allowed"), ".. refused in a destination");
    compose_opts_done(&o);
}

static void test_environment(void)
{
    struct brick_error err;
    struct compose_opts o;
    static const char *const a[] = {"-e",         "LANG=fr_FR.UTF-8",
                                    "--unsetenv", "LC_TIME",
                                    "-e",         "A=1",
                                    "--unsetenv", "A",
                                    "-e",         "B=2",
                                    "true",       NULL};
    char *caller[] = {"LANG=C.UTF-8", "LC_TIME=en_GB.UTF-8", "LC_PAPER=a4", "TERM=foot", "SECRET=x", NULL};
    parse(&o, &err, a);
    compose_env_from_caller(&o, caller);
    o.user_name = strdup("nobody");
    o.has_user = true;
    o.uid = o.gid = 65534;
    char *json = NULL;
    bjson *s = NULL;
    ok(compose_build(&o, &json, &err) == 0 && bjson_parse(json, strlen(json), &s, &err) == 0, "builds");
    bjson *env = path(s, "process", "env");
    ok(has_str(env, "HOME=/home/user") && has_str(env, "USER=nobody") && has_str(env, "LOGNAME=nobody"),
       "HOME, USER, LOGNAME");
    ok(has_str(env, "TERM=foot") && has_str(env, "LC_PAPER=a4") && !has_str(env, "SECRET=x"),
       "the caller's terminal and locale, nothing else");
    ok(has_str(env, "LANG=fr_FR.UTF-8") && !has_str(env, "LANG=C.UTF-8"), "-e overrides");
    ok(!has_str(env, "LC_TIME=en_GB.UTF-8") && !has_str(env, "A=1") && has_str(env, "B=2"), "--unsetenv");
    bjson_free(s);
    free(json);
    compose_opts_done(&o);
}

static const char passwd[] =
    "root:x:0:0:root:/root:/bin/bash\n1000:x:0:0:trap:/:/bin/sh\n"
    "www:x:33:33:www:/var/www:/usr/sbin/nologin\nnobody:x:65534:65534::/:/sbin/nologin\n";
static const char group[] = "root:x:0:\nadm:x:4:www\nwww:x:33:\naudio:x:29:www,alice\nnogroup:x:65534:\n";

static int resolve(const char *u, struct compose_opts *o, struct brick_error *err)
{
    const char *a[] = {"-u", u, "true", NULL};
    int r = parse(o, err, a);
    return r < 0 ? r : compose_user_resolve(o, passwd, group, "", err);
}

static void test_users(void)
{
    struct brick_error err;
    struct compose_opts o;
    ok(resolve("www", &o, &err) == 0 && o.uid == 33 && o.gid == 33 && o.n_groups == 2 && o.groups[0] == 4 &&
           o.groups[1] == 29 && streq(o.user_name, "www"),
       "a name: ids, supplementary groups, USER");
    compose_opts_done(&o);
    ok(resolve("www:audio", &o, &err) == 0 && o.uid == 33 && o.gid == 29 && o.n_groups == 0,
       "NAME:GROUP: that group only");
    compose_opts_done(&o);
    ok(resolve("1000", &o, &err) == 0 && o.uid == 1000 && o.gid == 1000 && !o.user_name,
       "a number is an id, never a name (CVE-2016-3697)");
    compose_opts_done(&o);
    ok(resolve("65534:adm", &o, &err) == 0 && o.uid == 65534 && o.gid == 4 && streq(o.user_name, "nobody"),
       "UID:GROUPNAME");
    compose_opts_done(&o);
    ok(resolve("ghost", &o, &err) < 0 && streq(err.msg, "-u ghost: no user \"ghost\" in /etc/passwd"),
       "an unknown user");
    compose_opts_done(&o);
    ok(resolve("www:ghosts", &o, &err) < 0 && strstr(err.msg, "no group \"ghosts\" in /etc/group"),
       "an unknown group");
    compose_opts_done(&o);
    /* unprivileged: only the groups the user namespace maps */
    struct compose_caller *c = calloc(1, sizeof(*c));
    *c = (struct compose_caller){
        .uid = 1000, .gid = 1000, .subuid = {200000, 65536}, .subgid = {200000, 65536}};
    resolve("www", &o, &err);
    o.groups = realloc(o.groups, 3 * sizeof(*o.groups));
    o.groups[o.n_groups++] = 70000;
    o.caller = c;
    char *json = NULL;
    bjson *s = NULL;
    ok(compose_build(&o, &json, &err) == 0 && bjson_parse(json, strlen(json), &s, &err) == 0,
       "builds as a user");
    bjson *gids = path(path(s, "process", "user"), "additionalGids", NULL);
    ok(bjson_array_len(gids) == 2, "with a range: the groups below 65536");
    bjson_free(s);
    free(json);
    json = NULL;
    s = NULL;
    c->subgid.count = 0;
    o.uid = o.gid = 1000; /* the caller's own: all it can be without a range */
    ok(compose_build(&o, &json, &err) == 0 && bjson_parse(json, strlen(json), &s, &err) == 0 &&
           !path(path(s, "process", "user"), "additionalGids", NULL),
       "without one: none (the caller's gid alone is mapped)");
    bjson_free(s);
    free(json);
    compose_opts_done(&o);
    static const char *const unresolved[] = {"-u", "www", "true", NULL};
    ok(!build(unresolved, &err) && strstr(err.msg, "not looked up"), "a name is never built unresolved");
}

/* --learn: ALLOW -> NOTIFY, sendmsg kept ALLOW, the listener set; denials untouched. */
static bjson *build_learn(const char *const *args, const char *seccomp_json, struct brick_error *err)
{
    struct compose_opts o;
    char *json = NULL;
    int r = parse(&o, err, args);
    if (r == 0) {
        o.notify_path = xstrdup("/tmp/brick-learn.x/notify.sock");
        o.seccomp_json = seccomp_json ? xstrdup(seccomp_json) : NULL;
        r = compose_build(&o, &json, err);
    }
    compose_opts_done(&o);
    bjson *v = NULL;
    if (r == 0)
        bjson_parse(json, strlen(json), &v, err);
    free(json);
    return v;
}

static const char *rule_action(bjson *sc, const char *name)
{
    bjson *calls = bjson_get(sc, "syscalls");
    for (size_t i = 0; i < bjson_array_len(calls); i++)
        if (has_str(bjson_get(bjson_array_get(calls, i), "names"), name))
            return bjson_string(bjson_get(bjson_array_get(calls, i), "action"));
    return NULL;
}

static void test_learn(void)
{
    struct brick_error err;
    static const char *const a[] = {"--learn", "p.json", "true", NULL};
    bjson *s = build_learn(a, NULL, &err);
    bjson *sc = path(s, "linux", "seccomp");
    ok(s, "--learn builds and validates");
    is_str(bjson_string(bjson_get(sc, "listenerPath")), "/tmp/brick-learn.x/notify.sock", "listener set");
    is_str(rule_action(sc, "read"), "SCMP_ACT_NOTIFY", "an allowed call is notified");
    is_str(rule_action(sc, "clone"), "SCMP_ACT_NOTIFY", "clone (conditional) is notified");
    is_str(rule_action(sc, "sendmsg"), "SCMP_ACT_ALLOW", "sendmsg stays allowed (fd hand-off)");
    is_str(rule_action(sc, "exit_group"), "SCMP_ACT_ALLOW", "exit_group stays allowed (a supervisor gone)");
    is_str(rule_action(sc, "close"), "SCMP_ACT_ALLOW",
           "close stays allowed (the init closes its notify fd after the hand-off)");
    is_str(rule_action(sc, "clone3"), "SCMP_ACT_ERRNO", "clone3 still ENOSYS");
    is_str(bjson_string(bjson_get(sc, "defaultAction")), "SCMP_ACT_ERRNO", "default still denies");
    bjson_free(s);
    static const char *const b[] = {"--profile-file", "p.json", "true", NULL};
    s = build_learn(b,
                    "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":1,"
                    "\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"}]}",
                    &err);
    sc = path(s, "linux", "seccomp");
    is_str(bjson_string(bjson_get(sc, "defaultAction")), "SCMP_ACT_NOTIFY",
           "--profile-file: refusals notified");
    ok(!bjson_get(sc, "defaultErrnoRet"), "defaultErrnoRet dropped");
    is_str(rule_action(sc, "read"), "SCMP_ACT_ALLOW", "the profile's allows stay");
    bjson_free(s);
    static const char *const c[] = {"--profile-file", "p.json", "true", NULL};
    ok(!build_learn(c, "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[]}", &err) &&
           strstr(err.msg, "defaultAction must be SCMP_ACT_ERRNO"),
       "an allow-by-default profile is refused");
    static const char *const d[] = {"--learn", "p.json", "-d", "true", NULL};
    ok(!build_learn(d, NULL, &err) && strstr(err.msg, "needs a foreground run"), "--learn -d refused");
}

/* --profile-file: the learned capabilities and Landlock policy applied, taken out of linux.seccomp. */
static void test_learn_annotations(void)
{
    struct brick_error err;
    static const char *const a[] = {"--profile-file", "p.json", "true", NULL};
    bjson *s = build_learn(a,
                           "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\","
                           "\"execve\"],\"action\":\"SCMP_ACT_ALLOW\"}],\"annotations\":{"
                           "\"run.brick.capabilities\":\"CAP_CHOWN,CAP_SYS_ADMIN\","
                           "\"run.brick.landlock\":\"{\\\"fs\\\":[]}\"}}",
                           &err);
    ok(s, "a learned file with annotations builds");
    bjson *sc = path(s, "linux", "seccomp"), *bnd = bjson_get(path(s, "process", "capabilities"), "bounding");
    ok(!bjson_get(sc, "annotations"), "annotations taken out of linux.seccomp");
    ok(bjson_array_len(bnd) == 1 && has_str(bnd, "CAP_CHOWN"),
       "capabilities: the default set limited to the learned "
       "(CAP_SYS_ADMIN was not in it: not added)");
    ok(bjson_array_len(bjson_get(path(s, "process", "capabilities"), "effective")) == 1,
       "effective limited too");
    is_str(bjson_string(path(s, "annotations", "run.brick.landlock")), "{\"fs\":[]}",
           "the Landlock policy applied");
    is_str(rule_action(sc, "execve"), "SCMP_ACT_NOTIFY", "execve notified (capability checks followed)");
    is_str(rule_action(sc, "read"), "SCMP_ACT_ALLOW", "the rest of the entry still allowed");
    ok(strstr(bjson_string(bjson_get(sc, "listenerMetadata")), "CAP_KILL") &&
           !strstr(bjson_string(bjson_get(sc, "listenerMetadata")), "CAP_CHOWN"),
       "the dropped ones for the supervisor");
    bjson_free(s);
    ok(!build_learn(a,
                    "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[],\"annotations\":{"
                    "\"run.brick.capabilities\":\"CAP_FLY\"}}",
                    &err) &&
           strstr(err.msg, "annotations[\"run.brick.capabilities\"]: unknown capability \"CAP_FLY\""),
       "an unknown capability is named");
    ok(!build_learn(a,
                    "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[],\"annotations\":{"
                    "\"run.brick.capabilites\":\"\"}}",
                    &err) &&
           strstr(err.msg, "annotations[\"run.brick.capabilites\"]: unknown key"),
       "a misspelt key is refused");
    ok(!build_learn(a,
                    "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[],\"annotations\":{"
                    "\"run.brick.landlock\":5}}",
                    &err) &&
           strstr(err.msg, "expected a string"),
       "a non-string annotation is refused");
    ok(!build_learn(a,
                    "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[],\"annotations\":{"
                    "\"run.brick.landlock\":\"{\\\"fs\\\":[{\\\"path\\\":\\\"/x\\\",\\\"access\\\":"
                    "[\\\"fly\\\"]}]}\"}}",
                    &err) &&
           strstr(
               err.msg,
               "--profile-file p.json: annotations[\"run.brick.landlock\"].fs[0].access[0]: unknown access"),
       "a bad Landlock policy is named with the flag");
}

int main(void)
{
    test_learn();
    test_learn_annotations();
    test_rootless();
    test_defaults();
    test_flags();
    test_join_paths();
    test_apparmor();
    test_errors();
    test_units();
    test_destinations();
    test_symlinks_and_try();
    test_environment();
    test_users();
    return tap_done();
}
