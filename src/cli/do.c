/* do.c — `brick do [flags] CMD`: a container from flags, run like `run`.
 *
 * The generated config.json goes straight into the container's state
 * directory, which is its bundle (no directory of its own). Foreground:
 * the container is deleted when CMD exits (as `runc run` does), unless
 * --keep. Detached: its name is printed, its output goes to its log
 * (runtime/logger.c, `brick logs`), and it runs until `brick delete`, or,
 * with --rm, a small monitor process deletes it when it exits. */
#include "cli/cli.h"
#include "cli/learn.h"
#include "compose/compose.h"
#include "compose/desktop.h"
#include "compose/net.h"
#include "compose/share.h"
#include "core/missing.h"
#include "core/cleanup.h"
#include "core/error.h"
#include "core/fd.h"
#include "core/strv.h"
#include "core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <linux/nsfs.h>
#include <unistd.h>

/* --bind-try, --ro-bind-try: a missing source leaves the bind out (bwrap). */
static void drop_volume(struct compose_opts *o, size_t i)
{
    free(o->volumes[i].src);
    free(o->volumes[i].dst);
    free(o->volumes[i].flag);
    memmove(&o->volumes[i], &o->volumes[i + 1], (o->n_volumes - i - 1) * sizeof(*o->volumes));
    o->n_volumes--;
}

/* Sources to real paths. Destinations are the builder's (dest.c): on the
 * host's read-only root a missing one is made on a tmpfs over its parent,
 * never on the host. */
static int resolve_paths(struct compose_opts *o, struct brick_error *err)
{
    char buf[PATH_MAX];
    if (o->rootfs) {
        if (!realpath(o->rootfs, buf))
            return brick_err_errno(err, errno, "--rootfs %s", o->rootfs);
        free(o->rootfs);
        o->rootfs = xstrdup(buf);
    }
    for (size_t i = 0; i < o->n_volumes;) {
        if (!realpath(o->volumes[i].src, buf)) {
            if (errno == ENOENT && o->volumes[i].try_) {
                drop_volume(o, i);
                continue;
            }
            return brick_err_errno(err, errno, "%s: source %s", o->volumes[i].flag, o->volumes[i].src);
        }
        free(o->volumes[i].src);
        o->volumes[i].src = xstrdup(buf);
        i++;
    }
    if (!o->rootfs)
        o->probe = &compose_host_probe;
    return 0;
}

/* --net ns:PATH and friends: checked here, naming the flag the user wrote;
 * the runtime would only name linux.namespaces[N] of a config.json the user
 * never saw. The runtime opens and checks the path again. */
