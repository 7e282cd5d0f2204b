/* test-rootfs-e2e.c — rootfs_prepare + rootfs_pivot + rootfs_finalize for
 * real, in a forked child that has its own mount namespace (so the machine's
 * mounts are never touched and everything dies with the child). The child
 * sends "1 what" / "0 what" lines over a pipe; the parent turns them into TAP. */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../tap.h"
#include "rootfs/rootfs.h"
#include "spec/model.h"

static char tmp[64], root[128];
static int report_fd = -1;

static void report(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void report(int cond, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    int n = snprintf(line, sizeof(line), "%d ", cond ? 1 : 0);
    va_start(ap, fmt);
    n += vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
    va_end(ap);
    line[n++] = '\n';
    if (write(report_fd, line, (size_t)n) < 0)
        _exit(3);
}

static void mkpath(const char *rel, mode_t mode)
{
    char p[512];
    snprintf(p, sizeof(p), "%s/%s", root, rel);
    if (mkdir(p, mode) < 0 && errno != EEXIST)
        perror(p);
}

static void touch(const char *path)
{
    int fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
    if (fd >= 0)
        close(fd);
}

static void build_tree(void)
{
    char p[512];
    snprintf(tmp, sizeof(tmp), "/tmp/brick-rootfs-XXXXXX");
    if (!mkdtemp(tmp))
        abort();
    snprintf(root, sizeof(root), "%s/rootfs", tmp);
    mkdir(root, 0755);
    const char *dirs[] = {"bin", "proc", "sys", "dev", "tmp", "etc", "masked-dir"};
    for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
        mkpath(dirs[i], 0755);
    /* busybox (static) lets a debugging run look around inside. */
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "cp /bin/busybox '%s/bin/' 2>/dev/null && ln -s busybox '%s/bin/sh'", root,
             root);
    if (access("/bin/busybox", X_OK) == 0 && system(cmd) != 0)
        printf("# copying busybox failed\n");
    snprintf(p, sizeof(p), "%s/etc/secret", root);
    FILE *f = fopen(p, "we");
    if (f) {
        fputs("secret\n", f);
        fclose(f);
    }
    snprintf(p, sizeof(p), "%s/masked-dir/secret", root);
    touch(p);
    snprintf(p, sizeof(p), "%s/procfile", root);
    touch(p);
    snprintf(p, sizeof(p), "%s/data-src", tmp);
    mkdir(p, 0755);
    snprintf(p, sizeof(p), "%s/data-src/payload", tmp);
    touch(p);
}

/* --- the spec, built by hand --------------------------------------------- */

#define OPTS(...) ((char *[]){__VA_ARGS__, NULL})

static struct oci_mount mounts[] = {
    {.destination = "/proc", .type = "proc", .source = "proc", .options = OPTS("nosuid", "noexec", "nodev")},
    {.destination = "/dev",
     .type = "tmpfs",
     .source = "tmpfs",
     .options = OPTS("nosuid", "strictatime", "mode=755", "size=65536k")},
    {.destination = "/dev/pts",
     .type = "devpts",
     .source = "devpts",
     .options = OPTS("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620")},
    {.destination = "/tmp",
     .type = "tmpfs",
     .source = "tmpfs",
     .options = OPTS("nosuid", "nodev", "size=1m")},
    {.destination = "/data", .type = "bind", .source = "data-src", .options = OPTS("rbind", "ro")},
    {.destination = "/sys",
     .type = "sysfs",
     .source = "sysfs",
     .options = OPTS("nosuid", "noexec", "nodev", "ro")},
    {.destination = "/sys/fs/cgroup",
     .type = "cgroup",
     .source = "cgroup",
     .options = OPTS("nosuid", "noexec", "nodev", "relatime", "ro")},
};

static struct oci_device devices[] = {
    {.type = "c",
     .path = "/dev/mynull",
     .has_major = true,
     .has_minor = true,
     .major = 1,
     .minor = 3,
     .has_file_mode = true,
     .file_mode = 0600,
     .has_uid = true,
     .uid = 1,
     .has_gid = true,
     .gid = 2},
    {.type = "p", .path = "/dev/myfifo"},
};

static struct oci_namespace namespaces[] = {{.type = OCI_NS_MOUNT}, {.type = OCI_NS_PID}};

static char **masked = OPTS("/proc/kcore", "/etc/secret", "/masked-dir", "/does/not/exist");
static char **readonly = OPTS("/proc/sys", "/proc/sysrq-trigger", "/nope");

static void fill_spec(struct oci_spec *s)
{
    *s = (struct oci_spec){
        .root = {.path = "rootfs", .readonly = true},
        .mounts = mounts,
        .n_mounts = sizeof(mounts) / sizeof(mounts[0]),
    };
    s->linux_.namespaces = namespaces;
    s->linux_.n_namespaces = 2;
    s->linux_.devices = devices;
    s->linux_.n_devices = 2;
    s->linux_.masked_paths = masked;
    s->linux_.readonly_paths = readonly;
}

