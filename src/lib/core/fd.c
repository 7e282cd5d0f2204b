#include "core/fd.h"
#include "core/cleanup.h"
#include "core/missing.h"
#include "core/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

int read_all_fd(int fd, size_t max, char **ret, size_t *ret_len)
{
    size_t cap = 4096, len = 0;
    struct stat st;
    /* a regular file's size is known: one buffer of it, not a doubling
     * series (whose every page is touched once) */
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 && (uint64_t)st.st_size <= max)
        cap = (size_t)st.st_size + 2;
    _cleanup_free_ char *buf = xmalloc(cap);
    for (;;) {
        if (len + 1 >= cap) {
            if (cap > max + 1)
                return -EFBIG;
            cap *= 2;
            buf = xrealloc(buf, cap);
        }
        ssize_t n = read(fd, buf + len, cap - len - 1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (n == 0)
            break;
        len += (size_t)n;
        if (len > max)
            return -EFBIG;
    }
    buf[len] = '\0';
    if (ret_len)
        *ret_len = len;
    *ret = TAKE_PTR(buf);
    return 0;
}

int read_file_at(int dirfd, const char *path, size_t max, char **ret, size_t *ret_len)
{
    _cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return -errno;
    return read_all_fd(fd, max, ret, ret_len);
}

int write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int write_file_at(int dirfd, const char *path, const char *s)
{
    _cleanup_close_ int fd = openat(dirfd, path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
    if (fd < 0)
        return -errno;
    return write_all(fd, s, strlen(s));
}

int write_file_atomic(int dirfd, const char *name, const char *content, mode_t mode)
{
    _cleanup_free_ char *tmp = xasprintf(".%s.tmp", name);
    _cleanup_close_ int fd =
        openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
    if (fd < 0)
        return -errno;
    int r = write_all(fd, content, strlen(content));
    if (r < 0) {
        unlinkat(dirfd, tmp, 0);
        return r;
    }
    if (renameat(dirfd, tmp, dirfd, name) < 0) {
        r = -errno;
        unlinkat(dirfd, tmp, 0);
        return r;
    }
    return 0;
}

int send_fd(int sock, int fd)
{
    char byte = 'F';
    struct iovec iov = {.iov_base = &byte, .iov_len = 1};
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } u;
    memset(&u, 0, sizeof(u));
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
                         .msg_controllen = sizeof(u.buf)};
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof(int));
    for (;;) {
        if (sendmsg(sock, &msg, MSG_NOSIGNAL) >= 0)
            return 0;
        if (errno != EINTR)
            return -errno;
    }
}

int recv_fd(int sock, int *ret_fd)
{
    char byte;
    struct iovec iov = {.iov_base = &byte, .iov_len = 1};
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } u;
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
                         .msg_controllen = sizeof(u.buf)};
    ssize_t n;
    do
        n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return -errno;
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    if (n == 0 || !c || c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(sizeof(int)))
        return -EBADMSG;
    memcpy(ret_fd, CMSG_DATA(c), sizeof(int));
    return 0;
}

static int verify_procfs(int fd)
{
    struct statfs sfs;
    struct stat st;
    if (fstatfs(fd, &sfs) < 0 || fstat(fd, &st) < 0)
        return -errno;
    if (sfs.f_type != PROC_SUPER_MAGIC || st.st_ino != 1)
        return -EXDEV;
    return 0;
}

int procfs_open_verified(int *ret_fd)
{
    _cleanup_close_ int fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return -errno;
    int r = verify_procfs(fd);
    if (r < 0)
        return r;
    *ret_fd = TAKE_FD(fd);
    return 0;
}

/* Every child brick makes may become visible in a container (the init, its
 * stage 1, exec's process, a hook's helper): non-dumpable from its first
 * instruction, so that a process of the container running under the same
 * uid cannot open its /proc/PID/mem, environ or fd without CAP_SYS_PTRACE
 * (CVE-2016-9962). Dumpable belongs to the memory map and is copied by
 * clone; ours is given back at once. execve makes a program dumpable again. */
