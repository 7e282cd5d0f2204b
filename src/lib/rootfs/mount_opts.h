/* mount_opts.h — OCI mount "options" turned into a typed plan (no system calls).
 *
 * The OCI spec carries mount options as the strings of mount(8). Some map to
 * per-mount attributes (MOUNT_ATTR_*, applied with mount_setattr or fsmount),
 * some to the superblock (sync, dirsync, ...), some to propagation, and the
 * rest is filesystem data ("size=64k,mode=755"). mount_options_parse() sorts
 * them so the executor only has to apply the result.
 *
 * Invariants of a parsed struct mount_opts:
 *   - attr_set & attr_clr == 0 except for the MOUNT_ATTR__ATIME field: the
 *     kernel wants the whole __ATIME field in attr_clr when an atime mode is
 *     chosen, with the mode itself in attr_set (same for rec_*);
 *   - rec_* apply with AT_RECURSIVE (the "r" options: rro, rnosuid, ...);
 *   - data is NULL when no option was left over. */
#ifndef BRICK_ROOTFS_MOUNT_OPTS_H
#define BRICK_ROOTFS_MOUNT_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <brick/brick.h>

#define MOUNT_OPTS_MAX_PROPAGATION 8

struct mount_opts {
    bool is_bind;                /* "bind"/"rbind" option, or type "bind" */
    bool recursive;              /* "rbind": clone submounts too */
    bool remount;                /* "remount": change an existing mount, no new one */
    bool tmpcopyup;              /* "tmpcopyup": a tmpfs starts with a copy of the directory it covers */
    bool idmap;                  /* "idmap"/"ridmap": an id-mapped bind (uidMappings/gidMappings) */
    bool idmap_recursive;        /* "ridmap": every mount of an rbind tree id-mapped, not the top only */
    uint64_t attr_set, attr_clr; /* MOUNT_ATTR_* on the top mount only */
    uint64_t rec_attr_set, rec_attr_clr; /* MOUNT_ATTR_* on the whole tree */
    unsigned long sb_set, sb_clr;        /* MS_SYNCHRONOUS, MS_DIRSYNC, MS_MANDLOCK, MS_LAZYTIME,
                                            MS_SILENT, MS_I_VERSION (superblock flags) */
    unsigned long propagation[MOUNT_OPTS_MAX_PROPAGATION]; /* MS_SHARED|MS_REC, ... in order */
    size_t n_propagation;
    char *data; /* leftover "k=v,k2" for the filesystem, or NULL */
};

/* Parse options (a NULL-terminated list, may be NULL) of a mount of the given
 * type (may be NULL; "bind" makes it a bind mount). Later options override
 * earlier ones, as with mount(8). Rejects idmap and ridmap but on a bind,
 * and tmpcopyup on anything but a tmpfs, and too many propagation options. On success *ret owns data;
 * release it with mount_opts_done(). */
int mount_options_parse(char **options, const char *type, struct mount_opts *ret, struct brick_error *err);
void mount_opts_done(struct mount_opts *o);

/* Parse one propagation word ("rshared", "slave", ...) into MS_* flags
 * (MS_REC included for the r* forms); -EINVAL when it is not one. Used for
 * linux.rootfsPropagation too. */
int mount_propagation_parse(const char *s, unsigned long *ret);

/* MS_* flags equivalent to MOUNT_ATTR_* bits, for the mount(2) fallback. */
unsigned long mount_attr_to_ms(uint64_t attr);

#endif
