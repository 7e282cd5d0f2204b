/* apparmor.h — AppArmor profiles: brick's own profile (brick-default), whether
 * the kernel holds a profile, and what create, exec and do make of that.
 *
 * The exec attribute itself ("exec <profile>", applied at the container's
 * execve) is written by lsm.c through the verified host procfs. Here:
 *   apparmor_plan()        pure: apply, load brick-default first, or refuse
 *                          a profile the kernel does not hold;
 *   apparmor_profile_loaded()  the kernel's list of profiles (securityfs),
 *                          else the kernel's answer to "permprofile NAME";
 *   apparmor_parser_find() the parser that loads brick-default: a fixed path,
 *                          root's file, never looked up in PATH.
 * The loading itself (the parser run with the text on stdin) is the
 * runtime's (runtime/apparmor.c). */
#ifndef BRICK_SECURITY_APPARMOR_H
#define BRICK_SECURITY_APPARMOR_H

#include <stdbool.h>

struct brick_error;

#define APPARMOR_DEFAULT_PROFILE "brick-default"
/* The kernel's own name for "no profile": always there, never loaded. */
#define APPARMOR_UNCONFINED "unconfined"

/* The source text of brick-default (brick-default.apparmor, compiled in). */
extern const char apparmor_default_text[];

/* Whether text (the kernel's list: "name (mode)" lines) names the profile. */
bool apparmor_list_has(const char *text, const char *name);

/* 1: the kernel holds the profile; 0: it does not; -errno: cannot tell (a
 * stacked or namespaced name, AppArmor's files unreachable). procfd: the
 * verified host procfs, for callers that cannot read the list (unprivileged:
 * the kernel's "permprofile" test, which changes nothing). */
int apparmor_profile_loaded(int procfd, const char *name);

enum apparmor_plan {
    APPARMOR_APPLY,   /* write it at exec (loaded, or unknown: the kernel decides then, as runc) */
    APPARMOR_LOAD,    /* brick-default, not held yet: load it first */
    APPARMOR_MISSING, /* another profile the kernel does not hold: refuse now */
};
/* What to do before a container starts with process.apparmorProfile = name,
 * given apparmor_profile_loaded()'s answer (pure). */
enum apparmor_plan apparmor_plan(const char *name, int loaded);

/* The profile `brick do` applies when --security-opt apparmor= is not given
 * (pure): brick-default where AppArmor is enabled, as Docker applies
 * docker-default, when this caller can have it: loaded already, or can_load
 * (root, and a parser: create loads it). NULL: none. */
const char *apparmor_do_default(bool enabled, bool can_load, int loaded);

/* The parser, at /sbin/apparmor_parser or else /usr/sbin/apparmor_parser:
 * a regular file owned by root and writable by nobody else (it runs as root
 * with our policy on stdin). Returns the path (static) or NULL with err. */
const char *apparmor_parser_find(struct brick_error *err);
/* The same over candidates (NULL-terminated): the test seam of the checks. */
const char *apparmor_parser_pick(const char *const *candidates, struct brick_error *err);

#endif
