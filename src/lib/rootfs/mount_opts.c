/* mount_opts.c — OCI mount options -> struct mount_opts (pure, no syscalls). */
#include "rootfs/mount_opts.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "core/cleanup.h"
#include "core/error.h"
#include "core/util.h"

enum opt_kind {
    OPT_NOOP,       /* "defaults" */
    OPT_ATTR,       /* a MOUNT_ATTR_* bit */
    OPT_ATIME,      /* an atime mode (the 3-bit MOUNT_ATTR__ATIME field) */
    OPT_NORELATIME, /* drop a pending relatime request */
    OPT_SB,         /* a superblock MS_* flag */
    OPT_BIND,
    OPT_RBIND,
    OPT_REMOUNT,
    OPT_TMPCOPYUP,
    OPT_IDMAP,
};

struct opt_def {
    const char *name;
    enum opt_kind kind;
    bool clear; /* the option removes the flag ("rw", "suid", ...) */
    bool rec;   /* applies to the whole mount tree (r* variants) */
    uint64_t flag;
};

/* The set runc understands; anything else is filesystem data. */
static const struct opt_def opt_table[] = {
    {"defaults", OPT_NOOP, false, false, 0},
    {"ro", OPT_ATTR, false, false, MOUNT_ATTR_RDONLY},
    {"rw", OPT_ATTR, true, false, MOUNT_ATTR_RDONLY},
    {"nosuid", OPT_ATTR, false, false, MOUNT_ATTR_NOSUID},
    {"suid", OPT_ATTR, true, false, MOUNT_ATTR_NOSUID},
    {"nodev", OPT_ATTR, false, false, MOUNT_ATTR_NODEV},
    {"dev", OPT_ATTR, true, false, MOUNT_ATTR_NODEV},
    {"noexec", OPT_ATTR, false, false, MOUNT_ATTR_NOEXEC},
    {"exec", OPT_ATTR, true, false, MOUNT_ATTR_NOEXEC},
    {"nodiratime", OPT_ATTR, false, false, MOUNT_ATTR_NODIRATIME},
    {"diratime", OPT_ATTR, true, false, MOUNT_ATTR_NODIRATIME},
    {"nosymfollow", OPT_ATTR, false, false, MOUNT_ATTR_NOSYMFOLLOW},
    {"symfollow", OPT_ATTR, true, false, MOUNT_ATTR_NOSYMFOLLOW},
    /* "atime"/"nostrictatime" undo noatime/strictatime: the kernel default
     * they fall back to is relatime. */
    {"noatime", OPT_ATIME, false, false, MOUNT_ATTR_NOATIME},
    {"atime", OPT_ATIME, false, false, MOUNT_ATTR_RELATIME},
    {"relatime", OPT_ATIME, false, false, MOUNT_ATTR_RELATIME},
    {"norelatime", OPT_NORELATIME, false, false, 0},
    {"strictatime", OPT_ATIME, false, false, MOUNT_ATTR_STRICTATIME},
    {"nostrictatime", OPT_ATIME, false, false, MOUNT_ATTR_RELATIME},
    {"rro", OPT_ATTR, false, true, MOUNT_ATTR_RDONLY},
    {"rrw", OPT_ATTR, true, true, MOUNT_ATTR_RDONLY},
    {"rnosuid", OPT_ATTR, false, true, MOUNT_ATTR_NOSUID},
    {"rsuid", OPT_ATTR, true, true, MOUNT_ATTR_NOSUID},
    {"rnodev", OPT_ATTR, false, true, MOUNT_ATTR_NODEV},
    {"rdev", OPT_ATTR, true, true, MOUNT_ATTR_NODEV},
    {"rnoexec", OPT_ATTR, false, true, MOUNT_ATTR_NOEXEC},
    {"rexec", OPT_ATTR, true, true, MOUNT_ATTR_NOEXEC},
    {"rnodiratime", OPT_ATTR, false, true, MOUNT_ATTR_NODIRATIME},
    {"rdiratime", OPT_ATTR, true, true, MOUNT_ATTR_NODIRATIME},
    {"rnosymfollow", OPT_ATTR, false, true, MOUNT_ATTR_NOSYMFOLLOW},
    {"rsymfollow", OPT_ATTR, true, true, MOUNT_ATTR_NOSYMFOLLOW},
    {"rnoatime", OPT_ATIME, false, true, MOUNT_ATTR_NOATIME},
    {"ratime", OPT_ATIME, false, true, MOUNT_ATTR_RELATIME},
    {"rrelatime", OPT_ATIME, false, true, MOUNT_ATTR_RELATIME},
    {"rnorelatime", OPT_NORELATIME, false, true, 0},
    {"rstrictatime", OPT_ATIME, false, true, MOUNT_ATTR_STRICTATIME},
    {"rnostrictatime", OPT_ATIME, false, true, MOUNT_ATTR_RELATIME},
    {"sync", OPT_SB, false, false, MS_SYNCHRONOUS},
    {"async", OPT_SB, true, false, MS_SYNCHRONOUS},
    {"dirsync", OPT_SB, false, false, MS_DIRSYNC},
    {"mand", OPT_SB, false, false, MS_MANDLOCK},
    {"nomand", OPT_SB, true, false, MS_MANDLOCK},
    {"lazytime", OPT_SB, false, false, MS_LAZYTIME},
    {"nolazytime", OPT_SB, true, false, MS_LAZYTIME},
    {"silent", OPT_SB, false, false, MS_SILENT},
    {"loud", OPT_SB, true, false, MS_SILENT},
    {"iversion", OPT_SB, false, false, MS_I_VERSION},
    {"noiversion", OPT_SB, true, false, MS_I_VERSION},
    {"bind", OPT_BIND, false, false, 0},
    {"rbind", OPT_RBIND, false, false, 0},
    {"remount", OPT_REMOUNT, false, false, 0},
    {"tmpcopyup", OPT_TMPCOPYUP, false, false, 0},
    {"idmap", OPT_IDMAP, false, false, 0},
    {"ridmap", OPT_IDMAP, false, true, 0},
};

