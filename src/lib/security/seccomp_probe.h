/* seccomp_probe.h — a fixed list of dangerous syscalls with harmless
 * arguments (seccomp_probe.c), for `brick inspect --probe` and the static
 * test helper. libc only: the helper compiles the .c file on its own. */
#ifndef BRICK_SECURITY_SECCOMP_PROBE_H
#define BRICK_SECURITY_SECCOMP_PROBE_H

#include <stdbool.h>
#include <stddef.h>

struct sc_probe {
    const char *name; /* syscall name, with the argument that matters in () */
    long nr;
    long args[6];
    bool control; /* expected to be allowed: proves the probe itself works */
};

extern const struct sc_probe sc_probes[];
extern const size_t sc_n_probes;

/* Make the call; 0 when it succeeded, else its errno. */
int sc_probe_one(const struct sc_probe *p);
/* EPERM or ENOSYS: what a filter answers (the caller tells seccomp from other
 * reasons by comparing with an unfiltered run). */
bool sc_probe_blocked(const struct sc_probe *p, int e);

#include <sys/types.h>
struct brick_error;
/* Killed by the filter (KILL, TRAP: SIGSYS) rather than failed. */
#define SC_PROBE_KILLED (-1)
/* Probe pid's filters from outside: copy them with PTRACE_SECCOMP_GET_FILTER
 * (a brief PTRACE_SEIZE + INTERRUPT, then detach), install the copy in a
 * child per probe and record each result (errno, 0, or SC_PROBE_KILLED) in
 * results[sc_n_probes]. Needs CAP_SYS_ADMIN; the filter sees only syscall
 * numbers and arguments, so the child gets the answers the container would.
 * Returns the number of filters found. (seccomp_inspect.c) */
int sc_probe_process(pid_t pid, int *results, struct brick_error *err);

#endif
