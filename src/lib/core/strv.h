/* strv.h — NULL-terminated string vectors (char **), heap-owned. */
#ifndef BRICK_CORE_STRV_H
#define BRICK_CORE_STRV_H

#include <stdbool.h>
#include <stddef.h>

size_t strv_length(char *const *v);
/* Append a copy of s; *v may be NULL (an empty vector). Aborts on OOM. */
void strv_push(char ***v, const char *s);
/* Append s itself, taking ownership. */
void strv_push_take(char ***v, char *s);
char **strv_copy(char *const *v);
/* Sort v (strcmp order) and free the repeated entries: a set of strings. */
void strv_sort_unique(char **v);
/* v is sorted (strv_sort_unique): is s in it? */
bool strv_sorted_contains(char *const *v, const char *s);
/* Return the value of "key=..." in an environment-style vector, or NULL. */
const char *strv_env_get(char *const *env, const char *key);

#endif
