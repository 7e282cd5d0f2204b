/* internal.h — shared by the cgroup module's system-call files. */
#ifndef BRICK_CGROUP_INTERNAL_H
#define BRICK_CGROUP_INTERNAL_H

#include "cgroup/cgroup.h"
#include "cgroup/plan.h"

/* The hierarchy holding ctrl ("memory"), "" for the cgroup2 tree; NULL if none. */
const struct cgroup_hier *cgroup_hier_of(const struct cgroup *cg, const char *ctrl);
/* Carry out planned writes in the container's directories. */
int cgroup_write_plan(const struct cgroup *cg, const struct cgroup_writes *w, struct brick_error *err);
/* Read a small cgroup file (trailing newline stripped); -errno. */
int cgroup_read(const char *dir, const char *file, char **ret);
int cgroup_write(const char *dir, const char *file, const char *value);
/* Words of the cgroup2 tree's cgroup.controllers (hybrid unified keys). */
char **cgroup_v2_controllers(const struct cgroup *cg);
/* Kill every process of the cgroup and wait (bounded) until it is empty. */
/* SIGKILL everything, wait at most 3 s: -ETIMEDOUT (err names a process left) when tasks remain. */
int cgroup_kill_all(const struct cgroup *cg, struct brick_error *err);
/* The systemd driver's own steps (systemd.c); the rest is the v2 driver's. */
int cgroup_sd_create(struct cgroup *cg, const struct oci_resources *res, struct brick_error *err);
int cgroup_sd_update(const struct cgroup *cg, const struct oci_resources *res, struct brick_error *err);
int cgroup_sd_destroy(struct cgroup *cg, struct brick_error *err);

/* No "." or ".." component and no newline: a path cgroupfs could hold. */
bool cgroup_path_ok(const char *p);

#endif