static int check_ns_paths(const struct compose_opts *o, struct brick_error *err)
{
    static const struct {
        const char *flag;
        int clone;
    } kinds[OCI_NS__MAX] = {
        [OCI_NS_PID] = {"--pid", CLONE_NEWPID},
        [OCI_NS_NETWORK] = {"--net", CLONE_NEWNET},
        [OCI_NS_MOUNT] = {"--mount", CLONE_NEWNS},
        [OCI_NS_IPC] = {"--ipc", CLONE_NEWIPC},
        [OCI_NS_UTS] = {"--uts", CLONE_NEWUTS},
        [OCI_NS_USER] = {"--userns", CLONE_NEWUSER},
        [OCI_NS_CGROUP] = {"--cgroupns", CLONE_NEWCGROUP},
        [OCI_NS_TIME] = {"--time", CLONE_NEWTIME},
    };
    for (int t = 0; t < OCI_NS__MAX; t++) {
        const struct compose_ns *n = &o->ns[t];
        if (n->mode != NS_MODE_PATH || !kinds[t].flag)
            continue;
        _cleanup_close_ int fd = open(n->target, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return brick_err_errno(err, errno, "%s ns:%s", kinds[t].flag, n->target);
        int type = ioctl(fd, NS_GET_NSTYPE);
        if (type != kinds[t].clone)
            return brick_err(err, EINVAL, "%s ns:%s: not a %s namespace file", kinds[t].flag, n->target,
                             kinds[t].flag + 2);
    }
    return 0;
}

static int read_seccomp(struct compose_opts *o, struct brick_error *err)
{
    const char *file = o->profile_file ? o->profile_file : o->seccomp_file;
    if (!file)
        return 0;
    int r = read_file_at(AT_FDCWD, file, BRICK_READ_CONFIG, &o->seccomp_json, NULL);
    if (r < 0)
        return brick_err_errno(err, -r, "%s%s",
                               o->profile_file ? "--profile-file " : "--security-opt seccomp=", file);
    return 0;
}

/* -d --rm: a detached monitor waits on a pidfd of the init and deletes the
 * container when it exits, that instance only: deleted and made again under
 * the same name meanwhile, the new one is not ours (brick_delete_instance).
 * The pidfd is checked against the recorded start time, so a recycled pid is
 * never waited for. */
static void monitor_child(const char *root, const char *id)
{
    struct brick_instance inst;
    struct brick_error err;
    int pidfd = -1;
    if (brick_instance_of(root, id, &inst, &pidfd, &err) < 0 || inst.pid <= 0)
        _exit(0);
    if (pidfd >= 0) {
        struct pollfd p = {.fd = pidfd, .events = POLLIN};
        while (poll(&p, 1, -1) < 0 && errno == EINTR)
            ;
    }
    (void)brick_delete_instance(root, id, &inst, &err);
    _exit(0);
}

static void spawn_monitor(const char *root, const char *id)
{
    if (fork_detached() == 0)
        monitor_child(root, id);
}

static int launch(struct cli_globals *g, struct compose_opts *o, struct net_session *net, int *ret_status,
                  struct brick_error *err)
{
    struct compose_shared sh;
    struct learn_sup ls; /* --learn, --profile-file: the seccomp supervisor (learn.c) */
    int r = learn_prepare(o, &ls, err);
    if (r >= 0)
        r = compose_share(g->root, o, &sh, err);
    else
        compose_shared_init(&sh);
    _cleanup_free_ char *json = NULL;
    struct oci_spec *spec = NULL; /* handed to the runtime: parsed once */
    if (r >= 0)
        r = compose_build_spec(o, &json, &spec, err);
    if (r >= 0 && o->print_spec) {
        fputs(json, stdout);
        fputc('\n', stdout);
    }
    /* A name in use: the runtime's EEXIST, from the one atomic mkdir of the
     * state directory (a check here would race with another create). */
    if (r >= 0 && !o->print_spec) {
        /* No bundle directory: the config goes straight to the state dir. */
        /* rootless under a systemd user manager: its scope is the cgroup */
        /* detached: the output goes to the container's log (brick logs) */
        struct brick_create_opts co = {.root = g->root,
                                       .id = o->name,
                                       .detach = o->detach,
                                       .keep = o->keep,
                                       .output_log = o->detach,
                                       .spec = TAKE_PTR(spec),
                                       .spec_json = json,
                                       .systemd_cgroup =
                                           g->systemd_cgroup || (o->caller && o->caller->user_manager)};
        if (net->sock >= 0) { /* --net user: the helper attaches before the command starts */
            co.on_created = net_session_attach;
            co.on_created_data = net;
        }
        struct brick_exit_info info = {.oom_kills = -1};
        if (!o->detach)
            co.exit_info = &info;
        r = learn_fork(o, &ls, json, err);
        if (r >= 0)
            r = brick_run(&co, ret_status, err);
        if (r >= 0)
            cli_report_exit(&info, *ret_status);
    }
    int rl = learn_finish(o, &ls, r < 0 ? NULL : err); /* the first error wins */
    if (r >= 0)
        r = rl;
    oci_spec_free(spec);
    compose_shared_done(&sh);
    return r;
}

int cli_do_launch(struct cli_globals *g, struct compose_opts *o, int *ret_status)
{
    struct brick_error err;
    /* Socket activation would make the runtime pass fds 3.. on: ours among them. */
    unsetenv("LISTEN_FDS");
    unsetenv("LISTEN_PID");
    if (!o->name)
        o->name = xasprintf("do-%d", (int)getpid());
    *ret_status = 0;
    if (o->detach)
        stdio_fill();         /* before any fd is opened: see brick_create_opts.output_log */
    compose_caller_detect(o); /* unprivileged: a user namespace of its own (docs/ROOTLESS.md) */
    int r = read_seccomp(o, &err);
    if (r >= 0)
        r = resolve_paths(o, &err);
    if (r >= 0)
        r = check_ns_paths(o, &err);
    if (r >= 0) /* -u NAME, and USER: the container's /etc/passwd */
        r = compose_user_lookup(o, &err);
    compose_env_from_caller(o, environ);
    if (r >= 0 && !o->rootfs && !o->host_secrets)
        compose_find_secrets(o);
    if (r >= 0)
        compose_apparmor_default(o);
    struct desktop_session ds = {.pipe_w = -1}; /* --x11 and friends: files + guard */
    if (r >= 0)
        r = desktop_session_start(g->root, o, &ds, &err);
    struct net_session net = {.sock = -1}; /* --net user: slirp4netns's supervisor */
    if (r >= 0)
        r = net_session_start(o, &net, &err);
    if (r >= 0)
        r = launch(g, o, &net, ret_status, &err);
    net_session_end(&net, r < 0 || !o->detach); /* the foreground's container is gone: so is its helper */
    desktop_session_end(&ds);
    if (r < 0)
        return cli_fail(&err);
    if (o->detach && o->rm)
        spawn_monitor(g->root, o->name);
    return 0;
}

static int do_main(struct cli_globals *g, int argc, char **argv)
{
    struct compose_opts o;
    struct brick_error err;
    _cleanup_strv_ char **xargv = NULL, **origin = NULL; /* --profile NAME replaced by its flags */
    int r = desktop_profile_expand(argc, argv, &xargv, &origin, &err);
    if (r == 1)
        return 0;
    if (r < 0)
        return cli_fail(&err);
    r = compose_parse_origin((int)strv_length(xargv), xargv, origin, &o, &err);
    if (r == 1) {
        compose_opts_done(&o);
        return cli_help(&cmd_do);
    }
    if (r < 0) {
        compose_opts_done(&o);
        return cli_fail(&err);
    }
    int status;
    r = cli_do_launch(g, &o, &status);
    if (r == 0 && o.detach && !o.print_spec)
        printf("%s\n", o.name); /* as `docker run -d` prints the id */
    compose_opts_done(&o);
    return r ? r : status;
}

const struct cli_command cmd_do = {
    .name = "do",
    .summary = "run a command in a container built from flags (no bundle)",
    .usage = COMPOSE_DO_USAGE,
    .run = do_main,
    .opts = compose_do_opts,
    .shortopts = COMPOSE_DO_SHORTOPTS,
    .args = BRICK_COMPLETE_COMMAND,
};
