#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>

static brick_log_fn log_fn;
static void *log_userdata;
static enum brick_log_level log_max = BRICK_LOG_WARN;

void brick_set_log(brick_log_fn fn, void *userdata, enum brick_log_level max_level)
{
    log_fn = fn;
    log_userdata = userdata;
    log_max = max_level;
}

bool log_enabled(enum brick_log_level level) { return log_fn && level <= log_max; }

void log_msg(enum brick_log_level level, const char *fmt, ...)
{
    if (!log_enabled(level))
        return;
    char buf[BRICK_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    log_fn(level, buf, log_userdata);
}
