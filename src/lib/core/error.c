#include "core/error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int ret_code(int code) { return code > 0 ? -code : -EINVAL; }

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
        snprintf(err->msg, sizeof(err->msg), "%s: %s", head, strerror(code));
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
    snprintf(err->msg, sizeof(err->msg), "%s: %s", head, old);
    return ret_code(err->code);
}
