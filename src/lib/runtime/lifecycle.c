/* lifecycle.c — create, start, kill, delete, state and list on the state
 * directory: every command locks the container directory, checks the status
 * from the recorded pid and its start time (a recycled pid is never
 * signalled), and acts through a pidfd. */
#include "core/missing.h"
#include "core/cleanup.h"
#include "core/error.h"
#include "core/fd.h"
#include "core/log.h"
#include "core/util.h"
#include "cgroup/cgroup.h"
#include "cgroup/systemd_path.h"
#include "hooks/hooks.h"
#include "runtime/internal.h"
#include "runtime/logger.h"
#include "runtime/runtime.h"
#include "runtime/sync.h"
#include "spec/json.h"
#include "spec/spec.h"
#include "spec/parse_resources_doc.h"
#include "state/state.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

void handle_done(struct handle *h)
{
    if (h->dirfd >= 0)
        close(h->dirfd);
    if (h->rootfd >= 0)
        close(h->rootfd);
    container_state_done(&h->st);
}

int handle_open(const char *root, const char *id, bool exclusive, struct handle *h,
                struct brick_error *err)
{
    *h = (struct handle){.rootfd = -1, .dirfd = -1};
    int r = state_root_open(root, false, &h->rootfd, err);
    if (r == -ENOENT)
        return brick_err(err, ENOENT, "container \"%s\" does not exist", id);
    if (r < 0)
        return r;
    r = state_dir_open(h->rootfd, id, &h->dirfd, err);
    if (r < 0)
        return r;
    state_lock(h->dirfd, exclusive);
    return state_read(h->dirfd, id, &h->st, err);
}

int load_saved_config(struct handle *h, struct oci_spec **ret, struct brick_error *err)
{
    int r = oci_spec_load(h->dirfd, "config.json", ret, err);
    if (r < 0)
        return brick_err_prefix(err, "saved config of \"%s\"", h->st.id);
    return 0;
}

int brick_create(const struct brick_create_opts *opts, struct brick_error *err)
{
    struct create_ctx ctx = CREATE_CTX_INIT(opts);
    create_take_fds(&ctx); /* before the runtime opens any fd */
    int dirfd = -1;
    int r = create_container(&ctx, false, &dirfd, err);
    if (dirfd >= 0)
        close(dirfd);
    create_ctx_done(&ctx);
    return r;
}

static void run_poststart(struct handle *h, struct oci_spec *spec)
{
    if (spec->hooks[OCI_HOOK_POSTSTART].n == 0)
        return;
    _cleanup_free_ char *json = state_to_oci_json(&h->st, STATUS_RUNNING, spec, false);
    struct brick_error herr;
    /* runtime-spec: a failing poststart hook is a warning; the container runs on. */
    if (hooks_run(spec, OCI_HOOK_POSTSTART, json, &herr) < 0)
        log_warn("%s", herr.msg);
}

/* Mark started, record it, run poststart hooks. Shared with run. */
int container_started(int dirfd, struct container_state *st, struct oci_spec *spec,
                      struct brick_error *err)
{
    bool recorded = st->started; /* run records it with the rest (create.c) */
    st->started = true;
    unlinkat(dirfd, "exec.sock", 0);
    int r = recorded ? 0 : state_write(dirfd, st, err);
    if (r < 0)
        return r;
    struct handle h = {.dirfd = dirfd, .st = *st};
    run_poststart(&h, spec);
    return 0;
}

static int release_init(struct handle *h, struct brick_error *err)
{
    struct sockaddr_un sa;
    exec_sock_address(h->dirfd, &sa);
    _cleanup_close_ int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return brick_err_errno(err, errno, "socket");
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
        return brick_err_errno(err, errno, "connect to the container init");
    int r = sync_send(fd, SYNC_START, 0);
    if (r < 0)
        return brick_err_errno(err, -r, "start the container init");
    /* The init closes this socket (close-on-exec) when execve succeeds, or
     * sends the reason it failed. */
    struct sync_msg m;
    r = sync_recv(fd, &m);
    if (r == -EPIPE)
        return 0;
    if (r == 0 && m.type == SYNC_ERROR) {
        m.err.msg[sizeof(m.err.msg) - 1] = '\0';
        *err = m.err;
        return -EINVAL;
    }
    return brick_err(err, EPROTO, "unexpected answer from the container init");
}

