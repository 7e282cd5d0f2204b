/* exec.c — run another process in a running container: join every namespace
 * of its init through one pidfd (setns(pidfd, flags) enters them atomically,
 * user namespace first, and a recycled pid cannot redirect us), then apply
 * the process's identity and hardening exactly as the init does.
 *
 *   brick exec (P) ── setns(pidfd, CLONE_NEWPID) (children only)
 *        └─clone3──▶ E: setns(pidfd, other namespaces) → process setup → execve
 * E is P's child in the container's pid namespace, so P can wait for it. */
#include "cgroup/cgroup.h"
#include "core/missing.h"
#include "core/cleanup.h"
#include "core/error.h"
#include "core/fd.h"
#include "core/strv.h"
#include "core/util.h"
#include "ns/ns.h"
#include "process/process.h"
#include "rootfs/rootfs.h"
#include "runtime/runtime.h"
#include "security/landlock.h"
#include "security/lsm.h"
#include "security/seccomp.h"
#include "runtime/sync.h"
#include "spec/spec.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>


struct exec_ctx {
    const struct brick_exec_opts *opts;
    struct oci_spec *spec;          /* the saved config: seccomp, Landlock annotation */
    struct oci_process *proc;
    struct seccomp_prog *seccomp;   /* compiled in the parent, loaded by the child */
    int host_procfd;                /* verified host /proc, for LSM attributes */
    int init_pidfd;
    pid_t init_pid;
    int ns_flags;      /* namespaces of the container that differ from ours */
    int sync_parent, sync_child;
    int console_fd;    /* connected --console-socket, or our pair's child end */
    int console_parent;
    const struct cgroup *cgroup; /* the container's, or NULL */
    bool cloned_into;            /* E was cloned into its cgroup2 hierarchy (CLONE_INTO_CGROUP) */
    int state_dirfd;             /* locked by us: the child must drop its copy */
};

/* Which of the init's namespaces differ from the caller's: setns() into our
 * own user namespace would fail, and joining the same one is pointless. */
static int differing_namespaces(pid_t pid)
{
    int flags = 0;
    for (int t = 0; t < OCI_NS__MAX; t++) {
        char a[64], b[64];
        struct stat sa, sb;
        snprintf(a, sizeof(a), "/proc/%d/ns/%s", pid, ns_proc_name(t));
        snprintf(b, sizeof(b), "/proc/self/ns/%s", ns_proc_name(t));
        if (stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_ino != sb.st_ino)
            flags |= ns_clone_flag(t);
    }
    return flags;
}

/* runc exec --cap: into the bounding, effective and permitted sets; into the
 * ambient set only when the process has an inheritable set (ambient needs
 * inheritable, and --cap does not add to it). */
static int add_caps(struct oci_capabilities *c, char *const *caps, struct brick_error *err)
{
    bool ambient = c->inheritable != NULL;
    for (size_t i = 0; caps && caps[i]; i++) {
        if (oci_cap_from_name(caps[i]) < 0)
            return brick_err(err, EINVAL, "--cap: unknown capability \"%s\"", caps[i]);
        strv_push(&c->bounding, caps[i]);
        strv_push(&c->effective, caps[i]);
        strv_push(&c->permitted, caps[i]);
        if (ambient)
            strv_push(&c->ambient, caps[i]);
    }
    c->present = true;
    return 0;
}

static void set_env(char ***env, const char *kv)
{
    size_t klen = strcspn(kv, "=");
    for (size_t i = 0; *env && (*env)[i]; i++) {
        if (strncmp((*env)[i], kv, klen) == 0 && (*env)[i][klen] == '=') {
            free((*env)[i]);
            (*env)[i] = xstrdup(kv);
            return;
        }
    }
    strv_push(env, kv);
}

/* The process of runc exec without --process: the container's own process
 * with the command line's changes. */
