/* brick.h — the public library API of brick.
 *
 * Only opaque handles, the error struct and lifecycle calls live here; the
 * typed OCI model and module internals are private to the library. */
#ifndef BRICK_BRICK_H
#define BRICK_BRICK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define BRICK_ERROR_MSG_MAX 1024

struct oci_spec; /* the parsed config (src/lib/spec/model.h) */

/* Error detail: code is an errno value (0 when the failure is not a system
 * error, e.g. invalid configuration); msg is NUL-terminated. Written by the
 * library only when a call fails. */
struct brick_error {
    int code;
    char msg[BRICK_ERROR_MSG_MAX];
};

/* Diagnostics the library wants a human to see (warnings from poststop hooks,
 * debug traces): the library never prints, it calls this hook when set. */
enum brick_log_level { BRICK_LOG_ERROR, BRICK_LOG_WARN, BRICK_LOG_INFO, BRICK_LOG_DEBUG };
typedef void (*brick_log_fn)(enum brick_log_level level, const char *msg, void *userdata);
void brick_set_log(brick_log_fn fn, void *userdata, enum brick_log_level max_level);

/* CVE-2019-5736: before starting container processes (create, run, exec),
 * re-execute the calling program (argv) from a copy the container cannot
 * write: a read-only bind of the binary, or a sealed memfd. Returns 0 when
 * already running from such a copy; on success of the re-exec it does not
 * return at all. */
int brick_guard_exe(char **argv, struct brick_error *err);
/* Set in the re-executed image's environment: the fd of the detached tree it
 * runs from, so that it can make that mount noexec. A program with an early
 * entry point of its own (brick's cli/entry.c) does the same re-exec. */
#define BRICK_EXE_TREE_ENV "_BRICK_EXE_TREE"

/* CVE-2016-9962: wipe the calling process's environment (the block that
 * /proc/PID/environ shows, and every string environ points to) and leave
 * environ empty. The process `brick_exec` makes is visible in the container
 * from its first instruction, a copy of its caller: a program that needs its
 * environment no more calls this first, so that not even a container process
 * holding CAP_SYS_PTRACE can read the caller's secrets there. */
int brick_wipe_environment(void);
/* The same for the command line: every argument but argv[0] is zeroed in
 * the block /proc/PID/cmdline shows (to every user of a pid namespace, with
 * no ptrace check: `brick exec -e PASSWORD=...`). Strings of argv are empty
 * afterwards: the caller copies what it still needs first. */
int brick_wipe_cmdline(void);

/* runc's --pidfd-socket: connect to the unix socket at path and send pidfd
 * with SCM_RIGHTS, so an engine can watch the process without racing on its
 * pid. */
int brick_send_pidfd(const char *path, int pidfd, struct brick_error *err);

/* The state root when none is given: /run/brick for root; for an
 * unprivileged user $XDG_RUNTIME_DIR/brick, else /run/user/UID/brick, else
 * /tmp/brick-UID (docs/ROOTLESS.md). Heap string. */
char *brick_default_root(void);

/* The container as create leaves it for brick_create_opts.on_created: made,
 * its process not started yet. The fds are valid during the call only. */
struct brick_created {
    pid_t pid;   /* the init, in the caller's pid namespace */
    int pidfd;   /* of the init */
    int net_fd;  /* its network namespace */
    int user_fd; /* its user namespace (the runtime's own when it has none of its own) */
};

/* What a container's cgroup saw by the time it exited (brick_run in the
 * foreground): for messages such as "killed: out of memory". */
struct brick_exit_info {
    long long oom_kills;    /* times the kernel's OOM killer acted in its cgroup; -1 unknown */
    long long memory_limit; /* linux.resources.memory.limit in bytes; 0 none */
};

