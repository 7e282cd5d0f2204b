/* util.h — allocation that aborts on OOM, safe number parsing, small string
 * helpers. Out of memory is not an error brick reports: it aborts. */
#ifndef BRICK_CORE_UTIL_H
#define BRICK_CORE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Whole-string decimal parsers; return 0 or -EINVAL/-ERANGE. */
int parse_u64(const char *s, uint64_t *ret);
int parse_i64(const char *s, int64_t *ret);
int parse_int(const char *s, int *ret);

static inline bool streq(const char *a, const char *b) { return a && b && __builtin_strcmp(a, b) == 0; }
bool startswith(const char *s, const char *prefix);

/* Edit distance (Levenshtein, an adjacent swap counting one) between a and b,
 * capped: anything above cap is returned as cap + 1. */
unsigned edit_distance(const char *a, const char *b, unsigned cap);
/* The entry of names[0..n) closest to word: within 2 edits (1 for a word of
 * 3 letters or less), the first of equals; NULL when none is that close or
 * word is one of names. For "did you mean" hints. */
const char *closest_name(const char *word, const char *const *names, size_t n);
/* The same over getopt_long's table, for an unknown "--name[=value]":
 * returns the option's name (without "--"), or NULL. */
struct option;
const char *closest_long_option(const char *arg, const struct option *opts);

/* RFC 3339 UTC time with nanoseconds, as runc writes "created": buf >= 40. */
void format_rfc3339_now(char *buf, size_t len);
/* Field `field` (0 name .. 6 shell) of uid's entry in the text of a passwd
 * file (cut up in place), or NULL when absent or empty. */
char *passwd_field(char *text, uint32_t uid, int field);
/* Whether we run in a user namespace other than the initial one (rootless
 * Podman runs its runtime as root of one), from /proc/self/uid_map; cached. */
bool running_in_userns(void);
/* Not the host's root: euid != 0, or root of a user namespace only. Such a
 * runtime cannot make cgroups that are not delegated, nor device nodes. */
bool running_unprivileged(void);

#endif