int brick_start(const char *root, const char *id, struct brick_error *err)
{
    struct handle h;
    int r = handle_open(root, id, true, &h, err);
    if (r < 0)
        goto out;
    enum container_status s = container_status(&h.st);
    if (s != STATUS_CREATED) {
        r = brick_err(err, EINVAL, "cannot start a container that is %s", container_status_name(s));
        goto out;
    }
    struct oci_spec *spec = NULL;
    r = load_saved_config(&h, &spec, err);
    if (r < 0)
        goto out;
    r = release_init(&h, err);
    if (r >= 0)
        r = container_started(h.dirfd, &h.st, spec, err);
    oci_spec_free(spec);
out:
    handle_done(&h);
    return r;
}

/* Is pid in the same pid namespace as ref (by /proc/PID/ns/pid inode)? */
static bool same_pidns(pid_t pid, ino_t ns_ino)
{
    char path[64];
    struct stat st;
    snprintf(path, sizeof(path), "/proc/%d/ns/pid", pid);
    return stat(path, &st) == 0 && st.st_ino == ns_ino;
}

/* The processes of init's own pid namespace (init first), in our pid
 * namespace's numbers; none when the container shares ours: the host's
 * processes are never listed. Each is checked through a pidfd opened first:
 * a pid recycled by a host process in between fails the namespace check,
 * and the pidfd (kept in ret_fds when asked) reaches only the process it
 * was opened on. */
static int cmp_pid(const void *a, const void *b)
{
    pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
    return (x > y) - (x < y);
}

static size_t pidns_members(pid_t init, pid_t **ret, int **ret_fds)
{
    char path[64];
    struct stat init_ns, self_ns;
    *ret = NULL;
    if (ret_fds)
        *ret_fds = NULL;
    snprintf(path, sizeof(path), "/proc/%d/ns/pid", init);
    if (stat(path, &init_ns) < 0 || stat("/proc/self/ns/pid", &self_ns) < 0 ||
        init_ns.st_ino == self_ns.st_ino)
        return 0;
    _cleanup_closedir_ DIR *d = opendir("/proc");
    struct dirent *de;
    size_t n = 0;
    while (d && (de = readdir(d))) {
        int pid;
        if (parse_int(de->d_name, &pid) < 0)
            continue;
        int fd = pidfd_open_pid(pid);
        if (fd < 0 || !same_pidns(pid, init_ns.st_ino)) {
            if (fd >= 0)
                close(fd);
            continue;
        }
        *ret = xrealloc(*ret, (n + 1) * sizeof(**ret));
        (*ret)[n] = pid;
        if (ret_fds) {
            *ret_fds = xrealloc(*ret_fds, (n + 1) * sizeof(**ret_fds));
            (*ret_fds)[n] = fd;
        } else {
            close(fd);
        }
        n++;
    }
    return n;
}

/* kill --all without a cgroup: every process of the container's own pid
 * namespace but the init; without a pid namespace of its own only the init
 * is signalled (by the caller). */
static void signal_all(pid_t init, int sig)
{
    _cleanup_free_ pid_t *pids = NULL;
    _cleanup_free_ int *fds = NULL;
    size_t n = pidns_members(init, &pids, &fds);
    for (size_t i = 0; i < n; i++) {
        if (pids[i] != init)
            pidfd_signal(fds[i], sig);
        close(fds[i]);
    }
}

/* The container's cgroup from its state record; false when it has none
 * (created by a brick without cgroups), or the record is not to be used:
 * state.json is input, and a record naming a directory outside a cgroup
 * file system or above the container's cgroup would turn a kill or an rmdir
 * on the host (cgroup_from_json checks the paths, cgroup_verify_mounts the
 * file systems). */
bool state_cgroup(const struct container_state *st, struct cgroup *cg)
{
    struct brick_error e;
    if (!st->cgroup)
        return false;
    if (cgroup_from_json(st->cgroup, cg, &e) < 0)
        goto bad;
    if (cgroup_verify_mounts(cg, &e) < 0) {
        cgroup_done(cg);
        goto bad;
    }
    /* only a rootless runtime makes a user manager's scopes */
    if (cg->manager && !running_unprivileged()) {
        cgroup_done(cg);
        brick_err(&e, EPERM, "a user manager's scope is its user's to remove");
        goto bad;
    }
    return true;
bad:
    log_warn("container \"%s\": %s: its cgroup is left alone", st->id, e.msg);
    return false;
}

