#include "state/state.h"
#include "core/missing.h"
#include "core/cleanup.h"
#include "core/error.h"
#include "core/fd.h"
#include "core/util.h"
#include "spec/json.h"
#include "spec/model.h"
#include "brick-config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

const char *container_status_name(enum container_status s)
{
    static const char *const n[] = {"creating", "created", "running", "paused", "stopped"};
    return n[s];
}

/* Same alphabet as runc: the id becomes a directory name and appears in
 * cgroup paths, so no slashes, no "." or "..". */
bool container_id_valid(const char *id)
{
    if (!id || !*id || strlen(id) > 1024 || streq(id, ".") || streq(id, ".."))
        return false;
    for (const char *p = id; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("_+-.", *p))
            return false;
    return true;
}

int state_root_open(const char *root, bool create, int *ret_fd, struct brick_error *err)
{
    if (create && mkdir(root, 0700) < 0 && errno != EEXIST) {
        /* Create missing parents (e.g. /run/brick under a fresh /run). */
        _cleanup_free_ char *p = xstrdup(root);
        for (char *s = p + 1; *s; s++) {
            if (*s != '/')
                continue;
            *s = '\0';
            mkdir(p, 0755);
            *s = '/';
        }
        if (mkdir(root, 0700) < 0 && errno != EEXIST)
            return brick_err_errno(err, errno, "create state root %s", root);
    }
    int fd = private_dir_open(root);
    if (fd == -EPERM)
        return brick_err(err, EPERM, "state root %s: not a directory of uid %u that only it can write", root,
                         (unsigned)geteuid());
    if (fd < 0)
        return brick_err_errno(err, -fd, "open state root %s%s", root,
                               fd == -ENOTDIR && running_unprivileged() ? " (a symlink?)" : "");
    *ret_fd = fd;
    return 0;
}

/* A directory of ours: exists, is one, and belongs to the effective uid. */
static bool own_dir(const char *path)
{
    struct stat sb;
    return path && path[0] == '/' && stat(path, &sb) == 0 && S_ISDIR(sb.st_mode) && sb.st_uid == geteuid();
}

char *state_default_root(void)
{
    uid_t uid = geteuid();
    if (!running_unprivileged())
        return xstrdup("/run/brick");
    /* runc's and crun's choice: the login session's runtime directory */
    const char *xdg = getenv("XDG_RUNTIME_DIR");
    if (own_dir(xdg))
        return xasprintf("%s/brick", xdg);
    _cleanup_free_ char *run = xasprintf("/run/user/%u", (unsigned)uid);
    if (own_dir(run))
        return xasprintf("%s/brick", run);
    return xasprintf("/tmp/brick-%u", (unsigned)uid);
}

/* Container directories are recycled through a few empty spares in
 * <root>/.spare@dirs/ (the '@' keeps the name out of the id alphabet, so
 * `list` skips it): a rename is all that costs, where rmdir + mkdir free and
 * allocate a block each time, and on file systems that discard freed blocks
 * at once (ext4 -o discard, as the bench host's /run) the rmdir waits for
 * the device, about 0.5 ms. Only directories emptied without a failure enter
 * the pool, and every move is renameat2(RENAME_NOREPLACE): concurrent
 * creates and deletes can never share one, nor replace an existing id. */
#define SPARE_DIR ".spare@dirs"
#define SPARE_SLOTS 4

static int take_spare(int rootfd, const char *id)
{
    char slot[32];
    for (int k = 0; k < SPARE_SLOTS; k++) {
        snprintf(slot, sizeof(slot), SPARE_DIR "/%d", k);
        if (renameat2(rootfd, slot, rootfd, id, RENAME_NOREPLACE) == 0)
            return 0;
        if (errno != ENOENT)
            return -errno; /* EEXIST: the id is taken */
    }
    return -ENOENT;
}

static bool put_spare(int rootfd, const char *id)
{
    char slot[32];
    for (int k = 0; k < SPARE_SLOTS; k++) {
        snprintf(slot, sizeof(slot), SPARE_DIR "/%d", k);
        if (renameat2(rootfd, id, rootfd, slot, RENAME_NOREPLACE) == 0)
            return true;
        if (errno == ENOENT && k == 0 && mkdirat(rootfd, SPARE_DIR, 0700) == 0 &&
            renameat2(rootfd, id, rootfd, slot, RENAME_NOREPLACE) == 0)
            return true;
        if (errno != EEXIST)
            return false;
    }
    return false; /* the pool is full */
}

int state_dir_create(int rootfd, const char *id, int *ret_dirfd, struct brick_error *err)
{
    int r = take_spare(rootfd, id);
    if (r == -EEXIST)
        return brick_err(err, EEXIST, "container \"%s\" already exists", id);
    if (r < 0 && mkdirat(rootfd, id, 0700) < 0) {
        if (errno == EEXIST)
            return brick_err(err, EEXIST, "container \"%s\" already exists", id);
        return brick_err_errno(err, errno, "create state directory for \"%s\"", id);
    }
    int fd = openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return brick_err_errno(err, errno, "open state directory for \"%s\"", id);
    *ret_dirfd = fd;
    return 0;
}