pid_t clone3_fork_into(uint64_t flags, int cgroup_fd, int *ret_pidfd)
{
    int pidfd = -1;
    struct clone_args args = {
        .flags = flags | (ret_pidfd ? CLONE_PIDFD : 0) | (cgroup_fd >= 0 ? CLONE_INTO_CGROUP : 0),
        .pidfd = (uint64_t)(uintptr_t)&pidfd,
        .exit_signal = (flags & CLONE_PARENT) ? 0 : SIGCHLD,
        .cgroup = cgroup_fd >= 0 ? (uint64_t)cgroup_fd : 0,
    };
    int dumpable = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
    if (dumpable != 0)
        prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    long r = syscall(SYS_clone3, &args, sizeof(args));
    int e = errno;
    if (r != 0 && dumpable > 0)
        prctl(PR_SET_DUMPABLE, dumpable, 0, 0, 0);
    if (r < 0)
        return -e;
    if (r > 0 && ret_pidfd)
        *ret_pidfd = pidfd;
    return (pid_t)r;
}

pid_t clone3_fork(uint64_t flags, int *ret_pidfd)
{
    return clone3_fork_into(flags, -1, ret_pidfd);
}

/* Where this process's argument (field 48, arg_start, and 49) or
 * environment block (50, 51: env_start, env_end) lies in /proc/PID/stat
 * (since Linux 3.5); procfd < 0: /proc of our mount namespace. */
static int proc_block(int procfd, int field0, char **ret_start, char **ret_end)
{
    _cleanup_free_ char *stat = NULL;
    int r = read_file_at(procfd >= 0 ? procfd : AT_FDCWD, procfd >= 0 ? "self/stat" : "/proc/self/stat",
                         BRICK_READ_SMALL, &stat, NULL);
    if (r < 0)
        return r;
    const char *p = strrchr(stat, ')');
    if (!p)
        return -EIO;
    /* field 3 starts after ") " */
    unsigned long long v[2];
    p += 2;
    for (int field = 3; field < field0; field++) {
        p = strchr(p, ' ');
        if (!p)
            return -EIO;
        p++;
    }
    if (sscanf(p, "%llu %llu", &v[0], &v[1]) != 2 || v[1] < v[0])
        return -EIO;
    *ret_start = (char *)(uintptr_t)v[0];
    *ret_end = (char *)(uintptr_t)v[1];
    return 0;
}

int environ_scrub(int procfd)
{
    extern char **environ;
    char *start, *end;
    int r = procfd >= 0 ? proc_block(procfd, 50, &start, &end) : -EBADF;
    if (r >= 0)
        memset(start, 0, (size_t)(end - start));
    /* what /proc/PID/environ shows is that block; strings set later (setenv,
     * putenv: maybe read-only memory) are only dropped from environ */
    static char *empty[] = {NULL};
    environ = empty;
    return r;
}

int cmdline_wipe(int procfd, const char *name)
{
    char *start, *end;
    int r = proc_block(procfd, 48, &start, &end);
    if (r < 0)
        return r;
    /* argv[0] or name, then zeros: /proc/PID/cmdline reads this block */
    size_t keep = name ? 0 : strnlen(start, (size_t)(end - start));
    memset(start + keep, 0, (size_t)(end - start) - keep);
    if (name)
        memcpy(start, name, strnlen(name, (size_t)(end - start) - 1));
    return 0;
}

int fork_detached(void)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return -errno;
    if (pid == 0) {
        setsid();
        if (fork() != 0)
            _exit(0);
        stdio_to_null();
        return 0;
    }
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
    return 1;
}

int pidfd_open_pid(pid_t pid)
{
    int fd = (int)syscall(SYS_pidfd_open, pid, 0);
    return fd < 0 ? -errno : fd;
}

char proc_state(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/stat", pid);
    _cleanup_free_ char *stat = NULL;
    if (read_file_at(AT_FDCWD, path, BRICK_READ_SMALL, &stat, NULL) < 0)
        return '?';
    /* the name in parentheses may hold anything: the state follows the last ")" */
    const char *p = strrchr(stat, ')');
    return p && p[1] == ' ' && p[2] ? p[2] : '?';
}

int pidfd_signal(int pidfd, int sig)
{
    if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0)
        return -errno;
    return 0;
}

