/* internal.h — what the runtime's create path (parent side, create.c) shares
 * with the container side (init.c). */
#ifndef BRICK_RUNTIME_INTERNAL_H
#define BRICK_RUNTIME_INTERNAL_H

#include <brick/brick.h>
#include <sched.h>
#include <stdbool.h>
#include <sys/types.h>

#include "cgroup/cgroup.h"
#include "ns/ns.h"
#include "security/lsm.h"
#include "security/seccomp.h"
#include "spec/model.h"

/* The steps of create_container(), in order (create.c); create_ctx.phase
 * holds the one running, which rollback reads. */
enum create_step_id {
    STEP_SAVE_CONFIG,
    STEP_PLAN_CGROUP,
    STEP_CHECK_CGROUP,
    STEP_RECORD_INTENT,
    STEP_CGROUP_PRECREATE,
    STEP_SPAWN_LOGGER,
    STEP_OPEN_CHANNELS,
    STEP_SPAWN,
    STEP_CGROUP_CREATE,
    STEP_PLACE_INIT,
    STEP_SERVE_INIT,
    STEP_ON_CREATED,
    STEP_RECORD_STATE,
    STEP__MAX
};

/* How the init gets into its cgroup (from the cgroup driver's placement). */
enum init_placement {
    INIT_PLACEMENT_NONE,   /* no cgroup on this host */
    INIT_PLACED_BY_CLONE,  /* clone3(CLONE_INTO_CGROUP) */
    INIT_PLACES_ITSELF,    /* it joins its v1 hierarchies on GO (hybrid: cloned into cgroup2 first) */
    INIT_PLACED_BY_PARENT, /* two stages, or a kernel before CLONE_INTO_CGROUP */
};

/* Everything the container processes need, prepared by the parent before the
 * first clone: the children inherit it (copy-on-write),
 * so nothing is parsed or opened on their side. */
struct create_ctx {
    const struct brick_create_opts *opts;
    struct oci_spec *spec;
    char *bundle;     /* absolute */
    char *rootfs;     /* absolute */
    char created[48]; /* RFC 3339 creation time, fixed once for state and hooks */
    struct ns_plan ns;
    bool two_stage;      /* a stage-1 process joins/creates user, time or joined namespaces */
    bool start_sent;     /* run: START already sent (record_state) */
    bool may_proxy_tty;  /* `run` in the foreground: a terminal may be proxied by us */
    bool foreground_tty; /* ... and process.terminal asks for one without --console-socket */
    int host_procfd;     /* verified host /proc */
    int sync_parent;     /* parent's end of the sync socketpair */
    int sync_child;      /* children's end */
    int console_fd;      /* connected --console-socket, or our console pair end; -1 */
    int console_parent;  /* parent's end of the console pair (foreground tty); -1 */
    int exec_listen_fd;  /* exec.sock listener for `start` (create only); -1 for run */
    int state_dirfd;     /* locked state directory: the children must drop their copy */
    int preserve_fds;    /* fds 3..3+preserve_fds-1 go to the container */
    int listen_fds;      /* LISTEN_FDS (socket activation), read once; the first of them */
    pid_t init_pid;      /* G, in our pid namespace */
    int init_pidfd;
    pid_t stage1_pid;
    int stage1_pidfd;
    pid_t parent_pid;
    bool pid_file_written;     /* rollback removes it */
    struct lsm_host lsm;       /* which LSMs the host enables, detected once */
    struct cgroup cgroup;      /* the container's cgroup; n == 0: none (no cgroup on this host) */
    enum create_step_id phase; /* the step running (create_container) */
    bool for_run;              /* `run` (START on the sync socket), not `create` */
    bool rootless;             /* the runtime is unprivileged (euid != 0) */
    enum init_placement placement;
    int *init_cgroup_fds;         /* in the init: its v1 mount points (cgroup_self_open), in its
                                own mount namespace */
    bool init_spread;             /* the init's CPUs narrowed to spread it off ours (spread_init) */
    cpu_set_t init_cpus;          /* what to give back before placement */
    struct seccomp_prog *seccomp; /* compiled linux.seccomp (+ listener socket); NULL if none */
    int *idmap_fds;   /* in the init: per mount, an id-mapped tree or -1 (rootfs/idmap.c); NULL: none */
    int log_stdin;    /* opts->output_log: /dev/null, the init's stdin; -1 otherwise */
    int log_stdout;   /* ... the write end of the logger's pipe, its stdout and stderr */
    pid_t logger_pid; /* the logger (logger.c), our child; 0: none */
    int logger_pidfd;
    int created_ns[2]; /* opts->on_created: the init's net and user namespaces, opened by the
                             init and sent with CREATED (CREATED_NS_NET, _USER); -1: none */
};
enum { CREATED_NS_NET, CREATED_NS_USER, CREATED_NS__MAX };
/* Close and free ctx->idmap_fds (the init, once its mounts are done). */
void create_idmap_fds_close(struct create_ctx *ctx);

/* Child side entry points; neither returns. */
_Noreturn void container_stage1(struct create_ctx *ctx);
_Noreturn void container_init(struct create_ctx *ctx);

/* Host pid of the init, sent by the parent with GO (used for state JSON). */
char *init_state_json(const struct create_ctx *ctx, pid_t host_pid, const char *status);

/* The namespaces of the created init by inode, which were joined and from
 * whom (run.brick.join.<type> annotations): compact JSON or NULL (share.c). */
char *ns_record_json(const struct create_ctx *ctx);

#endif
