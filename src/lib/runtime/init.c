/* init.c — the container side of create: the optional stage-1 process and
 * the container init, which sets the container up in the order the kernel
 * demands and then waits, just before execve, for `start`.
 *
 * Order (each step needs the ones before it):
 *   namespaces (stage 1 or clone3) -> session, keyring, hostname -> lo up ->
 *   mounts, of which those that need the cgroup (cgroup mounts, device nodes)
 *   only after GO from the parent, which places us in the container's cgroup
 *   meanwhile -> cgroup namespace -> [runtime hooks in the parent] -> createContainer
 *   hooks -> pivot_root -> masked/read-only paths -> sysctl, oom score,
 *   rlimits -> console -> executable lookup -> cwd -> fd hygiene ->
 *   uid/gid/capabilities -> no_new_privs -> CREATED -> wait for START ->
 *   startContainer hooks -> LSM exec labels, Landlock -> seccomp -> execve (seccomp comes before the
 *   identity switch when that drops the right to load it). */
#include "core/missing.h"
#include "core/cleanup.h"
#include "core/error.h"
#include "core/fd.h"
#include "core/util.h"
#include "hooks/hooks.h"
#include "process/process.h"
#include "rootfs/rootfs.h"
#include "runtime/internal.h"
#include "runtime/sync.h"
#include "security/landlock.h"
#include "security/lsm.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <unistd.h>

#define KEYCTL_JOIN_SESSION_KEYRING 1

static void close_parent_ends(struct create_ctx *ctx)
{
    if (ctx->sync_parent >= 0)
        close(ctx->sync_parent);
    if (ctx->console_parent >= 0)
        close(ctx->console_parent);
    /* flock() belongs to the open file description: a copy kept here would
     * hold the container's lock for as long as the init lives. */
    if (ctx->state_dirfd >= 0)
        close(ctx->state_dirfd);
    /* a host process's pidfd (the output logger's) */
    if (ctx->logger_pidfd >= 0)
        close(ctx->logger_pidfd);
    ctx->sync_parent = ctx->console_parent = ctx->state_dirfd = ctx->logger_pidfd = -1;
}

/* A detached `brick do`: stdin /dev/null, stdout and stderr the logger's
 * pipe (logger.c), never the caller's stdio. */
static int stdio_to_log(struct create_ctx *ctx, struct brick_error *err)
{
    if (ctx->log_stdout < 0)
        return 0;
    if (dup2(ctx->log_stdin, 0) < 0 || dup2(ctx->log_stdout, 1) < 0 || dup2(ctx->log_stdout, 2) < 0)
        return brick_err_errno(err, errno, "output log: make it stdout");
    close(ctx->log_stdin);
    close(ctx->log_stdout);
    ctx->log_stdin = ctx->log_stdout = -1;
    return 0;
}

/* Die with the parent while it still drives us: a killed `brick create`
 * must not leave a half-made container behind. */
static void die_with_parent(pid_t parent)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    /* The parent may have died before prctl(); in a new pid namespace
     * getppid() is 0 and the sync socket's EOF covers that case. */
    pid_t now = getppid();
    if (now != 0 && now != parent)
        _exit(1);
}

_Noreturn static void fail(int fd, struct brick_error *err)
{
    sync_send_error(fd, err);
    _exit(1);
}

/* In a new user namespace: ask the runtime to write our maps and wait.
 * An unprivileged runtime (and newuidmap, which checks who owns /proc/PID)
 * cannot open the maps of a non-dumpable process: dumpable while they are
 * written, as runc does. Nothing of the container runs yet and the
 * namespace is empty; only the caller's own uid passes the ptrace check
 * meanwhile. rootless is asked by the caller before the namespace exists
 * (unmapped, we are the overflow id). */
static int await_id_maps(struct create_ctx *ctx, bool rootless, struct brick_error *err)
{
    if (rootless)
        prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
    sync_send(ctx->sync_child, SYNC_USERMAP, 0);
    int r = sync_expect(ctx->sync_child, SYNC_USERMAP_DONE, NULL, err);
    if (rootless)
        prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    return r;
}

static int stage1_userns(struct create_ctx *ctx, struct brick_error *err)
{
    bool rootless = geteuid() != 0;
    if (unshare(CLONE_NEWUSER) < 0)
        return brick_err_errno(err, errno, "create user namespace");
    return await_id_maps(ctx, rootless, err);
}