int state_dir_open(int rootfd, const char *id, int *ret_dirfd, struct brick_error *err)
{
    if (!container_id_valid(id))
        return brick_err(err, EINVAL, "invalid container id \"%s\"", id ? id : "");
    int fd = openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        if (errno == ENOENT)
            return brick_err(err, ENOENT, "container \"%s\" does not exist", id);
        return brick_err_errno(err, errno, "open state of \"%s\"", id);
    }
    *ret_dirfd = fd;
    return 0;
}

int state_lock(int dirfd, bool exclusive)
{
    while (flock(dirfd, exclusive ? LOCK_EX : LOCK_SH) < 0)
        if (errno != EINTR)
            return -errno;
    return 0;
}

struct emptying {
    int fd;
    bool failed; /* an entry stayed: the others are still tried */
};

static int unlink_entry(const char *name, void *data)
{
    struct emptying *e = data;
    if (unlinkat(e->fd, name, 0) < 0 && errno != ENOENT)
        e->failed = true;
    return 0;
}

int state_dir_remove(int rootfd, const char *id, int dirfd)
{
    _cleanup_close_ int fd = openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    /* The caller's (locked) directory must still be the one of that name: a
     * directory deleted and recycled for a new container meanwhile is not
     * ours to empty (see SPARE_DIR). */
    struct stat a, b;
    if (dirfd >= 0 && fd >= 0 &&
        (fstat(dirfd, &a) < 0 || fstat(fd, &b) < 0 || a.st_dev != b.st_dev || a.st_ino != b.st_ino))
        return 0;
    if (dirfd >= 0 && fd < 0)
        return 0; /* gone already */
    struct emptying e = {.fd = fd};
    bool emptied = fd >= 0 && dir_for_each(fd, unlink_entry, &e) == 0 && !e.failed;
    if (emptied && put_spare(rootfd, id))
        return 0;
    if (unlinkat(rootfd, id, AT_REMOVEDIR) < 0 && errno != ENOENT)
        return -errno;
    return 0;
}

int state_write(int dirfd, const struct container_state *st, struct brick_error *err)
{
    bjson *o = bjson_new_object();
    bjson_set(o, "id", bjson_new_string(st->id));
    bjson_set(o, "bundle", bjson_new_string(st->bundle));
    bjson_set(o, "rootfs", bjson_new_string(st->rootfs));
    bjson_set(o, "pid", bjson_new_i64(st->pid));
    bjson_set(o, "pid_start", bjson_new_u64(st->pid_start));
    bjson_set(o, "created", bjson_new_string(st->created));
    bjson_set(o, "owner", bjson_new_string(st->owner ? st->owner : ""));
    bjson_set(o, "started", bjson_new_bool(st->started));
    bjson *cg = NULL;
    struct brick_error ignored;
    if (st->cgroup && bjson_parse(st->cgroup, strlen(st->cgroup), &cg, &ignored) == 0)
        bjson_set(o, "cgroup", cg); /* kept as an object: readable by tools */
    bjson *ns = NULL;
    if (st->namespaces && bjson_parse(st->namespaces, strlen(st->namespaces), &ns, &ignored) == 0)
        bjson_set(o, "namespaces", ns);
    _cleanup_free_ char *s = bjson_to_string(o, false);
    bjson_free(o);
    int r = write_file_atomic(dirfd, "state.json", s, 0600);
    if (r < 0)
        return brick_err_errno(err, -r, "write state of \"%s\"", st->id);
    return 0;
}

static char *dup_str(const bjson *o, const char *key)
{
    const char *s = bjson_string(bjson_get(o, key));
    return s ? xstrdup(s) : NULL;
}

