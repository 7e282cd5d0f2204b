/* seccomp.h — linux.seccomp: plan (pure), compile (libseccomp, in the parent),
 * load (one seccomp(2) call in the container init), notify hand-off.
 *
 * Why three steps: the parent turns the typed config into a rule list
 * (sc_plan_build, no system calls, unit-tested), then into a classic BPF
 * program with libseccomp (sc_compile) before any clone, so every
 * libseccomp error reaches the user before a container exists and the child
 * makes no libseccomp (malloc-heavy) calls at all. The init inherits the
 * program copy-on-write and installs it with one seccomp(SECCOMP_SET_MODE_FILTER)
 * (sc_load) as its last step before execve. Filter flags go straight to
 * the kernel, so flags libseccomp 2.5.4 lacks (WAIT_KILLABLE_RECV) work too.
 *
 * SCMP_ACT_NOTIFY: the parent connects to listenerPath before the clone (the
 * init cannot reach host paths after pivot_root); the init sends the listener
 * fd the kernel returns, with the containerProcessState JSON, over it.
 *
 * Functions are prefixed sc_: seccomp_* is libseccomp's namespace. */
#ifndef BRICK_SECURITY_SECCOMP_H
#define BRICK_SECURITY_SECCOMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "spec/model.h"

struct brick_error;
struct bjson;

#define SECCOMP_PLAN_MAX_ARGS 6

/* One condition: argument `arg` compared with `op` (enum scmp_compare);
 * for SCMP_CMP_MASKED_EQ, a is the mask and b the datum. */
struct seccomp_cond {
    unsigned arg;
    int op;
    uint64_t a, b;
};

/* One libseccomp rule: the conditions are ANDed; several rules for the same
 * syscall are ORed (that is how libseccomp composes them). */
struct seccomp_rule {
    const char *name; /* borrowed from the spec */
    uint32_t action;  /* SCMP_ACT_* value, errno/trace data included */
    struct seccomp_cond conds[SECCOMP_PLAN_MAX_ARGS];
    unsigned n_conds;
    size_t src; /* index in linux.seccomp.syscalls, for error paths */
};

struct seccomp_plan {
    uint32_t default_action;
    uint32_t *arches; /* SCMP_ARCH_* tokens to add besides the native one */
    size_t n_arches;
    unsigned flags; /* SECCOMP_FILTER_FLAG_* (kernel values) */
    bool notify;    /* some action is SCMP_ACT_NOTIFY: load with a listener */
    struct seccomp_rule *rules;
    size_t n_rules;
};

/* Translate linux.seccomp into rules. Semantics follow runc: errnoRet defaults
 * to EPERM for ERRNO and TRACE; a syscall entry whose action equals the
 * default action adds nothing; conditions on distinct argument indexes form
 * one rule (AND), but when one index appears twice every condition becomes a
 * rule of its own (OR). Errors name the JSON path
 * ("linux.seccomp.flags[1]: unsupported flag \"X\""). */
int sc_plan_build(const struct oci_seccomp *sc, struct seccomp_plan *ret, struct brick_error *err);
void sc_plan_done(struct seccomp_plan *p);

/* Name tables (pure); -1 / 0 when unknown. */
int sc_action_from_name(const char *name, bool has_errno, uint32_t errno_ret, uint32_t *ret);
int sc_op_from_name(const char *name);
uint32_t sc_arch_from_name(const char *name); /* "SCMP_ARCH_X86_64" -> token; 0 unknown */
unsigned sc_flag_from_name(const char *name); /* "SECCOMP_FILTER_FLAG_LOG" -> bit; 0 unknown */

/* A compiled filter, ready for seccomp(2). */
struct seccomp_prog {
    void *insns; /* struct sock_filter[] */
    size_t n_insns;
    unsigned flags;   /* SECCOMP_FILTER_FLAG_*, NEW_LISTENER included when notify */
    size_t n_skipped; /* syscall names unknown to libseccomp (skipped, as runc) */
    int listener_fd;  /* connected listenerPath socket, or -1 */
    char *metadata;   /* listenerMetadata or NULL */
};

/* Plan + compile + (when notifying) connect to listenerPath. *ret is NULL
 * when the config has no linux.seccomp. cache_root: the state root whose
 * .seccomp@cache/ keeps compiled programs (seccomp_cache.c), or NULL. */
int sc_prepare(const struct oci_seccomp *sc, const char *cache_root, struct seccomp_prog **ret,
               struct brick_error *err);
int sc_compile(const struct seccomp_plan *plan, struct seccomp_prog *prog, struct brick_error *err);
/* sc_compile through the cache under cache_root (NULL or unusable: no cache). */
int sc_compile_cached(const struct seccomp_plan *plan, const char *cache_root, struct seccomp_prog *prog,
                      struct brick_error *err);
void sc_prog_free(struct seccomp_prog *p);

/* Install the program in the calling process. Returns the notify fd (>= 0)
 * when the program has SCMP_ACT_NOTIFY rules, 0 otherwise. */
int sc_load(const struct seccomp_prog *p, struct brick_error *err);
struct oci_process;
/* Without no_new_privs the kernel loads a filter only for a holder of
 * CAP_SYS_ADMIN: a process that will not keep it (no nnp, no CAP_SYS_ADMIN
 * in its effective set) must load the filter before its identity switch
 * drops the capability, as runc does. Used by the init and by exec. */
bool sc_load_before_identity(const struct oci_process *p);
/* Send notify_fd with {"ociVersion","fds":["seccompFd"],"pid","metadata",
 * "state":state_json} over the listener socket (one sendmsg, SCM_RIGHTS). */
int sc_notify_send(const struct seccomp_prog *p, int notify_fd, pid_t pid, const char *state_json,
                   struct brick_error *err);

/* The default profile (docs/SECCOMP.md): an allow-list, EPERM for the rest,
 * with the rules Docker makes conditional on capabilities decided by caps
 * (NULL-terminated capability names, e.g. the process's bounding set). */
struct bjson *sc_default_profile(const char *const *caps);
char *sc_default_profile_json(const char *const *caps);

#endif
