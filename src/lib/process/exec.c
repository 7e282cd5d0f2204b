/* exec.c — working directory, executable lookup, console. */
#include "process/process.h"
#include "core/cleanup.h"
#include "core/error.h"
#include "core/fd.h"
#include "core/missing.h"
#include "core/strv.h"
#include "core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

int process_enter_cwd(const struct oci_process *p, struct brick_error *err)
{
    const char *cwd = p->cwd ? p->cwd : "/";
    if (chdir(cwd) < 0 && errno == ENOENT) {
        /* After pivot_root "/" is the container root, so creating the missing
         * components cannot leave it. */
        _cleanup_free_ char *path = xstrdup(cwd);
        for (char *s = path + 1; *s; s++) {
            if (*s != '/')
                continue;
            *s = '\0';
            (void)mkdir(path, 0755);
            *s = '/';
        }
        (void)mkdir(path, 0755);
    }
    if (chdir(cwd) < 0)
        return brick_err_errno(err, errno, "chdir to cwd \"%s\"", cwd);
    /* CVE-2024-21626: a cwd reached through a leaked host fd (e.g.
     * /proc/self/fd/N) would lie outside the root; getcwd() then fails or
     * reports "(unreachable)". */
    char buf[4096];
    if (!getcwd(buf, sizeof(buf)) || buf[0] != '/')
        return brick_err(err, EPERM, "cwd \"%s\" is outside the container root", cwd);
    return 0;
}

static bool is_executable(const char *path, int *ret_errno)
{
    struct stat st;
    if (stat(path, &st) < 0) {
        *ret_errno = errno;
        return false;
    }
    if (S_ISDIR(st.st_mode)) {
        *ret_errno = EACCES;
        return false;
    }
    if (access(path, X_OK) < 0) {
        *ret_errno = errno;
        return false;
    }
    return true;
}

void process_default_home(struct oci_process *p)
{
    const char *have = strv_env_get(p->env, "HOME");
    if (have && *have)
        return;
    /* the container's own file, after pivot_root: no symlink of it may lead
     * through /proc/<pid>/fd (nothing of the host is open by now anyway) */
    struct open_how how = {.flags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC,
                           .resolve = RESOLVE_NO_MAGICLINKS};
    _cleanup_close_ int fd = (int)syscall(SYS_openat2, AT_FDCWD, "/etc/passwd", &how, sizeof(how));
    if (fd < 0 && (errno == ENOSYS || errno == EPERM)) /* before 5.6, or filtered */
        fd = open("/etc/passwd", O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    _cleanup_free_ char *text = NULL, *home = NULL;
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
        read_all_fd(fd, BRICK_READ_STATE, &text, NULL) >= 0)
        home = passwd_field(text, p->user.uid, 5);
    _cleanup_free_ char *kv = xasprintf("HOME=%s", home ? home : "/");
    for (char **e = p->env; e && *e; e++) {
        if (strncmp(*e, "HOME=", 5) == 0) {
            free(*e);
            *e = TAKE_PTR(kv);
            return;
        }
    }
    strv_push(&p->env, kv);
}

int process_exec_error(struct brick_error *err, int e, const char *name)
{
    /* Go's spelling of the errno (lower case), as runc prints it: engines
     * read it. Docker's CLI exits 127 for "no such file or directory" and
     * "executable file not found", 126 for "permission denied". */
    char text[128];
    snprintf(text, sizeof(text), "%s", strerror(e));
    if (text[0] >= 'A' && text[0] <= 'Z' && (text[1] < 'A' || text[1] > 'Z'))
        text[0] = (char)(text[0] - 'A' + 'a');
    return brick_err(err, e, "exec \"%s\": %s", name, text);
}

int process_find_executable(const struct oci_process *p, char **ret, struct brick_error *err)
{
    const char *name = p->args[0];
    /* The lookup runs before the chdir into process.cwd: a relative name
     * ("./server", or through a relative $PATH entry) is relative to that
     * cwd, as it is for runc and for execvp() run from there. */
    const char *cwd = p->cwd && p->cwd[0] == '/' ? p->cwd : "/";
    int e = 0;
    if (strchr(name, '/')) {
        _cleanup_free_ char *full = name[0] == '/' ? xstrdup(name) : xasprintf("%s/%s", cwd, name);
        if (!is_executable(full, &e))
            return process_exec_error(err, e, name);
        *ret = TAKE_PTR(full);
        return 0;
    }
    const char *path = strv_env_get(p->env, "PATH");
    if (!path)
        path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    _cleanup_free_ char *copy = xstrdup(path);
    char *save = NULL;
    for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
        _cleanup_free_ char *cand = dir[0] == '/' ? xasprintf("%s/%s", dir, name)
                                                  : xasprintf("%s/%s/%s", cwd, *dir ? dir : ".", name);
        if (is_executable(cand, &e)) {
            *ret = TAKE_PTR(cand);
            return 0;
        }
    }
    return brick_err(err, ENOENT, "exec \"%s\": executable file not found in $PATH", name);
}

int console_open(const struct oci_process *p, int *ret_master, int *ret_peer, struct brick_error *err)
{
    _cleanup_close_ int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0)
        return brick_err_errno(err, errno, "open /dev/ptmx");
    if (unlockpt(master) < 0)
        return brick_err_errno(err, errno, "unlockpt");
    _cleanup_close_ int peer = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (peer < 0)
        return brick_err_errno(err, errno, "open the pty peer (TIOCGPTPEER)");
    struct stat st;
    if (fstat(peer, &st) < 0 || !S_ISCHR(st.st_mode) || major(st.st_rdev) < 136 || major(st.st_rdev) > 143)
        return brick_err(err, EPERM, "pty peer is not a Unix98 pty");
    /* As runc: the process's own terminal (its uid; the group is devpts'
     * gid= option, "tty"), and no \n -> \r\n translation on output. */
    if (fchown(peer, p->user.uid, (gid_t)-1) < 0 && errno != EINVAL)
        return brick_err_errno(err, errno, "chown the pty");
    struct termios t;
    if (tcgetattr(peer, &t) == 0) {
        t.c_oflag &= ~(tcflag_t)ONLCR;
        (void)tcsetattr(peer, TCSANOW, &t);
    }
    if (p->has_console_size) {
        struct winsize ws = {.ws_row = (unsigned short)p->console_height,
                             .ws_col = (unsigned short)p->console_width};
        if (ioctl(master, TIOCSWINSZ, &ws) < 0)
            return brick_err_errno(err, errno, "set console size");
    }
    *ret_master = TAKE_FD(master);
    *ret_peer = TAKE_FD(peer);
    return 0;
}

int process_set_personality(const struct oci_personality *pers, struct brick_error *err)
{
    if (!pers->present || !pers->domain)
        return 0;
    unsigned long v = streq(pers->domain, "LINUX32") ? PER_LINUX32 : PER_LINUX;
    if (personality(v) < 0)
        return brick_err_errno(err, errno, "linux.personality: %s", pers->domain);
    return 0;
}

int console_become_stdio(int peer, struct brick_error *err)
{
    if (ioctl(peer, TIOCSCTTY, 0) < 0)
        return brick_err_errno(err, errno, "set controlling terminal");
    for (int fd = 0; fd < 3; fd++)
        if (dup2(peer, fd) < 0)
            return brick_err_errno(err, errno, "dup2 console to fd %d", fd);
    return 0;
}
