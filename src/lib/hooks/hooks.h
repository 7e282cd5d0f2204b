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

/* One program, run as a hook is: stdin_text on its stdin, its stdout and
 * stderr kept for the error ("exited with status 1, stdout: ..., stderr:
 * ..."), killed after h->timeout seconds. The runtime also runs host tools
 * this way (apparmor_parser). */
int hooks_run_program(const struct oci_hook *h, const char *stdin_text, struct brick_error *err);

#endif