/* Become root of the new (or joined) user namespace when 0 is mapped;
 * otherwise stay the overflow id and let the process identity step decide.
 * A joined one needs it too: setns keeps the host uid, unmapped there, and
 * files the init creates (/dev nodes) would fail with EOVERFLOW. Done after
 * the time offsets: a credential change makes us non-dumpable, and /proc/self
 * files then belong to the host's root. */
static void become_ns_root(const struct create_ctx *ctx)
{
    if (!(ctx->ns.new_flags & CLONE_NEWUSER) && ctx->ns.join_fd[OCI_NS_USER] < 0)
        return;
    (void)!setresgid(0, 0, 0);
    (void)!setresuid(0, 0, 0);
}

_Noreturn void container_stage1(struct create_ctx *ctx)
{
    struct brick_error err = {0};
    (void)environ_scrub(ctx->host_procfd); /* the caller's secrets: see container_init */
    die_with_parent(ctx->parent_pid);
    close_parent_ends(ctx);
    /* Directories of the host we inherited (the state root, ...): none may
     * be open later, when the container's paths are resolved (the init forks
     * from us with what we keep). The host procfs stays until setup_process
     * closes it, before the executable lookup. */
    if (fds_close_dirs(ctx->host_procfd, ctx->preserve_fds, &ctx->host_procfd, 1) < 0) {
        brick_err(&err, EIO, "cannot list the inherited fds (host procfs)");
        fail(ctx->sync_child, &err);
    }
    /* Joins first, while we hold the host's credentials; then the new user
     * namespace, so that it owns every namespace created after it. */
    if (ns_join_all(&ctx->ns, 0, &err) < 0)
        fail(ctx->sync_child, &err);
    if ((ctx->ns.new_flags & CLONE_NEWUSER) && stage1_userns(ctx, &err) < 0)
        fail(ctx->sync_child, &err);
    /* The cgroup namespace is the init's to make, after P placed it. */
    int flags = ctx->ns.new_flags & ~(CLONE_NEWUSER | CLONE_NEWCGROUP);
    if (flags && unshare(flags) < 0) {
        brick_err_errno(&err, errno, "unshare namespaces (flags 0x%x)", flags);
        fail(ctx->sync_child, &err);
    }
    if ((flags & CLONE_NEWTIME) && ns_write_time_offsets(ctx->host_procfd, ctx->spec, &err) < 0)
        fail(ctx->sync_child, &err);
    become_ns_root(ctx);
    /* CLONE_PARENT: the init becomes the runtime's child, so `run` can wait
     * for it and no extra process stays around. */
    pid_t pid = clone3_fork(CLONE_PARENT, NULL);
    if (pid < 0) {
        brick_err_errno(&err, -pid, "clone3 container init");
        fail(ctx->sync_child, &err);
    }
    if (pid == 0)
        container_init(ctx);
    sync_send(ctx->sync_child, SYNC_INIT_PID, pid);
    _exit(0);
}

static int set_names(const struct oci_spec *spec, struct brick_error *err)
{
    if (spec->hostname && sethostname(spec->hostname, strlen(spec->hostname)) < 0)
        return brick_err_errno(err, errno, "sethostname");
    if (spec->domainname && setdomainname(spec->domainname, strlen(spec->domainname)) < 0)
        return brick_err_errno(err, errno, "setdomainname");
    return 0;
}

/* A new network namespace starts with lo down, so even 127.0.0.1 would not
 * answer: brought up, as runc and crun do (annotation run.brick.net.loopback
 * = "down" leaves it down). Only a namespace of the container's own is
 * touched, never a joined one; one SIOCSIFFLAGS needs no netlink and runs
 * before the identity switch, while the init still holds CAP_NET_ADMIN over
 * the namespace. */
