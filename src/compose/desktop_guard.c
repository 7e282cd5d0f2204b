/* desktop_guard.c — the files a desktop container sees, and --die-with-parent.
 *
 * Why a guard process and not PR_SET_PDEATHSIG in the container's init: the
 * death signal is cleared whenever the init's credentials change (setuid,
 * capabilities), it is the runtime's to set (the runtime already uses it
 * while `create` drives the init, and clears it at CREATED), and it cannot
 * clean up: a SIGKILLed `brick do` would leave the container's state and its
 * bundle behind. The guard is a small child of `brick do`, in a session of
 * its own (a Ctrl-C or a kill of the process group does not reach it), that
 * blocks reading a pipe whose only writer is `brick do` (close-on-exec, so
 * the container never holds it):
 *   "D" then EOF  `brick do` finished normally: remove the files, exit.
 *   EOF alone     `brick do` died (SIGKILL, crash): with --die-with-parent,
 *                 delete the container by force (SIGKILL through a pidfd,
 *                 then its state and bundle); remove the files, exit.
 * The kernel closes the pipe when `brick do` dies, however it dies, so there
 * is no pid to poll and nothing to race with. */
#include "compose/compose.h"
#include "compose/desktop.h"
#include "core/cleanup.h"
#include "core/error.h"
#include "core/fd.h"
#include "core/strv.h"
#include "core/util.h"

#include <brick/brick.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* The directory is flat and ours: every entry goes, then the directory. */
static void remove_dir(const char *dir)
{
    _cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd >= 0) {
        int d2 = fcntl(dfd, F_DUPFD_CLOEXEC, 3);
        DIR *d = d2 >= 0 ? fdopendir(d2) : NULL;
        if (!d && d2 >= 0)
            close(d2);
        struct dirent *e;
        while (d && (e = readdir(d)))
            if (!streq(e->d_name, ".") && !streq(e->d_name, ".."))
                (void)unlinkat(dfd, e->d_name, 0);
        if (d)
            closedir(d);
    }
    (void)rmdir(dir);
}

_Noreturn static void guard_main(const char *root, const char *id, const char *dir, bool kill_container,
                                 int fd)
{
    char c = 0;
    ssize_t n;
    while ((n = read(fd, &c, 1)) < 0 && errno == EINTR)
        ;
    if (!(n == 1 && c == 'D') && kill_container) {
        struct brick_error err;
        (void)brick_delete(root, id, true, &err);
    }
    remove_dir(dir);
    _exit(0);
}

/* Not under the state root: with --user new the runtime opens bind sources
 * from inside the new user namespace, which cannot traverse a root-only
 * state directory. A fresh mkdtemp() name (0700, owned by the container's
 * user once filled) is as private, and nothing else can guess it. */
static int make_dir(char **ret, struct brick_error *err)
{
    char tmpl[] = DESKTOP_HOST_DIR_TEMPLATE;
    if (!mkdtemp(tmpl))
        return brick_err_errno(err, errno, "create %s", DESKTOP_HOST_DIR_TEMPLATE);
    *ret = xstrdup(tmpl);
    return 0;
}

static int start_guard(const char *root, const char *id, bool kill_container, struct desktop_session *s,
                       struct brick_error *err)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        return brick_err_errno(err, errno, "pipe");
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(p[0]);
        close(p[1]);
        return brick_err_errno(err, errno, "fork");
    }
    if (pid == 0) {
        close(p[1]);
        setsid();
        stdio_to_null();
        guard_main(root, id, s->dir, kill_container, p[0]);
    }
    close(p[0]);
    s->guard = pid;
    s->pipe_w = p[1];
    return 0;
}

/* A note that explains, not warns: once per user (per state root), the
 * stamp made when it is shown. */
static void note_once(const char *root, const char *note)
{
    _cleanup_free_ char *stamp = xasprintf("%s/" DESKTOP_NOTED_STAMP, root);
    if (access(stamp, F_OK) == 0)
        return;
    fprintf(stderr, "brick: note: %s\n", note);
    (void)mkdir(root, 0700); /* as the runtime makes it, a moment later */
    int fd = open(stamp, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd >= 0)
        close(fd);
}

/* What the profile asked for and this host lacks, in one line:
 *   brick: note: not on this host, left out: sound (no sound server at
 *   /run/user/1000/pulse/native), a GPU (no /dev/dri/renderD*, no
 *   /dev/nvidia*); --no-audio --no-gpu to not ask */
static void print_left_out(const struct compose_desktop *d)
{
    fputs("brick: note: not on this host, left out: ", stderr);
    for (char **w = d->left_out; *w; w++)
        fprintf(stderr, "%s%s", w == d->left_out ? "" : ", ", *w);
    for (char **f = d->left_out_flags; f && *f; f++)
        fprintf(stderr, "%s%s", f == d->left_out_flags ? "; " : " ", *f);
    fputs(d->left_out_flags ? " to not ask\n" : "\n", stderr);
}

int desktop_session_start(const char *root, struct compose_opts *o, struct desktop_session *s,
                          struct brick_error *err)
{
    *s = (struct desktop_session){.pipe_w = -1};
    if (!o->desktop)
        return 0;
    int r = make_dir(&s->dir, err);
    if (r < 0)
        return r;
    /* a profile's --die-with-parent (desktop_check) means nothing detached */
    r = start_guard(root, o->name, o->desktop->die_with_parent && !o->detach, s, err);
    if (r < 0) {
        remove_dir(s->dir);
        return r;
    }
    r = desktop_resolve(o, s->dir, err);
    for (char **n = o->desktop->notes; r >= 0 && n && *n; n++)
        fprintf(stderr, "brick: note: %s\n", *n);
    if (r >= 0 && o->desktop->left_out)
        print_left_out(o->desktop);
    if (r >= 0 && o->desktop->note_once)
        note_once(root, o->desktop->note_once);
    return r;
}

void desktop_session_end(struct desktop_session *s)
{
    if (s->pipe_w >= 0) {
        (void)!write(s->pipe_w, "D", 1);
        close(s->pipe_w);
    }
    if (s->guard > 0)
        while (waitpid(s->guard, NULL, 0) < 0 && errno == EINTR)
            ;
    else if (s->dir)
        remove_dir(s->dir);
    free(s->dir);
    *s = (struct desktop_session){.pipe_w = -1};
}
