/* plan.c — the writes list and helpers shared by the v1 and v2 plans. */
#include "cgroup/plan_internal.h"
#include "core/error.h"
#include "core/util.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cgroup_write *plan_add(struct cgroup_writes *out, const char *ctrl, bool v2, const char *what,
                              const char *file, const char *fmt, ...)
{
    out->v = xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
    struct cgroup_write *w = &out->v[out->n++];
    *w = (struct cgroup_write){.ctrl = xstrdup(ctrl), .v2 = v2, .file = xstrdup(file), .what = what};
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&w->value, fmt, ap) < 0)
        abort();
    va_end(ap);
    return w;
}

void cgroup_writes_done(struct cgroup_writes *w)
{
    for (size_t i = 0; i < w->n; i++) {
        free(w->v[i].ctrl);
        free(w->v[i].file);
        free(w->v[i].value);
        free(w->v[i].alt_file);
        free(w->v[i].alt_value);
    }
    free(w->v);
    *w = (struct cgroup_writes){0};
}

int plan_err(struct brick_error *err, const char *what, const char *fmt, ...)
{
    char reason[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof(reason), fmt, ap);
    va_end(ap);
    return brick_err(err, EINVAL, "linux.resources.%s: %s", what, reason);
}

bool plan_valid_page_size(const char *s)
{
    if (!s || !isdigit((unsigned char)*s))
        return false;
    while (isdigit((unsigned char)*s))
        s++;
    return streq(s, "KB") || streq(s, "MB") || streq(s, "GB") || streq(s, "TB") || streq(s, "PB");
}

bool plan_valid_key(const char *key)
{
    return key && *key && !strchr(key, '/') && !strstr(key, "..") && strchr(key, '.') && !strchr(key, '\n');
}

/* runc's linear map of cpu.shares [2, 262144] onto cpu.weight [1, 10000];
 * 0 means "unset" and stays 0. */
uint64_t cgroup_shares_to_weight(uint64_t shares)
{
    if (shares == 0)
        return 0;
    if (shares < 2)
        shares = 2;
    if (shares > 262144)
        shares = 262144;
    return 1 + ((shares - 2) * 9999) / 262142;
}

/* blkio weights [10, 1000] onto io.weight [1, 10000], as runc does. */
uint64_t cgroup_blkio_to_io_weight(uint64_t weight)
{
    if (weight == 0)
        return 0;
    if (weight < 10)
        weight = 10;
    if (weight > 1000)
        weight = 1000;
    return 1 + ((weight - 10) * 9999) / 990;
}
