/* create.c — the parent side of `create` and `run`: check the config against
 * the host, set up state, clone the container processes, answer their
 * requests (id maps, runtime hooks) and record the result. Any failure kills
 * what was started and removes the state directory: a failed create leaves
 * nothing behind. */
#include "runtime/runtime.h"
#include "core/missing.h"
#include "core/cleanup.h"
#include "core/error.h"
#include "core/fd.h"
#include "core/log.h"
#include "core/strv.h"
#include "core/util.h"
#include "hooks/hooks.h"
#include "ns/ns.h"
#include "rootfs/rootfs.h"
#include "runtime/internal.h"
#include "runtime/logger.h"
#include "runtime/sync.h"
#include "security/landlock.h"
#include "security/lsm.h"
#include "spec/spec.h"
#include "state/state.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/sysinfo.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>


char *init_state_json(const struct create_ctx *ctx, pid_t host_pid, const char *status)
{
    struct container_state st = {
        .id = (char *)ctx->opts->id,
        .bundle = ctx->bundle,
        .rootfs = ctx->rootfs,
        .pid = host_pid,
        .created = (char *)ctx->created,
        .owner = (char *)"",
    };
    enum container_status s = streq(status, "creating") ? STATUS_CREATING : STATUS_CREATED;
    return state_to_oci_json(&st, s, ctx->spec, false);
}

static bool ns_requested(const struct oci_spec *spec, enum oci_ns_type t)
{
    return oci_spec_namespace(spec, t) != NULL;
}

/* sysctls must land in a namespace of the container's own, never the host's. */
static int check_sysctl(const struct oci_spec *spec, struct brick_error *err)
{
    static const char *const ipc_keys[] = {"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",
                                           "kernel.sem",    "kernel.shmall", "kernel.shmmax",
                                           "kernel.shmmni", "kernel.shm_rmid_forced"};
    for (size_t i = 0; i < spec->linux_.n_sysctl; i++) {
        const char *k = spec->linux_.sysctl[i].key;
        bool ok = false;
        if (startswith(k, "net."))
            ok = ns_requested(spec, OCI_NS_NETWORK);
        else if (startswith(k, "fs.mqueue."))
            ok = ns_requested(spec, OCI_NS_IPC);
        else if (streq(k, "kernel.hostname") || streq(k, "kernel.domainname"))
            ok = ns_requested(spec, OCI_NS_UTS);
        else
            for (size_t j = 0; j < ARRAY_SIZE(ipc_keys); j++)
                if (streq(k, ipc_keys[j]))
                    ok = ns_requested(spec, OCI_NS_IPC);
        if (!ok)
            return brick_err(err, EINVAL,
                             "linux.sysctl[\"%s\"]: not in a namespace of the container's own", k);
    }
    return 0;
}

/* LSM labels need their LSM (as runc); a Landlock policy is parsed and fitted
 * to this kernel's ABI here, so its errors come before anything exists.
 * landlock_restrict_self() runs after the identity switch: it needs
 * no_new_privs or CAP_SYS_ADMIN then. */
static int check_security(const struct oci_spec *spec, const struct lsm_host *host,
                          struct brick_error *err)
{
    int r = lsm_check_config(spec, host, err);
    if (r < 0)
        return brick_err_prefix(err, "config.json");
    struct landlock_policy *ll = NULL;
    r = landlock_policy_from_spec(spec, &ll, err);
    if (r >= 0 && ll)
        r = landlock_negotiate(ll, landlock_abi_version(), err);
    bool admin = false;
    const struct oci_process *p = spec->process;
    for (char **c = p->capabilities.present ? p->capabilities.effective : NULL; c && *c; c++)
        admin = admin || streq(*c, "CAP_SYS_ADMIN");
    if (r >= 0 && ll && ll->abi >= 1 && !p->no_new_privileges && !admin)
        r = brick_err(err, EINVAL, "annotations[\"" LANDLOCK_ANNOTATION "\"]: Landlock needs "
                      "process.noNewPrivileges (or CAP_SYS_ADMIN in the effective set)");
    landlock_policy_free(ll);
    return r < 0 ? brick_err_prefix(err, "config.json") : 0;
}

/* Host-dependent checks the pure validator cannot make. */
static int check_config(const struct create_ctx *ctx, struct brick_error *err)
{
    const struct oci_spec *spec = ctx->spec;
    if (!spec->process)
        return brick_err(err, EINVAL, "config.json: process: is required to create a container");
    if (!ns_requested(spec, OCI_NS_MOUNT) && rootfs_check_without_mntns(spec, err) < 0)
        return brick_err_prefix(err, "config.json");
    /* a UTS namespace joined by path is the container's too (runc and crun
     * set the hostname there); the host's one never */
    const struct oci_namespace *uts = oci_spec_namespace(spec, OCI_NS_UTS);
    if ((spec->hostname || spec->domainname) && !uts)
        return brick_err(err, EINVAL,
                         "config.json: hostname: unable to set hostname without a private UTS namespace");
    /* none at all is crun's default (default_id_maps); one without the other is a mistake */
    const struct oci_namespace *user = oci_spec_namespace(spec, OCI_NS_USER);
    if (user && !user->path && (spec->linux_.n_uid_mappings == 0) != (spec->linux_.n_gid_mappings == 0))
        return brick_err(err, EINVAL, "config.json: linux.%s: a new user namespace with %s needs %s too",
                         spec->linux_.n_uid_mappings ? "gidMappings" : "uidMappings",
                         spec->linux_.n_uid_mappings ? "uidMappings" : "gidMappings",
                         spec->linux_.n_uid_mappings ? "gidMappings" : "uidMappings");
    if (spec->process->terminal && !ctx->opts->console_socket && !ctx->foreground_tty)
        return brick_err(err, EINVAL,
                         "cannot allocate a terminal without --console-socket when detached");
    if (!spec->process->terminal && ctx->opts->console_socket)
        return brick_err(err, EINVAL, "--console-socket is only valid when process.terminal is true");
    if (spec->linux_.n_net_devices > 0)
        return brick_err(err, ENOTSUP, "config.json: linux.netDevices: not supported yet");
    /* id-mapped mounts: a valid combination, and root to make them (never
     * a plain mount in place of one: other owners than the config asks for) */
    for (size_t i = 0; i < spec->n_mounts; i++) {
        struct rootfs_idmap im;
        int r = rootfs_mount_idmap(spec, i, &im, err);
        if (r < 0)
            return brick_err_prefix(err, "config.json");
        if (r > 0 && ctx->rootless)
            return brick_err(err, EPERM, "config.json: mounts[%zu].uidMappings: rootless, an id-mapped mount needs "
                             "CAP_SYS_ADMIN where the source is mounted (the host's user namespace)", i);
    }
    int r = check_security(spec, &ctx->lsm, err);
    if (r < 0)
        return r;
    return check_sysctl(spec, err);
}

