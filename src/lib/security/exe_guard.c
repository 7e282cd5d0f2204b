/* exe_guard.c — keep the runtime binary out of the container's reach
 * (CVE-2019-5736).
 *
 * The container's init and exec'd processes are forks of brick until their
 * execve, so /proc/<pid>/exe of those processes is the brick binary on the
 * host. A process in the container (or in another container sharing the pid
 * namespace) that opens that link — and keeps the fd past our exit — could
 * rewrite the host's brick. So the commands that start container processes
 * first re-execute brick from a copy the container cannot write:
 *   1. a detached read-only bind mount of the binary (open_tree + mount_setattr,
 *      no copy: cheap), then execveat() on it; writes fail with EROFS;
 *   2. where that is not allowed (no CAP_SYS_ADMIN), a sealed memfd copy.
 * A binary that already runs from either (or from a read-only file system)
 * is not re-executed, which also ends the recursion; nor is one an
 * unprivileged caller cannot write.
 *
 * The re-executed image then also makes its detached mount noexec: the
 * container cannot even run the runtime through /proc/self/exe or
 * /proc/1/exe (a static brick needs no loader or library from the
 * container's image, so nothing else would stop that). The tree's fd stays
 * open across execveat, named by _BRICK_EXE_TREE, because a detached tree
 * can be changed only while its anonymous mount namespace lives. */
#include "core/cleanup.h"
#include "core/error.h"
#include "core/util.h"
#include <brick/brick.h> /* brick_guard_exe, BRICK_EXE_TREE_ENV */

#include <brick/brick.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

extern char **environ;

#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)
#define TREE_ENV BRICK_EXE_TREE_ENV

/* Linux 6.8 (uapi headers of Debian 12 predate them). */
#ifndef STATX_MNT_ID_UNIQUE
#define STATX_MNT_ID_UNIQUE 0x00004000U
#endif
#ifndef __NR_statmount
#define __NR_statmount 457
#endif
struct guard_mnt_id_req {
    uint32_t size, spare;
    uint64_t mnt_id, param;
};

static bool already_guarded(int fd)
{
    struct statvfs sv;
    if (fstatvfs(fd, &sv) == 0 && (sv.f_flag & ST_RDONLY))
        return true;
    int seals = fcntl(fd, F_GET_SEALS);
    return seals >= 0 && (seals & SEALS) == SEALS;
}

static uint64_t mount_id(int fd)
{
    struct statx stx;
    if (statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID_UNIQUE, &stx) < 0 || !(stx.stx_mask & STATX_MNT_ID_UNIQUE))
        return 0;
    return stx.stx_mnt_id;
}

/* In the re-executed image: make the detached mount we run from noexec, and
 * close the tree fd inherited for that. Only a mount that is ours is
 * touched: the fd must be the mount our exe lives on, and that mount must
 * not be in our mount namespace (statmount: ENOENT), so a stray variable can
 * never flip a host mount. Best effort: kernels before 6.8 keep exec. */
static void noexec_own_tree(int exe)
{
    const char *v = getenv(TREE_ENV);
    int tree;
    if (!v)
        return;
    if (parse_int(v, &tree) == 0 && tree > 2) {
        struct stat a, b;
        uint64_t id = mount_id(exe);
        struct guard_mnt_id_req req = {.size = sizeof(req), .mnt_id = id, .param = 0x1 /* BASIC */};
        char buf[256];
        if (id && id == mount_id(tree) && fstat(tree, &a) == 0 && fstat(exe, &b) == 0 &&
            a.st_dev == b.st_dev && a.st_ino == b.st_ino &&
            syscall(__NR_statmount, &req, buf, sizeof(buf), 0) < 0 && errno == ENOENT) {
            struct mount_attr attr = {.attr_set = MOUNT_ATTR_NOEXEC};
            (void)syscall(SYS_mount_setattr, exe, "", AT_EMPTY_PATH, &attr, sizeof(attr));
            close(tree);
        }
    }
    unsetenv(TREE_ENV);
}

static int reexec_from_ro_bind(char **argv)
{
    /* Not close-on-exec: the new image needs the tree (noexec_own_tree). */
    _cleanup_close_ int tree = (int)syscall(SYS_open_tree, AT_FDCWD, "/proc/self/exe", OPEN_TREE_CLONE);
    if (tree < 0)
        return -errno;
    struct mount_attr attr = {
        .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
    };
    if (syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
        return -errno;
    char num[16];
    snprintf(num, sizeof(num), "%d", tree);
    setenv(TREE_ENV, num, 1);
    syscall(SYS_execveat, tree, "", argv, environ, AT_EMPTY_PATH);
    int e = errno;
    unsetenv(TREE_ENV);
    return -e;
}

static int reexec_from_memfd(int exe, char **argv)
{
    struct stat st;
    if (fstat(exe, &st) < 0)
        return -errno;
    _cleanup_close_ int mfd = memfd_create("brick", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (mfd < 0)
        return -errno;
    for (off_t off = 0; off < st.st_size;) {
        ssize_t n = sendfile(mfd, exe, &off, (size_t)(st.st_size - off));
        if (n <= 0)
            return n < 0 ? -errno : -EIO;
    }
    if (fcntl(mfd, F_ADD_SEALS, SEALS) < 0)
        return -errno;
    syscall(SYS_execveat, mfd, "", argv, environ, AT_EMPTY_PATH);
    return -errno;
}

int brick_guard_exe(char **argv, struct brick_error *err)
{
    _cleanup_close_ int exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (exe < 0)
        return brick_err_errno(err, errno, "open /proc/self/exe");
    if (already_guarded(exe)) {
        noexec_own_tree(exe);
        return 0;
    }
    /* Unprivileged, a binary we cannot write (root's /usr/bin/brick) is out
     * of the container's reach too: its processes are us or ids mapped from
     * us, and hold no capability over a file of the host's root. No copy
     * then (a memfd copy costs milliseconds, and a new inode every time). A
     * binary of our own (~/bin/brick) is still guarded. */
    if (running_unprivileged() && faccessat(exe, "", W_OK, AT_EACCESS | AT_EMPTY_PATH) < 0 && errno == EACCES)
        return 0;
    int r = reexec_from_ro_bind(argv);
    if (r == -EPERM || r == -ENOSYS || r == -EINVAL)
        r = reexec_from_memfd(exe, argv);
    return brick_err_errno(err, -r, "re-execute brick from a read-only copy");
}
