/* learn.h — the supervisor of `brick do --learn FILE` and `--profile-file
 * FILE` (docs/PROFILES.md). It runs in a child of the CLI on the host, holds
 * the seccomp notify fd the container init sends it, and only ever answers:
 * CONTINUE (learning: the call is one the default profile allows) or an
 * errno (applying: the call is outside the profile). It reads the numbers of
 * the notification (syscall nr, arch, argument values), never memory of the
 * container. */
#ifndef BRICK_CLI_LEARN_H
#define BRICK_CLI_LEARN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct brick_error;
struct bjson;
struct compose_opts;
struct brick_create_opts;

/* Landlock rights of a learned path (learn_paths.c), written with the
 * access names of docs/LANDLOCK.md. */
enum {
    LR_READ_FILE = 1 << 0,
    LR_READ_DIR = 1 << 1,
    LR_WRITE = 1 << 2,
    LR_EXECUTE = 1 << 3,
    LR_CREATE = 1 << 4,
    LR_REMOVE = 1 << 5,
    LR_REFER = 1 << 6,
    LR_IOCTL_DEV = 1 << 7,
};

#define LEARN_MAX_PATHS 2048 /* distinct rule paths; past it, no Landlock policy is learned */
#define LEARN_MAX_PORTS 256

struct learn_path {
    char *path; /* as the container sees it, normalized */
    unsigned rights;
};

/* What learning saw: distinct (arch, nr), socket families, capabilities
 * used, paths and TCP/UDP ports touched. */
struct learn_record {
    struct {
        uint32_t arch;
        int nr;
    } * calls;
    size_t n_calls;
    uint64_t *families;
    size_t n_families;
    bool caps_learned;     /* the tracepoint was followed for the whole run */
    uint64_t caps;         /* bit n: capability n was checked and granted */
    bool paths_lost;       /* a path could not be recorded: no Landlock policy */
    const char *paths_why; /* ... and why (static) */
    struct learn_path *paths;
    size_t n_paths;
    char **made; /* directories the run made (mkdir): a rule cannot name them, they do not exist yet */
    size_t n_made;
    pid_t exec_pending[64]; /* execve whose path was unreadable: /proc/PID/exe at the next call */
    size_t n_exec_pending;
    uint16_t bind[LEARN_MAX_PORTS], connect[LEARN_MAX_PORTS];
    size_t n_bind, n_connect;
};

struct learn_sup {
    pid_t pid;        /* the supervisor; 0: not started */
    int listen_fd;    /* until forked */
    int pipe_w;       /* closed when the run is over: the supervisor stops waiting for the fd */
    char *dir, *sock; /* private directory (0700) and the socket in it */
    int out_fd;       /* --learn FILE, opened before the run (no symlink, a regular file) */
    bool created;     /* ... by us: removed when nothing was learned */
    int out_dir_fd;   /* ... through its directory, opened with it (O_PATH) */
    char *out_base;   /* ... and its name there */
};

/* Socket made and bound; o->notify_path set. No-op without --learn/--profile-file. */
int learn_prepare(struct compose_opts *o, struct learn_sup *s, struct brick_error *err);
/* Fork the supervisor; spec_json is the generated config (its rewritten linux.seccomp
 * is the template of the learned profile). */
int learn_fork(const struct compose_opts *o, struct learn_sup *s, const char *spec_json,
               struct brick_error *err);
/* After the run: wait for the supervisor (which writes FILE), clean up. */
int learn_finish(const struct compose_opts *o, struct learn_sup *s, struct brick_error *err);

/* run_learn.c: `brick run --learn|--profile-file` of co's bundle; returns the
 * exit status of brick (the error printed) and the container's in *ret_status. */
int cli_run_learn(struct compose_opts *lo, struct brick_create_opts *co, int *ret_status);

/* learn_profile.c: the learned profile as OCI linux.seccomp (pure but for
 * libseccomp's name lookup). tmpl: the run's rewritten linux.seccomp. */
struct bjson *learn_profile_build(const struct learn_record *rec, const struct bjson *tmpl);
bool learn_record_add(struct learn_record *rec, uint32_t arch, int nr);
void learn_record_family(struct learn_record *rec, uint64_t family);
/* The run.brick.landlock policy of rec (collapsed, compact JSON); NULL when
 * paths were lost. */
char *learn_landlock_policy(const struct learn_record *rec);
/* The rights the learned policy grants on "/" itself (0: no such rule): the
 * supervisor warns about them. */
unsigned learn_root_rights(const struct learn_record *rec);
/* "read-file,write" of rights (allocated). */
char *learn_access_string(unsigned rights);
/* "CAP_A,CAP_B" of rec->caps ("" for none). */
char *learn_caps_string(uint64_t caps);

/* learn_paths.c: record the paths/ports of one notification (learning).
 * Reads the container's memory and /proc/PID links, bounded, never
 * following a path of the container on the host; nfd: to check the
 * notification is still valid after the reads. */
struct seccomp_notif;
void learn_paths_note(struct learn_record *rec, const struct seccomp_notif *n, int nfd);
/* Add rights on path (container view) to rec, collapsed (learn_paths.c). */
void learn_path_add(struct learn_record *rec, const char *path, unsigned rights);
/* ... on exactly that path (already collapsed). */
void learn_rule_add(struct learn_record *rec, const char *path, unsigned rights);
/* A directory the run made (learn_profile.c lifts rules off it). */
void learn_made_add(struct learn_record *rec, const char *path);

/* learn_caps.c: the capability:cap_capable tracepoint in a private tracefs
 * instance, following the container's tasks from its first notification. */
struct learn_caps {
    int dir_fd;        /* the instance directory */
    int pipe_fd;       /* its trace_pipe, non-blocking */
    char *name;        /* instances/NAME */
    int tracefs_fd;    /* the tracefs root */
    char *mnt;         /* ... mounted by us on this directory (a mount namespace of our own), or NULL */
    bool started;      /* set_event_pid written, event enabled */
    bool refused;      /* following refused checks (applying), not granted ones */
    char filter[2048]; /* 64 capabilities, twice: fits */
    size_t base_len;   /* of filter, before the " && cap != N" of those seen */
    char carry[4096];  /* a partial line */
    size_t n_carry;
};
/* 0, or -1 with the reason in *why (static): not root, no tracefs, no
 * tracepoint. refused: 0 to learn granted checks, else the capabilities
 * whose refused checks are wanted. */
int learn_caps_open(struct learn_caps *c, const char *mnt_dir, uint64_t refused, const char **why);
/* Follow pid (and, with event-fork, its descendants); enable the event. */
int learn_caps_start(struct learn_caps *c, pid_t pid);
/* Read what the kernel recorded (non-blocking) into *seen; the new bits. */
uint64_t learn_caps_drain(struct learn_caps *c, uint64_t *seen);
/* Remove the instance (also on error paths); unmount a tracefs we mounted. */
void learn_caps_close(struct learn_caps *c);
/* The instance of a supervisor that was killed (pid, now dead): removed
 * at once. Forks (a private mount of tracefs on mnt_dir, when needed). */
void learn_caps_remove_instance(pid_t pid, const char *mnt_dir);

#endif