int state_read(int dirfd, const char *id, struct container_state *st, struct brick_error *err)
{
    _cleanup_free_ char *text = NULL;
    size_t len;
    int r = read_file_at(dirfd, "state.json", BRICK_READ_STATE, &text, &len);
    if (r == -ENOENT)
        return brick_err(err, ENOENT, "container \"%s\" does not exist", id);
    if (r < 0)
        return brick_err_errno(err, -r, "read state of \"%s\"", id);
    bjson *o = NULL;
    r = bjson_parse(text, len, &o, err);
    if (r < 0 || bjson_type_of(o) != BJSON_OBJECT) {
        bjson_free(o);
        if (r >= 0)
            brick_err(err, EUCLEAN, "not a JSON object");
        /* corrupt: -EUCLEAN, which list shows and delete -f recovers from */
        err->code = EUCLEAN;
        return brick_err_prefix(err, "state of \"%s\" is corrupt", id);
    }
    int64_t pid = 0;
    uint64_t start = 0;
    bjson_i64(bjson_get(o, "pid"), &pid);
    bjson_u64(bjson_get(o, "pid_start"), &start);
    *st = (struct container_state){
        .id = dup_str(o, "id"),
        .bundle = dup_str(o, "bundle"),
        .rootfs = dup_str(o, "rootfs"),
        .pid = (pid_t)pid,
        .pid_start = start,
        .created = dup_str(o, "created"),
        .owner = dup_str(o, "owner"),
        .started = bjson_bool(bjson_get(o, "started")),
    };
    if (bjson_get(o, "cgroup"))
        st->cgroup = bjson_to_string(bjson_get(o, "cgroup"), false);
    if (bjson_get(o, "namespaces"))
        st->namespaces = bjson_to_string(bjson_get(o, "namespaces"), false);
    bjson_free(o);
    if (!st->id)
        st->id = xstrdup(id);
    /* A directory opened by name, then deleted and recycled for another
     * container while we waited for its lock (see SPARE_DIR): not ours. */
    if (id && !streq(st->id, id)) {
        container_state_done(st);
        return brick_err(err, ESTALE, "container \"%s\" does not exist", id);
    }
    return 0;
}

void container_state_done(struct container_state *st)
{
    free(st->id);
    free(st->bundle);
    free(st->rootfs);
    free(st->created);
    free(st->owner);
    free(st->cgroup);
    free(st->namespaces);
    *st = (struct container_state){0};
}

int proc_pid_start_time(pid_t pid, uint64_t *ret)
{
    char path[64], buf[1024];
    snprintf(path, sizeof(path), "/proc/%d/stat", pid);
    _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? -ESRCH : -errno;
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    if (n <= 0)
        return -ESRCH;
    buf[n] = '\0';
    /* comm may contain spaces and ')': fields resume after the last ')'. */
    char *p = strrchr(buf, ')');
    if (!p)
        return -EINVAL;
    p += 2; /* field 3, state */
    if (*p == 'Z' || *p == 'X')
        return -ESRCH; /* a zombie is not running anything */
    for (int field = 3; field < 22; field++) {
        p = strchr(p, ' ');
        if (!p)
            return -EINVAL;
        p++;
    }
    *ret = strtoull(p, NULL, 10);
    return 0;
}

bool state_pid_alive(const struct container_state *st, int *ret_pidfd)
{
    if (st->pid <= 0)
        return false;
    /* Open the pidfd first, then check the start time: if the start time
     * matches after the pidfd exists, the pidfd refers to our process. */
    _cleanup_close_ int pidfd = ret_pidfd ? pidfd_open_pid(st->pid) : -EBADF;
    if (ret_pidfd && pidfd < 0)
        return false;
    uint64_t start;
    if (proc_pid_start_time(st->pid, &start) < 0 || start != st->pid_start)
        return false;
    if (ret_pidfd)
        *ret_pidfd = TAKE_FD(pidfd);
    return true;
}

enum container_status state_status(const struct container_state *st)
{
    if (!state_pid_alive(st, NULL))
        return STATUS_STOPPED;
    return st->started ? STATUS_RUNNING : STATUS_CREATED;
}

char *state_to_oci_json(const struct container_state *st, enum container_status status,
                        const struct oci_spec *spec, bool pretty)
{
    bjson *o = bjson_new_object();
    bjson_set(o, "ociVersion", bjson_new_string(BRICK_SPEC_VERSION));
    bjson_set(o, "id", bjson_new_string(st->id));
    bjson_set(o, "pid", bjson_new_i64(status == STATUS_STOPPED ? 0 : st->pid));
    bjson_set(o, "status", bjson_new_string(container_status_name(status)));
    bjson_set(o, "bundle", bjson_new_string(st->bundle));
    bjson_set(o, "rootfs", bjson_new_string(st->rootfs));
    bjson_set(o, "created", bjson_new_string(st->created));
    bjson_set(o, "owner", bjson_new_string(st->owner ? st->owner : ""));
    bjson *ns = NULL;
    struct brick_error ignored;
    /* brick's own key (runc consumers ignore unknown keys): which namespaces
     * the container has and which it shares with whom. */
    if (st->namespaces && bjson_parse(st->namespaces, strlen(st->namespaces), &ns, &ignored) == 0)
        bjson_set(o, "namespaces", ns);
    if (spec && spec->n_annotations > 0) {
        bjson *a = bjson_new_object();
        for (size_t i = 0; i < spec->n_annotations; i++)
            bjson_set(a, spec->annotations[i].key, bjson_new_string(spec->annotations[i].value));
        bjson_set(o, "annotations", a);
    }
    char *s = bjson_to_string(o, pretty);
    bjson_free(o);
    return s;
}
