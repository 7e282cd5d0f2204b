/* legacy.c — the mount(2) fallback for kernels without the new mount API.
 *
 * Still never mounts onto a path the container could redirect: the target is
 * the magic link /proc/self/fd/N of the fd resolved inside the root
 * (CVE-2021-30465). mount(2) cannot set flags on a bind in one step, so the
 * new mount is re-resolved in the root and remounted; the flags the source
 * already had are kept, because clearing a locked flag (nosuid, nodev, ...)
 * fails with EPERM in a user namespace. */
#include <errno.h>
#include <sys/mount.h>
#include <sys/statvfs.h>

#include "core/cleanup.h"
#include "core/error.h"
#include "rootfs/internal.h"
#include "rootfs/resolve.h"
#include "rootfs/sys.h"

static unsigned long statvfs_to_ms(unsigned long f)
{
    unsigned long ms = 0;
    if (f & ST_RDONLY)
        ms |= MS_RDONLY;
    if (f & ST_NOSUID)
        ms |= MS_NOSUID;
    if (f & ST_NODEV)
        ms |= MS_NODEV;
    if (f & ST_NOEXEC)
        ms |= MS_NOEXEC;
    if (f & ST_NOATIME)
        ms |= MS_NOATIME;
    if (f & ST_NODIRATIME)
        ms |= MS_NODIRATIME;
    if (f & ST_RELATIME)
        ms |= MS_RELATIME;
    return ms;
}

static int legacy_finish(int root_fd, const char *dest, const struct mount_opts *o, bool remount,
                         struct brick_error *err)
{
    _cleanup_close_ int fd = resolve_in_root(root_fd, dest, RESOLVE_EXISTING, err);
    struct fd_path p;
    struct statvfs sv;

    if (fd < 0)
        return fd;
    uint64_t set = o->attr_set | o->rec_attr_set, clr = o->attr_clr | o->rec_attr_clr;
    if (remount && (set || clr)) {
        if (fstatvfs(fd, &sv) < 0)
            return brick_err_errno(err, errno, "statvfs");
        unsigned long ms = statvfs_to_ms(sv.f_flag);
        ms = (ms & ~mount_attr_to_ms(clr)) | mount_attr_to_ms(set);
        if (mount(NULL, fd_path(&p, fd), NULL, MS_BIND | MS_REMOUNT | ms, NULL) < 0)
            return brick_err_errno(err, errno, "remount");
    }
    for (size_t i = 0; i < o->n_propagation; i++)
        if (mount(NULL, fd_path(&p, fd), NULL, o->propagation[i], NULL) < 0)
            return brick_err_errno(err, errno, "set propagation");
    return 0;
}

int legacy_bind(int root_fd, const char *src, int dst_fd, const char *dest, const struct mount_opts *o,
                struct brick_error *err)
{
    struct fd_path p;
    unsigned long flags = MS_BIND | (o->recursive ? MS_REC : 0);

    if (mount(src, fd_path(&p, dst_fd), NULL, flags, NULL) < 0)
        return brick_err_errno(err, errno, "bind %s", src);
    return legacy_finish(root_fd, dest, o, true, err);
}

int legacy_fs(int root_fd, const char *type, const char *src, int dst_fd, const char *dest,
              const struct mount_opts *o, struct brick_error *err)
{
    struct fd_path p;
    unsigned long flags = mount_attr_to_ms(o->attr_set | o->rec_attr_set) | o->sb_set;

    if (mount(src ? src : type, fd_path(&p, dst_fd), type, flags, o->data) < 0)
        return brick_err_errno(err, errno, "mount");
    return legacy_finish(root_fd, dest, o, false, err);
}
