/* error.h — fixed-size error detail, filled only on failure.
 *
 * Convention: a function returns 0 (or a non-negative value) on success and
 * -errno on failure; on failure it writes a human-readable reason into the
 * caller's struct brick_error (last parameter). Context is prefixed as the
 * error travels up: "mount /proc: open: No such file or directory".
 * The struct has a fixed size so no allocation happens on error paths and the
 * container child can send it verbatim to the parent over the sync socket. */
#ifndef BRICK_CORE_ERROR_H
#define BRICK_CORE_ERROR_H

#include <brick/brick.h>

/* Set err (if non-NULL) to code/message and return -code (code > 0 is an
 * errno; code 0 means "no errno", e.g. invalid input, and returns -EINVAL). */
int brick_err(struct brick_error *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Like brick_err() and appends ": strerror(code)". */
int brick_err_errno(struct brick_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Prefix the existing message with "context: " and return -err->code (or
 * -EINVAL). Used on the way up. */
int brick_err_prefix(struct brick_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
