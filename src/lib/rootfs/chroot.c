/* chroot.c — a container without a mount namespace of its own.
 *
 * The OCI spec does not forbid it, runc and crun accept it. Both then mount
 * the config's mounts (runc binds the rootfs onto itself first; crun also
 * makes device nodes and applies maskedPaths/readonlyPaths) onto the mount
 * namespace they were started in, the host's, and leave them there after the
 * container is gone. brick never mounts in the host's mount namespace: it
 * refuses what would need a mount, and enters the root with chroot(2) (no
 * pivot_root without a private mount namespace).
 *
 * A chroot is left by chroot() again ("mkdir x; chroot x; cd ../.."), by
 * mounts and by open_by_handle_at, so the capabilities that do that
 * (CAP_SYS_CHROOT, CAP_SYS_ADMIN, CAP_DAC_READ_SEARCH) are refused in every
 * set of the process. (CAP_DAC_READ_SEARCH leaves any container whose root is
 * on a host file system, with a mount namespace too, as with runc: brick's
 * default profiles do not grant it.) Inside a chroot the kernel refuses
 * a new user namespace and a join of one (current_chrooted()), so they cannot
 * be regained either. docs/ENGINES.md */
#include "rootfs/rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/error.h"
#include "core/util.h"
#include "spec/model.h"

/* JSON keys of a process's capability sets, with the sets of c. */
static int check_caps(const struct oci_capabilities *c, const char *where, struct brick_error *err)
{
    /* CAP_DAC_READ_SEARCH: open_by_handle_at opens any inode of the file
     * system the root is on (the host's / by its handle: CVE-2014 "shocker") */
    static const char *const escaping[] = {"CAP_SYS_CHROOT", "CAP_SYS_ADMIN", "CAP_DAC_READ_SEARCH"};
    struct {
        const char *key;
        char **set;
    } sets[] = {{"bounding", c->bounding},   {"effective", c->effective}, {"permitted", c->permitted},
                {"inheritable", c->inheritable}, {"ambient", c->ambient}};
    for (size_t i = 0; c->present && i < ARRAY_SIZE(sets); i++)
        for (char **cap = sets[i].set; cap && *cap; cap++)
            for (size_t j = 0; j < ARRAY_SIZE(escaping); j++)
                if (streq(*cap, escaping[j]))
                    return brick_err(err, EPERM,
                                     "%s.capabilities.%s: %s would leave the chroot of a container "
                                     "without a mount namespace (linux.namespaces has none)",
                                     where, sets[i].key, *cap);
    return 0;
}

int rootfs_check_process_without_mntns(const struct oci_process *p, const char *where, struct brick_error *err)
{
    return p ? check_caps(&p->capabilities, where, err) : 0;
}

int rootfs_check_without_mntns(const struct oci_spec *s, struct brick_error *err)
{
    static const char *const why = "needs a mount namespace of the container's own (linux.namespaces has "
                                   "none): brick never mounts in the host's";
    static const char *const annotations[] = {ROOTFS_ANN_RECURSIVE_RO, ROOTFS_ANN_COVER, ROOTFS_ANN_SYMLINKS};
    const struct oci_linux *l = &s->linux_;
    if (s->n_mounts)
        return brick_err(err, EINVAL, "mounts[0] %s: %s", s->mounts[0].destination, why);
    if (l->masked_paths && *l->masked_paths)
        return brick_err(err, EINVAL, "linux.maskedPaths: %s", why);
    if (l->readonly_paths && *l->readonly_paths)
        return brick_err(err, EINVAL, "linux.readonlyPaths: %s", why);
    if (s->root.readonly)
        return brick_err(err, EINVAL, "root.readonly: %s", why);
    if (l->rootfs_propagation)
        return brick_err(err, EINVAL, "linux.rootfsPropagation: %s", why);
    /* device nodes would be made in the image's own /dev, on the host's disk */
    if (l->n_devices)
        return brick_err(err, EINVAL, "linux.devices: %s", why);
    for (size_t i = 0; i < ARRAY_SIZE(annotations); i++)
        if (oci_kv_get(s->annotations, s->n_annotations, annotations[i]))
            return brick_err(err, EINVAL, "annotations[\"%s\"]: %s", annotations[i], why);
    return rootfs_check_process_without_mntns(s->process, "process", err);
}

int rootfs_chroot(const char *rootfs, struct brick_error *err)
{
    _cleanup_close_ int fd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return brick_err_errno(err, errno, "rootfs %s", rootfs);
    if (fchdir(fd) < 0)
        return brick_err_errno(err, errno, "chdir to rootfs %s", rootfs);
    if (chroot(".") < 0)
        return brick_err_errno(err, errno, "chroot %s", rootfs);
    if (chdir("/") < 0)
        return brick_err_errno(err, errno, "chdir /");
    return 0;
}