/* brick do: no bundle directory of its own, the state directory is one. */
static bool bundle_in_state(const struct create_ctx *ctx)
{
    return ctx->opts->spec_json && !ctx->opts->bundle;
}

static int resolve_paths(struct create_ctx *ctx, struct brick_error *err)
{
    char buf[PATH_MAX];
    if (bundle_in_state(ctx)) {
        if (ctx->spec->root.path[0] != '/')
            return brick_err(err, EINVAL, "root.path %s: must be absolute without a bundle", ctx->spec->root.path);
    } else {
        const char *bundle = ctx->opts->bundle ? ctx->opts->bundle : ".";
        if (!realpath(bundle, buf))
            return brick_err_errno(err, errno, "bundle %s", bundle);
        ctx->bundle = xstrdup(buf);
    }
    _cleanup_free_ char *root = ctx->spec->root.path[0] == '/'
                                    ? xstrdup(ctx->spec->root.path)
                                    : xasprintf("%s/%s", ctx->bundle, ctx->spec->root.path);
    if (!realpath(root, buf))
        return brick_err_errno(err, errno, "root.path %s", root);
    struct stat st;
    if (stat(buf, &st) < 0 || !S_ISDIR(st.st_mode))
        return brick_err(err, ENOTDIR, "root.path %s: not a directory", buf);
    ctx->rootfs = xstrdup(buf);
    return 0;
}

static int unix_connect(const char *path, struct brick_error *err);

int brick_send_pidfd(const char *path, int pidfd, struct brick_error *err)
{
    int fd = unix_connect(path, err);
    if (fd < 0)
        return brick_err_prefix(err, "--pidfd-socket");
    int r = send_fd(fd, pidfd);
    close(fd);
    if (r < 0)
        return brick_err_errno(err, -r, "--pidfd-socket %s: send the pidfd", path);
    return 0;
}

static int unix_connect(const char *path, struct brick_error *err)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof(sa.sun_path))
        return brick_err(err, ENAMETOOLONG, "socket path too long: %s", path);
    strcpy(sa.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return brick_err_errno(err, errno, "socket");
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        int e = errno;
        close(fd);
        return brick_err_errno(err, e, "connect to %s", path);
    }
    return fd;
}

/* exec.sock: bound through /proc/self/fd/<dirfd>/ so long state roots do not
 * hit the 108-byte sun_path limit. */
int exec_sock_address(int dirfd, struct sockaddr_un *sa)
{
    *sa = (struct sockaddr_un){.sun_family = AF_UNIX};
    snprintf(sa->sun_path, sizeof(sa->sun_path), "/proc/self/fd/%d/exec.sock", dirfd);
    return 0;
}

static int exec_sock_listen(int dirfd, struct brick_error *err)
{
    struct sockaddr_un sa;
    exec_sock_address(dirfd, &sa);
    int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return brick_err_errno(err, errno, "socket");
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 4) < 0) {
        int e = errno;
        close(fd);
        return brick_err_errno(err, e, "listen on exec.sock");
    }
    return fd;
}

static int step_open_channels(struct create_ctx *ctx, struct brick_error *err)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
        return brick_err_errno(err, errno, "socketpair");
    ctx->sync_parent = sv[0];
    ctx->sync_child = sv[1];
    if (ctx->opts->console_socket) {
        int fd = unix_connect(ctx->opts->console_socket, err);
        if (fd < 0)
            return fd;
        ctx->console_fd = fd;
    } else if (ctx->foreground_tty) {
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
            return brick_err_errno(err, errno, "socketpair");
        ctx->console_parent = sv[0];
        ctx->console_fd = sv[1];
    }
    if (!ctx->for_run) {
        int fd = exec_sock_listen(ctx->state_dirfd, err);
        if (fd < 0)
            return fd;
        ctx->exec_listen_fd = fd;
    }
    return 0;
}

/* Which namespaces must be set up by a stage-1 process rather than by one
 * clone3(): joining by path (setns of pid/time only affects children, and a
 * new user namespace must be created after joins and own the rest) and a new
 * time namespace (offsets must be written before a process enters it). A new
 * user namespace alone is cloned with the rest (it owns them: the kernel
 * makes it first) and the init waits for its maps before anything else, as
 * bwrap does: one fork less. */
static void plan_stages(struct create_ctx *ctx)
{
    ctx->two_stage = ctx->ns.join_any || (ctx->ns.new_flags & CLONE_NEWTIME);
}