/* For what kills or removes: the record must also be the cgroup the saved
 * config names (a record pointing at another cgroup of the host, however
 * clean its paths, is not this container's). */
bool state_cgroup_owned(int dirfd, const struct container_state *st, const struct oci_spec *spec,
                        struct cgroup *cg)
{
    struct oci_spec *loaded = NULL;
    struct brick_error ignored;
    if (!state_cgroup(st, cg))
        return false;
    if (!spec && oci_spec_load(dirfd, "config.json", &loaded, &ignored) == 0)
        spec = loaded;
    /* without a readable config, only the default /brick/<id> is ours */
    bool ok = cgroup_record_is_config(cg, spec ? spec->linux_.cgroups_path : NULL, st->id);
    oci_spec_free(loaded);
    if (!ok) {
        log_warn("container \"%s\": its cgroup record does not name the cgroup of its config: left alone",
                 st->id);
        cgroup_done(cg);
    }
    return ok;
}

/* The recorded pid and its start time come from state.json, which is input:
 * the init is ours only when it is in the container's own cgroup (the one
 * its config names). A host without cgroups has nothing to check against. */
static bool pid_in_cgroup_path(pid_t pid, const char *path)
{
    char file[64];
    snprintf(file, sizeof(file), "/proc/%d/cgroup", (int)pid);
    _cleanup_free_ char *text = NULL, *want = xasprintf(":%s\n", path);
    return read_file_at(AT_FDCWD, file, BRICK_READ_SMALL, &text, NULL) >= 0 && strstr(text, want);
}

bool state_init_is_ours(int dirfd, const struct container_state *st)
{
    if (!st->cgroup)
        return true;
    /* against the cgroup the saved config names, not the record (a hostile
     * record must not stop a delete from killing the real init either) */
    struct oci_spec *spec = NULL;
    struct brick_error e;
    (void)oci_spec_load(dirfd, "config.json", &spec, &e);
    const char *cp = spec ? spec->linux_.cgroups_path : NULL;
    _cleanup_free_ char *sd = NULL, *plain = !cp || !*cp ? xasprintf("/brick/%s", st->id)
                                           : cp[0] == '/' ? xstrdup(cp) : NULL;
    if (cp && *cp && strchr(cp, ':'))
        (void)cgroup_systemd_path(cp, st->id, &sd, &e);
    /* a user manager's scope: the config's path under the manager the record
     * names (only for a rootless runtime, whose record is the user's own) */
    struct cgroup rec;
    if (running_unprivileged() && cgroup_from_json(st->cgroup, &rec, &e) == 0) {
        if (rec.manager) {
            free(plain);
            free(sd);
            plain = sd = NULL;
            (void)cgroup_systemd_user_path(cp, st->id, rec.manager, &sd, &e);
        }
        cgroup_done(&rec);
    }
    oci_spec_free(spec);
    size_t l = plain ? strlen(plain) : 0;
    while (l > 1 && plain[l - 1] == '/')
        plain[--l] = '\0';
    bool ours;
    if (plain || sd) {
        ours = (plain && pid_in_cgroup_path(st->pid, plain)) || (sd && pid_in_cgroup_path(st->pid, sd));
    } else { /* relative to the creator's cgroup: the record, checked against the config */
        struct cgroup cg;
        ours = state_cgroup_owned(dirfd, st, NULL, &cg);
        if (ours) {
            ours = cgroup_has_pid(&cg, st->pid);
            cgroup_done(&cg);
        }
    }
    if (!ours)
        log_warn("container \"%s\": pid %d is not in its cgroup: not signalled", st->id, (int)st->pid);
    return ours;
}

/* kill --all: through the cgroup, which holds every process of the container
 * whatever its namespaces; the pid-namespace scan is the fallback. */