/* --- checks run inside the container ------------------------------------- */

static bool is_fs(const char *path, long magic)
{
    struct statfs s;
    return statfs(path, &s) == 0 && s.f_type == magic;
}

static void check_dev(void)
{
    struct stat st;
    char buf[64] = "";
    report(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3) &&
               (st.st_mode & 0777) == 0666,
           "/dev/null is char 1:3, 0666");
    report(stat("/dev/urandom", &st) == 0 && st.st_rdev == makedev(1, 9), "/dev/urandom");
    report(stat("/dev/tty", &st) == 0 && st.st_rdev == makedev(5, 0), "/dev/tty");
    report(stat("/dev/mynull", &st) == 0 && S_ISCHR(st.st_mode) && (st.st_mode & 0777) == 0600 &&
               st.st_uid == 1 && st.st_gid == 2,
           "linux.devices: /dev/mynull 0600 1:2");
    report(lstat("/dev/myfifo", &st) == 0 && S_ISFIFO(st.st_mode), "linux.devices: fifo");
    report(readlink("/dev/fd", buf, sizeof(buf) - 1) > 0 && strcmp(buf, "/proc/self/fd") == 0,
           "/dev/fd -> /proc/self/fd");
    memset(buf, 0, sizeof(buf));
    report(readlink("/dev/ptmx", buf, sizeof(buf) - 1) > 0 && strcmp(buf, "pts/ptmx") == 0,
           "/dev/ptmx -> pts/ptmx");
    report(is_fs("/dev/pts", DEVPTS_SUPER_MAGIC), "/dev/pts is devpts");
}

static void check_mounts(void)
{
    char buf[16];
    int fd;
    struct stat a, b;

    report(is_fs("/proc", PROC_SUPER_MAGIC) && access("/proc/self/stat", R_OK) == 0, "/proc mounted");
    fd = open("/etc/secret", O_RDONLY | O_CLOEXEC);
    report(fd >= 0 && read(fd, buf, sizeof(buf)) == 0, "masked file reads empty");
    if (fd >= 0)
        close(fd);
    report(access("/masked-dir/secret", F_OK) < 0 && mkdir("/masked-dir/x", 0755) < 0 && errno == EROFS,
           "masked dir is an empty read-only tmpfs");
    fd = open("/proc/sys/kernel/hostname", O_WRONLY | O_CLOEXEC);
    report(fd < 0 && errno == EROFS, "readonlyPaths /proc/sys is EROFS");
    if (fd >= 0)
        close(fd);
    report(access("/data/payload", F_OK) == 0, "bind of a bundle-relative source");
    report(mkdir("/data/x", 0755) < 0 && errno == EROFS, "ro bind is read-only");
    report(mkdir("/newdir", 0755) < 0 && errno == EROFS, "root.readonly");
    report(mkdir("/tmp/x", 0755) == 0, "/tmp tmpfs is writable");
    report(is_fs("/sys/fs/cgroup", TMPFS_MAGIC) && is_fs("/sys/fs/cgroup/memory", CGROUP_SUPER_MAGIC),
           "cgroup v1: tmpfs with per-hierarchy mounts");
    report(access("/sys/fs/cgroup/systemd", F_OK) == 0, "cgroup v1: name=systemd as systemd");
    report(is_fs("/sys/fs/cgroup/unified", CGROUP2_SUPER_MAGIC), "cgroup hybrid: unified is cgroup2");
    report(mkdir("/sys/fs/cgroup/memory/x", 0755) < 0 && errno == EROFS, "cgroup mount read-only");
    report(is_fs("/sys", SYSFS_MAGIC) && mkdir("/sys/x", 0755) < 0, "sysfs (bound, ro)");
    report(stat("/", &a) == 0 && stat("/..", &b) == 0 && a.st_ino == b.st_ino && access(tmp, F_OK) < 0,
           "pivoted: the old root is gone");
}

/* --- children -------------------------------------------------------------- */

static int enter_private_ns(void)
{
    if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
        report(0, "unshare/private: %s", strerror(errno));
        return -1;
    }
    return 0;
}

static void child_full(void)
{
    struct oci_spec spec;
    struct brick_error err = {0};
    fill_spec(&spec);
    struct rootfs_ctx ctx = {.spec = &spec, .bundle = tmp};
    int r = rootfs_prepare(&ctx, &err);
    report(r == 0, "rootfs_prepare%s%s", r ? ": " : "", r ? err.msg : "");
    if (r == 0) {
        r = rootfs_pivot(&ctx, &err);
        report(r == 0, "rootfs_pivot%s%s", r ? ": " : "", r ? err.msg : "");
    }
    if (r == 0) {
        r = rootfs_finalize(&ctx, &err);
        report(r == 0, "rootfs_finalize%s%s", r ? ": " : "", r ? err.msg : "");
    }
    if (r == 0 && getenv("E2E_DEBUG")) {
        fflush(NULL);
        if (system("ls -la /sys/fs/cgroup /sys/fs/cgroup/memory | head -30; cat /proc/self/mountinfo") < 0)
            report(0, "debug");
    }
    if (r == 0) {
        check_dev();
        check_mounts();
    }
    rootfs_ctx_done(&ctx);
}