/* One stage, forked: cloned into the cgroup2 directory where there is one. */
static pid_t fork_init(struct create_ctx *ctx, uint64_t flags)
{
    _cleanup_close_ int cgfd = -EBADF;
    if (cgroup_open_v2_dir(&ctx->cgroup, &cgfd) < 0) {
        if (ctx->placement == INIT_PLACED_BY_CLONE)
            ctx->placement = INIT_PLACED_BY_PARENT; /* the directory could not be opened: we place it */
        return clone3_fork(flags, &ctx->init_pidfd);
    }
    /* pure v2: placed; hybrid: in the cgroup2 hierarchy, the v1 ones follow */
    pid_t pid = clone3_fork_into(flags, cgfd, &ctx->init_pidfd);
    if (pid == -EINVAL || pid == -ENOSYS || pid == -E2BIG) {
        /* before CLONE_INTO_CGROUP (5.7): we place the init */
        ctx->placement = INIT_PLACED_BY_PARENT;
        pid = clone3_fork(flags, &ctx->init_pidfd);
    }
    return pid;
}

static int spawn(struct create_ctx *ctx, struct brick_error *err)
{
    ctx->parent_pid = getpid();
    if (!ctx->two_stage) {
        /* The init makes its cgroup namespace itself, once placed (init.c). */
        uint64_t flags = (uint64_t)(ctx->ns.new_flags & ~CLONE_NEWCGROUP);
        pid_t pid = fork_init(ctx, flags);
        if (pid < 0)
            return brick_err_errno(err, -pid, "clone3");
        if (pid == 0)
            container_init(ctx);
        ctx->init_pid = pid;
        return 0;
    }
    pid_t pid = clone3_fork(0, &ctx->stage1_pidfd);
    if (pid < 0)
        return brick_err_errno(err, -pid, "fork");
    if (pid == 0)
        container_stage1(ctx);
    ctx->stage1_pid = pid;
    return 0;
}

/* A container's cgroup is its own (as runc requires): joining a populated
 * one would hand a later delete or failed create someone else's processes
 * to kill. Checked before anything is made. */
static int check_cgroup_unused(const struct cgroup *cg, struct brick_error *err)
{
    pid_t *pids = NULL;
    size_t n = 0;
    struct brick_error ignored;
    if (cgroup_pids(cg, &pids, &n, &ignored) < 0)
        return 0; /* does not exist yet */
    free(pids);
    if (n > 0)
        return brick_err(err, EBUSY, "cgroup %s is not empty (%zu processes): a container needs a cgroup of its own",
                         cg->path, n);
    return 0;
}

/* Which cgroup: the host's layout and the container's directories, nothing
 * made yet. */
static int step_plan_cgroup(struct create_ctx *ctx, struct brick_error *err)
{
    struct cgroup cg;
    int r = cgroup_detect(NULL, &cg, err);
    if (r < 0)
        return r;
    _cleanup_free_ char *self = NULL;
    (void)read_file_at(AT_FDCWD, "/proc/self/cgroup", BRICK_READ_SMALL, &self, NULL);
    if (ctx->opts->systemd_cgroup)
        r = cgroup_resolve_systemd(&cg, ctx->spec->linux_.cgroups_path, ctx->opts->id, err);
    else
        r = cgroup_resolve(&cg, ctx->spec->linux_.cgroups_path, ctx->opts->id, self, err);
    if (r < 0) {
        cgroup_done(&cg);
        return r;
    }
    /* Rootless (or root of a user namespace only: rootless Podman), as
     * runc and crun: a cgroup only where one is delegated to us; elsewhere
     * none (the pid namespace holds the container), unless the config asks
     * for limits nobody would enforce. */
    if (running_unprivileged() && !cgroup_writable(&cg)) {
        bool ask = cgroup_resources_ask(&cg, &ctx->spec->linux_.resources);
        if (ask)
            r = brick_err(err, EPERM, "rootless: cannot apply linux.resources: cgroup %s is not delegated to uid %u "
                          "(a systemd user session on cgroup v2 delegates one: docs/ROOTLESS.md)",
                          cg.n ? cg.h[0].dir : "", (unsigned)geteuid());
        cgroup_done(&cg);
        return ask ? r : 0;
    }
    ctx->cgroup = cg;
    return 0;
}

/* The init mounts while we make its cgroup: that only overlaps when it runs
 * on another CPU, but a fresh child is often queued behind its parent on
 * the parent's CPU (fork balancing), starting only when we block. So give
 * it, until placement, every allowed CPU but ours; the kernel moves it
 * there before it first runs. give_back_cpus() restores the inherited set
 * before the cgroup (a v1 cpuset) sets its own. */
static void spread_init(struct create_ctx *ctx)
{
    cpu_set_t others;
    int cpu = sched_getcpu();
    /* Only when we may run everywhere: since Linux 6.2 the mask given back
     * also stays as the init's "user" affinity, which later cpuset changes
     * are intersected with; every CPU the system can have is harmless there,
     * a narrower mask of ours would not be. */
    if (cpu < 0 || sched_getaffinity(0, sizeof(ctx->init_cpus), &ctx->init_cpus) < 0 ||
        CPU_COUNT(&ctx->init_cpus) < 2 || CPU_COUNT(&ctx->init_cpus) < get_nprocs_conf() ||
        !CPU_ISSET(cpu, &ctx->init_cpus))
        return;
    others = ctx->init_cpus;
    CPU_CLR(cpu, &others);
    ctx->init_spread = sched_setaffinity(ctx->init_pid, sizeof(others), &others) == 0;
}

