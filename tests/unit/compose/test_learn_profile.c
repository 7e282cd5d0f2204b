/* test_learn_profile.c — what --learn recorded, collapsed into the Landlock
 * policy and the capability list of the learned file (cli/learn_paths.c,
 * cli/learn_profile.c; the recording itself: tests/integration/test_learn.py). */
#include "cli/learn.h"
#include "core/error.h"
#include "core/util.h"
#include "spec/json.h"
#include "../tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The access list of the rule on path, as "a,b"; NULL when there is none. */
static char *access_of(const char *policy, const char *path)
{
    bjson *p = NULL;
    struct brick_error err;
    if (bjson_parse(policy, strlen(policy), &p, &err) < 0)
        return NULL;
    char *out = NULL;
    bjson *fs = bjson_get(p, "fs");
    for (size_t i = 0; i < bjson_array_len(fs); i++) {
        bjson *r = bjson_array_get(fs, i), *acc = bjson_get(r, "access");
        if (!streq(bjson_string(bjson_get(r, "path")), path))
            continue;
        out = xstrdup("");
        for (size_t j = 0; j < bjson_array_len(acc); j++) {
            char *t = xasprintf("%s%s%s", out, *out ? "," : "", bjson_string(bjson_array_get(acc, j)));
            free(out);
            out = t;
        }
    }
    bjson_free(p);
    return out;
}

static void is_access(const char *policy, const char *path, const char *want, const char *what)
{
    char *got = access_of(policy, path);
    if (want)
        is_str(got, want, what);
    else
        ok(!got, what);
    free(got);
}

static void test_collapse(void)
{
    struct learn_record rec = {0};
    learn_path_add(&rec, "/usr/lib/x86_64-linux-gnu/libc.so.6", LR_READ_FILE);
    learn_path_add(&rec, "/usr/bin/busybox", LR_EXECUTE | LR_READ_FILE);
    learn_path_add(&rec, "/etc/ssl/certs/ca.pem", LR_READ_FILE);
    learn_path_add(&rec, "/srv/www/index.html", LR_READ_FILE);
    learn_path_add(&rec, "/srv/www/sub", LR_READ_DIR);
    learn_path_add(&rec, "/dev/null", LR_WRITE);
    learn_path_add(&rec, "/tmp", LR_CREATE);
    learn_path_add(&rec, "/tmp/log/x.log", LR_WRITE);
    learn_path_add(&rec, "/tmp/log/y.log", LR_WRITE);
    learn_path_add(&rec, "/flag", LR_READ_FILE);
    learn_path_add(&rec, "/proc/4242/status", LR_READ_FILE);
    rec.bind[rec.n_bind++] = 80;
    rec.connect[rec.n_connect++] = 0;
    rec.connect[rec.n_connect++] = 443;
    char *p = learn_landlock_policy(&rec);
    ok(p, "a policy is written");
    is_access(p, "/usr", "read-file,execute", "reads and executes under /usr: one rule on /usr");
    is_access(p, "/etc", "read-file", "/etc collapsed");
    is_access(p, "/srv/www", "read-file", "a file read: its directory");
    is_access(p, "/srv/www/sub", "read-dir", "a directory read: itself");
    is_access(p, "/dev/null", "write,ioctl-dev", "a device one by one, with ioctl-dev");
    is_access(p, "/tmp", "create", "create on the directory");
    is_access(p, "/tmp/log", "write", "write only where written");
    is_access(p, "/flag", "read-file", "a file in / stays itself (not all of /)");
    is_access(p, "/proc", "read-file", "/proc/PID collapsed to /proc");
    is_access(p, "/lib64", "read-file,execute", "an execve: the ELF interpreter's directories");
    bjson *v = NULL;
    struct brick_error err;
    ok(bjson_parse(p, strlen(p), &v, &err) == 0, "valid JSON");
    bjson *net = bjson_get(v, "net");
    ok(bjson_array_len(bjson_get(net, "bind")) == 1, "bind: the port bound");
    ok(bjson_array_len(bjson_get(net, "connect")) == 1, "connect: port 0 left out");
    bjson_free(v);
    free(p);
    /* a rule an ancestor covers is left out */
    struct learn_record r2 = {0};
    learn_rule_add(&r2, "/data", LR_READ_FILE | LR_WRITE | LR_CREATE);
    learn_rule_add(&r2, "/data/sub", LR_WRITE);
    learn_rule_add(&r2, "/data/other", LR_REMOVE);
    learn_rule_add(&r2, "/", LR_READ_DIR);
    learn_rule_add(&r2, "/srv/dir", LR_READ_DIR);
    p = learn_landlock_policy(&r2);
    is_access(p, "/", "read-dir", "/ read as a directory: read-dir only");
    is_access(p, "/srv/dir", NULL, "a directory read under it: covered");
    is_access(p, "/data/sub", NULL, "covered by /data: left out");
    is_access(p, "/data/other", "remove", "not covered: kept");
    free(p);
    r2.paths_lost = true;
    ok(!learn_landlock_policy(&r2), "paths lost: no policy (rather than a wrong one)");
    for (size_t i = 0; i < rec.n_paths; i++)
        free(rec.paths[i].path);
    for (size_t i = 0; i < r2.n_paths; i++)
        free(r2.paths[i].path);
    free(rec.paths);
    free(r2.paths);
}

