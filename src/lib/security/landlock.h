/* landlock.h — brick's Landlock extension: the `run.brick.landlock`
 * annotation (docs/LANDLOCK.md), an unprivileged, stackable sandbox no other
 * OCI runtime offers.
 *
 * Plan, then apply:
 *   landlock_policy_from_spec()  parse the annotation (pure; errors name the
 *                                JSON path: annotations["run.brick.landlock"]
 *                                .fs[0].access[1]: unknown access "fly")
 *   landlock_negotiate()         fit the policy to a kernel ABI (pure): drop
 *                                rights the kernel does not know, fail when a
 *                                rule marked required cannot be enforced
 *   landlock_prepare()           in the init after pivot_root: open each rule's
 *                                path inside the container, build the ruleset
 *   landlock_enforce()           landlock_restrict_self(), just before seccomp
 * The parent runs the first two at create time, so a bad policy fails before
 * anything is created; the init repeats them on its copy of the spec. */
#ifndef BRICK_SECURITY_LANDLOCK_H
#define BRICK_SECURITY_LANDLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spec/model.h"

struct brick_error;

#define LANDLOCK_ANNOTATION "run.brick.landlock"

struct landlock_fs_rule {
    char *path;           /* absolute, resolved inside the container */
    uint64_t access;      /* LANDLOCK_ACCESS_FS_* granted beneath path */
    int min_abi;          /* lowest ABI that knows every access named */
    const char *min_name; /* the access name that needs min_abi */
    bool required;        /* fail rather than drop it (default: policy's) */
};

struct landlock_policy {
    bool required; /* Landlock itself must be available */
    bool has_fs;   /* "fs" present: file access is restricted */
    struct landlock_fs_rule *fs;
    size_t n_fs;
    bool has_bind, has_connect, net_required;
    uint16_t *bind, *connect; /* allowed TCP ports */
    size_t n_bind, n_connect;
    uint64_t scope; /* LANDLOCK_SCOPE_* asked for */
    /* Filled by landlock_negotiate(): */
    int abi; /* 0: Landlock unavailable, nothing is enforced */
    uint64_t handled_fs, handled_net, scoped;
};

/* Parse the annotation; *ret is NULL (and 0 returned) when it is absent. */
int landlock_policy_from_spec(const struct oci_spec *spec, struct landlock_policy **ret,
                              struct brick_error *err);
int landlock_policy_parse(const char *json, struct landlock_policy **ret, struct brick_error *err);
void landlock_policy_free(struct landlock_policy *p);

/* The running kernel's Landlock ABI version; 0 when unsupported/disabled. */
int landlock_abi_version(void);
/* Fit p to abi (pure). */
int landlock_negotiate(struct landlock_policy *p, int abi, struct brick_error *err);

/* Init side, after pivot_root: *ret_fd is a ruleset fd, or -1 when nothing
 * is enforced. */
int landlock_prepare(const struct landlock_policy *p, int *ret_fd, struct brick_error *err);
/* Restrict this process and its future children; closes ruleset_fd. Needs
 * no_new_privs or CAP_SYS_ADMIN (checked at create time). */
int landlock_enforce(int ruleset_fd, struct brick_error *err);

/* Name -> access mask (pure; for tests and docs). 0 when unknown. */
uint64_t landlock_access_from_name(const char *name);

#endif