/* Options of create and run (runc's flags of the same names). */
struct brick_create_opts {
    const char *root; /* state root, e.g. /run/brick */
    const char *id;
    const char *bundle;         /* NULL: the current directory */
    const char *pid_file;       /* NULL: none */
    const char *pidfd_socket;   /* NULL: none; else the init's pidfd is sent there (runc 1.2) */
    const char *console_socket; /* NULL: none */
    bool no_pivot;
    bool no_new_keyring;
    int preserve_fds;
    /* runc's global --systemd-cgroup: cgroupsPath is "SLICE:PREFIX:NAME" and
     * the cgroup is that systemd scope (default system.slice:brick:<id>);
     * see docs/CGROUPS.md */
    bool systemd_cgroup;
    /* run only */
    bool detach;
    bool keep;
    /* with detach (brick do -d): stdin /dev/null, stdout and stderr to the
     * container's log (see brick_log_open), never the caller's stdio. Fds
     * 0-2 the caller closed are filled with /dev/null first (a caller that
     * opens fds before brick_run, as brick do, fills them itself before). */
    bool output_log;
    /* NULL: parse <bundle>/config.json. Else that file's text already parsed
     * by the caller (brick do); the runtime takes it over, even on failure. */
    struct oci_spec *spec;
    /* With .spec: its config.json text, saved in the state directory as it
     * is. Without .spec: the config.json to parse (instead of the bundle's
     * file). With no .bundle either, the state directory is the container's
     * bundle (root.path and bind sources must then be absolute). */
    const char *spec_json;
    /* NULL: none. Else called by create and run once the container exists
     * and before its process starts (`brick do --net user` attaches its
     * network helper there); a failure fails the create, which rolls back. */
    int (*on_created)(const struct brick_created *c, void *data, struct brick_error *err);
    void *on_created_data;
    /* run in the foreground: NULL, or filled once the container has exited,
     * before it is deleted (oom_kills -1 when it had no cgroup to read). */
    struct brick_exit_info *exit_info;
};

/* create: the container waits just before execve of process.args. */
int brick_create(const struct brick_create_opts *opts, struct brick_error *err);
/* start: release a created container; runs poststart hooks. */
int brick_start(const char *root, const char *id, struct brick_error *err);
/* run: create + start; unless detached, wait for the container, forward
 * signals and proxy a terminal, then delete it (unless keep). *ret_status is
 * the container's exit status (128+N when killed by signal N). */
int brick_run(const struct brick_create_opts *opts, int *ret_status, struct brick_error *err);
int brick_kill(const char *root, const char *id, int sig, bool all, struct brick_error *err);
int brick_delete(const char *root, const char *id, bool force, struct brick_error *err);
/* One container instance: a name can be deleted and made again, an instance
 * never comes back (its init's pid and that pid's start time). */
struct brick_instance {
    pid_t pid;
    unsigned long long pid_start;
};
/* Which instance has the name now (pid 0: none ran), and, while its init
 * lives, a pidfd of it in *ret_pidfd (else -1; NULL: not wanted). */
int brick_instance_of(const char *root, const char *id, struct brick_instance *ret, int *ret_pidfd,
                      struct brick_error *err);
/* delete, of that instance only: 0 without touching a container of the same
 * name that is another instance (or none). Not forced: a running one stays. */
int brick_delete_instance(const char *root, const char *id, const struct brick_instance *inst,
                          struct brick_error *err);
/* The output log of a container run with .output_log: <root>/<id>/log and
 * log.1 (the previous 1 MiB: at most 2 MiB are kept), raw bytes. *ret_dirfd:
 * that directory (O_CLOEXEC, unlocked) to open them from; *ret_pidfd: a
 * pidfd of the logger writing them while it runs, else -1; it exits once the
 * container's output is closed (its processes are gone) or it is deleted.
 * -ENODATA for a container without a log (an OCI create or run). */
int brick_log_open(const char *root, const char *id, int *ret_dirfd, int *ret_pidfd, struct brick_error *err);
/* The OCI state JSON of one container (pretty), heap string. */
int brick_state(const char *root, const char *id, char **ret_json, struct brick_error *err);

/* Options of exec (runc's flags of the same names). Without process_file,
 * the process is the container's own with these changes. */
