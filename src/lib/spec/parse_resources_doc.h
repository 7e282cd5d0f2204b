/* parse_resources_doc.h — a standalone LinuxResources document (what
 * `update -r FILE|-` reads, as containerd passes it): the same parser and
 * JSON-path errors as linux.resources in config.json. */
#ifndef BRICK_SPEC_PARSE_RESOURCES_DOC_H
#define BRICK_SPEC_PARSE_RESOURCES_DOC_H

#include <stddef.h>

struct brick_error;
struct oci_spec;

/* The resources land in (*ret)->linux_.resources of an otherwise empty spec,
 * so that oci_spec_free() releases them. */
int oci_resources_parse(const char *text, size_t len, struct oci_spec **ret, struct brick_error *err);

#endif
