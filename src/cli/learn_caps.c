/* learn_caps.c — the capabilities a learning run exercised, from the
 * kernel's capability:cap_capable tracepoint (docs/PROFILES.md).
 *
 * A tracefs *instance* of our own (instances/brick-learn-<supervisor pid>):
 * its own ring buffer, event filter and set_event_pid, so nobody else's
 * tracing is touched and we see only the container's tasks. The first
 * notification of the run (the init's execve, blocked until we answer)
 * gives the pid to follow; options/event-fork adds every task it forks and
 * drops tasks that exit. options/context-info is off: a line is the event's
 * own text ("cap_capable: cred ..., cap 21, ret 0"), without the task's
 * comm, which the container chooses. The filter keeps granted checks only
 * (ret == 0) and, once a capability is learned, leaves it out too: at most
 * one line per capability reaches us, whatever the container does.
 *
 * Applying a profile (--profile-file), the same instance names the
 * capabilities the profile dropped when the container is refused one: the
 * filter keeps refused checks (ret != 0) of those only. The tracepoint
 * cannot tell audited checks from the kernel's silent probes (the
 * overcommit check asks for CAP_SYS_ADMIN on every mmap), hence only the
 * dropped ones, and a named refusal is a hint, not a proof.
 *
 * Root only (tracefs). When /sys/kernel/tracing is not mounted, the
 * supervisor mounts tracefs in a mount namespace of its own. The instance
 * is removed after the run, and stale ones (a supervisor killed with
 * SIGKILL) by the next learning run. */
#include "cli/learn.h"
#include "core/cleanup.h"
#include "core/fd.h"
#include "core/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/param.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <stdint.h>
#include <unistd.h>

#define INSTANCE_PREFIX "brick-learn-"