struct brick_exec_opts {
    const char *root;
    const char *id;
    const char *process_file; /* -p: a process.json; the other process flags are then ignored */
    char **args;              /* the command (NULL-terminated) */
    bool tty;
    const char *console_socket;
    bool detach;
    const char *pid_file;
    const char *pidfd_socket; /* the process's pidfd is sent there (runc 1.2) */
    const char *cwd;
    char **env; /* KEY=VALUE, override the container's */
    bool has_user;
    uid_t uid;
    gid_t gid;
    unsigned int *additional_gids;
    size_t n_additional_gids;
    char **caps; /* added to every capability set */
    bool no_new_privs;
    const char *apparmor;
    const char *process_label;
    int preserve_fds;
    bool ignore_paused;
};
/* Run a process in a running container; *ret_status as for brick_run(). */
int brick_exec(const struct brick_exec_opts *opts, int *ret_status, struct brick_error *err);

/* Freeze / thaw every process of the container (cgroup freezer). */
int brick_pause(const char *root, const char *id, struct brick_error *err);
int brick_resume(const char *root, const char *id, struct brick_error *err);
/* Apply a LinuxResources JSON document (runtime-spec linux.resources) to the
 * running container's cgroup; only the keys present are changed. */
int brick_update(const char *root, const char *id, const char *resources_json, struct brick_error *err);
/* The pids of the container's cgroup (sorted), heap array. */
int brick_pids(const char *root, const char *id, pid_t **ret, size_t *ret_n, struct brick_error *err);
/* For `events`: runc's stats "data" object (compact JSON, heap string), how
 * many OOM kills the cgroup saw, and whether the container still runs. */
int brick_stats(const char *root, const char *id, char **ret_json, long long *ret_oom_kills,
                bool *ret_running, struct brick_error *err);

struct brick_container_info {
    char *id;
    pid_t pid;
    char *status;
    char *bundle;
    char *created;
    char *owner;
    char *namespaces; /* state.json's "namespaces" record (compact JSON), NULL if none */
};
/* Every container under root, sorted by id. */
int brick_list(const char *root, struct brick_container_info **ret, size_t *ret_n, struct brick_error *err);
void brick_container_info_free(struct brick_container_info *v, size_t n);

/* The default config.json `brick spec` writes: the structure of runc 1.1's
 * `runc spec` (`rootless`: a user namespace mapping 0 to geteuid()/getegid(),
 * no network namespace, /sys bind-mounted, no cgroup resources), with
 * ociVersion "1.2.1" and hostname "brick", tab-indented like runc, and the
 * default seccomp profile. cgroupns: add a cgroup namespace, as runc does
 * only on pure cgroup v2 hosts (on v1 and hybrid ones it would hide the
 * container's own cgroup paths from exec'd processes' view). Heap string. */
char *brick_spec_default_json(bool rootless, bool cgroupns);

/* "SIGTERM", "TERM", "term", "15", "SIGRTMIN+3" -> signal number; -1 unknown. */
int brick_signal_from_string(const char *s);

/* Open namespace `type` ("net", "pid", "ipc", "uts", "user", "cgroup", "time",
 * "mnt") of a created or running container, race-free: a pidfd on the
 * recorded init is opened, its start time checked against the record, and
 * the namespace taken through the pidfd (PIDFD_GET_*_NAMESPACE), never
 * through a /proc/PID path a recycled pid could redirect. *ret_fd is
 * O_CLOEXEC. -ESRCH when the container is stopped. */
int brick_open_namespace(const char *root, const char *id, const char *type, int *ret_fd,
                         struct brick_error *err);

/* How a created or running container is confined, as JSON (`brick inspect
 * --format json`: namespaces and which containers under root share them,
 * capability sets, seccomp, no_new_privs, id maps, LSM label), read through a
 * pidfd on the recorded init, as brick_open_namespace. probe: also run the
 * dangerous-syscall probes against a copy of its seccomp filters (ptrace,
 * needs CAP_SYS_ADMIN). -ESRCH when it is not running. */
int brick_inspect(const char *root, const char *id, bool probe, char **ret_json, struct brick_error *err);

#endif
