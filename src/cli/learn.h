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

/* What learning saw: distinct (arch, nr), socket families. */
struct learn_record {
    struct { uint32_t arch; int nr; } *calls;
    size_t n_calls;
    uint64_t *families;
    size_t n_families;
};

struct learn_sup {
    pid_t pid;         /* the supervisor; 0: not started */
    int listen_fd;     /* until forked */
    int pipe_w;        /* closed when the run is over: the supervisor stops waiting for the fd */
    char *dir, *sock;  /* private directory (0700) and the socket in it */
    int out_fd;        /* --learn FILE, opened before the run (no symlink, a regular file) */
    bool created;      /* ... by us: removed when nothing was learned */
};

/* Socket made and bound; o->notify_path set. No-op without --learn/--profile-file. */
int learn_prepare(struct compose_opts *o, struct learn_sup *s, struct brick_error *err);
/* Fork the supervisor; spec_json is the generated config (its rewritten linux.seccomp
 * is the template of the learned profile). */
int learn_fork(const struct compose_opts *o, struct learn_sup *s, const char *spec_json, struct brick_error *err);
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

#endif
