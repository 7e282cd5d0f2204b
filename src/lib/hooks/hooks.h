/* hooks.h — OCI hooks: each hook is executed with its args and env, the
 * container state JSON on stdin, and killed when its timeout expires. */
#ifndef BRICK_HOOKS_HOOKS_H
#define BRICK_HOOKS_HOOKS_H

#include "spec/model.h"

struct brick_error;

/* Run every hook of kind in order; stop at the first failure
 * ("prestart hook 0 (/usr/bin/x): exited with status 1"). */
int hooks_run(const struct oci_spec *spec, enum oci_hook_kind kind, const char *state_json,
              struct brick_error *err);

#endif
