/* runtime.h — the orchestration module's internal entry points, shared by
 * the lifecycle files (create.c, init.c, run.c, lifecycle.c). */
#ifndef BRICK_RUNTIME_RUNTIME_H
#define BRICK_RUNTIME_RUNTIME_H

#include <brick/brick.h>
#include <stdbool.h>
#include <stdint.h>
#include <signal.h>
#include <sys/un.h>

#include "spec/model.h"

struct create_ctx;

#define CREATE_CTX_INIT(o)                                                                                   \
    {                                                                                                        \
        .opts = (o), .host_procfd = -1, .sync_parent = -1, .sync_child = -1, .console_fd = -1,               \
        .console_parent = -1, .exec_listen_fd = -1, .state_dirfd = -1, .preserve_fds = (o)->preserve_fds,    \
        .init_pidfd = -1, .stage1_pidfd = -1, .log_stdin = -1, .log_stdout = -1, .logger_pidfd = -1,         \
        .created_ns = {-1, -1}, .spec = (o)->spec, /* taken over: create_ctx_done frees it */                \
    }

/* Parent side of create: on success the init waits before execve and
 * *ret_dirfd is the locked state directory. */
int create_container(struct create_ctx *ctx, bool for_run, int *ret_dirfd, struct brick_error *err);
/* First of create and run, before any fd is opened: read LISTEN_FDS (once)
 * and reserve the caller's fds the container gets (fds_reserve). */
void create_take_fds(struct create_ctx *ctx);
void create_ctx_done(struct create_ctx *ctx);
int exec_sock_address(int dirfd, struct sockaddr_un *sa);

struct lsm_host;
/* Before a process with apparmorProfile `profile` starts (create, exec):
 * brick-default loaded if the kernel does not hold it, another profile the
 * kernel does not hold refused (apparmor.c). procfd: the verified host procfs. */
int runtime_apparmor_prepare(int procfd, const char *profile, const struct lsm_host *host,
                             struct brick_error *err);

#include "state/state.h"

struct oci_spec;

/* An open, locked container: its state directory and recorded state. */
struct handle {
    int rootfd;
    int dirfd;
    struct container_state st;
};
int handle_open(const char *root, const char *id, bool exclusive, struct handle *h, struct brick_error *err);
void handle_done(struct handle *h);

/* handle_open, and a pidfd of the recorded init (start time checked):
 * -ESRCH, with no message, when it is not running; h is done on failure. */
int handle_open_live(const char *root, const char *id, struct handle *h, int *ret_pidfd,
                     struct brick_error *err);
/* The inodes of the namespaces (OCI_NS_* index, 0 where unreadable) of the
 * process behind pidfd, pid for kernels without PIDFD_GET_*_NAMESPACE;
 * -ESRCH once it is gone (share.c). */
int ns_inodes(int pidfd, pid_t pid, uint64_t ino[OCI_NS__MAX]);
/* ... of container id's recorded init; -ESRCH when it is not running. */
int container_ns_inodes(const char *root, const char *id, uint64_t ino[OCI_NS__MAX]);
/* The status from the recorded pid, "paused" when the cgroup is frozen. */
enum container_status container_status(const struct container_state *st);
struct cgroup;
/* The cgroup recorded in st (false when none). */
bool state_cgroup(const struct container_state *st, struct cgroup *cg);
/* ... and the cgroup the saved config names (for anything that acts on it) */
bool state_cgroup_owned(int dirfd, const struct container_state *st, const struct oci_spec *spec,
                        struct cgroup *cg);
/* The recorded init is in the container's own cgroup (state.json is input). */
bool state_init_is_ours(int dirfd, const struct container_state *st);
/* The config saved at create time. */
int load_saved_config(struct handle *h, struct oci_spec **ret, struct brick_error *err);
/* After the init was released: record "started", run poststart hooks. */
int container_started(int dirfd, struct container_state *st, struct oci_spec *spec, struct brick_error *err);
/* Kill what is left, run poststop hooks, remove the state directory. spec:
 * the config already in memory (run), or NULL to load the saved copy. */
int container_destroy(int rootfd, int dirfd, struct container_state *st, const struct oci_spec *spec,
                      struct brick_error *err);

/* Block the signals a foreground runtime forwards (before cloning, so none
 * is lost); the container process restores its mask before execve. */
void foreground_block_signals(sigset_t *old);
/* Forward signals to pidfd, proxy stdin/stdout to the pty master (or -1),
 * wait for pid (our child) and return its status: the exit code, or 128+N
 * when killed by signal N. Takes ownership of master. */
int foreground_wait(pid_t pid, int pidfd, int master);

#endif