int dir_for_each(int dfd, int (*fn)(const char *name, void *data), void *data)
{
    /* on the stack: opendir() would take a 32 KiB heap buffer, every page of
     * which faults in (costly where page tables are shadowed) */
    char buf[2048] __attribute__((aligned(8)));
    for (;;) {
        ssize_t n = getdents64(dfd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        if (n == 0)
            return 0;
        for (ssize_t off = 0; off < n;) {
            const struct dirent64 *de = (const struct dirent64 *)(buf + off);
            off += de->d_reclen;
            if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                continue;
            int r = fn(de->d_name, data);
            if (r < 0)
                return r;
        }
    }
}

struct close_dirs {
    int dfd, n_preserve, closed;
    const int *keep;
    size_t n_keep;
    bool inherited; /* close what is not close-on-exec, not directories */
};

static int close_if_dir(const char *name, void *data)
{
    struct close_dirs *c = data;
    int fd;
    struct stat st;
    if (parse_int(name, &fd) < 0 || fd < 3 + c->n_preserve || fd == c->dfd)
        return 0;
    for (size_t i = 0; i < c->n_keep; i++)
        if (c->keep[i] == fd)
            return 0;
    if (c->inherited) {
        int fl = fcntl(fd, F_GETFD);
        if (fl >= 0 && !(fl & FD_CLOEXEC) && close(fd) == 0)
            c->closed++;
        return 0;
    }
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode) && close(fd) == 0)
        c->closed++;
    return 0;
}

int fds_close_inherited(int procfd, int n_preserve)
{
    _cleanup_close_ int dfd = openat(procfd, "self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return -errno;
    struct close_dirs c = {.dfd = dfd, .n_preserve = n_preserve, .inherited = true};
    int r = dir_for_each(dfd, close_if_dir, &c);
    return r < 0 ? r : c.closed;
}

int fds_close_dirs(int procfd, int n_preserve, const int *keep, size_t n_keep)
{
    _cleanup_close_ int dfd = openat(procfd, "self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return -errno;
    struct close_dirs c = {.dfd = dfd, .n_preserve = n_preserve, .keep = keep, .n_keep = n_keep};
    int r = dir_for_each(dfd, close_if_dir, &c);
    return r < 0 ? r : c.closed;
}

int fds_prepare_exec(int n_keep)
{
    unsigned int from = 3 + (unsigned int)n_keep;
    if (syscall(SYS_close_range, from, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
        return 0;
    /* Kernels before 5.11: every possible fd, without trusting /proc. */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
        return -errno;
    rlim_t max = rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > (1 << 20) ? (1 << 20) : rl.rlim_cur;
    for (rlim_t fd = from; fd < max; fd++) {
        int fl = fcntl((int)fd, F_GETFD);
        if (fl >= 0 && !(fl & FD_CLOEXEC))
            fcntl((int)fd, F_SETFD, fl | FD_CLOEXEC);
    }
    return 0;
}

void stdio_to_null(void)
{
    int nul = open("/dev/null", O_RDWR | O_CLOEXEC);
    for (int fd = 0; fd < 3 && nul >= 0; fd++)
        dup2(nul, fd);
    if (nul > 2)
        close(nul);
}

void fds_reserve(int from, int n)
{
    for (int fd = from; fd < from + n; fd++) {
        if (fcntl(fd, F_GETFD) >= 0)
            continue;
        int nul = open("/dev/null", O_RDWR); /* passed on: not close-on-exec */
        if (nul >= 0 && nul != fd) {
            dup2(nul, fd);
            close(nul);
        }
    }
}

void stdio_fill(void)
{
    int fd;
    while ((fd = open("/dev/null", O_RDWR)) >= 0 && fd < 3)
        ; /* stdio: not close-on-exec */
    if (fd >= 0)
        close(fd);
}

/* close_range(from, to), or one close() per possible fd before Linux 5.9 */
static void close_span(unsigned int from, unsigned int to)
{
    if (from > to || syscall(SYS_close_range, from, to, 0U) == 0)
        return;
    struct rlimit rl;
    rlim_t max = getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur > (1 << 20) ? (1 << 20) : rl.rlim_cur;
    for (rlim_t fd = from; fd < max && fd <= to; fd++)
        close((int)fd);
}

void fds_close_except(const int *keep, size_t n_keep)
{
    unsigned int from = 3;
    for (;;) {
        /* the lowest kept fd at or above from: everything below it goes */
        unsigned int next = ~0U;
        for (size_t i = 0; i < n_keep; i++)
            if (keep[i] >= (int)from && (unsigned int)keep[i] < next)
                next = (unsigned int)keep[i];
        if (next == ~0U) {
            close_span(from, ~0U);
            return;
        }
        if (next > from)
            close_span(from, next - 1);
        from = next + 1;
    }
}

int private_dir_open(const char *path)
{
    bool unpriv = running_unprivileged();
    int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC | (unpriv ? O_NOFOLLOW : 0));
    if (fd < 0)
        return -errno;
    struct stat sb;
    if (unpriv && (fstat(fd, &sb) < 0 || sb.st_uid != geteuid() || (sb.st_mode & 022))) {
        close(fd);
        return -EPERM;
    }
    return fd;
}