static int process_from_flags(const struct brick_exec_opts *o, struct oci_process *p,
                              struct brick_error *err)
{
    strv_free(p->args);
    p->args = strv_copy(o->args);
    p->terminal = o->tty;
    for (size_t i = 0; o->env && o->env[i]; i++)
        set_env(&p->env, o->env[i]);
    if (o->cwd) {
        free(p->cwd);
        p->cwd = xstrdup(o->cwd);
    }
    if (o->has_user) {
        p->user.uid = o->uid;
        p->user.gid = o->gid;
    }
    if (o->n_additional_gids) {
        free(p->user.additional_gids);
        p->user.additional_gids = xcalloc(o->n_additional_gids, sizeof(uint32_t));
        memcpy(p->user.additional_gids, o->additional_gids, o->n_additional_gids * sizeof(uint32_t));
        p->user.n_additional_gids = o->n_additional_gids;
    }
    p->no_new_privileges |= o->no_new_privs;
    if (o->apparmor) {
        free(p->apparmor_profile);
        p->apparmor_profile = xstrdup(o->apparmor);
    }
    if (o->process_label) {
        free(p->selinux_label);
        p->selinux_label = xstrdup(o->process_label);
    }
    return add_caps(&p->capabilities, o->caps, err);
}

static int build_process(struct handle *h, struct exec_ctx *ec, struct brick_error *err)
{
    const struct brick_exec_opts *o = ec->opts;
    int r = load_saved_config(h, &ec->spec, err);
    if (r < 0)
        return r;
    if (o->process_file) {
        _cleanup_free_ char *text = NULL;
        size_t len;
        r = read_file_at(AT_FDCWD, o->process_file, BRICK_READ_CONFIG, &text, &len);
        if (r < 0)
            return brick_err_errno(err, -r, "--process %s", o->process_file);
        r = oci_process_parse(text, len, &ec->proc, err);
        if (r >= 0)
            r = oci_process_validate(ec->proc, "", err);
        if (r < 0)
            return brick_err_prefix(err, "%s", o->process_file);
        return 0;
    }
    if (!o->args || !o->args[0])
        return brick_err(err, EINVAL, "exec: a command or --process is required");
    ec->proc = TAKE_PTR(ec->spec->process);
    r = process_from_flags(o, ec->proc, err);
    if (r >= 0)
        r = oci_process_validate(ec->proc, "process", err);
    return r;
}

static int open_console(struct exec_ctx *ec, struct brick_error *err)
{
    if (!ec->proc->terminal) {
        if (ec->opts->console_socket)
            return brick_err(err, EINVAL, "--console-socket is only valid with a terminal (-t)");
        return 0;
    }
    int sv[2];
    if (ec->opts->console_socket) {
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        if (strlen(ec->opts->console_socket) >= sizeof(sa.sun_path))
            return brick_err(err, ENAMETOOLONG, "console socket %s: path too long", ec->opts->console_socket);
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
            return brick_err_errno(err, errno, "console socket %s", ec->opts->console_socket);
        strcpy(sa.sun_path, ec->opts->console_socket);
        ec->console_fd = fd;
        if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
            return brick_err_errno(err, errno, "connect to console socket %s", sa.sun_path);
        return 0;
    }
    if (ec->opts->detach)
        return brick_err(err, EINVAL, "cannot allocate a terminal without --console-socket when detached");
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
        return brick_err_errno(err, errno, "socketpair");
    ec->console_parent = sv[0];
    ec->console_fd = sv[1];
    return 0;
}

static int exec_console(struct exec_ctx *ec, struct brick_error *err)
{
    if (!ec->proc->terminal)
        return 0;
    _cleanup_close_ int master = -EBADF, peer = -EBADF;
    int r = console_open(ec->proc, &master, &peer, err);
    if (r < 0)
        return r;
    r = send_fd(ec->console_fd, master);
    if (r < 0)
        return brick_err_errno(err, -r, "send the console");
    return console_become_stdio(peer, err);
}

static int exec_seccomp(struct exec_ctx *ec, struct brick_error *err)
{
    if (!ec->seccomp)
        return 0;
    int r = sc_load(ec->seccomp, err);
    if (r > 0) {
        int nfd = r;
        _cleanup_free_ char *state = xasprintf("{\"id\":\"%s\",\"status\":\"running\"}", ec->opts->id);
        r = sc_notify_send(ec->seccomp, nfd, getpid(), state, err);
        close(nfd);
    }
    ec->seccomp = NULL; /* loaded once; the parent frees its copy */
    return r;
}

/* The container's hardening for this process, in the init's order: Landlock
 * and LSM attributes prepared while privileged, applied after the identity
 * switch, seccomp last. */