static int loopback_up(const struct create_ctx *ctx, struct brick_error *err)
{
    const char *v = oci_kv_get(ctx->spec->annotations, ctx->spec->n_annotations, "run.brick.net.loopback");
    if (!(ctx->ns.new_flags & CLONE_NEWNET))
        return 0;
    if (v && !streq(v, "up") && !streq(v, "down"))
        return brick_err(err, EINVAL, "annotations[\"run.brick.net.loopback\"]: expected \"up\" or \"down\", got \"%s\"", v);
    if (v && streq(v, "down"))
        return 0;
    _cleanup_close_ int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct ifreq ifr = {0};
    strcpy(ifr.ifr_name, "lo");
    if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
        return brick_err_errno(err, errno, "bring up lo: SIOCGIFFLAGS");
    ifr.ifr_flags |= IFF_UP;
    if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
        return brick_err_errno(err, errno, "bring up lo: SIOCSIFFLAGS");
    return 0;
}

/* sysctls are written through the procfs the parent opened and verified
 * before any container code ran, never through the container's /proc
 * (CVE-2025-52881); the kernel picks the namespaces of the writer. */
static int set_sysctls(const struct create_ctx *ctx, struct brick_error *err)
{
    for (size_t i = 0; i < ctx->spec->linux_.n_sysctl; i++) {
        const struct oci_kv *kv = &ctx->spec->linux_.sysctl[i];
        if (strstr(kv->key, "..") || strchr(kv->key, '/'))
            return brick_err(err, EINVAL, "sysctl \"%s\": invalid name", kv->key);
        _cleanup_free_ char *path = xasprintf("sys/%s", kv->key);
        for (char *p = path; *p; p++)
            if (*p == '.')
                *p = '/';
        int r = write_file_at(ctx->host_procfd, path, kv->value);
        if (r < 0)
            return brick_err_errno(err, -r, "sysctl %s=%s", kv->key, kv->value);
    }
    return 0;
}

static int run_container_hooks(const struct create_ctx *ctx, pid_t host_pid,
                               enum oci_hook_kind kind, struct brick_error *err)
{
    if (ctx->spec->hooks[kind].n == 0)
        return 0;
    _cleanup_free_ char *state = init_state_json(
        ctx, host_pid, kind == OCI_HOOK_CREATE_CONTAINER ? "creating" : "created");
    return hooks_run(ctx->spec, kind, state, err);
}

/* GO: the parent has made our cgroup and moved us into it (it does that
 * while we mount, see create.c). The cgroup namespace is made only now, so
 * that its root is the container's cgroup. */
struct go_wait {
    struct create_ctx *ctx;
    int32_t host_pid;
};

static int await_go(void *data, struct brick_error *err)
{
    struct go_wait *g = data;
    int r = sync_expect(g->ctx->sync_child, SYNC_GO, &g->host_pid, err);
    if (r < 0)
        return r;
    if (g->ctx->placement == INIT_PLACES_ITSELF &&
        (r = cgroup_place_self_v1(&g->ctx->cgroup, g->ctx->init_cgroup_fds, err)) < 0)
        return r;
    if ((g->ctx->ns.new_flags & CLONE_NEWCGROUP) && unshare(CLONE_NEWCGROUP) < 0)
        return brick_err_errno(err, errno, "create cgroup namespace");
    return 0;
}

static void idmap_fds_alloc(struct create_ctx *ctx)
{
    if (ctx->idmap_fds)
        return;
    ctx->idmap_fds = xmalloc(ctx->spec->n_mounts * sizeof(int));
    for (size_t k = 0; k < ctx->spec->n_mounts; k++)
        ctx->idmap_fds[k] = -1;
}

/* A plain bind mount in a user namespace: a source we may not reach (EACCES:
 * under a 0700 directory of the host's root) is opened by the runtime with
 * its credentials in our mount namespace, and cloned here from that fd, so
 * the clone keeps the kernel's locks (rootfs/idmap.c). Any other source is
 * bound from its path, in config order, as before. */
static int request_source(struct create_ctx *ctx, size_t i, struct brick_error *err)
{
    const struct oci_mount *m = &ctx->spec->mounts[i];
    bool recursive;
    if (!oci_spec_namespace(ctx->spec, OCI_NS_USER) || rootfs_mount_plain_bind(ctx->spec, i, &recursive) <= 0)
        return 0;
    _cleanup_free_ char *src = rootfs_bind_source(ctx->bundle, m->source);
    struct stat st;
    bool need = src && stat(src, &st) < 0 && (errno == EACCES || errno == EPERM);
    if (sync_send(ctx->sync_child, SYNC_SOURCE, need) < 0)
        return brick_err(err, EPIPE, "ask the runtime for a bind source");
    _cleanup_close_ int fd = -EBADF;
    int r = need ? sync_expect(ctx->sync_child, SYNC_SOURCE_DONE, NULL, err) : 0;
    if (!need || r < 0)
        return r;
    if (recv_fd(ctx->sync_child, &fd) < 0)
        return brick_err(err, EPROTO, "protocol error: bind source %zu", i);
    idmap_fds_alloc(ctx);
    return rootfs_source_clone(ctx->spec, i, fd, recursive, &ctx->idmap_fds[i], err);
}

