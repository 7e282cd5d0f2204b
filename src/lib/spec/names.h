/* names.h — the spec module's private name sets (what config.json may spell). */
#ifndef BRICK_SPEC_NAMES_H
#define BRICK_SPEC_NAMES_H

#include <stdbool.h>

/* NULL-terminated sets of accepted spellings. */
extern const char *const oci_seccomp_actions[];
extern const char *const oci_seccomp_ops[];
extern const char *const oci_propagations[];
extern const char *const oci_sched_policies[];
extern const char *const oci_ioprio_classes[];
extern const char *const oci_mpol_modes[];
extern const char *const oci_personality_domains[];

bool oci_name_in(const char *s, const char *const *set);
/* "pid" -> OCI_NS_PID; -1 unknown. */
int oci_ns_type_from_name(const char *name);

#endif