static int exec_harden(struct exec_ctx *ec, struct lsm_exec_attrs *lsm, struct brick_error *err)
{
    struct landlock_policy *ll = NULL;
    int llfd = -1;
    int r = landlock_policy_from_spec(ec->spec, &ll, err);
    if (r >= 0 && ll)
        r = landlock_negotiate(ll, landlock_abi_version(), err);
    if (r >= 0 && ll)
        r = landlock_prepare(ll, &llfd, err);
    landlock_policy_free(ll);
    if (r >= 0 && ec->seccomp && sc_load_before_identity(ec->proc))
        r = exec_seccomp(ec, err);
    if (r >= 0)
        r = process_set_identity(ec->proc, err);
    /* the identity switch sets dumpable from fs.suid_dumpable: stay sealed
     * until execve (CVE-2016-9962) */
    if (r >= 0 && prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
        r = brick_err_errno(err, errno, "prctl(PR_SET_DUMPABLE)");
    if (r >= 0)
        r = process_set_no_new_privs(ec->proc, err);
    if (r >= 0)
        r = lsm_exec_attrs_write(lsm, err);
    if (r >= 0) {
        r = landlock_enforce(llfd, err);
        llfd = -1;
    }
    if (r >= 0)
        r = exec_seccomp(ec, err);
    if (llfd >= 0)
        close(llfd);
    return r;
}

/* A container without a mount namespace of its own: its root is the init's
 * chroot, which setns does not give (it gives none when the init shares our
 * mount namespace, that namespace's root when the container was made in
 * another one). Taken through the verified host procfs; the pidfd proves
 * the pid was still the init's. */
static int enter_init_root(struct exec_ctx *ec, struct brick_error *err)
{
    char path[32];
    snprintf(path, sizeof(path), "%d/root", ec->init_pid);
    _cleanup_close_ int fd = openat(ec->host_procfd, path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return brick_err_errno(err, errno, "open the container's root (/proc/%d/root)", ec->init_pid);
    if (pidfd_signal(ec->init_pidfd, 0) < 0)
        return brick_err(err, ESRCH, "the container's init exited");
    if (fchdir(fd) < 0 || chroot(".") < 0 || chdir("/") < 0)
        return brick_err_errno(err, errno, "enter the container's root");
    return 0;
}

static int exec_setup(struct exec_ctx *ec, char **ret_exe, struct brick_error *err)
{
    if (setns(ec->init_pidfd, ec->ns_flags) < 0)
        return brick_err_errno(err, errno, "join the container's namespaces");
    bool own_mntns = oci_spec_namespace(ec->spec, OCI_NS_MOUNT) != NULL;
    int r = own_mntns && (ec->ns_flags & CLONE_NEWNS) ? 0 : enter_init_root(ec, err);
    if (r < 0)
        return r;
    if (setsid() < 0)
        return brick_err_errno(err, errno, "setsid");
    const struct oci_process *p = ec->proc;
    /* The host procfs (a directory fd) is done with before any path of the
     * container is resolved: the LSM attribute files (plain files) are
     * opened now, the procfs fd closed (CVE-2024-21626). */
    struct lsm_exec_attrs lsm = LSM_EXEC_ATTRS_INIT;
    r = lsm_exec_attrs_open(ec->host_procfd, p, &lsm, err);
    close(ec->host_procfd);
    ec->host_procfd = -1;
    if (r < 0)
        return r;
    r = process_set_rlimits(p, err);
    if (r >= 0)
        r = exec_console(ec, err);
    if (r >= 0)
        process_default_home(ec->proc);
    if (r >= 0)
        r = process_set_personality(&ec->spec->linux_.personality, err);
    if (r >= 0)
        r = process_find_executable(p, ret_exe, err);
    if (r >= 0 && (r = fds_prepare_exec(ec->opts->preserve_fds)) < 0)
        r = brick_err_errno(err, -r, "mark fds close-on-exec");
    if (r >= 0)
        r = process_enter_cwd(p, err);
    if (r >= 0)
        r = exec_harden(ec, &lsm, err);
    lsm_exec_attrs_close(&lsm);
    return r;
}

_Noreturn static void exec_child(struct exec_ctx *ec)
{
    struct brick_error err = {0};
    _cleanup_free_ char *exe = NULL;
    /* Visible in the container from our first instruction, non-dumpable
     * (clone3_fork_into): still, the caller's environment (its secrets) is
     * wiped before anything else, so that even a process of the container
     * with CAP_SYS_PTRACE finds little of the host's in us. */
    (void)environ_scrub(ec->host_procfd);
    close(ec->sync_parent);
    if (ec->console_parent >= 0)
        close(ec->console_parent);
    /* flock() belongs to the open file description: our copy would hold the
     * container's lock for as long as we live (even frozen by pause). */
    close(ec->state_dirfd);
    /* as the init does (init.c): no directory of the host stays open */
    if (fds_close_dirs(ec->host_procfd, ec->opts->preserve_fds, &ec->host_procfd, 1) < 0) {
        brick_err(&err, EIO, "exec: cannot list the inherited fds (host procfs)");
        sync_send_error(ec->sync_child, &err);
        _exit(1);
    }
    /* Into the container's cgroup, before anything else: cloned into its
     * cgroup2 hierarchy, moving ourselves into the v1 ones (no grace period
     * for the kernel's global lock, as for the init: create.c). */
    int r = 0;
    if (ec->cgroup && !ec->cloned_into && cgroup_has_v2(ec->cgroup)) {
        r = cgroup_place(ec->cgroup, 0, &err); /* no CLONE_INTO_CGROUP (before 5.7): "0" is us */
    } else if (ec->cgroup && ec->cgroup->layout != CGROUP_LAYOUT_V2) {
        int *cgfds = NULL;
        r = cgroup_self_open(ec->cgroup, &cgfds, &err);
        if (r >= 0)
            r = cgroup_place_self_v1(ec->cgroup, cgfds, &err);
        cgroup_self_close(ec->cgroup, &cgfds); /* host directories: never past this point */
    }
    if (r < 0) {
        brick_err_prefix(&err, "exec: join the container's cgroup");
        sync_send_error(ec->sync_child, &err);
        _exit(1);
    }
    if (exec_setup(ec, &exe, &err) < 0) {
        sync_send_error(ec->sync_child, &err);
        _exit(1);
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    static char *const no_env[] = {NULL};
    execve(exe, ec->proc->args, ec->proc->env ? ec->proc->env : no_env);
    process_exec_error(&err, errno, ec->proc->args[0]);
    sync_send_error(ec->sync_child, &err);
    _exit(127);
}

/* Wait for E's answer: a message, or EOF once it exec'd (-EPIPE). E is in
 * the container's pid namespace from birth, where a process of the
 * container may SIGSTOP it: we would wait for ever. So the wait wakes every
 * 100 ms to look (WNOWAIT: the stop stays to be collected): -ESTRPIPE. */
static int await_exec(int sock, pid_t pid, int pidfd, struct sync_msg *m)
{
    struct pollfd p[2] = {{.fd = sock, .events = POLLIN}, {.fd = pidfd, .events = POLLIN}};
    for (;;) {
        int n = poll(p, 2, 100);
        if (n < 0 && errno != EINTR)
            return -errno;
        if (n > 0 && p[0].revents)
            return sync_recv(sock, m);
        if (n > 0 && p[1].revents) /* dead: whatever it sent is queued */
            return poll(p, 1, 0) > 0 ? sync_recv(sock, m) : -EPIPE;
        siginfo_t si = {0};
        if (waitid(P_PID, (id_t)pid, &si, WSTOPPED | WNOHANG | WNOWAIT | __WALL) == 0 && si.si_pid == pid &&
            si.si_code == CLD_STOPPED) {
            /* exec'd and stopped later (a job-control stop of the program)? */
            if (poll(p, 1, 0) > 0)
                return sync_recv(sock, m);
            return -ESTRPIPE;
        }
    }
}

/* Start E; returns its pid, after it exec'd (or the reason it could not).
 * E is forked (a copy of our memory, never shared with us): it is visible in
 * the container's pid namespace at once, and a process of the container
 * holding CAP_SYS_PTRACE (an earlier `exec --cap` may have granted it, which
 * no config records) could open /proc/<E>/mem; shared memory would stay ours
 * after E's execve. */
static pid_t spawn_exec(struct exec_ctx *ec, int *ret_pidfd, struct brick_error *err)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
        return brick_err_errno(err, errno, "socketpair");
    ec->sync_parent = sv[0];
    ec->sync_child = sv[1];
    /* setns of a pid namespace applies to our future children only. */
    int early = ec->ns_flags & (CLONE_NEWPID | CLONE_NEWTIME);
    /* Unprivileged, we have no CAP_SYS_ADMIN over our own namespaces, which
     * joining a pid namespace needs: we enter the container's user namespace
     * with it (the kernel checks the credentials it gives), and E inherits
     * it. */
    if (early && running_unprivileged() && (ec->ns_flags & CLONE_NEWUSER)) {
        early |= CLONE_NEWUSER;
        /* We keep the host's root and mount namespace and gain every
         * capability of the container's user namespace: a process of the
         * container that could ptrace us (no pid namespace of its own, and
         * CAP_SYS_PTRACE there) would reach the host through /proc/<us>/root.
         * Non-dumpable, our memory's user namespace (the host's) decides,
         * where the container has nothing. */
        prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    }
    if (early && setns(ec->init_pidfd, early) < 0)
        return brick_err_errno(err, errno, "join the container's pid namespace");
    ec->ns_flags &= ~(early & CLONE_NEWUSER);
    _cleanup_close_ int cgfd = -EBADF;
    ec->cloned_into = ec->cgroup && cgroup_open_v2_dir(ec->cgroup, &cgfd) == 0;
    pid_t pid = ec->cloned_into ? clone3_fork_into(0, cgfd, ret_pidfd) : clone3_fork(0, ret_pidfd);
    if (ec->cloned_into && (pid == -EINVAL || pid == -ENOSYS || pid == -E2BIG)) {
        ec->cloned_into = false; /* a kernel before CLONE_INTO_CGROUP (5.7) */
        pid = clone3_fork(0, ret_pidfd);
    }
    if (pid < 0)
        return brick_err_errno(err, -pid, "clone3");
    if (pid == 0)
        exec_child(ec);
    close(ec->sync_child);
    ec->sync_child = -1;
    struct sync_msg m;
    int r = await_exec(ec->sync_parent, pid, *ret_pidfd, &m);
    if (r == -EPIPE)
        return pid;
    if (r == -ESTRPIPE) {
        /* stopped before its execve: only a process of the container can
         * have done that (E is non-dumpable, so not by ptrace) */
        (void)pidfd_signal(*ret_pidfd, SIGKILL);
        waitpid(pid, NULL, __WALL);
        return brick_err(err, ECANCELED, "exec: the process was stopped before it started: killed");
    }
    waitpid(pid, NULL, __WALL);
    if (r == 0 && m.type == SYNC_ERROR) {
        m.err.msg[sizeof(m.err.msg) - 1] = '\0';
        *err = m.err;
        return m.err.code > 0 ? -m.err.code : -EINVAL;
    }
    return brick_err(err, EPROTO, "exec: unexpected answer from the process");
}

static void exec_ctx_done(struct exec_ctx *ec)
{
    int fds[] = {ec->init_pidfd, ec->sync_parent, ec->sync_child, ec->console_fd, ec->console_parent};
    for (size_t i = 0; i < ARRAY_SIZE(fds); i++)
        if (fds[i] >= 0)
            close(fds[i]);
    oci_process_free(ec->proc);
    oci_spec_free(ec->spec);
    sc_prog_free(ec->seccomp);
    if (ec->host_procfd >= 0)
        close(ec->host_procfd);
}

static int write_pid(const char *path, pid_t pid, struct brick_error *err)
{
    char buf[32];
    snprintf(buf, sizeof(buf), "%d", pid);
    _cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || write_all(fd, buf, strlen(buf)) < 0)
        return brick_err_errno(err, errno, "write pid file %s", path);
    return 0;
}

/* As create does: the labels need their LSM, brick-default is loaded if the
 * kernel lost it since (a profile can be removed while a container runs). */
static int exec_check_lsm(struct exec_ctx *ec, struct brick_error *err)
{
    struct lsm_host host;
    lsm_host_detect(&host);
    int r = lsm_check_process(ec->proc, &host, err);
    if (r >= 0)
        r = runtime_apparmor_prepare(ec->host_procfd, ec->proc->apparmor_profile, &host, err);
    return r;
}

static int exec_in(struct handle *h, struct exec_ctx *ec, int *ret_status, struct brick_error *err)
{
    enum container_status s = container_status(&h->st);
    if (s == STATUS_PAUSED && !ec->opts->ignore_paused)
        return brick_err(err, EBUSY, "cannot exec in a paused container (see --ignore-paused)");
    if (s != STATUS_RUNNING && s != STATUS_CREATED && s != STATUS_PAUSED)
        return brick_err(err, EINVAL, "cannot exec in a %s container", container_status_name(s));
    int r = build_process(h, ec, err);
    /* no mount namespace: the chroot holds only without the capabilities that leave it */
    if (r >= 0 && !oci_spec_namespace(ec->spec, OCI_NS_MOUNT))
        r = rootfs_check_process_without_mntns(ec->proc, ec->opts->process_file ? "--process" : "process", err);
    if (r >= 0)
        r = open_console(ec, err);
    if (r >= 0 && ec->spec->linux_.seccomp.present)
        r = sc_prepare(&ec->spec->linux_.seccomp, ec->opts->root, &ec->seccomp, err);
    if (r >= 0 && (r = procfs_open_verified(&ec->host_procfd)) < 0)
        r = brick_err_errno(err, -r, "open /proc");
    if (r >= 0)
        r = exec_check_lsm(ec, err);
    if (r < 0)
        return r;
    if (!state_pid_alive(&h->st, &ec->init_pidfd) || !state_init_is_ours(h->dirfd, &h->st))
        return brick_err(err, ESRCH, "cannot exec in container \"%s\": container not running", h->st.id);
    ec->init_pid = h->st.pid;
    ec->ns_flags = differing_namespaces(h->st.pid);
    /* Everything needed is read and the pidfd pins the init: drop the lock so
     * pause/resume/delete are not blocked behind a long exec. */
    flock(h->dirfd, LOCK_UN);
    _cleanup_close_ int pidfd = -EBADF;
    pid_t pid = spawn_exec(ec, &pidfd, err);
    if (pid < 0)
        return pid;
    if (ec->opts->pid_file && (r = write_pid(ec->opts->pid_file, pid, err)) < 0)
        return r;
    if (ec->opts->pidfd_socket && (r = brick_send_pidfd(ec->opts->pidfd_socket, pidfd, err)) < 0)
        return r;
    if (ec->opts->detach)
        return 0;
    int master = -1;
    if (ec->console_parent >= 0 && recv_fd(ec->console_parent, &master) < 0)
        master = -1;
    *ret_status = foreground_wait(pid, pidfd, master);
    return 0;
}

int brick_exec(const struct brick_exec_opts *opts, int *ret_status, struct brick_error *err)
{
    struct handle h;
    struct exec_ctx ec = {.opts = opts, .init_pidfd = -1, .sync_parent = -1, .sync_child = -1,
                          .console_fd = -1, .console_parent = -1, .state_dirfd = -1,
                          .host_procfd = -1};
    *ret_status = 0;
    sigset_t old;
    /* Only a foreground exec forwards signals; a detached one must stay
     * killable while it waits for the process to start. */
    if (!opts->detach)
        foreground_block_signals(&old);
    struct cgroup cg;
    bool have_cg = false;
    int r = handle_open(opts->root, opts->id, false, &h, err);
    if (r >= 0) {
        have_cg = state_cgroup_owned(h.dirfd, &h.st, NULL, &cg);
        ec.state_dirfd = h.dirfd;
        ec.cgroup = have_cg ? &cg : NULL;
        r = exec_in(&h, &ec, ret_status, err);
    }
    if (have_cg)
        cgroup_done(&cg);
    handle_done(&h);
    exec_ctx_done(&ec);
    if (!opts->detach)
        sigprocmask(SIG_SETMASK, &old, NULL);
    return r;
}

int brick_wipe_cmdline(void)
{
    _cleanup_close_ int procfd = -EBADF;
    int r = procfs_open_verified(&procfd);
    return r < 0 ? r : cmdline_wipe(procfd, NULL);
}

int brick_wipe_environment(void)
{
    _cleanup_close_ int procfd = -EBADF;
    int r = procfs_open_verified(&procfd);
    return environ_scrub(r < 0 ? -1 : procfd);
}