static void signal_every_process(int dirfd, const struct container_state *st, int sig, bool init_alive)
{
    struct cgroup cg;
    struct brick_error ignored;
    if (!state_cgroup_owned(dirfd, st, NULL, &cg)) {
        /* the scan starts from the init's pid namespace: only while the
         * init is ours (checked), never through a pid that may be reused */
        if (init_alive)
            signal_all(st->pid, sig);
        return;
    }
    cgroup_signal_all(&cg, sig, &ignored);
    cgroup_done(&cg);
}

/* created/running, or paused when the cgroup is frozen. */
enum container_status container_status(const struct container_state *st)
{
    enum container_status s = state_status(st);
    struct cgroup cg;
    if ((s == STATUS_RUNNING || s == STATUS_CREATED) && state_cgroup(st, &cg)) {
        if (cgroup_is_frozen(&cg) == 1)
            s = STATUS_PAUSED;
        cgroup_done(&cg);
    }
    return s;
}

int brick_kill(const char *root, const char *id, int sig, bool all, struct brick_error *err)
{
    struct handle h;
    int r = handle_open(root, id, false, &h, err);
    _cleanup_close_ int pidfd = -EBADF;
    if (r >= 0 && (!state_pid_alive(&h.st, &pidfd) || !state_init_is_ours(h.dirfd, &h.st))) {
        /* kill --all of a stopped container, as runc: whatever is left in
         * its cgroup (processes of a pod-shared pid namespace), and success */
        if (all) {
            signal_every_process(h.dirfd, &h.st, sig, false);
            handle_done(&h);
            return 0;
        }
        /* engines match runc's words: containerd's shim treats a kill error
         * holding "container not running" as "already finished" */
        r = brick_err(err, ESRCH, "cannot signal container \"%s\": container not running", id);
    }
    if (r >= 0 && all)
        signal_every_process(h.dirfd, &h.st, sig, true);
    if (r >= 0 && (r = pidfd_signal(pidfd, sig)) < 0)
        r = brick_err_errno(err, -r, "signal %d to container \"%s\"", sig, id);
    handle_done(&h);
    return r;
}

/* SIGKILL the init (its pid namespace dies with it) and wait for the exit,
 * at most 3 s: the pidfd turns readable when the process is gone, child of
 * ours or not. -ETIMEDOUT when it is still there (stuck in the kernel). */
static int kill_and_wait(struct container_state *st, struct brick_error *err)
{
    _cleanup_close_ int pidfd = -EBADF;
    if (!state_pid_alive(st, &pidfd))
        return 0;
    signal_all(st->pid, SIGKILL);
    pidfd_signal(pidfd, SIGKILL);
    struct pollfd p = {.fd = pidfd, .events = POLLIN};
    int n;
    while ((n = poll(&p, 1, 3000)) < 0 && errno == EINTR)
        ;
    if (n == 0)
        return brick_err(err, ETIMEDOUT, "process %d (state %c) still there 3 s after SIGKILL", st->pid,
                         proc_state(st->pid));
    return 0;
}

/* delete -f could not make the container's processes go: the state stays,
 * so that a later delete -f finds them again. */
static int stuck(const struct container_state *st, struct brick_error *err)
{
    char why[sizeof(err->msg)];
    snprintf(why, sizeof(why), "%s", err->msg);
    return brick_err(err, ETIMEDOUT, "cannot delete container \"%s\": %s; its state is kept for another delete -f",
                     st->id, why);
}

/* The directory goes, or is recycled for another container: the output
 * logger (brick do -d) must not write into it any more. */
static int remove_dir(int rootfd, const char *id, int dirfd)
{
    logger_stop(dirfd);
    return state_dir_remove(rootfd, id, dirfd);
}