static void test_not_utf8(void)
{
    struct learn_record rec = {0};
    learn_path_add(&rec, "/tmp/\xff\xfe/f", LR_WRITE);
    learn_path_add(&rec, "/data/ok/caf\xc3\xa9.txt", LR_READ_FILE);
    learn_path_add(&rec, "/srv/\xed\xa0\x80/x", LR_READ_FILE); /* a surrogate */
    char *p = learn_landlock_policy(&rec);
    is_access(p, "/tmp", "write", "a name that is not UTF-8: its directory, the rights as they are");
    is_access(p, "/data/ok", "read-file", "valid UTF-8 is kept");
    is_access(p, "/srv", "read-file", "a surrogate is not UTF-8");
    free(p);
    for (size_t i = 0; i < rec.n_paths; i++)
        free(rec.paths[i].path);
    free(rec.paths);
}

static void test_made_dirs(void)
{
    struct learn_record rec = {0};
    learn_path_add(&rec, "/tmp", LR_CREATE); /* mkdir /tmp/d */
    learn_made_add(&rec, "/tmp/d");
    learn_path_add(&rec, "/tmp/d", LR_CREATE); /* mkdir /tmp/d/e */
    learn_made_add(&rec, "/tmp/d/e");
    learn_path_add(&rec, "/tmp/d/e/f", LR_WRITE); /* a file written there */
    learn_path_add(&rec, "/srv/x", LR_READ_FILE);
    char *p = learn_landlock_policy(&rec);
    is_access(p, "/tmp", "write,create", "rules on directories the run made: lifted to the one that existed");
    is_access(p, "/tmp/d", NULL, "... none on a made one");
    is_access(p, "/srv", "read-file", "others untouched");
    free(p);
    for (size_t i = 0; i < rec.n_paths; i++)
        free(rec.paths[i].path);
    for (size_t i = 0; i < rec.n_made; i++)
        free(rec.made[i]);
    free(rec.paths);
    free(rec.made);
}

static void test_bounds(void)
{
    struct learn_record rec = {0};
    for (int i = 0; i < LEARN_MAX_PATHS + 10; i++) {
        char d[32];
        snprintf(d, sizeof(d), "/d%d", i);
        learn_path_add(&rec, d, LR_READ_DIR);
    }
    ok(rec.n_paths == LEARN_MAX_PATHS && rec.paths_lost && strstr(rec.paths_why, "2048"),
       "past LEARN_MAX_PATHS: bounded, and lost");
    for (size_t i = 0; i < rec.n_paths; i++)
        free(rec.paths[i].path);
    free(rec.paths);
}

/* Only reads and executes collapse to a system directory: a write (O_RDWR
 * of a file beneath /usr) stays on the file's directory. And the rule on /. */
static void test_write_not_collapsed(void)
{
    struct learn_record rec = {0};
    learn_path_add(&rec, "/usr/lib/os-release", LR_READ_FILE | LR_WRITE);
    learn_path_add(&rec, "/opt/app/data/db", LR_WRITE);
    char *p = learn_landlock_policy(&rec);
    is_access(p, "/usr", "read-file", "the read of an O_RDWR open: collapsed");
    is_access(p, "/usr/lib", "write", "its write: on the file's directory");
    is_access(p, "/opt", NULL, "no write on a system directory");
    is_access(p, "/opt/app/data", "write", "a write: where written");
    ok(learn_root_rights(&rec) == 0, "no rule on /");
    learn_path_add(&rec, "/", LR_READ_DIR);
    ok(learn_root_rights(&rec) == LR_READ_DIR, "a rule on /: its rights, for the warning");
    char *acc = learn_access_string(LR_READ_DIR | LR_WRITE);
    is_str(acc, "read-dir,write", "rights by name");
    free(acc);
    free(p);
    for (size_t i = 0; i < rec.n_paths; i++)
        free(rec.paths[i].path);
    free(rec.paths);
}

/* socket(): only real families are recorded (a flood of bogus numbers made a
 * profile of thousands of rules). */
static void test_families(void)
{
    struct learn_record rec = {0};
    for (uint64_t f = 0; f < 5000; f++)
        learn_record_family(&rec, 1000 + f);
    learn_record_family(&rec, 0);
    learn_record_family(&rec, (1ULL << 32) | 2);
    ok(rec.n_families == 0, "AF_UNSPEC, families >= AF_MAX and high bits: not recorded");
    learn_record_family(&rec, 1);
    learn_record_family(&rec, 2);
    learn_record_family(&rec, 2);
    ok(rec.n_families == 2 && rec.families[0] == 1 && rec.families[1] == 2, "real families, once each");
    free(rec.families);
}

static void test_caps(void)
{
    char *s = learn_caps_string((1ULL << 0) | (1ULL << 10));
    is_str(s, "CAP_CHOWN,CAP_NET_BIND_SERVICE", "capabilities by name");
    free(s);
    s = learn_caps_string(0);
    is_str(s, "", "none: the empty list");
    free(s);
}

int main(void)
{
    test_collapse();
    test_bounds();
    test_not_utf8();
    test_made_dirs();
    test_write_not_collapsed();
    test_families();
    test_caps();
    return tap_done();
}
