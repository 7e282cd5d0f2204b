/* test-mount-opts.c — every OCI mount option runc knows, parsed. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mount.h>

#include "../tap.h"
#include "rootfs/mount_opts.h"

static struct brick_error err;

/* Parse a NULL-terminated list given inline. */
#define PARSE(o, type, ...) mount_options_parse((char *[]){__VA_ARGS__, NULL}, (type), (o), &err)

struct attr_case {
    const char *opt;
    bool rec;
    uint64_t set, clr;
};

static const struct attr_case attr_cases[] = {
    {"ro", false, MOUNT_ATTR_RDONLY, 0},
    {"rw", false, 0, MOUNT_ATTR_RDONLY},
    {"nosuid", false, MOUNT_ATTR_NOSUID, 0},
    {"suid", false, 0, MOUNT_ATTR_NOSUID},
    {"nodev", false, MOUNT_ATTR_NODEV, 0},
    {"dev", false, 0, MOUNT_ATTR_NODEV},
    {"noexec", false, MOUNT_ATTR_NOEXEC, 0},
    {"exec", false, 0, MOUNT_ATTR_NOEXEC},
    {"nodiratime", false, MOUNT_ATTR_NODIRATIME, 0},
    {"diratime", false, 0, MOUNT_ATTR_NODIRATIME},
    {"nosymfollow", false, MOUNT_ATTR_NOSYMFOLLOW, 0},
    {"symfollow", false, 0, MOUNT_ATTR_NOSYMFOLLOW},
    {"noatime", false, MOUNT_ATTR_NOATIME, MOUNT_ATTR__ATIME},
    {"atime", false, MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
    {"relatime", false, MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
    {"strictatime", false, MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME},
    {"nostrictatime", false, MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
    {"norelatime", false, 0, 0},
    {"rro", true, MOUNT_ATTR_RDONLY, 0},
    {"rrw", true, 0, MOUNT_ATTR_RDONLY},
    {"rnosuid", true, MOUNT_ATTR_NOSUID, 0},
    {"rsuid", true, 0, MOUNT_ATTR_NOSUID},
    {"rnodev", true, MOUNT_ATTR_NODEV, 0},
    {"rdev", true, 0, MOUNT_ATTR_NODEV},
    {"rnoexec", true, MOUNT_ATTR_NOEXEC, 0},
    {"rexec", true, 0, MOUNT_ATTR_NOEXEC},
    {"rnodiratime", true, MOUNT_ATTR_NODIRATIME, 0},
    {"rdiratime", true, 0, MOUNT_ATTR_NODIRATIME},
    {"rnosymfollow", true, MOUNT_ATTR_NOSYMFOLLOW, 0},
    {"rsymfollow", true, 0, MOUNT_ATTR_NOSYMFOLLOW},
    {"rnoatime", true, MOUNT_ATTR_NOATIME, MOUNT_ATTR__ATIME},
    {"ratime", true, MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
    {"rrelatime", true, MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
    {"rnorelatime", true, 0, 0},
    {"rstrictatime", true, MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME},
    {"rnostrictatime", true, MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
};

TEST(attrs)
{
    for (size_t i = 0; i < sizeof(attr_cases) / sizeof(attr_cases[0]); i++) {
        const struct attr_case *c = &attr_cases[i];
        struct mount_opts o;
        char what[128];
        int r = PARSE(&o, NULL, (char *)c->opt);
        snprintf(what, sizeof(what), "%s: parsed", c->opt);
        is_int(r, 0, what);
        snprintf(what, sizeof(what), "%s: set/clr on the %s masks", c->opt, c->rec ? "recursive" : "top");
        uint64_t set = c->rec ? o.rec_attr_set : o.attr_set, clr = c->rec ? o.rec_attr_clr : o.attr_clr;
        uint64_t other = c->rec ? (o.attr_set | o.attr_clr) : (o.rec_attr_set | o.rec_attr_clr);
        ok(set == c->set && clr == c->clr && other == 0 && !o.data && !o.is_bind, what);
        mount_opts_done(&o);
    }
}

TEST(overrides)
{
    struct mount_opts o;
    is_int(PARSE(&o, NULL, "ro", "rw"), 0, "ro,rw parsed");
    ok(o.attr_set == 0 && o.attr_clr == MOUNT_ATTR_RDONLY, "ro,rw: last wins (rw)");
    mount_opts_done(&o);
    is_int(PARSE(&o, NULL, "noatime", "strictatime"), 0, "noatime,strictatime");
    ok(o.attr_set == MOUNT_ATTR_STRICTATIME && o.attr_clr == MOUNT_ATTR__ATIME, "atime field replaced");
    mount_opts_done(&o);
    is_int(PARSE(&o, NULL, "relatime", "norelatime"), 0, "relatime,norelatime");
    ok(o.attr_set == 0 && o.attr_clr == 0, "norelatime drops the relatime request");
    mount_opts_done(&o);
    is_int(PARSE(&o, NULL, "ro", "rnosuid", "nodev"), 0, "mixed top and recursive");
    ok(o.attr_set == (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV) && o.rec_attr_set == MOUNT_ATTR_NOSUID,
       "ro,nodev top-only; nosuid recursive");
    mount_opts_done(&o);
    is_int(PARSE(&o, NULL, "defaults"), 0, "defaults");
    ok(!o.attr_set && !o.attr_clr && !o.sb_set && !o.data && !o.is_bind, "defaults: nothing");
    mount_opts_done(&o);
    is_int(mount_options_parse(NULL, NULL, &o, &err), 0, "NULL options");
    ok(!o.data && !o.n_propagation, "NULL options: empty");
    mount_opts_done(&o);
}

TEST(superblock)
{
    static const struct {
        const char *opt;
        unsigned long set, clr;
    } c[] = {
        {"sync", MS_SYNCHRONOUS, 0},    {"async", 0, MS_SYNCHRONOUS},    {"dirsync", MS_DIRSYNC, 0},
        {"mand", MS_MANDLOCK, 0},       {"nomand", 0, MS_MANDLOCK},      {"lazytime", MS_LAZYTIME, 0},
        {"nolazytime", 0, MS_LAZYTIME}, {"silent", MS_SILENT, 0},        {"loud", 0, MS_SILENT},
        {"iversion", MS_I_VERSION, 0},  {"noiversion", 0, MS_I_VERSION},
    };
    for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        struct mount_opts o;
        char what[64];
        snprintf(what, sizeof(what), "%s: superblock flag", c[i].opt);
        int r = PARSE(&o, NULL, (char *)c[i].opt);
        ok(r == 0 && o.sb_set == c[i].set && o.sb_clr == c[i].clr && !o.attr_set && !o.data, what);
        mount_opts_done(&o);
    }
}

TEST(bind_remount)
{
    struct mount_opts o;
    is_int(PARSE(&o, NULL, "bind"), 0, "bind");
    ok(o.is_bind && !o.recursive, "bind: not recursive");
    mount_opts_done(&o);
    is_int(PARSE(&o, NULL, "rbind", "ro"), 0, "rbind,ro");
    ok(o.is_bind && o.recursive && o.attr_set == MOUNT_ATTR_RDONLY && !o.rec_attr_set,
       "rbind,ro: ro on the top mount only");
    mount_opts_done(&o);
    is_int(PARSE(&o, "bind", "ro"), 0, "type bind");
    ok(o.is_bind && !o.recursive, "type bind makes a bind mount");
    mount_opts_done(&o);
    is_int(PARSE(&o, NULL, "remount", "ro"), 0, "remount");
    ok(o.remount && !o.is_bind, "remount flag");
    mount_opts_done(&o);
}

TEST(propagation)
{
    static const struct {
        const char *opt;
        unsigned long flags;
    } c[] = {
        {"shared", MS_SHARED},         {"rshared", MS_SHARED | MS_REC},
        {"slave", MS_SLAVE},           {"rslave", MS_SLAVE | MS_REC},
        {"private", MS_PRIVATE},       {"rprivate", MS_PRIVATE | MS_REC},
        {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
    };
    for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        struct mount_opts o;
        char what[64];
        snprintf(what, sizeof(what), "%s: propagation", c[i].opt);
        int r = PARSE(&o, NULL, (char *)c[i].opt);
        ok(r == 0 && o.n_propagation == 1 && o.propagation[0] == c[i].flags && !o.data, what);
        mount_opts_done(&o);
    }
    struct mount_opts o;
    is_int(PARSE(&o, NULL, "rprivate", "shared"), 0, "two propagation options");
    ok(o.n_propagation == 2 && o.propagation[1] == MS_SHARED, "kept in order");
    mount_opts_done(&o);
    unsigned long f = 0;
    is_int(mount_propagation_parse("bogus", &f), -EINVAL, "unknown propagation word");
    int r = PARSE(&o, NULL, "shared", "shared", "shared", "shared", "shared", "shared", "shared", "shared",
                  "shared");
    ok(r < 0, "too many propagation options rejected");
}

TEST(rejected_and_data)
{
    struct mount_opts o;
    int r = PARSE(&o, NULL, "tmpcopyup");
    is_int(r, -EINVAL, "tmpcopyup without a tmpfs rejected");
    like_str(err.msg, "tmpcopyup", "error names tmpcopyup");
    r = mount_options_parse((char *[]){"tmpcopyup", "ro", NULL}, "tmpfs", &o, &err);
    ok(r == 0 && o.tmpcopyup, "tmpcopyup on a tmpfs accepted");
    if (r == 0)
        mount_opts_done(&o);
    r = mount_options_parse((char *[]){"tmpcopyup", NULL}, "bind", &o, &err);
    is_int(r, -EINVAL, "tmpcopyup on a bind rejected");
    r = PARSE(&o, NULL, "rw", "idmap");
    is_int(r, -EOPNOTSUPP, "idmap on a non-bind rejected");
    like_str(err.msg, "bind mounts", "idmap: bind mounts only");
    r = PARSE(&o, "tmpfs", "ridmap");
    is_int(r, -EOPNOTSUPP, "ridmap on a tmpfs rejected");
    like_str(err.msg, "ridmap", "error names ridmap");
    r = PARSE(&o, NULL, "rbind", "ridmap");
    ok(r == 0 && o.idmap && o.idmap_recursive && o.recursive, "rbind,ridmap: recursive id-mapping");
    r = PARSE(&o, "bind", "idmap");
    ok(r == 0 && o.idmap && !o.idmap_recursive, "idmap: top mount only");

    is_int(PARSE(&o, "tmpfs", "nosuid", "size=65536k", "mode=755", "noexec", "huge"), 0, "data");
    is_str(o.data, "size=65536k,mode=755,huge", "unknown options go to data, in order");
    ok(o.attr_set == (MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC), "known ones do not");
    mount_opts_done(&o);
    ok(o.data == NULL, "done clears data");
    mount_opts_done(&o);
}

TEST(attr_to_ms)
{
    is_int(mount_attr_to_ms(MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC |
                            MOUNT_ATTR_NOATIME),
           MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME, "attr -> MS flags");
    is_int(mount_attr_to_ms(MOUNT_ATTR_STRICTATIME), MS_STRICTATIME, "strictatime -> MS");
}

int main(void)
{
    RUN(attrs);
    RUN(overrides);
    RUN(superblock);
    RUN(bind_remount);
    RUN(propagation);
    RUN(rejected_and_data);
    RUN(attr_to_ms);
    return tap_done();
}