static void give_back_cpus(struct create_ctx *ctx)
{
    if (ctx->init_spread)
        (void)sched_setaffinity(ctx->init_pid, sizeof(ctx->init_cpus), &ctx->init_cpus);
    ctx->init_spread = false;
}

/* When a step of ours fails while the container's init has already failed
 * (it reports, then exits: our write to its cgroup gets ESRCH, our GO
 * EPIPE), its error is the one that explains what happened. */
static int prefer_child_error(struct create_ctx *ctx, int r, struct brick_error *err)
{
    struct pollfd p = {.fd = ctx->sync_parent, .events = POLLIN};
    struct sync_msg m;
    if (r >= 0 || ctx->sync_parent < 0 || poll(&p, 1, 0) <= 0 || !(p.revents & POLLIN) ||
        sync_recv(ctx->sync_parent, &m) < 0 || m.type != SYNC_ERROR)
        return r;
    m.err.msg[sizeof(m.err.msg) - 1] = '\0';
    *err = m.err;
    return m.err.code > 0 ? -m.err.code : -EINVAL;
}

/* The two-stage path, and kernels before CLONE_INTO_CGROUP: P moves the
 * init into its cgroup before GO, so everything it does is accounted there
 * and the cgroup namespace it creates after GO is rooted there. */
static int step_place_init(struct create_ctx *ctx, struct brick_error *err)
{
    if (ctx->placement != INIT_PLACED_BY_PARENT)
        return 0;
    return cgroup_place(&ctx->cgroup, ctx->init_pid, err);
}

/* Wait for a message from stage 1, or its death: once it forked the init,
 * the init holds the socket open too, so EOF alone would never come. */
static int stage1_wait(const struct create_ctx *ctx)
{
    struct pollfd p[2] = {{.fd = ctx->sync_parent, .events = POLLIN},
                          {.fd = ctx->stage1_pidfd, .events = POLLIN}};
    for (;;) {
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (p[0].revents)
            return 0;
        if (p[1].revents)
            return -EPIPE;
    }
}

/* One stage cloned into a new user namespace: its maps, when it asks. */
static int serve_id_maps(struct create_ctx *ctx, struct brick_error *err)
{
    int r = sync_expect(ctx->sync_parent, SYNC_USERMAP, NULL, err);
    if (r < 0)
        return r == -EPIPE ? brick_err(err, EPIPE, "container init exited unexpectedly") : r;
    r = ns_write_id_maps(ctx->host_procfd, ctx->init_pid, ctx->spec, err);
    if (r < 0)
        return r;
    sync_send(ctx->sync_parent, SYNC_USERMAP_DONE, 0);
    return 0;
}

static int serve_stage1(struct create_ctx *ctx, struct brick_error *err)
{
    struct sync_msg m;
    for (;;) {
        int r = stage1_wait(ctx);
        if (r >= 0)
            r = sync_recv(ctx->sync_parent, &m);
        if (r < 0)
            return brick_err(err, EPIPE, "container setup exited unexpectedly");
        if (m.type == SYNC_ERROR) {
            m.err.msg[sizeof(m.err.msg) - 1] = '\0';
            *err = m.err;
            return m.err.code > 0 ? -m.err.code : -EINVAL;
        }
        if (m.type == SYNC_USERMAP) {
            r = ns_write_id_maps(ctx->host_procfd, ctx->stage1_pid, ctx->spec, err);
            if (r < 0)
                return r;
            sync_send(ctx->sync_parent, SYNC_USERMAP_DONE, 0);
        } else if (m.type == SYNC_INIT_PID) {
            ctx->init_pid = m.value;
            break;
        } else {
            return brick_err(err, EPROTO, "protocol error from stage 1");
        }
    }
    int status;
    while (waitpid(ctx->stage1_pid, &status, __WALL) < 0 && errno == EINTR)
        ;
    ctx->stage1_pid = 0;
    int fd = pidfd_open_pid(ctx->init_pid);
    if (fd < 0)
        return brick_err_errno(err, -fd, "pidfd_open");
    ctx->init_pidfd = fd;
    return 0;
}

static bool has_runtime_hooks(const struct oci_spec *spec)
{
    return spec->hooks[OCI_HOOK_PRESTART].n > 0 || spec->hooks[OCI_HOOK_CREATE_RUNTIME].n > 0;
}

static int run_runtime_hooks(struct create_ctx *ctx, struct brick_error *err)
{
    _cleanup_free_ char *state = init_state_json(ctx, ctx->init_pid, "creating");
    /* prestart is deprecated but still called first, as runc does. */
    int r = hooks_run(ctx->spec, OCI_HOOK_PRESTART, state, err);
    if (r >= 0)
        r = hooks_run(ctx->spec, OCI_HOOK_CREATE_RUNTIME, state, err);
    return r;
}

/* A bind source the container's root may not reach, opened for the init
 * (rootfs_source_open_in): it asks once per plain bind mount of a
 * container with a user namespace, 1 when it needs it. */
static int serve_source(struct create_ctx *ctx, size_t i, struct brick_error *err)
{
    bool recursive;
    if (!oci_spec_namespace(ctx->spec, OCI_NS_USER) || rootfs_mount_plain_bind(ctx->spec, i, &recursive) <= 0)
        return 0;
    int32_t need = 0;
    int r = sync_expect(ctx->sync_parent, SYNC_SOURCE, &need, err);
    if (r < 0 || !need)
        return r;
    _cleanup_close_ int fd = -EBADF;
    r = rootfs_source_open_in(ctx->spec, ctx->bundle, i, ctx->init_pidfd, &fd, err);
    if (r < 0)
        return r;
    if (sync_send(ctx->sync_parent, SYNC_SOURCE_DONE, 0) < 0 || send_fd(ctx->sync_parent, fd) < 0)
        return brick_err(err, EPIPE, "send a bind source to the container init");
    return 0;
}