int container_destroy(int rootfd, int dirfd, struct container_state *st, const struct oci_spec *spec,
                      struct brick_error *err)
{
    /* The cgroup first: it kills every process, frozen ones included, and
     * goes away with the directories we created. */
    /* run passes the config it created from (the saved copy is the same
     * text): parsing it again is most of run's teardown in user space. */
    struct oci_spec *loaded = NULL;
    struct brick_error lerr;
    if (!spec && oci_spec_load(dirfd, "config.json", &loaded, &lerr) == 0)
        spec = loaded;
    /* whether the recorded init is ours, asked while it lives in its cgroup
     * (a dying task leaves it) */
    bool init_ours = state_pid_alive(st, NULL) && state_init_is_ours(dirfd, st);
    struct cgroup cg;
    int r = 0;
    if (state_cgroup_owned(dirfd, st, spec, &cg)) {
        struct brick_error cerr;
        r = cgroup_driver_of(&cg)->destroy(&cg, &cerr);
        if (r == -ETIMEDOUT) /* its processes are still there */
            *err = cerr;
        else if (r < 0)
            log_warn("%s", cerr.msg);
        cgroup_done(&cg);
    }
    if (r != -ETIMEDOUT && init_ours)
        r = kill_and_wait(st, err);
    if (r == -ETIMEDOUT) {
        oci_spec_free(loaded);
        return stuck(st, err);
    }
    if (spec && spec->hooks[OCI_HOOK_POSTSTOP].n > 0) {
        _cleanup_free_ char *json = state_to_oci_json(st, STATUS_STOPPED, spec, false);
        struct brick_error herr;
        if (hooks_run(spec, OCI_HOOK_POSTSTOP, json, &herr) < 0)
            log_warn("%s", herr.msg);
    }
    oci_spec_free(loaded);
    r = remove_dir(rootfd, st->id, dirfd);
    if (r < 0)
        return brick_err_errno(err, -r, "remove state of \"%s\"", st->id);
    return 0;
}

/* delete of the container whose state h holds, locked exclusively */
static int delete_locked(struct handle *h, bool force, struct brick_error *err)
{
    enum container_status s = container_status(&h->st);
    if ((s == STATUS_RUNNING || s == STATUS_PAUSED) && !force)
        return brick_err(err, EBUSY, "cannot delete container \"%s\" that is not stopped: %s", h->st.id,
                         container_status_name(s));
    return container_destroy(h->rootfd, h->dirfd, &h->st, NULL, err);
}

/* delete -f of a container whose state.json is corrupt: its init and
 * processes are found through the cgroup its saved config names (resolved
 * as create did), the directories brick made there removed. */
static int destroy_unreadable(struct handle *h, const char *id, const struct brick_error *why)
{
    struct oci_spec *spec = NULL;
    struct brick_error e;
    if (oci_spec_load(h->dirfd, "config.json", &spec, &e) == 0) {
        struct cgroup cg;
        _cleanup_free_ char *self = NULL;
        (void)read_file_at(AT_FDCWD, "/proc/self/cgroup", BRICK_READ_SMALL, &self, NULL);
        if (cgroup_detect(NULL, &cg, &e) == 0) {
            /* the saved config sits beside the corrupt state and is no more
             * trusted: only an absolute cgroup named after this container
             * (its leaf holds the id: /brick/<id>, /k8s.io/<id>,
             * libpod-<id>.scope) is killed and removed */
            const char *cp = spec->linux_.cgroups_path;
            const char *leaf = cp ? strrchr(cp, '/') : NULL;
            bool named = !cp || !*cp || (cp[0] == '/' && leaf && strstr(leaf, id));
            if (named && cgroup_resolve(&cg, cp, id, self, &e) == 0) {
                for (size_t i = 0; i < cg.n; i++)
                    if (!cg.h[i].created)
                        cg.h[i].created = xstrdup(cg.h[i].dir); /* the leaf only */
                if (cgroup_driver_of(&cg)->destroy(&cg, &e) < 0)
                    log_warn("container \"%s\": %s", id, e.msg);
            } else if (!named) {
                log_warn("container \"%s\": its cgroup %s is not named after it: left alone", id, cp);
            }
            cgroup_done(&cg);
        }
    }
    oci_spec_free(spec);
    log_warn("container \"%s\": %s: removed with what its saved config names", id, why->msg);
    return remove_dir(h->rootfd, id, h->dirfd);
}

