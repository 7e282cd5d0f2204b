/* brick.h — the public library API of brick.
 *
 * Only opaque handles, the error struct and lifecycle calls live here; the
 * typed OCI model and module internals are private to the library. */
#ifndef BRICK_BRICK_H
#define BRICK_BRICK_H

#include <stdbool.h>
#include <sys/types.h>

#define BRICK_ERROR_MSG_MAX 1024

/* Error detail: code is an errno value (0 when the failure is not a system
 * error, e.g. invalid configuration); msg is NUL-terminated. Written by the
 * library only when a call fails. */
struct brick_error {
    int code;
    char msg[BRICK_ERROR_MSG_MAX];
};

#endif
