#include "core/strv.h"
#include "core/cleanup.h"
#include "core/util.h"

#include <stdlib.h>
#include <string.h>

void strv_free(char **v)
{
    if (!v)
        return;
    for (char **p = v; *p; p++)
        free(*p);
    free(v);
}

size_t strv_length(char *const *v)
{
    size_t n = 0;
    while (v && v[n])
        n++;
    return n;
}

void strv_push_take(char ***v, char *s)
{
    size_t n = strv_length(*v);
    char **nv = xrealloc(*v, (n + 2) * sizeof(char *));
    nv[n] = s;
    nv[n + 1] = NULL;
    *v = nv;
}

void strv_push(char ***v, const char *s) { strv_push_take(v, xstrdup(s)); }

char **strv_copy(char *const *v)
{
    char **r = xcalloc(strv_length(v) + 1, sizeof(char *));
    for (size_t i = 0; v && v[i]; i++)
        r[i] = xstrdup(v[i]);
    return r;
}

const char *strv_env_get(char *const *env, const char *key)
{
    size_t kl = strlen(key);
    for (size_t i = 0; env && env[i]; i++)
        if (strncmp(env[i], key, kl) == 0 && env[i][kl] == '=')
            return env[i] + kl + 1;
    return NULL;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

void strv_sort_unique(char **v)
{
    size_t n = strv_length(v), k = 0;
    if (!v)
        return;
    qsort(v, n, sizeof(*v), cmp_str);
    for (size_t i = 0; i < n; i++) {
        if (k > 0 && strcmp(v[k - 1], v[i]) == 0)
            free(v[i]);
        else
            v[k++] = v[i];
    }
    v[k] = NULL;
}

bool strv_sorted_contains(char *const *v, const char *s)
{
    return v && bsearch(&s, v, strv_length(v), sizeof(*v), cmp_str) != NULL;
}