/* Id-mapped binds: cloned here, in our mount namespace where the host's
 * mounts are locked copies, id-mapped by the runtime (rootfs/idmap.c). */
static int request_idmaps(struct create_ctx *ctx, struct brick_error *err)
{
    const struct oci_spec *s = ctx->spec;
    struct rootfs_idmap im;
    int r = 0;
    for (size_t i = 0; r >= 0 && i < s->n_mounts; i++) {
        if (rootfs_mount_idmap(s, i, &im, err) <= 0) {
            r = request_source(ctx, i, err);
            continue;
        }
        idmap_fds_alloc(ctx);
        r = rootfs_idmap_clone(s, ctx->bundle, i, &ctx->idmap_fds[i], err);
        if (r >= 0 && (sync_send(ctx->sync_child, SYNC_IDMAP, (int32_t)i) < 0 ||
                       send_fd(ctx->sync_child, ctx->idmap_fds[i]) < 0))
            r = brick_err(err, EPIPE, "send an id-mapped mount to the runtime");
        if (r >= 0)
            r = sync_expect(ctx->sync_child, SYNC_IDMAP_DONE, NULL, err);
    }
    return r;
}

/* The hooks around the root's preparation: prestart and createRuntime (the
 * runtime's), then createContainer (ours). */
static int filesystem_hooks(struct create_ctx *ctx, pid_t host_pid, struct brick_error *err)
{
    int r = 0;
    if (ctx->spec->hooks[OCI_HOOK_PRESTART].n || ctx->spec->hooks[OCI_HOOK_CREATE_RUNTIME].n) {
        sync_send(ctx->sync_child, SYNC_MOUNTS_READY, 0);
        r = sync_expect(ctx->sync_child, SYNC_HOOKS_DONE, NULL, err);
    }
    if (r >= 0)
        r = run_container_hooks(ctx, host_pid, OCI_HOOK_CREATE_CONTAINER, err);
    return r;
}

/* No mount namespace of the container's own: we share the host's, where
 * nothing is mounted (check_config refused what would need it); the root
 * is entered with chroot (rootfs/chroot.c). */
static int setup_root_without_mntns(struct create_ctx *ctx, pid_t *host_pid, struct brick_error *err)
{
    struct go_wait go = {.ctx = ctx};
    int r = await_go(&go, err);
    *host_pid = go.host_pid;
    /* host directories: closed before any path of the container is resolved */
    cgroup_self_close(&ctx->cgroup, &ctx->init_cgroup_fds);
    if (r >= 0)
        r = filesystem_hooks(ctx, *host_pid, err);
    return r < 0 ? r : rootfs_chroot(ctx->rootfs, err);
}

