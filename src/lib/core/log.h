/* log.h — the library's only way to say something: through the callback the
 * embedding program installed with brick_set_log() (see brick.h). */
#ifndef BRICK_CORE_LOG_H
#define BRICK_CORE_LOG_H

#include <brick/brick.h>
#include <stdbool.h>

void log_msg(enum brick_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define log_warn(...) log_msg(BRICK_LOG_WARN, __VA_ARGS__)
#define log_debug(...) log_msg(BRICK_LOG_DEBUG, __VA_ARGS__)
/* whether a message of that level reaches the callback */
bool log_enabled(enum brick_log_level level);

#endif
