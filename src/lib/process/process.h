/* process.h — the last steps of the container process before execve:
 * rlimits, identity (groups, uid/gid), the five capability sets, umask,
 * no_new_privs, the executable lookup, and the console. */
#ifndef BRICK_PROCESS_PROCESS_H
#define BRICK_PROCESS_PROCESS_H

#include "spec/model.h"

struct brick_error;

int process_set_rlimits(const struct oci_process *p, struct brick_error *err);
/* oomScoreAdj through the verified procfs procfd. */
int process_set_oom_score_adj(int procfd, const struct oci_process *p, struct brick_error *err);
/* setgroups/setresgid/setresuid keeping capabilities, then bounding, effective,
 * permitted, inheritable and ambient sets exactly as the spec lists them
 * (capabilities the running kernel does not know are skipped). */
int process_set_identity(const struct oci_process *p, struct brick_error *err);
int process_set_no_new_privs(const struct oci_process *p, struct brick_error *err);
/* chdir to process.cwd (created when missing, as runc does). Must be called
 * after pivot_root and after every stray fd is gone (CVE-2024-21626). */
int process_enter_cwd(const struct oci_process *p, struct brick_error *err);
/* Resolve args[0] against the PATH in process.env, inside the current root:
 * `exec "nope": executable file not found in $PATH`. */
/* "exec \"NAME\": <errno text as runc spells it>" (engines read it). */
/* runc: HOME from the container's /etc/passwd entry of process.user.uid
 * ("/" without one) when process.env has none or an empty one. After
 * pivot_root; changes p->env. */
void process_default_home(struct oci_process *p);
struct oci_personality;
/* linux.personality: the execution domain (LINUX or LINUX32), for the
 * process and what it execs; before seccomp. */
int process_set_personality(const struct oci_personality *pers, struct brick_error *err);
int process_exec_error(struct brick_error *err, int e, const char *name);
int process_find_executable(const struct oci_process *p, char **ret, struct brick_error *err);

/* Allocate the container's pty from /dev/ptmx of the current root (the
 * container's devpts); the peer comes from TIOCGPTPEER, never from a
 * /dev/pts path (CVE-2025-52565). Applies consoleSize. */
int console_open(const struct oci_process *p, int *ret_master, int *ret_peer, struct brick_error *err);
/* Make the peer the controlling terminal and stdio of this (new) session. */
int console_become_stdio(int peer, struct brick_error *err);

#endif
