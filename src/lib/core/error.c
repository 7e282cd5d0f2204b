#include "core/error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int ret_code(int code) { return code > 0 ? -code : -EINVAL; }

/* dst = a + ": " + b, truncated to size (long messages lose their tail). */
static void join(char *dst, size_t size, const char *a, const char *b)
{
    size_t la = strnlen(a, size - 1);
    memmove(dst, a, la);
    size_t pos = la;
    const char *parts[] = {": ", b};
    for (int i = 0; i < 2; i++) {
        size_t l = strlen(parts[i]);
        if (l > size - 1 - pos)
            l = size - 1 - pos;
        memmove(dst + pos, parts[i], l);
        pos += l;
    }
    dst[pos] = '\0';
}

int brick_err(struct brick_error *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
        va_end(ap);
        err->code = code;
    }
    return ret_code(code);
}

int brick_err_errno(struct brick_error *err, int code, const char *fmt, ...)
{
    if (err) {
        char head[sizeof(err->msg)];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(head, sizeof(head), fmt, ap);
        va_end(ap);
        join(err->msg, sizeof(err->msg), head, strerror(code));
        err->code = code;
    }
    return ret_code(code);
}

int brick_err_prefix(struct brick_error *err, const char *fmt, ...)
{
    if (!err)
        return -EINVAL;
    char head[sizeof(err->msg)], old[sizeof(err->msg)];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(head, sizeof(head), fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof(old));
    join(err->msg, sizeof(err->msg), head, old);
    return ret_code(err->code);
}
