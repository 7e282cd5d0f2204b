/* test-resolve.c — in-root resolution: symlinks and ".." never leave the
 * root, missing components are created inside it, and a bind destination
 * that is a symlink to a host path lands inside the root (CVE-2021-30465).
 * Runs every check with openat2, or, given "walk" (meson runs it so with
 * the no_openat2 shim preloaded), with the fallback walk. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../tap.h"
#include "rootfs/internal.h"
#include "rootfs/resolve.h"
#include "rootfs/sys.h"

static char tmp[64], root[128], outside[128];
static int root_fd = -1;
static struct brick_error err;

static bool same(int fd, const char *rel)
{
    struct stat a, b;
    char p[512];
    snprintf(p, sizeof(p), "%s/%s", root, rel);
    return fd >= 0 && fstat(fd, &a) == 0 && stat(p, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static void put(const char *rel, const char *content)
{
    char p[512];
    snprintf(p, sizeof(p), "%s/%s", root, rel);
    FILE *f = fopen(p, "we");
    if (f) {
        fputs(content, f);
        fclose(f);
    }
}

static void link_in_root(const char *target, const char *rel)
{
    char p[512];
    snprintf(p, sizeof(p), "%s/%s", root, rel);
    if (symlink(target, p) < 0)
        perror("symlink");
}

static void setup(void)
{
    char p[512];
    snprintf(tmp, sizeof(tmp), "/tmp/brick-resolve-XXXXXX");
    if (!mkdtemp(tmp))
        abort();
    snprintf(root, sizeof(root), "%s/root", tmp);
    snprintf(outside, sizeof(outside), "%s/outside", tmp);
    mkdir(root, 0755);
    mkdir(outside, 0755);
    snprintf(p, sizeof(p), "%s/etc", root);
    mkdir(p, 0755);
    put("etc/marker", "inside");
    link_in_root("../../../etc", "rel");
    link_in_root("/etc", "abs");
    link_in_root(outside, "evil"); /* absolute host path, dangling inside the root */
    link_in_root("loop", "loop");
    root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

static void check_resolution(const char *mode)
{
    char w[160];
    int fd;

#define CHECK_SAME(path, rel)                                                                                \
    do {                                                                                                     \
        fd = resolve_in_root(root_fd, path, RESOLVE_EXISTING, &err);                                         \
        snprintf(w, sizeof(w), "%s: %s stays in the root", mode, path);                                      \
        ok(same(fd, rel), w);                                                                                \
        if (fd >= 0)                                                                                         \
            close(fd);                                                                                       \
    } while (0)

    CHECK_SAME("/rel/marker", "etc/marker");
    CHECK_SAME("/abs/marker", "etc/marker");
    CHECK_SAME("../../../../etc/marker", "etc/marker");
    CHECK_SAME("/etc/../../../etc/./marker", "etc/marker");
    CHECK_SAME("/", ".");
    CHECK_SAME("/rel/..", ".");

    fd = resolve_in_root(root_fd, "/rel/passwd", RESOLVE_EXISTING, &err);
    snprintf(w, sizeof(w), "%s: /rel/passwd is not the host's /etc/passwd", mode);
    is_int(fd, -ENOENT, w);
    like_str(err.msg, "/rel/passwd", "error names the path");
    fd = resolve_in_root(root_fd, "/loop/x", RESOLVE_EXISTING, &err);
    snprintf(w, sizeof(w), "%s: symlink loop -> ELOOP", mode);
    is_int(fd, -ELOOP, w);
}

