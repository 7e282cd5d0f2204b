/* spec.h — the spec module: config.json text -> typed model (model.h).
 *
 * Parsing makes no system calls except oci_spec_load() reading the file, and
 * validates the whole configuration (types, ranges, known names, cross-field
 * rules) before anything is created, so a container never half-starts on a
 * typo. Errors name the JSON path: "process.rlimits[2].hard: expected an
 * unsigned integer", "linux.sysctl[\"net.ipv4.ip_forward\"]: ...". Unknown keys
 * and keys of other platforms are ignored, as the runtime-spec requires. */
#ifndef BRICK_SPEC_SPEC_H
#define BRICK_SPEC_SPEC_H

#include "spec/model.h"

#include <stdbool.h>
#include <stddef.h>

struct brick_error;

/* Parse config.json text (need not be NUL-terminated) into *ret (free with
 * oci_spec_free()). On failure err->msg is "<json.path>: <reason>"; the CLI
 * prefixes "config.json: ". */
int oci_spec_parse(const char *text, size_t len, struct oci_spec **ret, struct brick_error *err);
/* The same, from a document already in memory (brick do builds one): no
 * text round trip. */
struct bjson;
int oci_spec_from_json(const struct bjson *doc, struct oci_spec **ret, struct brick_error *err);
/* Read <dirfd>/<path> (dirfd may be AT_FDCWD) and parse it; err->msg is
 * prefixed with path. */
int oci_spec_load(int dirfd, const char *path, struct oci_spec **ret, struct brick_error *err);
/* A lone process object (runc exec --process FILE): the same rules as
 * config.json's "process", error paths relative to the object ("cwd: ..."). */
int oci_process_parse(const char *text, size_t len, struct oci_process **ret, struct brick_error *err);

/* Semantic (cross-field) checks, run by the parsers above; exposed for
 * callers that build or modify a model themselves (brick compose, exec). */
int oci_spec_validate(const struct oci_spec *s, struct brick_error *err);
/* prefix: the JSON path of the object ("process" or "" for a lone one). */
int oci_process_validate(const struct oci_process *p, const char *prefix, struct brick_error *err);

/* Name tables (pure). */
int oci_cap_from_name(const char *name);    /* "CAP_SYS_ADMIN" -> 21; -1 unknown */
const char *oci_cap_name(int cap);          /* NULL when unknown */
int oci_cap_last(void);                     /* highest capability brick knows (40) */
int oci_rlimit_from_name(const char *name); /* "RLIMIT_NOFILE" -> RLIMIT_NOFILE; -1 unknown */

#endif
