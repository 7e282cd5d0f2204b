/* state.h — per-container state under the root directory (default /run/brick).
 *
 * Layout: <root>/<id>/ (0700) holds
 *   state.json  what the runtime knows (written atomically, see struct below)
 *   config.json the config as it was at create time (hooks and annotations for
 *               later commands come from here, not from the bundle, which may
 *               have changed)
 *   exec.sock   listening socket of a created container's init; `start`
 *               connects to release it (removed once started)
 *   log, log.1, logger  `brick do -d`: the output log (runtime/logger.h)
 * Every command takes flock() on the container directory: exclusive for
 * commands that change state, shared for readers. */
#ifndef BRICK_STATE_STATE_H
#define BRICK_STATE_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct brick_error;
struct oci_spec;

enum container_status {
    STATUS_CREATING,
    STATUS_CREATED,
    STATUS_RUNNING,
    STATUS_PAUSED,
    STATUS_STOPPED,
};

struct container_state {
    char *id;
    char *bundle;       /* absolute */
    char *rootfs;       /* absolute */
    pid_t pid;          /* init pid in the runtime's pid namespace; 0 if none */
    uint64_t pid_start; /* start time of pid (/proc/PID/stat field 22): guards pid reuse */
    char *created;      /* RFC 3339 */
    char *owner;        /* "" for root, as runc */
    bool started;       /* `start` released the init */
    char *cgroup;       /* the cgroup record (cgroup_to_json()), compact JSON; NULL if none */
    char *namespaces;   /* {"net":{"inode":N,"joined":B,"from":"ID"},...} compact JSON; NULL if none */
};

const char *container_status_name(enum container_status s);
bool container_id_valid(const char *id);

/* The state root when --root is not given: /run/brick for the host's root;
 * for anyone else (root of a user namespace too) $XDG_RUNTIME_DIR/brick, else /run/user/UID/brick (each only
 * when that directory is theirs), else /tmp/brick-UID. Heap string. */
char *state_default_root(void);
/* Open (optionally create, 0700) the state root directory; an unprivileged
 * caller's must be its own and writable by it alone. */
int state_root_open(const char *root, bool create, int *ret_fd, struct brick_error *err);
/* Create <root>/<id>: fails with "container \"ID\" already exists". */
int state_dir_create(int rootfd, const char *id, int *ret_dirfd, struct brick_error *err);
/* Open <root>/<id>: fails with "container \"ID\" does not exist" (-ENOENT). */
int state_dir_open(int rootfd, const char *id, int *ret_dirfd, struct brick_error *err);
/* flock the container directory (blocking). */
int state_lock(int dirfd, bool exclusive);
/* Remove <root>/<id> and everything in it (or recycle it: state.c). With
 * dirfd >= 0 (the caller's locked directory), only when <root>/<id> still is
 * that directory. */
int state_dir_remove(int rootfd, const char *id, int dirfd);

int state_write(int dirfd, const struct container_state *st, struct brick_error *err);
/* -ENOENT without state.json; -ESTALE when it records another id (the
 * directory was recycled for another container after the caller opened it). */
int state_read(int dirfd, const char *id, struct container_state *st, struct brick_error *err);
void container_state_done(struct container_state *st);

/* Start time of pid (clock ticks since boot), or -errno (-ESRCH when gone). */
int proc_pid_start_time(pid_t pid, uint64_t *ret);
/* Is st->pid still the process we started? Opens a pidfd on it if ret_pidfd. */
bool state_pid_alive(const struct container_state *st, int *ret_pidfd);
enum container_status state_status(const struct container_state *st);

/* The OCI state JSON (ociVersion, id, status, pid, bundle, + brick's rootfs,
 * created, owner), with annotations from spec when given; heap string. */
char *state_to_oci_json(const struct container_state *st, enum container_status status,
                        const struct oci_spec *spec, bool pretty);

#endif