/* Id-map the trees the init cloned (rootfs/idmap.c says why it clones and
 * we map), one user namespace per distinct mapping, before GO: the init
 * asks for them first thing, one mount at a time. */
static int serve_idmaps(struct create_ctx *ctx, struct brick_error *err)
{
    const struct oci_spec *s = ctx->spec;
    struct rootfs_idmap im, last = {0};
    int userns = -1, r = 0;
    for (size_t i = 0; r >= 0 && i < s->n_mounts; i++) {
        if (rootfs_mount_idmap(s, i, &im, err) <= 0) { /* validated by check_config */
            r = serve_source(ctx, i, err);
            continue;
        }
        int32_t idx = -1;
        _cleanup_close_ int tree = -EBADF;
        r = sync_expect(ctx->sync_parent, SYNC_IDMAP, &idx, err);
        if (r >= 0 && (idx != (int32_t)i || recv_fd(ctx->sync_parent, &tree) < 0))
            r = brick_err(err, EPROTO, "protocol error: id-mapped mount %zu", i);
        if (r >= 0 && (userns < 0 || im.uid != last.uid || im.gid != last.gid)) {
            if (userns >= 0)
                close(userns);
            userns = -1;
            r = ns_userns_fd(ctx->host_procfd, im.uid, im.n_uid, im.gid, im.n_gid, &userns, err);
            last = im;
        }
        if (r >= 0 && (r = rootfs_idmap_apply(tree, userns, im.recursive, err)) < 0)
            brick_err_prefix(err, "mounts[%zu] %s", i, s->mounts[i].destination);
        if (r >= 0)
            sync_send(ctx->sync_parent, SYNC_IDMAP_DONE, 0);
    }
    if (userns >= 0)
        close(userns);
    return r;
}

/* Drive the container init until it reports CREATED. */
static int step_serve_init(struct create_ctx *ctx, struct brick_error *err)
{
    int r = serve_idmaps(ctx, err);
    if (r < 0)
        return r;
    r = sync_send(ctx->sync_parent, SYNC_GO, ctx->init_pid);
    if (r < 0)
        return brick_err_errno(err, -r, "signal container init");
    if (has_runtime_hooks(ctx->spec)) {
        r = sync_expect(ctx->sync_parent, SYNC_MOUNTS_READY, NULL, err);
        if (r >= 0)
            r = run_runtime_hooks(ctx, err);
        if (r < 0)
            return r;
        sync_send(ctx->sync_parent, SYNC_HOOKS_DONE, 0);
    }
    int32_t n = 0;
    r = sync_expect(ctx->sync_parent, SYNC_CREATED, &n, err);
    if (r < 0)
        return r;
    if (n != (ctx->opts->on_created ? CREATED_NS__MAX : 0))
        return brick_err(err, EPROTO, "protocol error: %d namespaces with CREATED", (int)n);
    for (int i = 0; i < n; i++)
        if (recv_fd(ctx->sync_parent, &ctx->created_ns[i]) < 0)
            return brick_err(err, EPROTO, "protocol error: the init's namespaces");
    return 0;
}

/* opts->on_created: the caller's turn, the container made and its process
 * not started (brick do --net user attaches its network helper). */
static int step_on_created(struct create_ctx *ctx, struct brick_error *err)
{
    if (!ctx->opts->on_created)
        return 0;
    struct brick_created c = {
        .pid = ctx->init_pid, .pidfd = ctx->init_pidfd,
        .net_fd = ctx->created_ns[CREATED_NS_NET], .user_fd = ctx->created_ns[CREATED_NS_USER],
    };
    int r = ctx->opts->on_created(&c, ctx->opts->on_created_data, err);
    for (int i = 0; i < CREATED_NS__MAX; i++) {
        close(ctx->created_ns[i]);
        ctx->created_ns[i] = -1;
    }
    return r;
}

