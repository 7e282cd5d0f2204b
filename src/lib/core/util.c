#include "core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void oom(void)
{
    static const char m[] = "brick: out of memory\n";
    (void)!write(2, m, sizeof(m) - 1);
    abort();
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom();
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        oom();
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *r = realloc(p, n ? n : 1);
    if (!r)
        oom();
    return r;
}

char *xstrdup(const char *s)
{
    char *r = strdup(s ? s : "");
    if (!r)
        oom();
    return r;
}

char *xstrndup(const char *s, size_t n)
{
    char *r = strndup(s, n);
    if (!r)
        oom();
    return r;
}

char *xasprintf(const char *fmt, ...)
{
    char *r;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&r, fmt, ap);
    va_end(ap);
    if (n < 0)
        oom();
    return r;
}

int parse_u64(const char *s, uint64_t *ret)
{
    if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
        return -EINVAL;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno)
        return -errno;
    if (*end)
        return -EINVAL;
    *ret = v;
    return 0;
}

int parse_i64(const char *s, int64_t *ret)
{
    if (!s || !*s || *s == ' ')
        return -EINVAL;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno)
        return -errno;
    if (*end)
        return -EINVAL;
    *ret = v;
    return 0;
}

int parse_int(const char *s, int *ret)
{
    int64_t v;
    int r = parse_i64(s, &v);
    if (r < 0)
        return r;
    if (v < INT32_MIN || v > INT32_MAX)
        return -ERANGE;
    *ret = (int)v;
    return 0;
}

bool startswith(const char *s, const char *prefix) { return s && strncmp(s, prefix, strlen(prefix)) == 0; }

void format_rfc3339_now(char *buf, size_t len)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    char base[32];
    strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf, len, "%s.%09ldZ", base, ts.tv_nsec);
}

char *passwd_field(char *text, uint32_t uid, int field)
{
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *f[7] = {0};
        int n = 0;
        for (char *p = line; n < 7; n++) {
            f[n] = p;
            p = strchr(p, ':');
            if (!p)
                break;
            *p++ = '\0';
        }
        unsigned long long u;
        char *end;
        if (n >= field && n >= 2 && f[2][0] && (u = strtoull(f[2], &end, 10), *end == '\0') && u == uid)
            return f[field][0] ? xstrdup(f[field]) : NULL;
    }
    return NULL;
}

bool running_in_userns(void)
{
    static int cached = -1;
    if (cached >= 0)
        return cached;
    char buf[256] = {0};
    int fd = open("/proc/self/uid_map", O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
    if (fd >= 0)
        close(fd);
    unsigned long a, b, c;
    /* the initial namespace maps every id to itself: "0 0 4294967295" */
    cached = !(n > 0 && sscanf(buf, "%lu %lu %lu", &a, &b, &c) == 3 && a == 0 && b == 0 && c == 4294967295UL);
    return cached;
}

bool running_unprivileged(void) { return geteuid() != 0 || running_in_userns(); }

unsigned edit_distance(const char *a, const char *b, unsigned cap)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return cap + 1;
    if ((la > lb ? la - lb : lb - la) > cap)
        return cap + 1;
    unsigned d[65][65];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = (unsigned)i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = (unsigned)j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            unsigned best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    return d[la][lb] > cap ? cap + 1 : d[la][lb];
}

const char *closest_name(const char *word, const char *const *names, size_t n)
{
    unsigned cap = strlen(word) <= 3 ? 1 : 2, best = cap + 1;
    const char *found = NULL;
    for (size_t i = 0; i < n; i++) {
        unsigned dist = edit_distance(word, names[i], cap);
        if (dist == 0)
            return NULL; /* a known word: nothing to suggest */
        if (dist < best) {
            best = dist;
            found = names[i];
        }
    }
    return found;
}

const char *closest_long_option(const char *arg, const struct option *opts)
{
    if (!arg || arg[0] != '-' || arg[1] != '-' || !arg[2])
        return NULL;
    char word[65];
    size_t len = strcspn(arg + 2, "=");
    if (len >= sizeof(word))
        return NULL;
    memcpy(word, arg + 2, len);
    word[len] = '\0';
    const char *names[256];
    size_t n = 0;
    for (; opts[n].name && n < sizeof(names) / sizeof(names[0]); n++)
        names[n] = opts[n].name;
    return closest_name(word, names, n); /* NULL for a known one: incomplete, not misspelt */
}