int brick_delete(const char *root, const char *id, bool force, struct brick_error *err)
{
    struct handle h;
    /* an id that can name no container is an error, force or not */
    if (!container_id_valid(id))
        return brick_err(err, EINVAL, "invalid container id \"%s\"", id ? id : "");
    int r = handle_open(root, id, true, &h, err);
    if (r < 0 && force && ((r == -ENOENT && h.dirfd < 0) || r == -ESTALE)) {
        handle_done(&h); /* nothing to remove: runc exits 0 silently */
        return 0;
    }
    if (r < 0) {
        /* A directory without state is debris of a create killed before it
         * recorded anything (nothing exists outside the directory then). */
        if (r == -ENOENT && h.dirfd >= 0 && force)
            r = remove_dir(h.rootfd, id, h.dirfd);
        else if (r == -EUCLEAN && h.dirfd >= 0 && force)
            r = destroy_unreadable(&h, id, err);
        handle_done(&h);
        return r;
    }
    r = delete_locked(&h, force, err);
    handle_done(&h);
    return r;
}

int brick_instance_of(const char *root, const char *id, struct brick_instance *ret, int *ret_pidfd,
                      struct brick_error *err)
{
    struct handle h;
    *ret = (struct brick_instance){0};
    if (ret_pidfd)
        *ret_pidfd = -1;
    int r = handle_open(root, id, false, &h, err);
    if (r >= 0) {
        ret->pid = h.st.pid;
        ret->pid_start = h.st.pid_start;
        /* under the lock: the pidfd is of the recorded process (start time
         * checked), never of a recycled pid */
        if (ret_pidfd && h.st.pid > 0 && !state_pid_alive(&h.st, ret_pidfd))
            *ret_pidfd = -1;
    }
    handle_done(&h);
    return r;
}

int brick_delete_instance(const char *root, const char *id, const struct brick_instance *inst,
                          struct brick_error *err)
{
    struct handle h;
    int r = handle_open(root, id, true, &h, err);
    if (r == -ENOENT) {
        handle_done(&h);
        return 0; /* gone already */
    }
    if (r >= 0 && h.st.pid == inst->pid && h.st.pid_start == inst->pid_start)
        r = delete_locked(&h, false, err);
    handle_done(&h);
    return r;
}

int brick_state(const char *root, const char *id, char **ret_json, struct brick_error *err)
{
    struct handle h;
    int r = handle_open(root, id, false, &h, err);
    if (r >= 0) {
        struct oci_spec *spec = NULL;
        struct brick_error ignored;
        (void)oci_spec_load(h.dirfd, "config.json", &spec, &ignored);
        *ret_json = state_to_oci_json(&h.st, container_status(&h.st), spec, true);
        oci_spec_free(spec);
    }
    handle_done(&h);
    return r;
}

char *brick_default_root(void)
{
    return state_default_root();
}

/* Who owns a container, as runc's list says: the user owning its state
 * directory, by name from the host's /etc/passwd, else "#UID". */
static char *state_owner(int dirfd)
{
    struct stat sb;
    if (fstat(dirfd, &sb) < 0)
        return xstrdup("");
    _cleanup_free_ char *text = NULL;
    char *name = read_file_at(AT_FDCWD, "/etc/passwd", BRICK_READ_CONFIG, &text, NULL) == 0
                     ? passwd_field(text, sb.st_uid, 0) : NULL;
    return name ? name : xasprintf("#%u", (unsigned)sb.st_uid);
}

static int cmp_info(const void *a, const void *b)
{
    return strcmp(((const struct brick_container_info *)a)->id,
                  ((const struct brick_container_info *)b)->id);
}

int brick_list(const char *root, struct brick_container_info **ret, size_t *ret_n,
               struct brick_error *err)
{
    *ret = NULL;
    *ret_n = 0;
    _cleanup_closedir_ DIR *d = opendir(root);
    if (!d)
        return errno == ENOENT ? 0 : brick_err_errno(err, errno, "open %s", root);
    struct brick_container_info *v = NULL;
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        struct container_state st = {0};
        struct brick_error e;
        _cleanup_close_ int fd = -EBADF;
        if (!container_id_valid(de->d_name) ||
            (fd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)) < 0)
            continue;
        int r = state_read(fd, de->d_name, &st, &e);
        if (r < 0 && r != -EUCLEAN && r != -ENOENT)
            continue;
        /* a create holds the lock until it recorded the init */
        bool busy = flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK;
        const char *status;
        if (r == -EUCLEAN || (r == -ENOENT && !busy)) {
            status = "unknown";
            log_warn("container \"%s\": %s: 'delete -f %s' removes it", de->d_name,
                     r == -ENOENT ? "no state (a create was killed)" : e.msg, de->d_name);
        } else if (r == -ENOENT || (st.pid == 0 && busy)) {
            status = "creating";
        } else {
            status = container_status_name(container_status(&st));
        }
        bool live = r == 0 && (streq(status, "running") || streq(status, "created") || streq(status, "paused"));
        v = xrealloc(v, (n + 1) * sizeof(*v));
        v[n++] = (struct brick_container_info){
            .id = xstrdup(st.id ? st.id : de->d_name),
            .pid = live ? st.pid : 0,
            .status = xstrdup(status),
            .bundle = xstrdup(st.bundle ? st.bundle : ""),
            .created = xstrdup(st.created ? st.created : ""),
            .owner = state_owner(fd),
            .namespaces = st.namespaces ? xstrdup(st.namespaces) : NULL,
        };
        if (r == 0)
            container_state_done(&st);
    }
    if (n)
        qsort(v, n, sizeof(*v), cmp_info);
    *ret = v;
    *ret_n = n;
    return 0;
}