static int setup_filesystem(struct create_ctx *ctx, pid_t *host_pid, struct brick_error *err)
{
    if (!oci_spec_namespace(ctx->spec, OCI_NS_MOUNT))
        return setup_root_without_mntns(ctx, host_pid, err);
    struct go_wait go = {.ctx = ctx};
    /* placed by ourselves: our v1 directories, to bind (cgroup_mount.c) */
    _cleanup_free_ struct rootfs_cgroup_dir *dirs = xcalloc(ctx->cgroup.n + 1, sizeof(*dirs));
    size_t ndirs = 0;
    for (size_t i = 0; (ctx->placement == INIT_PLACES_ITSELF) && ctx->init_cgroup_fds && i < ctx->cgroup.n; i++) {
        const struct cgroup_hier *h = &ctx->cgroup.h[i];
        if (!*h->name || ctx->init_cgroup_fds[i] < 0)
            continue;
        const char *rel = h->dir + strlen(h->mount);
        while (*rel == '/')
            rel++;
        dirs[ndirs++] = (struct rootfs_cgroup_dir){h->name, ctx->init_cgroup_fds[i], rel};
    }
    struct rootfs_ctx rc = {
        .spec = ctx->spec,
        .bundle = ctx->bundle,
        .rootfs = ctx->rootfs,
        .in_userns = oci_spec_namespace(ctx->spec, OCI_NS_USER) != NULL || running_in_userns(),
        .no_pivot = ctx->opts->no_pivot,
        .root_fd = -1,
        .await_cgroup = await_go,
        .await_data = &go,
        .cgroup_dirs = dirs,
        .n_cgroup_dirs = ndirs,
        .idmap_fds = ctx->idmap_fds,
    };
    int r = request_idmaps(ctx, err);
    rc.idmap_fds = ctx->idmap_fds;
    if (r >= 0)
        r = rootfs_prepare(&rc, err);
    /* attached now, or never: gone before any path of the container is
     * resolved after the mounts */
    rc.idmap_fds = NULL;
    create_idmap_fds_close(ctx);
    /* Host directories (the v1 mount points): used by the placement and the
     * cgroup mount, both done; never open while a container path is
     * resolved (CVE-2024-21626). */
    cgroup_self_close(&ctx->cgroup, &ctx->init_cgroup_fds);
    rc.cgroup_dirs = NULL;
    rc.n_cgroup_dirs = 0;
    if (r >= 0 && !rc.awaited) /* rootfs_prepare awaits GO on success; never skip it */
        r = brick_err(err, EPROTO, "internal error: GO was not awaited");
    *host_pid = go.host_pid;
    if (r >= 0)
        r = filesystem_hooks(ctx, *host_pid, err);
    if (r >= 0)
        r = rootfs_pivot(&rc, err);
    if (r >= 0)
        r = rootfs_finalize(&rc, err);
    rootfs_ctx_done(&rc);
    return r;
}

static int setup_console(struct create_ctx *ctx, struct brick_error *err)
{
    if (!ctx->spec->process->terminal)
        return 0;
    _cleanup_close_ int master = -EBADF, peer = -EBADF;
    int r = console_open(ctx->spec->process, &master, &peer, err);
    if (r < 0)
        return r;
    r = send_fd(ctx->console_fd, master);
    if (r < 0)
        return brick_err_errno(err, -r, "send the console to the console socket");
    close(ctx->console_fd);
    ctx->console_fd = -1;
    return console_become_stdio(peer, err);
}

/* Only stdio and the fds the caller passed and asked to keep reach the
 * container (CVE-2024-21626); see fds_prepare_exec(). */
static int fd_hygiene(const struct create_ctx *ctx, struct brick_error *err)
{
    int r = fds_prepare_exec(ctx->preserve_fds);
    if (r < 0)
        return brick_err_errno(err, -r, "mark fds close-on-exec");
    return 0;
}

/* Load the filter; with SCMP_ACT_NOTIFY hand the listener fd and the
 * containerProcessState to the socket the parent connected for us. */
static int install_seccomp(struct create_ctx *ctx, pid_t host_pid, struct brick_error *err)
{
    if (!ctx->seccomp)
        return 0;
    int r = sc_load(ctx->seccomp, err);
    if (r > 0) {
        int nfd = r;
        _cleanup_free_ char *state = init_state_json(ctx, host_pid, "created");
        r = sc_notify_send(ctx->seccomp, nfd, host_pid, state, err);
        close(nfd);
    }
    sc_prog_free(ctx->seccomp); /* closes the listener socket too */
    ctx->seccomp = NULL; /* installed once */
    return r;
}

/* LSM exec attributes and the Landlock ruleset are prepared while the init
 * is privileged and the verified host procfs is open, and applied at the
 * last step before seccomp and execve (the init is one per process image). */
static struct lsm_exec_attrs init_lsm = LSM_EXEC_ATTRS_INIT;
static int init_landlock_fd = -1;

/* After pivot_root, so rule paths resolve inside the container's root. */
static int prepare_lsm_landlock(const struct create_ctx *ctx, struct brick_error *err)
{
    int r = lsm_exec_attrs_open(ctx->host_procfd, ctx->spec->process, &init_lsm, err);
    if (r < 0)
        return r;
    struct landlock_policy *ll = NULL;
    r = landlock_policy_from_spec(ctx->spec, &ll, err);
    if (r >= 0 && ll)
        r = landlock_negotiate(ll, landlock_abi_version(), err);
    if (r >= 0 && ll)
        r = landlock_prepare(ll, &init_landlock_fd, err);
    landlock_policy_free(ll);
    return r;
}