static void check_create(const char *mode)
{
    char w[160], path[64], rel[256];
    struct stat st;
    int fd;

    snprintf(path, sizeof(path), "/new-%s/a/b", mode);
    fd = resolve_in_root(root_fd, path, RESOLVE_MKDIR, &err);
    snprintf(w, sizeof(w), "%s: missing directories created inside", mode);
    ok(same(fd, path + 1) && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode), w);
    close(fd);
    snprintf(path, sizeof(path), "/rel/sub-%s/file", mode);
    fd = resolve_in_root(root_fd, path, RESOLVE_MKFILE, &err);
    snprintf(rel, sizeof(rel), "etc/sub-%s/file", mode);
    snprintf(w, sizeof(w), "%s: file created through a relative symlink, inside", mode);
    ok(same(fd, rel) && fstat(fd, &st) == 0 && S_ISREG(st.st_mode), w);
    close(fd);
    snprintf(path, sizeof(path), "/evil/x-%s", mode);
    fd = resolve_in_root(root_fd, path, RESOLVE_MKDIR, &err);
    snprintf(rel, sizeof(rel), "%s/x-%s", outside, mode);
    snprintf(w, sizeof(w), "%s: dangling absolute symlink followed inside the root", mode);
    ok(same(fd, rel) && access(rel, F_OK) != 0, w);
    close(fd);
    fd = resolve_in_root(root_fd, "/etc/marker/x", RESOLVE_MKDIR, &err);
    snprintf(w, sizeof(w), "%s: a file in the middle is ENOTDIR", mode);
    is_int(fd, -ENOTDIR, w);
}

/* The attack: a bind destination that is a symlink to a host directory. */
static void check_bind_attack(void)
{
    char src[128], p[512];
    snprintf(src, sizeof(src), "%s/src", tmp);
    mkdir(src, 0755);
    snprintf(p, sizeof(p), "%s/payload", src);
    close(open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0644));

    struct oci_mount m = {
        .destination = "/evil", .type = "bind", .source = src, .options = (char *[]){"rbind", "ro", NULL}};
    struct oci_spec spec = {.mounts = &m, .n_mounts = 1};
    struct rootfs_ctx ctx = {.spec = &spec, .bundle = tmp, .rootfs = root, .root_fd = root_fd};

    if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
        ok(1, "# SKIP bind attack: no mount namespace (not root?)");
        return;
    }
    /* An fd opened before unshare names a mount of the old namespace, which
     * move_mount refuses: reopen. */
    close(root_fd);
    ctx.root_fd = root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    int r = rootfs_mount_one(&ctx, 0, &err);
    is_int(r, 0, "bind onto /evil -> <host dir> succeeds");
    if (r < 0)
        printf("# %s\n", err.msg);
    snprintf(p, sizeof(p), "%s/payload", outside);
    ok(access(p, F_OK) != 0, "the host directory the symlink names got no mount");
    snprintf(p, sizeof(p), "%s%s/payload", root, outside);
    ok(access(p, F_OK) == 0, "the mount landed inside the root");
    snprintf(p, sizeof(p), "%s%s/new", root, outside);
    ok(mkdir(p, 0755) < 0 && errno == EROFS, "and it is read-only");

    m.source = "does-not-exist";
    m.destination = "/data";
    r = rootfs_mount_one(&ctx, 0, &err);
    ok(r == -ENOENT, "missing bind source fails");
    like_str(err.msg, "mounts[0] /data: source does-not-exist: No such file or directory",
             "error names the mount and the source");
    snprintf(p, sizeof(p), "%s%s", root, outside);
    umount2(p, MNT_DETACH);
}

static void cleanup(void)
{
    char cmd[128];
    close(root_fd);
    /* Only our own temp dir; mounts in it were detached above. */
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
    if (system(cmd) != 0)
        printf("# cleanup of %s failed\n", tmp);
}

int main(int argc, char **argv)
{
    bool walk = argc > 1 && strcmp(argv[1], "walk") == 0;
    struct open_how how = {.flags = O_PATH | O_CLOEXEC};
    int fd = sys_openat2(AT_FDCWD, "/", &how);
    /* the mode under test really is the path taken */
    ok(walk ? fd == -ENOSYS : fd >= 0, walk ? "openat2 is ENOSYS (shim preloaded)" : "openat2 works");
    if (fd >= 0)
        close(fd);
    setup();
    check_resolution(walk ? "walk" : "openat2");
    check_create(walk ? "walk" : "openat2");
    check_bind_attack();
    cleanup();
    return tap_done();
}
