/* ns.h — namespaces: the CLONE_NEW* flag of each OCI type, opening and
 * type-checking namespace paths, joining, user-namespace id maps and time
 * namespace offsets. */
#ifndef BRICK_NS_NS_H
#define BRICK_NS_NS_H

#include <stdbool.h>
#include <sys/types.h>

#include "spec/model.h"

struct brick_error;

int ns_clone_flag(enum oci_ns_type t);
/* Name under /proc/PID/ns/ ("net", "mnt", ...). */
const char *ns_proc_name(enum oci_ns_type t);

/* The namespaces a spec asks for, split into "new" (a CLONE_NEW* mask) and
 * "join" (fds opened from the paths, type-checked, -1 when not joined). */
struct ns_plan {
    int new_flags;
    int join_fd[OCI_NS__MAX];
    bool join_any;
};

/* Open every namespace path of the spec and check it is a namespace of the
 * declared type ("linux.namespaces[1].path: /proc/1/ns/ipc is not a network
 * namespace"). */
int ns_plan_open(const struct oci_spec *spec, struct ns_plan *plan, struct brick_error *err);
void ns_plan_done(struct ns_plan *plan);

/* setns() into every joined namespace, user first (its credentials govern the
 * rest); skips types in skip_mask. */
int ns_join_all(struct ns_plan *plan, int skip_mask, struct brick_error *err);

/* Write uid_map/gid_map of pid through the verified procfs procfd. */
int ns_write_id_maps(int procfd, pid_t pid, const struct oci_spec *spec, struct brick_error *err);
/* A user namespace holding exactly these maps (root only), as an fd for
 * MOUNT_ATTR_IDMAP: made by a short-lived child, opened through procfd. */
int ns_userns_fd(int procfd, const struct oci_id_mapping *uid, size_t n_uid, const struct oci_id_mapping *gid,
                 size_t n_gid, int *ret_fd, struct brick_error *err);
/* Write /proc/self/timens_offsets (after unshare(CLONE_NEWTIME), before any
 * process enters the namespace). */
int ns_write_time_offsets(int procfd, const struct oci_spec *spec, struct brick_error *err);

#endif