static int apply_lsm_landlock(struct brick_error *err)
{
    int r = lsm_exec_attrs_write(&init_lsm, err);
    if (r < 0)
        return r;
    r = landlock_enforce(init_landlock_fd, err);
    init_landlock_fd = -1;
    return r;
}

static int setup_process(struct create_ctx *ctx, pid_t host_pid, char **ret_exe, struct brick_error *err)
{
    const struct oci_process *p = ctx->spec->process;
    int r = set_sysctls(ctx, err);
    if (r >= 0)
        r = process_set_oom_score_adj(ctx->host_procfd, p, err);
    if (r >= 0)
        r = prepare_lsm_landlock(ctx, err);
    close(ctx->host_procfd);
    ctx->host_procfd = -1;
    if (r >= 0)
        r = process_set_rlimits(p, err);
    if (r >= 0)
        r = setup_console(ctx, err);
    if (r >= 0)
        process_default_home(ctx->spec->process);
    if (r >= 0)
        r = process_set_personality(&ctx->spec->linux_.personality, err);
    if (r >= 0)
        r = process_find_executable(p, ret_exe, err);
    if (r >= 0)
        r = fd_hygiene(ctx, err);
    if (r >= 0)
        r = process_enter_cwd(p, err);
    if (r >= 0 && ctx->seccomp && sc_load_before_identity(ctx->spec->process))
        r = install_seccomp(ctx, host_pid, err);
    if (r >= 0)
        r = process_set_identity(p, err);
    if (r >= 0)
        r = process_set_no_new_privs(p, err);
    /* Non-dumpable since birth; the identity switch set it from
     * fs.suid_dumpable. CVE-2019-5736: until execve this process image is
     * the runtime binary. A startContainer hook (a binary of the image) or a
     * process sharing the pid namespace could hold /proc/<init>/exe and
     * reopen it for writing once no brick runs; non-dumpable, that needs
     * CAP_SYS_PTRACE. execve makes the container process dumpable again. */
    if (r >= 0 && prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
        r = brick_err_errno(err, errno, "prctl(PR_SET_DUMPABLE)");
    return r;
}

static int setup(struct create_ctx *ctx, pid_t *host_pid, char **ret_exe, struct brick_error *err)
{
    if (setsid() < 0)
        return brick_err_errno(err, errno, "setsid");
    /* A fresh session keyring, so containers never share the host's keys. */
    if (!ctx->opts->no_new_keyring)
        (void)syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL);
    int r = set_names(ctx->spec, err);
    if (r >= 0)
        r = loopback_up(ctx, err);
    if (r >= 0)
        r = setup_filesystem(ctx, host_pid, err);
    if (r >= 0)
        r = setup_process(ctx, *host_pid, ret_exe, err);
    return r;
}