void brick_container_info_free(struct brick_container_info *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].id);
        free(v[i].status);
        free(v[i].bundle);
        free(v[i].created);
        free(v[i].owner);
        free(v[i].namespaces);
    }
    free(v);
}

/* ---- cgroup verbs: pause, resume, update, ps, events ---- */

/* Open a container that has a cgroup and is alive. */
static int open_live_cgroup(const char *root, const char *id, bool exclusive, struct handle *h,
                            struct cgroup *cg, struct brick_error *err)
{
    int r = handle_open(root, id, exclusive, h, err);
    if (r < 0)
        return r;
    if (container_status(&h->st) == STATUS_STOPPED)
        return brick_err(err, EINVAL, "container \"%s\": container not running", id);
    if (!state_cgroup_owned(h->dirfd, &h->st, NULL, cg))
        return brick_err(err, ENOTSUP, "container \"%s\" has no cgroup", id);
    return 0;
}

static int freeze(const char *root, const char *id, bool pause, struct brick_error *err)
{
    struct handle h;
    struct cgroup cg = {0};
    int r = open_live_cgroup(root, id, true, &h, &cg, err);
    if (r >= 0) {
        enum container_status s = container_status(&h.st);
        if (pause && s == STATUS_PAUSED)
            r = brick_err(err, EINVAL, "container \"%s\" is already paused", id);
        else if (!pause && s != STATUS_PAUSED)
            r = brick_err(err, EINVAL, "container \"%s\" is not paused", id);
        else
            r = cgroup_freeze(&cg, pause, err);
    }
    cgroup_done(&cg);
    handle_done(&h);
    return r;
}

int brick_pause(const char *root, const char *id, struct brick_error *err)
{
    return freeze(root, id, true, err);
}

int brick_resume(const char *root, const char *id, struct brick_error *err)
{
    return freeze(root, id, false, err);
}

/* Objects merged field by field; linux.resources.devices rules appended
 * (update adds rules, as the cgroup does); anything else replaced. */
static void merge_json(bjson *dst, const bjson *src, bool append_arrays)
{
    bjson_iter it = bjson_object_iter(src);
    bjson *v = NULL, *d;
    const char *key;
    while (bjson_object_next(&it, &key, &v)) {
        d = bjson_get(dst, key);
        if (bjson_type_of(v) == BJSON_OBJECT && bjson_type_of(d) == BJSON_OBJECT) {
            merge_json(d, v, false);
        } else if (append_arrays && streq(key, "devices") && bjson_type_of(v) == BJSON_ARRAY &&
                   bjson_type_of(d) == BJSON_ARRAY) {
            for (size_t j = 0; j < bjson_array_len(v); j++)
                bjson_append(d, bjson_copy(bjson_array_get(v, j)));
        } else {
            bjson_set(dst, key, bjson_copy(v));
        }
    }
}

/* The saved config follows an update (as runc's state does), so what
 * `brick` reports and later updates start from are the live limits. */