static const struct {
    const char *name;
    unsigned long flags;
} prop_table[] = {
    {"shared", MS_SHARED},         {"rshared", MS_SHARED | MS_REC},
    {"slave", MS_SLAVE},           {"rslave", MS_SLAVE | MS_REC},
    {"private", MS_PRIVATE},       {"rprivate", MS_PRIVATE | MS_REC},
    {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
};

int mount_propagation_parse(const char *s, unsigned long *ret)
{
    for (size_t i = 0; s && i < ARRAY_SIZE(prop_table); i++)
        if (streq(s, prop_table[i].name)) {
            *ret = prop_table[i].flags;
            return 0;
        }
    return -EINVAL;
}

static const struct opt_def *opt_lookup(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(opt_table); i++)
        if (streq(name, opt_table[i].name))
            return &opt_table[i];
    return NULL;
}

static void set_bit(uint64_t *set, uint64_t *clr, uint64_t flag, bool clear)
{
    if (clear) {
        *set &= ~flag;
        *clr |= flag;
    } else {
        *set |= flag;
        *clr &= ~flag;
    }
}

/* mount_setattr wants the whole __ATIME field in attr_clr when a mode is set. */
static void set_atime(uint64_t *set, uint64_t *clr, uint64_t mode)
{
    *set = (*set & ~(uint64_t)MOUNT_ATTR__ATIME) | mode;
    *clr |= MOUNT_ATTR__ATIME;
}

static void drop_relatime(uint64_t *set, uint64_t *clr)
{
    if ((*clr & MOUNT_ATTR__ATIME) && (*set & MOUNT_ATTR__ATIME) == MOUNT_ATTR_RELATIME)
        *clr &= ~(uint64_t)MOUNT_ATTR__ATIME;
}

static void append_data(char **data, const char *opt)
{
    char *n = *data ? xasprintf("%s,%s", *data, opt) : xstrdup(opt);
    free(*data);
    *data = n;
}