/* Block until released; returns the fd on which to report later errors. */
static int wait_for_start(struct create_ctx *ctx, struct brick_error *err)
{
    if (ctx->exec_listen_fd < 0) {
        int r = sync_expect(ctx->sync_child, SYNC_START, NULL, err);
        return r < 0 ? r : ctx->sync_child;
    }
    for (;;) {
        int conn = accept4(ctx->exec_listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (conn < 0) {
            if (errno == EINTR)
                continue;
            return brick_err_errno(err, errno, "accept on exec.sock");
        }
        struct brick_error ignored;
        if (sync_expect(conn, SYNC_START, NULL, &ignored) == 0) {
            close(ctx->exec_listen_fd);
            ctx->exec_listen_fd = -1;
            return conn;
        }
        close(conn);
    }
}

/* execve resets caught signals by itself; only ignored ones would reach
 * the container (a caller's nohup, SIGPIPE ignored by an engine). Those are
 * in our status (SigIgn, read early through the host procfs the parent
 * verified): one read instead of 64 sigactions. */
static unsigned long long ignored_signals(int procfd)
{
    _cleanup_free_ char *status = NULL;
    const char *ign = NULL;
    if (procfd >= 0 && read_file_at(procfd, "self/status", BRICK_READ_SMALL, &status, NULL) >= 0 &&
        (ign = strstr(status, "\nSigIgn:\t")) != NULL)
        return strtoull(ign + 9, NULL, 16);
    return ~0ULL; /* unknown: reset them all */
}

static void reset_signals(unsigned long long mask)
{
    sigset_t none;
    sigemptyset(&none);
    for (int s = 1; s < NSIG && s <= 64; s++)
        if (mask & (1ULL << (s - 1)))
            signal(s, SIG_DFL);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

/* Annotation run.brick.init=brick (what `brick do` writes): we stay as the
 * container's pid 1 and run the command as our child, as bubblewrap does. A
 * pid 1 without handlers ignores SIGTERM and SIGINT, so `timeout` and Ctrl-C
 * could not stop a command that is pid 1; here every signal we get is
 * forwarded to it, orphans are reaped, and we exit with its status (128+N
 * for signal N). We stay non-dumpable (we never execve) and run under the
 * container's identity, Landlock and seccomp filter, all applied above. The
 * command gets a process group of its own, the terminal's foreground one, so
 * a Ctrl-C reaches it once. Signals are blocked before the fork: none may
 * take us down with its default action in between. */
_Noreturn static void stay_as_pid1(int ctl, const char *exe, char *const *args, char *const *env, bool rootless)
{
    struct brick_error err = {0};
    sigset_t all, none;
    sigfillset(&all);
    sigemptyset(&none);
    sigprocmask(SIG_BLOCK, &all, NULL);
    pid_t child = fork();
    if (child < 0) {
        brick_err_errno(&err, errno, "fork the command");
        fail(ctl, &err);
    }
    if (child == 0) {
        (void)setpgid(0, 0);
        if (isatty(0))
            (void)tcsetpgrp(0, getpid()); /* SIGTTOU is blocked: allowed from the background */
        sigprocmask(SIG_SETMASK, &none, NULL);
        execve(exe, args, env);
        process_exec_error(&err, errno, args[0]);
        fail(ctl, &err);
    }
    /* Nothing of brick's stays open in us: we never execve, so close-on-exec
     * never closes the sync socket (the child's copy closes at its execve:
     * that EOF is the runtime's "started"), the console, a --die-with-parent
     * guard's pipe, or the fds the command was given. */
    (void)syscall(SYS_close_range, 3U, ~0U, 0U);
    /* our command line is the `brick do` that started us: every user of the
     * container could read it in /proc/1/cmdline */
    (void)cmdline_wipe(-1, "brick-init");
    /* Rootless: the user's other containers join ours through our
     * /proc/1/ns (--net container:NAME), which a non-dumpable process
     * whose memory belongs to the host's user namespace keeps from them
     * (the ptrace check wants CAP_SYS_PTRACE there). Dumpable from here on,
     * we hold nothing of the runtime's (fds closed, command line and
     * environment wiped) and run with the command's identity, Landlock and
     * seccomp filter: a process of the container that passes the ptrace
     * check gains nothing its own credentials do not give. As root we stay
     * non-dumpable (root passes the check). */
    if (rootless)
        (void)prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
    int sfd = signalfd(-1, &all, SFD_CLOEXEC);
    for (;;) {
        struct signalfd_siginfo si;
        if (sfd < 0 || read(sfd, &si, sizeof(si)) != (ssize_t)sizeof(si)) {
            if (sfd >= 0 && errno == EINTR)
                continue;
            /* No signalfd, or it fails (under --learn every call fails with
             * ENOSYS once the supervisor is gone): reap only, blocking
             * (signals stay blocked, pause() would never return); when even
             * waiting fails, end the container rather than spin. */
            int st;
            pid_t p = waitpid(-1, &st, 0);
            if (p == child)
                _exit(WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st));
            if (p < 0 && errno != EINTR)
                _exit(255);
            continue;
        }
        if (si.ssi_signo != SIGCHLD) {
            (void)kill(child, (int)si.ssi_signo);
            continue;
        }
        int st;
        pid_t p;
        while ((p = waitpid(-1, &st, WNOHANG)) > 0)
            if (p == child)
                _exit(WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st));
    }
}

/* opts->on_created (brick do --net user): our network and user namespaces
 * go to the runtime with CREATED. An unprivileged runtime cannot open them
 * through /proc/PID/ns of a non-dumpable process; we can open our own. Born
 * in them, we open them through the verified host procfs before anything of
 * the container is mounted. */