static int write_pid_file(const char *path, pid_t pid, struct brick_error *err)
{
    _cleanup_free_ char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');
    const char *name = path;
    _cleanup_close_ int dfd = AT_FDCWD;
    if (slash) {
        *slash = '\0';
        name = slash + 1;
        dfd = open(*dir ? dir : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
            return brick_err_errno(err, errno, "pid file %s", path);
    }
    char buf[32];
    snprintf(buf, sizeof(buf), "%d", pid);
    int r = write_file_atomic(dfd, name, buf, 0644);
    if (r < 0)
        return brick_err_errno(err, -r, "write pid file %s", path);
    return 0;
}

static int start_init(struct create_ctx *ctx, struct brick_error *err)
{
    int r = sync_send(ctx->sync_parent, SYNC_START, 0);
    if (r < 0)
        return brick_err_errno(err, -r, "start the container init");
    ctx->start_sent = true;
    return 0;
}

/* `run` records the container as started at once: it holds the state lock
 * until the init is released (or the container destroyed), so no reader can
 * see the difference, and the state is written once, not replaced a moment
 * later (a replaced file costs a block allocation, and its removal a
 * synchronous discard, on ext4 roots mounted with -o discard). */
static int step_record_state(struct create_ctx *ctx, struct brick_error *err)
{
    bool for_run = ctx->for_run;
    struct container_state st = {
        .id = (char *)ctx->opts->id,
        .bundle = ctx->bundle,
        .rootfs = ctx->rootfs,
        .pid = ctx->init_pid,
        .created = ctx->created,
        .owner = (char *)"",
        .started = for_run,
    };
    _cleanup_free_ char *cgroup = ctx->cgroup.n ? cgroup_to_json(&ctx->cgroup) : NULL;
    st.cgroup = cgroup;
    _cleanup_free_ char *namespaces = ns_record_json(ctx);
    st.namespaces = namespaces;
    int r = proc_pid_start_time(ctx->init_pid, &st.pid_start);
    if (r < 0)
        return brick_err_errno(err, -r, "container init vanished");
    if (ctx->opts->pid_file && (r = write_pid_file(ctx->opts->pid_file, ctx->init_pid, err)) < 0)
        return r;
    ctx->pid_file_written = ctx->opts->pid_file != NULL;
    if (ctx->opts->pidfd_socket && (r = brick_send_pidfd(ctx->opts->pidfd_socket, ctx->init_pidfd, err)) < 0)
        return r;
    /* run: release the init now, and write the state while it loads its
     * seccomp filter and execs (release() in run.c collects its answer).
     * Only this write can still fail once the container runs: then it is
     * killed like any failed run. */
    if (for_run && (r = start_init(ctx, err)) < 0)
        return r;
    return state_write(ctx->state_dirfd, &st, err);
}

/* The recovery record, written once the cgroup is planned and before
 * anything exists outside the state directory: state.json without a pid,
 * naming the cgroup directories (and the topmost levels) this create is
 * about to make. A create killed at any later instant (kill -9, OOM) leaves
 * what this record names, and `delete -f` removes it; a failed one rolls back
 * itself. record_state() replaces it with the whole record. */
static int step_record_intent(struct create_ctx *ctx, struct brick_error *err)
{
    cgroup_plan_created(&ctx->cgroup);
    _cleanup_free_ char *cgroup = ctx->cgroup.n ? cgroup_to_json(&ctx->cgroup) : NULL;
    struct container_state st = {
        .id = (char *)ctx->opts->id,
        .bundle = ctx->bundle,
        .rootfs = ctx->rootfs,
        .created = ctx->created,
        .owner = (char *)"",
        .cgroup = cgroup,
    };
    return state_write(ctx->state_dirfd, &st, err);
}

static int step_save_config(struct create_ctx *ctx, struct brick_error *err)
{
    if (bundle_in_state(ctx)) {
        char buf[PATH_MAX];
        if (!realpath(ctx->opts->root, buf))
            return brick_err_errno(err, errno, "state root %s", ctx->opts->root);
        ctx->bundle = xasprintf("%s/%s", buf, ctx->opts->id);
    }
    _cleanup_free_ char *path = xasprintf("%s/config.json", ctx->bundle);
    _cleanup_free_ char *text = NULL;
    int r = ctx->opts->spec_json ? 0 : read_file_at(AT_FDCWD, path, BRICK_READ_CONFIG, &text, NULL);
    if (r >= 0)
        r = write_file_atomic(ctx->state_dirfd, "config.json", text ? text : ctx->opts->spec_json, 0600);
    if (r < 0)
        return brick_err_errno(err, -r, "save config.json");
    return 0;
}

/* Undo what the steps before ctx->phase (the step that failed) made; the
 * mount namespace dies with the init. */
static void rollback(struct create_ctx *ctx, int rootfd)
{
    if (ctx->stage1_pid > 0) {
        kill(ctx->stage1_pid, SIGKILL);
        waitpid(ctx->stage1_pid, NULL, __WALL);
    }
    if (ctx->init_pid > 0) {
        /* Our unreaped child: its pid cannot be recycled, so kill() is safe
         * when no pidfd could be opened. */
        if (ctx->init_pidfd < 0 || pidfd_signal(ctx->init_pidfd, SIGKILL) < 0)
            kill(ctx->init_pid, SIGKILL);
        waitpid(ctx->init_pid, NULL, __WALL);
    }
    logger_rollback(ctx); /* before the directory it writes in goes */
    if (ctx->pid_file_written)
        unlink(ctx->opts->pid_file);
    /* from the precreate step on, some of the cgroup may exist (or a unit):
     * the driver
     * kills what is left and removes what was made (a failed create already
     * removed its own) */
    if (ctx->phase >= STEP_CGROUP_PRECREATE && ctx->cgroup.n) {
        struct brick_error ignored;
        cgroup_driver_of(&ctx->cgroup)->destroy(&ctx->cgroup, &ignored);
    }
    if (rootfd >= 0)
        state_dir_remove(rootfd, ctx->opts->id, ctx->state_dirfd);
}

void create_ctx_done(struct create_ctx *ctx)
{
    ctx->state_dirfd = -1; /* owned by the caller */
    int *fds[] = {&ctx->stage1_pidfd, &ctx->host_procfd,   &ctx->sync_parent,    &ctx->sync_child, &ctx->console_fd,
                  &ctx->console_parent, &ctx->exec_listen_fd, &ctx->init_pidfd, &ctx->log_stdin,
                  &ctx->log_stdout, &ctx->logger_pidfd, &ctx->created_ns[0], &ctx->created_ns[1]};
    for (size_t i = 0; i < ARRAY_SIZE(fds); i++) {
        if (*fds[i] >= 0)
            close(*fds[i]);
        *fds[i] = -1;
    }
    ns_plan_done(&ctx->ns);
    cgroup_done(&ctx->cgroup);
    sc_prog_free(ctx->seccomp);
    ctx->seccomp = NULL;
    oci_spec_free(ctx->spec);
    free(ctx->bundle);
    free(ctx->rootfs);
}

void create_take_fds(struct create_ctx *ctx)
{
    const char *lf = getenv("LISTEN_FDS");
    int n;
    if (lf && parse_int(lf, &n) == 0 && n > 0 && n <= 65536)
        ctx->listen_fds = n;
    fds_reserve(3, ctx->listen_fds + ctx->preserve_fds);
}

static void add_listen_fds(struct create_ctx *ctx)
{
    /* systemd socket activation: like runc, hand the LISTEN_FDS fds through,
     * followed by the --preserve-fds ones. */
    if (!ctx->listen_fds)
        return;
    strv_push_take(&ctx->spec->process->env, xasprintf("LISTEN_FDS=%d", ctx->listen_fds));
    strv_push(&ctx->spec->process->env, "LISTEN_PID=1");
    ctx->preserve_fds += ctx->listen_fds;
}

/* A new user namespace without uidMappings and gidMappings: its root is the
 * runtime's own uid and gid, one id each, as crun maps it (runc refuses the
 * config). Left unmapped, the namespace's root could create no file on a
 * file system mounted inside it (EOVERFLOW: no /dev); mapped to the caller,
 * it is no more than the caller was. docs/ENGINES.md */
static void default_id_maps(struct oci_spec *spec)
{
    const struct oci_namespace *user = oci_spec_namespace(spec, OCI_NS_USER);
    struct oci_linux *l = &spec->linux_;
    if (!user || user->path || l->n_uid_mappings || l->n_gid_mappings)
        return;
    l->uid_mappings = xcalloc(1, sizeof(*l->uid_mappings));
    l->gid_mappings = xcalloc(1, sizeof(*l->gid_mappings));
    *l->uid_mappings = (struct oci_id_mapping){.container_id = 0, .host_id = geteuid(), .size = 1};
    *l->gid_mappings = (struct oci_id_mapping){.container_id = 0, .host_id = getegid(), .size = 1};
    l->n_uid_mappings = l->n_gid_mappings = 1;
}

static int load(struct create_ctx *ctx, bool for_run, struct brick_error *err)
{
    format_rfc3339_now(ctx->created, sizeof(ctx->created));
    if (!container_id_valid(ctx->opts->id))
        return brick_err(err, EINVAL, "invalid container id \"%s\"", ctx->opts->id ? ctx->opts->id : "");
    /* brick do hands over the spec it validated: no second parse */
    int r;
    if (!ctx->spec && ctx->opts->spec_json) { /* config.json's text from the caller */
        r = oci_spec_parse(ctx->opts->spec_json, strlen(ctx->opts->spec_json), &ctx->spec, err);
        if (r < 0)
            return brick_err_prefix(err, "config.json");
    } else if (!ctx->spec) {
        const char *bundle = ctx->opts->bundle ? ctx->opts->bundle : ".";
        _cleanup_close_ int bfd = open(bundle, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (bfd < 0)
            return brick_err_errno(err, errno, "bundle %s", bundle);
        r = oci_spec_load(bfd, "config.json", &ctx->spec, err);
        if (r < 0)
            return r;
    }
    ctx->foreground_tty = ctx->may_proxy_tty && ctx->spec->process && ctx->spec->process->terminal &&
                          !ctx->opts->console_socket;
    r = resolve_paths(ctx, err);
    if (r < 0)
        return r;
    lsm_host_detect(&ctx->lsm); /* once: the check and the mount label use it */
    r = check_config(ctx, err);
    if (r < 0)
        return r;
    default_id_maps(ctx->spec);
    lsm_apply_mount_label(ctx->spec, &ctx->lsm);
    add_listen_fds(ctx);
    r = ns_plan_open(ctx->spec, &ctx->ns, err);
    if (r < 0)
        return brick_err_prefix(err, "config.json");
    plan_stages(ctx);
    /* Compiled (and the notify listener connected) before any clone: errors
     * surface while nothing exists yet, and the init needs no host path. */
    r = sc_prepare(&ctx->spec->linux_.seccomp, ctx->opts->root, &ctx->seccomp, err);
    if (r < 0)
        return r;
    r = procfs_open_verified(&ctx->host_procfd);
    if (r < 0)
        return brick_err_errno(err, -r, "open /proc");
    r = runtime_apparmor_prepare(ctx->host_procfd, ctx->spec->process->apparmor_profile, &ctx->lsm, err);
    return r < 0 ? brick_err_prefix(err, "config.json") : 0;
}

/* A container's cgroup is its own: refused when populated (check_cgroup_unused). */
static int step_check_cgroup(struct create_ctx *ctx, struct brick_error *err)
{
    return ctx->cgroup.n ? check_cgroup_unused(&ctx->cgroup, err) : 0;
}

/* Before the clone, what the placement needs (the driver's precreate: pure
 * v2 makes the whole cgroup, the init is cloned into it; hybrid makes the
 * cgroup2 directory; v1 nothing, the init moves itself into its v1
 * hierarchies on GO: cgroup_place_self_v1, no RCU grace period). The
 * two-stage init is forked by stage 1 and placed by us. */
static int step_cgroup_precreate(struct create_ctx *ctx, struct brick_error *err)
{
    if (ctx->cgroup.n == 0) {
        ctx->placement = INIT_PLACEMENT_NONE;
        return 0;
    }
    const struct cgroup_driver *d = cgroup_driver_of(&ctx->cgroup);
    /* systemd moves the init into the scope it makes for it */
    if (d->placement == CGROUP_PLACE_BY_MANAGER) {
        ctx->placement = INIT_PLACEMENT_NONE;
        return 0;
    }
    /* in a user namespace of its own the init cannot write the host's
     * cgroup files: we place it */
    if (ctx->two_stage || (ctx->ns.new_flags & CLONE_NEWUSER)) {
        ctx->placement = INIT_PLACED_BY_PARENT;
        return 0;
    }
    ctx->placement = d->placement == CGROUP_PLACE_CLONE_INTO ? INIT_PLACED_BY_CLONE : INIT_PLACES_ITSELF;
    return d->precreate ? d->precreate(&ctx->cgroup, &ctx->spec->linux_.resources, err) : 0;
}

void create_idmap_fds_close(struct create_ctx *ctx)
{
    for (size_t i = 0; ctx->idmap_fds && i < ctx->spec->n_mounts; i++)
        if (ctx->idmap_fds[i] >= 0)
            close(ctx->idmap_fds[i]);
    free(ctx->idmap_fds);
    ctx->idmap_fds = NULL;
}

static int step_spawn(struct create_ctx *ctx, struct brick_error *err)
{
    int r = spawn(ctx, err);
    if (r < 0)
        return r;
    close(ctx->sync_child);
    ctx->sync_child = -1;
    /* the container's stdio now: only its processes may hold the pipe's
     * write end, or the logger would never see EOF */
    int *log_fds[] = {&ctx->log_stdin, &ctx->log_stdout};
    for (size_t i = 0; i < ARRAY_SIZE(log_fds); i++)
        if (*log_fds[i] >= 0)
            close(*log_fds[i]);
    ctx->log_stdin = ctx->log_stdout = -1;
    /* The seccomp listener's socket is the children's to use: our copy
     * would hide their exit from the listener for as long as `run` lives. */
    if (ctx->seccomp && ctx->seccomp->listener_fd >= 0) {
        close(ctx->seccomp->listener_fd);
        ctx->seccomp->listener_fd = -1;
    }
    if (ctx->two_stage)
        return serve_stage1(ctx, err);
    return (ctx->ns.new_flags & CLONE_NEWUSER) ? serve_id_maps(ctx, err) : 0;
}

/* The rest of the cgroup, limits applied, while the init already sets up
 * its mounts (it waits for GO only before the steps that need its cgroup:
 * init.c), so the two run in parallel. */
static int step_cgroup_create(struct create_ctx *ctx, struct brick_error *err)
{
    if (ctx->cgroup.n == 0 || ctx->cgroup.complete)
        return 0;
    if (!ctx->two_stage)
        spread_init(ctx);
    ctx->cgroup.pid = ctx->init_pid; /* for a manager that places it (systemd) */
    int r = cgroup_driver_of(&ctx->cgroup)->create(&ctx->cgroup, &ctx->spec->linux_.resources, err);
    give_back_cpus(ctx);
    /* A cgroup frozen before we came (by hand, or under a frozen parent)
     * would stop the init in its tracks and the create would wait for ever:
     * refused as runc refuses it. */
    if (r >= 0 && cgroup_is_frozen(&ctx->cgroup) == 1)
        r = brick_err(err, EBUSY, "cgroup %s: container's cgroup unexpectedly frozen", ctx->cgroup.path);
    return r;
}

/* The steps of a create, in order (bubblewrap's setup-op list is the
 * model). ctx->phase is the phase record: the index of the step running,
 * read by rollback(); the recovery record on disk names the same things for
 * a create that was killed (step_record_intent). */
static const struct create_step {
    const char *what;
    int (*run)(struct create_ctx *ctx, struct brick_error *err);
    bool child_may_explain; /* the init may have failed first: prefer its error */
} create_steps[STEP__MAX] = {
    [STEP_SAVE_CONFIG] = {"save the config", step_save_config, false},
    [STEP_PLAN_CGROUP] = {"plan the cgroup", step_plan_cgroup, false},
    [STEP_CHECK_CGROUP] = {"refuse a busy cgroup", step_check_cgroup, false},
    [STEP_RECORD_INTENT] = {"write the recovery record", step_record_intent, false},
    [STEP_CGROUP_PRECREATE] = {"make the cgroup the clone needs", step_cgroup_precreate, false},
    [STEP_SPAWN_LOGGER] = {"start the output logger", step_spawn_logger, false},
    [STEP_OPEN_CHANNELS] = {"open the sync and console channels", step_open_channels, false},
    [STEP_SPAWN] = {"start the container processes", step_spawn, false},
    [STEP_CGROUP_CREATE] = {"make the rest of the cgroup", step_cgroup_create, true},
    [STEP_PLACE_INIT] = {"place the init in its cgroup", step_place_init, true},
    [STEP_SERVE_INIT] = {"drive the init until CREATED", step_serve_init, true},
    [STEP_ON_CREATED] = {"hand the created container to the caller", step_on_created, false},
    [STEP_RECORD_STATE] = {"record the state", step_record_state, false},
};

int create_container(struct create_ctx *ctx, bool for_run, int *ret_dirfd, struct brick_error *err)
{
    ctx->for_run = for_run;
    ctx->rootless = geteuid() != 0;
    int r = load(ctx, for_run, err);
    if (r < 0)
        return r;
    _cleanup_close_ int rootfd = -EBADF, dirfd = -EBADF;
    r = state_root_open(ctx->opts->root, true, &rootfd, err);
    if (r < 0)
        return r;
    r = state_dir_create(rootfd, ctx->opts->id, &dirfd, err);
    if (r < 0)
        return r;
    state_lock(dirfd, true);
    ctx->state_dirfd = dirfd;
    for (ctx->phase = 0; ctx->phase < STEP__MAX; ctx->phase++) {
        const struct create_step *s = &create_steps[ctx->phase];
        log_debug("create %s: %s", ctx->opts->id, s->what);
        r = s->run(ctx, err);
        if (s->child_may_explain)
            r = prefer_child_error(ctx, r, err);
        if (r < 0) {
            rollback(ctx, rootfd);
            return r;
        }
    }
    *ret_dirfd = TAKE_FD(dirfd);
    return 0;
}