/* CVE-2025-31133: /dev/null swapped for a symlink before masking. */
static void child_devnull_swap(void)
{
    struct oci_spec spec;
    struct brick_error err = {0};
    fill_spec(&spec);
    spec.root.readonly = false;
    spec.linux_.readonly_paths = NULL;
    struct rootfs_ctx ctx = {.spec = &spec, .bundle = tmp, .no_pivot = true};
    int r = rootfs_prepare(&ctx, &err);
    if (r == 0)
        r = rootfs_pivot(&ctx, &err);
    report(r == 0, "no-pivot prepare + pivot%s%s", r ? ": " : "", r ? err.msg : "");
    report(unlink("/dev/null") == 0 && symlink("/proc/sys/kernel/core_pattern", "/dev/null") == 0,
           "replace /dev/null with a symlink");
    r = rootfs_finalize(&ctx, &err);
    report(r < 0 && strstr(err.msg, "maskedPaths /etc/secret") && strstr(err.msg, "not the null device"),
           "masking refuses a fake /dev/null (got: %s)", r < 0 ? err.msg : "success");
    rootfs_ctx_done(&ctx);
}

static void child_proc_on_file(void)
{
    struct oci_mount m = {.destination = "/procfile", .type = "proc", .source = "proc"};
    struct oci_spec spec = {.root = {.path = "rootfs"}, .mounts = &m, .n_mounts = 1};
    struct brick_error err = {0};
    struct rootfs_ctx ctx = {.spec = &spec, .bundle = tmp, .rootfs = root};
    int r = rootfs_prepare(&ctx, &err);
    report(r == -ENOTDIR, "proc onto a file fails");
    report(
        r < 0 &&
            strcmp(
                err.msg,
                "mounts[0] /procfile (proc): filesystem \"proc\" must be mounted on an ordinary directory") ==
                0,
        "error: %s", err.msg);
    rootfs_ctx_done(&ctx);
}

/* In a cgroup namespace the hierarchies are fresh mounts (fsopen "cgroup"). */
static void child_cgroupns(void)
{
    struct oci_mount m[] = {
        {.destination = "/proc", .type = "proc", .source = "proc"},
        {.destination = "/sys/fs/cgroup", .type = "cgroup", .source = "cgroup", .options = OPTS("ro")},
    };
    struct oci_namespace ns[] = {{.type = OCI_NS_MOUNT}, {.type = OCI_NS_CGROUP}};
    struct oci_spec spec = {.root = {.path = "rootfs"}, .mounts = m, .n_mounts = 2};
    struct brick_error err = {0};
    spec.linux_.namespaces = ns;
    spec.linux_.n_namespaces = 2;
    struct rootfs_ctx ctx = {.spec = &spec, .bundle = tmp};
    if (unshare(CLONE_NEWCGROUP) < 0) {
        report(0, "unshare(CLONE_NEWCGROUP): %s", strerror(errno));
        return;
    }
    int r = rootfs_prepare(&ctx, &err);
    if (r == 0)
        r = rootfs_pivot(&ctx, &err);
    report(r == 0, "cgroupns: prepare + pivot%s%s", r ? ": " : "", r ? err.msg : "");
    report(is_fs("/sys/fs/cgroup/memory", CGROUP_SUPER_MAGIC) &&
               access("/sys/fs/cgroup/memory/memory.limit_in_bytes", F_OK) == 0,
           "cgroupns: fresh v1 memory hierarchy");
    report(is_fs("/sys/fs/cgroup/unified", CGROUP2_SUPER_MAGIC), "cgroupns: fresh cgroup2 as unified");
    rootfs_ctx_done(&ctx);
}

static void run_child(void (*fn)(void))
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        abort();
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        report_fd = p[1];
        if (enter_private_ns() == 0)
            fn();
        exit(0);
    }
    close(p[1]);
    FILE *f = fdopen(p[0], "r");
    char line[512];
    while (f && fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\n")] = '\0';
        ok(line[0] == '1', line + 2);
    }
    if (f)
        fclose(f);
    int status = 0;
    waitpid(pid, &status, 0);
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child exited cleanly");
}

int main(void)
{
    if (geteuid() != 0) {
        printf("1..0 # SKIP needs root for mount namespaces\n");
        return 0;
    }
    build_tree();
    run_child(child_full);
    run_child(child_devnull_swap);
    run_child(child_proc_on_file);
    run_child(child_cgroupns);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
    ok(system(cmd) == 0 && access(tmp, F_OK) < 0, "temp dir removed");
    return tap_done();
}