static int open_own_namespaces(struct create_ctx *ctx, struct brick_error *err)
{
    static const char *const names[CREATED_NS__MAX] = {"self/ns/net", "self/ns/user"};
    if (!ctx->opts->on_created)
        return 0;
    for (int i = 0; i < CREATED_NS__MAX; i++) {
        ctx->created_ns[i] = openat(ctx->host_procfd, names[i], O_RDONLY | O_CLOEXEC);
        if (ctx->created_ns[i] < 0)
            return brick_err_errno(err, errno, "open /proc/%s", names[i]);
    }
    return 0;
}

static void report_created(struct create_ctx *ctx)
{
    int n = ctx->created_ns[0] >= 0 ? CREATED_NS__MAX : 0;
    sync_send(ctx->sync_child, SYNC_CREATED, n);
    for (int i = 0; i < n; i++) {
        (void)send_fd(ctx->sync_child, ctx->created_ns[i]);
        close(ctx->created_ns[i]);
        ctx->created_ns[i] = -1;
    }
}

_Noreturn void container_init(struct create_ctx *ctx)
{
    struct brick_error err = {0};
    /* Non-dumpable from birth (clone3_fork_into), and visible to the
     * container's processes (a shared pid namespace, startContainer hooks):
     * the caller's environment, its secrets, wiped first (CVE-2016-9962). */
    (void)environ_scrub(ctx->host_procfd);
    die_with_parent(ctx->parent_pid);
    close_parent_ends(ctx);
    if (stdio_to_log(ctx, &err) < 0)
        fail(ctx->sync_child, &err);
    /* as stage 1 does: no directory of the host stays open (the state root,
     * the cgroup2 directory we were cloned into) */
    if (fds_close_dirs(ctx->host_procfd, ctx->preserve_fds, &ctx->host_procfd, 1) < 0 ||
        fds_close_inherited(ctx->host_procfd, ctx->preserve_fds) < 0) {
        brick_err(&err, EIO, "cannot list the inherited fds (host procfs)");
        fail(ctx->sync_child, &err);
    }
    if (open_own_namespaces(ctx, &err) < 0)
        fail(ctx->sync_child, &err);
    /* one stage with a new user namespace: cloned into it, the maps come now */
    if (!ctx->two_stage && (ctx->ns.new_flags & CLONE_NEWUSER)) {
        if (await_id_maps(ctx, ctx->rootless, &err) < 0)
            fail(ctx->sync_child, &err);
        become_ns_root(ctx);
    }
    _cleanup_free_ char *exe = NULL;
    pid_t host_pid = 0;
    unsigned long long ignored = ignored_signals(ctx->host_procfd);
    /* in our own mount namespace (the cgroup mount clones from them), before
     * our mounts can cover the host's cgroup mounts */
    if ((ctx->placement == INIT_PLACES_ITSELF) && cgroup_self_open(&ctx->cgroup, &ctx->init_cgroup_fds, &err) < 0)
        fail(ctx->sync_child, &err);
    if (setup(ctx, &host_pid, &exe, &err) < 0)
        fail(ctx->sync_child, &err);
    /* From here on the container outlives the `create` process. */
    prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
    report_created(ctx);
    int ctl = wait_for_start(ctx, &err);
    if (ctl < 0)
        _exit(1);
    if (run_container_hooks(ctx, host_pid, OCI_HOOK_START_CONTAINER, &err) < 0)
        fail(ctl, &err);
    reset_signals(ignored);
    if (apply_lsm_landlock(&err) < 0)
        fail(ctl, &err);
    /* Last: every step above may need syscalls the filter denies. */
    if (install_seccomp(ctx, host_pid, &err) < 0)
        fail(ctl, &err);
    static char *const no_env[] = {NULL};
    char *const *env = ctx->spec->process->env ? ctx->spec->process->env : no_env;
    const char *init = oci_kv_get(ctx->spec->annotations, ctx->spec->n_annotations, "run.brick.init");
    if (init && streq(init, "brick"))
        stay_as_pid1(ctl, exe, ctx->spec->process->args, env, ctx->rootless);
    execve(exe, ctx->spec->process->args, env);
    process_exec_error(&err, errno, ctx->spec->process->args[0]);
    fail(ctl, &err);
}
