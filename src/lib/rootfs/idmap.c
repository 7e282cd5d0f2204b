/* idmap.c — id-mapped bind mounts (mounts[].uidMappings/gidMappings,
 * options "idmap"/"ridmap"), prepared by the runtime before the container's
 * processes exist.
 *
 * MOUNT_ATTR_IDMAP needs CAP_SYS_ADMIN in the user namespace the source's
 * file system was mounted in — the host's — which the init, inside the
 * container's user namespace, does not have. So the runtime clones each
 * source as a detached tree, id-maps it and applies the mount's attributes
 * (ro, nosuid, ...: they cannot change inside either), and hands the fd to
 * the init, which only attaches it at its destination. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/error.h"
#include "core/util.h"
#include "rootfs/internal.h"
#include "rootfs/mount_opts.h"
#include "rootfs/rootfs.h"
#include "rootfs/sys.h"

int rootfs_mount_idmap(const struct oci_spec *s, size_t i, struct rootfs_idmap *ret, struct brick_error *err)
{
    const struct oci_mount *m = &s->mounts[i];
    struct mount_opts o = {0};
    *ret = (struct rootfs_idmap){0};
    int r = mount_options_parse(m->options, m->type, &o, err);
    if (r < 0)
        return r;
    bool own = m->n_uid_mappings || m->n_gid_mappings;
    bool opt = o.idmap, rec = o.idmap_recursive, bind = o.is_bind;
    mount_opts_done(&o);
    if (!own && !opt)
        return 0;
    if (!bind)
        return brick_err(err, EOPNOTSUPP, "mounts[%zu].%s: id-mapped mounts are bind mounts here", i,
                         m->n_uid_mappings ? "uidMappings" : m->n_gid_mappings ? "gidMappings" : "options");
    if (own && (!m->n_uid_mappings || !m->n_gid_mappings))
        return brick_err(err, EINVAL, "mounts[%zu].%s: uidMappings and gidMappings go together", i,
                         m->n_uid_mappings ? "gidMappings" : "uidMappings");
    if (own) {
        *ret = (struct rootfs_idmap){m->uid_mappings, m->n_uid_mappings, m->gid_mappings, m->n_gid_mappings, rec};
    } else {
        /* "idmap" alone: the container's own mappings (as crun) */
        if (!s->linux_.n_uid_mappings || !s->linux_.n_gid_mappings)
            return brick_err(err, EINVAL, "mounts[%zu].options: \"%s\" without uidMappings/gidMappings needs the "
                             "container's linux.uidMappings and gidMappings", i, rec ? "ridmap" : "idmap");
        *ret = (struct rootfs_idmap){s->linux_.uid_mappings, s->linux_.n_uid_mappings, s->linux_.gid_mappings,
                                     s->linux_.n_gid_mappings, rec};
    }
    return 1;
}

int rootfs_idmap_tree(const struct oci_spec *s, const char *bundle, size_t i, int userns_fd, bool recursive,
                      int *ret_fd, struct brick_error *err)
{
    const struct oci_mount *m = &s->mounts[i];
    struct mount_opts o = {0};
    int r = mount_options_parse(m->options, m->type, &o, err);
    if (r < 0)
        return r;
    if (!m->source) {
        mount_opts_done(&o);
        return brick_err(err, EINVAL, "mounts[%zu]: bind mount without a source", i);
    }
    _cleanup_free_ char *src = m->source[0] == '/' ? xstrdup(m->source) : xasprintf("%s/%s", bundle, m->source);
    _cleanup_close_ int tree = mnt_clone(AT_FDCWD, src, o.recursive);
    if (tree < 0)
        r = brick_err_errno(err, -tree, "mounts[%zu]: source %s", i, m->source);
    else if ((r = mnt_setattr_idmap(tree, userns_fd, recursive)) < 0)
        r = brick_err_errno(err, -r, "mounts[%zu] %s: id-map the mount (MOUNT_ATTR_IDMAP%s)", i, m->destination,
                            -r == EINVAL ? ": the file system or kernel cannot" : "");
    else
        r = mount_apply_attrs(tree, &o, err);
    mount_opts_done(&o);
    if (r < 0)
        return r;
    *ret_fd = TAKE_FD(tree);
    return 0;
}
