/* fd.h — file-descriptor helpers: whole reads/writes, fd passing, a verified
 * procfs handle, and the process primitives (clone3, pidfd). */
#ifndef BRICK_CORE_FD_H
#define BRICK_CORE_FD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct brick_error;

/* Read a whole file (relative to dirfd, or AT_FDCWD) into a NUL-terminated heap
 * buffer; *ret_len excludes the NUL. Refuses files larger than max bytes. */
int read_file_at(int dirfd, const char *path, size_t max, char **ret, size_t *ret_len);
int read_all_fd(int fd, size_t max, char **ret, size_t *ret_len);
/* Write all of buf, retrying on EINTR/short writes. */
int write_all(int fd, const void *buf, size_t len);
/* Open dirfd/path O_WRONLY (no create, no follow of a final symlink) and write s. */
int write_file_at(int dirfd, const char *path, const char *s);
/* O_PATH fd of a directory the runtime keeps its state in. Unprivileged
 * (running_unprivileged), it may sit in a shared place (/tmp/brick-UID):
 * the last component must not be a symlink (-ENOTDIR) and the directory
 * must be ours and writable by us alone (-EPERM), or someone else could
 * plant state that we then act on. */
int private_dir_open(const char *path);
/* Atomically replace dirfd/name with content (temp file + fsync-less rename). */
int write_file_atomic(int dirfd, const char *name, const char *content, mode_t mode);

/* SCM_RIGHTS: send one fd with a one-byte payload; receive it (O_CLOEXEC). */
int send_fd(int sock, int fd);
int recv_fd(int sock, int *ret_fd);

/* Open the host's /proc as an O_PATH directory fd and verify it really is a
 * procfs root (statfs magic, inode 1), so a writer never goes through a
 * container-controlled path (CVE-2025-52881). */
int procfs_open_verified(int *ret_fd);

/* clone3() with the given flags and SIGCHLD; behaves like fork() (returns 0 in
 * the child, the pid in the parent, -errno on failure). pidfd is optional. */
pid_t clone3_fork(uint64_t flags, int *ret_pidfd);
/* The same, into the cgroup2 directory cgroup_fd (CLONE_INTO_CGROUP) when
 * cgroup_fd >= 0. Either way the child is non-dumpable from its first
 * instruction (CVE-2016-9962); the caller's dumpable flag is kept. */
pid_t clone3_fork_into(uint64_t flags, int cgroup_fd, int *ret_pidfd);
/* In a child about to enter a container: zero the environment block it
 * inherited (what /proc/PID/environ shows: the caller's secrets) and every
 * string environ points to, and leave environ empty. procfd: the verified
 * host procfs. */
int environ_scrub(int procfd);
/* Blank the argument block (/proc/PID/cmdline: readable by every user of
 * the pid namespace, no ptrace check) but for argv[0], or replace it by
 * name. Pointers into argv read empty strings afterwards: copy them first.
 * procfd < 0: /proc of the caller's mount namespace. */
int cmdline_wipe(int procfd, const char *name);
/* A process of its own, not the caller's child (nothing to reap): fork
 * twice, the grandchild in a session of its own (no terminal's signal
 * reaches it) with stdio on /dev/null (it never holds the caller's pipes
 * open). Returns 0 in it, 1 in the caller once the middle process is reaped,
 * -errno when the fork fails. */
int fork_detached(void);
int pidfd_open_pid(pid_t pid);
int pidfd_signal(int pidfd, int sig);
/* The state letter of /proc/PID/stat (R, S, D, T, Z...), '?' when unreadable. */
char proc_state(pid_t pid);

/* Before execve in a container: fds 3..3+n_keep-1 that the caller of brick
 * passed down (inherited, hence not close-on-exec) stay open; every fd brick
 * opened itself is close-on-exec already, so one that took a number in that
 * range is never kept (CVE-2024-21626); every fd from 3+n_keep on is marked
 * close-on-exec. Never reads /proc (it may be the container's by now). */
int fds_prepare_exec(int n_keep);
/* fn(name) for each entry of the directory dfd from its current offset
 * ("." and ".." skipped); a negative return of fn stops the walk and is
 * returned. No heap: getdents64 into a buffer on the stack. */
int dir_for_each(int dfd, int (*fn)(const char *name, void *data), void *data);
/* Close every directory fd (O_PATH ones too) from 3 on, except the first
 * n_preserve (the caller's --preserve-fds/LISTEN_FDS) and keep[0..n_keep).
 * A host directory open in a container process lets a path escape through
 * /proc/self/fd/N/.. (CVE-2024-21626), and close-on-exec is too late: execve
 * resolves its path first. The fds are listed through procfd ("self/fd" of
 * the verified host procfs). Returns how many were closed, or -errno. */
int fds_close_dirs(int procfd, int n_preserve, const int *keep, size_t n_keep);
/* Close every fd from 3 + n_preserve on that is not close-on-exec: what the
 * caller of brick left open by mistake (brick's own fds are all
 * close-on-exec). A created init must not hold a caller's pipe or file open
 * until `start`. Returns how many were closed, or -errno. */
int fds_close_inherited(int procfd, int n_preserve);

/* stdin, stdout and stderr on /dev/null: a helper process that outlives its
 * caller (a monitor, the output logger) never holds the caller's pipes open,
 * or `out=$(brick do -d ...)` would wait for it. */
void stdio_to_null(void);
/* /dev/null on whichever of fds 0-2 the caller closed (`brick do -d >&-`):
 * else the next fds opened would take their numbers, and a dup2() onto
 * stdio meant for the container (its output log) would replace them. Call
 * it before opening anything. */
void stdio_fill(void);

/* Fds from..from+n-1 the caller hands to a container: any that is not open
 * is filled with /dev/null, so that none of ours can take its number and
 * reach the container in its place. */
void fds_reserve(int from, int n);
/* Close every fd from 3 on but keep[0..n_keep): a helper process that never
 * execs (the output logger) must hold nothing else, no caller's pipe, no
 * state lock, no host directory. */
void fds_close_except(const int *keep, size_t n_keep);

#endif