static int save_resources(int dirfd, const char *resources_json, struct brick_error *err)
{
    _cleanup_free_ char *text = NULL;
    size_t len;
    int r = read_file_at(dirfd, "config.json", BRICK_READ_CONFIG, &text, &len);
    if (r < 0)
        return brick_err_errno(err, -r, "read the saved config.json");
    bjson *doc = NULL, *upd = NULL;
    if ((r = bjson_parse(text, len, &doc, err)) < 0 ||
        (r = bjson_parse(resources_json, strlen(resources_json), &upd, err)) < 0 ||
        (bjson_type_of(doc) != BJSON_OBJECT &&
         (r = brick_err(err, EINVAL, "the saved config.json is not an object")) < 0)) {
        bjson_free(doc);
        bjson_free(upd);
        return r;
    }
    bjson *linux_ = bjson_get(doc, "linux");
    if (bjson_type_of(linux_) != BJSON_OBJECT) {
        linux_ = bjson_new_object();
        bjson_set(doc, "linux", linux_);
    }
    bjson *res = bjson_get(linux_, "resources");
    if (bjson_type_of(res) != BJSON_OBJECT) {
        res = bjson_new_object();
        bjson_set(linux_, "resources", res);
    }
    merge_json(res, upd, true);
    _cleanup_free_ char *out = bjson_to_string(doc, false);
    bjson_free(doc);
    bjson_free(upd);
    r = write_file_atomic(dirfd, "config.json", out, 0600);
    return r < 0 ? brick_err_errno(err, -r, "save config.json") : 0;
}

int brick_update(const char *root, const char *id, const char *resources_json, struct brick_error *err)
{
    struct oci_spec *doc = NULL;
    int r = oci_resources_parse(resources_json, strlen(resources_json), &doc, err);
    if (r < 0)
        return brick_err_prefix(err, "update");
    struct handle h;
    struct cgroup cg = {0};
    r = open_live_cgroup(root, id, true, &h, &cg, err);
    if (r >= 0)
        r = cgroup_driver_of(&cg)->update(&cg, &doc->linux_.resources, err);
    struct brick_error serr;
    if (r >= 0 && save_resources(h.dirfd, resources_json, &serr) < 0)
        log_warn("update applied, but %s", serr.msg); /* the limits are live: not a failure */
    cgroup_done(&cg);
    handle_done(&h);
    oci_spec_free(doc);
    return r;
}

int brick_pids(const char *root, const char *id, pid_t **ret, size_t *ret_n, struct brick_error *err)
{
    struct handle h;
    struct cgroup cg = {0};
    *ret = NULL;
    *ret_n = 0;
    /* a stopped container has no processes: an empty list, as runc's ps */
    int r = handle_open(root, id, false, &h, err);
    bool stopped = r >= 0 && container_status(&h.st) == STATUS_STOPPED;
    handle_done(&h);
    if (r < 0 || stopped)
        return r;
    r = open_live_cgroup(root, id, false, &h, &cg, err);
    if (r >= 0) {
        r = cgroup_pids(&cg, ret, ret_n, err);
    } else if (r == -ENOTSUP && state_pid_alive(&h.st, NULL) && state_init_is_ours(h.dirfd, &h.st)) {
        /* no cgroup (rootless): the members of its own pid namespace */
        *ret_n = pidns_members(h.st.pid, ret, NULL);
        if (*ret_n == 0)
            r = brick_err(err, ENOTSUP, "container \"%s\" has no cgroup and shares the host's pid namespace: "
                          "its processes cannot be told apart", id);
        else {
            qsort(*ret, *ret_n, sizeof(**ret), cmp_pid);
            r = 0;
        }
    }
    cgroup_done(&cg);
    handle_done(&h);
    return r;
}

int brick_stats(const char *root, const char *id, char **ret_json, long long *ret_oom_kills,
                bool *ret_running, struct brick_error *err)
{
    struct handle h;
    struct cgroup cg = {0};
    int r = handle_open(root, id, false, &h, err);
    if (r >= 0 && !state_cgroup(&h.st, &cg))
        r = brick_err(err, ENOTSUP, "container \"%s\" has no cgroup", id);
    if (r >= 0) {
        *ret_running = container_status(&h.st) != STATUS_STOPPED;
        *ret_oom_kills = cgroup_oom_kills(&cg);
        r = cgroup_stats_json(&cg, ret_json, err);
    }
    cgroup_done(&cg);
    handle_done(&h);
    return r;
}