static int write_at(int dir, const char *file, const char *text)
{
    _cleanup_close_ int fd = openat(dir, file, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return -errno;
    return write_all(fd, text, strlen(text)) < 0 ? -errno : 0;
}

/* The tracefs root: /sys/kernel/tracing, or a private mount on mnt_dir
 * (*mounted set: the caller unmounts it before removing mnt_dir). */
static int open_tracefs(const char *mnt_dir, bool *mounted)
{
    *mounted = false;
    int fd = open("/sys/kernel/tracing/instances", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        close(fd);
        return open("/sys/kernel/tracing", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    }
    if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
        mount("tracefs", mnt_dir, "tracefs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
        return -1;
    *mounted = true;
    return open(mnt_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

void learn_caps_remove_instance(pid_t pid, const char *mnt_dir)
{
    if (pid <= 0 || !mnt_dir || geteuid() != 0)
        return;
    pid_t child = fork(); /* the private mount namespace is the child's, never the CLI's */
    if (child == 0) {
        bool mounted;
        int t = open_tracefs(mnt_dir, &mounted);
        int inst = t >= 0 ? openat(t, "instances", O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
        char name[64];
        snprintf(name, sizeof(name), INSTANCE_PREFIX "%d", (int)pid);
        if (inst >= 0)
            (void)unlinkat(inst, name, AT_REMOVEDIR);
        _exit(0); /* our mount namespace, and the tracefs mount in it, go with us */
    }
    while (child > 0 && waitpid(child, NULL, 0) < 0 && errno == EINTR)
        ;
}

/* Instances of supervisors that are gone (killed before they cleaned up). */
static void remove_stale(int inst_fd)
{
    _cleanup_close_ int fd = fcntl(inst_fd, F_DUPFD_CLOEXEC, 0);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d)
        return;
    fd = -1;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, INSTANCE_PREFIX, strlen(INSTANCE_PREFIX)) != 0)
            continue;
        char *end;
        long pid = strtol(e->d_name + strlen(INSTANCE_PREFIX), &end, 10);
        if (*end || pid <= 0 || (kill((pid_t)pid, 0) < 0 && errno == ESRCH))
            (void)unlinkat(inst_fd, e->d_name, AT_REMOVEDIR);
    }
    closedir(d);
}

/* Append to c->filter at *n; never past its end (a filter that does not
 * fit is cut, and the kernel refuses it: the write fails, nothing else). */
static void append(struct learn_caps *c, size_t *n, const char *text, int cap)
{
    char num[16] = "";
    if (cap >= 0)
        snprintf(num, sizeof(num), "%d", cap);
    size_t want = strlen(text) + strlen(num);
    if (*n + want >= sizeof(c->filter))
        return;
    memcpy(c->filter + *n, text, strlen(text));
    memcpy(c->filter + *n + strlen(text), num, strlen(num) + 1);
    *n += want;
}

/* Granted checks (learning), or the refused checks of the capabilities in
 * refused (applying: those the profile dropped). */
static void set_base_filter(struct learn_caps *c, uint64_t refused)
{
    c->refused = refused != 0;
    size_t n = 0;
    c->filter[0] = 0;
    append(c, &n, refused ? "ret != 0 && (" : "ret == 0", -1);
    for (int i = 0, first = 1; refused && i < 64; i++)
        if (refused & (1ULL << i)) {
            append(c, &n, first ? "cap == " : " || cap == ", i);
            first = 0;
        }
    if (refused)
        append(c, &n, ")", -1);
    c->base_len = n;
}

int learn_caps_open(struct learn_caps *c, const char *mnt_dir, uint64_t refused, const char **why)
{
    *c = (struct learn_caps){.dir_fd = -1, .pipe_fd = -1, .tracefs_fd = -1};
    set_base_filter(c, refused);
    if (geteuid() != 0) {
        *why = "needs root (tracefs)";
        return -1;
    }
    bool mounted;
    c->tracefs_fd = open_tracefs(mnt_dir, &mounted);
    if (mounted)
        c->mnt = xstrdup(mnt_dir);
    if (c->tracefs_fd < 0) {
        *why = "tracefs could not be mounted";
        return -1;
    }
    _cleanup_close_ int inst = openat(c->tracefs_fd, "instances", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (inst < 0 || faccessat(c->tracefs_fd, "events/capability/cap_capable/format", R_OK, 0) < 0) {
        *why = "this kernel has no capability:cap_capable tracepoint";
        learn_caps_close(c);
        return -1;
    }
    remove_stale(inst);
    c->name = xasprintf(INSTANCE_PREFIX "%d", (int)getpid());
    /* a name of ours left over (our pid, reused): cleared, never taken over with its old settings */
    int made = mkdirat(inst, c->name, 0700);
    if (made < 0 && errno == EEXIST && unlinkat(inst, c->name, AT_REMOVEDIR) == 0)
        made = mkdirat(inst, c->name, 0700);
    if (made < 0) {
        free(c->name);
        c->name = NULL;
        *why = "no tracefs instance could be made";
        learn_caps_close(c);
        return -1;
    }
    c->dir_fd = openat(inst, c->name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int r = c->dir_fd < 0 ? -1 : 0;
    if (r == 0)
        r = write_at(c->dir_fd, "options/event-fork", "1");
    if (r == 0)
        r = write_at(c->dir_fd, "options/context-info", "0");
    if (r == 0)
        r = write_at(c->dir_fd, "buffer_size_kb", "64");
    if (r == 0)
        r = write_at(c->dir_fd, "events/capability/cap_capable/filter", c->filter);
    if (r == 0)
        r = (c->pipe_fd = openat(c->dir_fd, "trace_pipe", O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0 ? -1 : 0;
    if (r < 0) {
        *why = "the tracefs instance could not be set up";
        learn_caps_close(c);
        return -1;
    }
    return 0;
}

/* Append pid to set_event_pid (O_APPEND: the others stay). */
static int follow(int dir_fd, pid_t pid)
{
    char buf[32];
    snprintf(buf, sizeof(buf), "%d\n", (int)pid);
    _cleanup_close_ int fd = openat(dir_fd, "set_event_pid", O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return -errno;
    return write_all(fd, buf, strlen(buf)) < 0 ? -errno : 0;
}

int learn_caps_start(struct learn_caps *c, pid_t pid)
{
    int r = follow(c->dir_fd, pid);
    if (r == 0)
        r = write_at(c->dir_fd, "events/capability/cap_capable/enable", "1");
    c->started = r == 0;
    return r;
}

/* The base filter, and none of the capabilities seen so far. */
static void refilter(struct learn_caps *c, uint64_t caps)
{
    size_t n = c->base_len;
    for (int i = 0; i < 64; i++)
        if (caps & (1ULL << i))
            append(c, &n, " && cap != ", i);
    (void)write_at(c->dir_fd, "events/capability/cap_capable/filter", c->filter);
    c->filter[c->base_len] = 0;
}

/* One line of the event's own text: "cap_capable: ..., cap N, ret R". */
static bool parse_line(const struct learn_caps *c, const char *line, int *cap)
{
    if (strncmp(line, "cap_capable: ", 13) != 0)
        return false;
    const char *p = strstr(line, ", cap ");
    int ret = 0;
    return p && sscanf(p, ", cap %d, ret %d", cap, &ret) == 2 && (ret != 0) == c->refused && *cap >= 0 &&
           *cap < 64;
}

static void take_lines(struct learn_caps *c, uint64_t *seen, uint64_t *news)
{
    char *start = c->carry, *nl;
    while ((nl = memchr(start, '\n', c->n_carry - (size_t)(start - c->carry)))) {
        *nl = 0;
        int cap;
        if (parse_line(c, start, &cap) && !(*seen & (1ULL << cap))) {
            *seen |= 1ULL << cap;
            *news |= 1ULL << cap;
        }
        start = nl + 1;
    }
    size_t left = c->n_carry - (size_t)(start - c->carry);
    if (left == sizeof(c->carry))
        left = 0; /* no line is that long: not ours to parse */
    memmove(c->carry, start, left);
    c->n_carry = left;
}

uint64_t learn_caps_drain(struct learn_caps *c, uint64_t *seen)
{
    uint64_t news = 0;
    if (c->pipe_fd < 0)
        return 0;
    for (int rounds = 0; rounds < 256; rounds++) { /* bounded: a few lines per capability at most */
        ssize_t n = read(c->pipe_fd, c->carry + c->n_carry, sizeof(c->carry) - c->n_carry);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        c->n_carry += (size_t)n;
        take_lines(c, seen, &news);
    }
    if (news)
        refilter(c, *seen);
    return news;
}

void learn_caps_close(struct learn_caps *c)
{
    if (c->dir_fd >= 0)
        (void)write_at(c->dir_fd, "events/capability/cap_capable/enable", "0");
    if (c->pipe_fd >= 0)
        close(c->pipe_fd);
    if (c->dir_fd >= 0)
        close(c->dir_fd);
    if (c->name && c->tracefs_fd >= 0) {
        _cleanup_close_ int inst = openat(c->tracefs_fd, "instances", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (inst >= 0)
            (void)unlinkat(inst, c->name, AT_REMOVEDIR);
    }
    if (c->tracefs_fd >= 0)
        close(c->tracefs_fd);
    if (c->mnt)
        (void)umount2(c->mnt, MNT_DETACH); /* in our own mount namespace (open_tracefs) */
    free(c->mnt);
    free(c->name);
    *c = (struct learn_caps){.dir_fd = -1, .pipe_fd = -1, .tracefs_fd = -1};
}
