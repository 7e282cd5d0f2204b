/* missing.h — kernel constants newer than the oldest headers brick builds
 * with (glibc 2.36 / Linux 6.1 headers define all of them; older ones do
 * not). One place, so that a value is never spelled twice. */
#ifndef BRICK_CORE_MISSING_H
#define BRICK_CORE_MISSING_H

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

/* Read limits: the largest file brick reads whole, by kind. */
#define BRICK_READ_SMALL (64 << 10)  /* /proc and cgroup files, pid files */
#define BRICK_READ_STATE (1 << 20)   /* state.json, cgroup records */
#define BRICK_READ_CONFIG (64 << 20) /* config.json, process.json, seccomp profiles */

#endif