static int apply_one(struct mount_opts *o, const struct opt_def *d, struct brick_error *err)
{
    uint64_t *set = d->rec ? &o->rec_attr_set : &o->attr_set;
    uint64_t *clr = d->rec ? &o->rec_attr_clr : &o->attr_clr;

    switch (d->kind) {
    case OPT_NOOP: break;
    case OPT_ATTR: set_bit(set, clr, d->flag, d->clear); break;
    case OPT_ATIME: set_atime(set, clr, d->flag); break;
    case OPT_NORELATIME: drop_relatime(set, clr); break;
    case OPT_SB:
        if (d->clear) {
            o->sb_set &= ~(unsigned long)d->flag;
            o->sb_clr |= d->flag;
        } else {
            o->sb_set |= d->flag;
            o->sb_clr &= ~(unsigned long)d->flag;
        }
        break;
    case OPT_BIND: o->is_bind = true; break;
    case OPT_RBIND: o->is_bind = o->recursive = true; break;
    case OPT_REMOUNT: o->remount = true; break;
    case OPT_TMPCOPYUP: o->tmpcopyup = true; break;
    case OPT_IDMAP:
        o->idmap = true;
        o->idmap_recursive = d->rec;
        break;
    }
    return 0;
}

static int parse_word(struct mount_opts *o, const char *opt, struct brick_error *err)
{
    unsigned long prop;
    const struct opt_def *d = opt_lookup(opt);

    if (d)
        return apply_one(o, d, err);
    if (mount_propagation_parse(opt, &prop) == 0) {
        if (o->n_propagation >= MOUNT_OPTS_MAX_PROPAGATION)
            return brick_err(err, 0, "too many propagation options (at most %d)", MOUNT_OPTS_MAX_PROPAGATION);
        o->propagation[o->n_propagation++] = prop;
        return 0;
    }
    if (*opt)
        append_data(&o->data, opt);
    return 0;
}

int mount_options_parse(char **options, const char *type, struct mount_opts *ret, struct brick_error *err)
{
    struct mount_opts o = {0};

    if (streq(type, "bind") || streq(type, "rbind")) {
        o.is_bind = true;
        o.recursive = streq(type, "rbind");
    }
    for (size_t i = 0; options && options[i]; i++) {
        int r = parse_word(&o, options[i], err);
        if (r < 0) {
            mount_opts_done(&o);
            return r;
        }
    }
    if (o.tmpcopyup && (o.is_bind || o.remount || !type || !streq(type, "tmpfs"))) {
        mount_opts_done(&o);
        return brick_err(err, EINVAL, "mount option \"tmpcopyup\" applies to a tmpfs only");
    }
    if (o.idmap && (!o.is_bind || o.remount)) {
        mount_opts_done(&o);
        return brick_err(err, EOPNOTSUPP, "mount option \"%s\": id-mapped mounts are bind mounts here",
                         o.idmap_recursive ? "ridmap" : "idmap");
    }
    *ret = o;
    return 0;
}

void mount_opts_done(struct mount_opts *o)
{
    if (!o)
        return;
    free(o->data);
    o->data = NULL;
}

unsigned long mount_attr_to_ms(uint64_t attr)
{
    unsigned long ms = 0;

    if (attr & MOUNT_ATTR_RDONLY)
        ms |= MS_RDONLY;
    if (attr & MOUNT_ATTR_NOSUID)
        ms |= MS_NOSUID;
    if (attr & MOUNT_ATTR_NODEV)
        ms |= MS_NODEV;
    if (attr & MOUNT_ATTR_NOEXEC)
        ms |= MS_NOEXEC;
    if (attr & MOUNT_ATTR_NODIRATIME)
        ms |= MS_NODIRATIME;
    if (attr & MOUNT_ATTR_NOSYMFOLLOW)
        ms |= MS_NOSYMFOLLOW;
    if ((attr & MOUNT_ATTR__ATIME) == MOUNT_ATTR_NOATIME)
        ms |= MS_NOATIME;
    else if ((attr & MOUNT_ATTR__ATIME) == MOUNT_ATTR_STRICTATIME)
        ms |= MS_STRICTATIME;
    return ms;
}
