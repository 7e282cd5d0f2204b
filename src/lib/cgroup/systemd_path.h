/* systemd_path.h — runc's systemd cgroupsPath "SLICE:PREFIX:NAME" -> the
 * cgroup path systemd gives the unit. Pure: no system calls, no systemd.
 *
 *   "kubepods-burstable-pod1.slice:cri-containerd:abc"
 *       -> "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1.slice/cri-containerd-abc.scope"
 *
 * Rules (runc's libcontainer/cgroups/systemd ExpandSlice and getUnitName):
 *   - SLICE empty means "system.slice"; "-.slice" is the root slice ("/");
 *     "a-b-c.slice" nests as a.slice/a-b.slice/a-b-c.slice. A slice must end
 *     in ".slice" and hold no "/" and no empty dash-component ("a--b.slice",
 *     "-a.slice", "a-.slice" are refused).
 *   - the unit is "PREFIX-NAME.scope", so an empty PREFIX gives "-NAME.scope"
 *     as in runc and crun; a NAME ending in ".slice" is the unit itself
 *     (PREFIX ignored).
 *   - beyond runc: NAME must not be empty, and the slice and the unit must be
 *     valid systemd unit names (characters [A-Za-z0-9:_.@\-], at most 255),
 *     which systemd itself would enforce when making the unit. */
#ifndef BRICK_CGROUP_SYSTEMD_PATH_H
#define BRICK_CGROUP_SYSTEMD_PATH_H

struct brick_error;

#define CGROUP_SYSTEMD_DEFAULT_SLICE "system.slice"
#define CGROUP_SYSTEMD_DEFAULT_PREFIX "brick"
#define CGROUP_SYSTEMD_USER_SLICE "user.slice" /* a user manager's (rootless) */

/* "a-b.slice" -> "/a.slice/a-b.slice" ("-.slice" -> "/"); heap string. */
int cgroup_systemd_expand_slice(const char *slice, char **ret, struct brick_error *err);
/* ("cri-containerd", "abc") -> "cri-containerd-abc.scope"; a NAME ending in
 * ".slice" is returned as is. */
int cgroup_systemd_unit_name(const char *prefix, const char *name, char **ret, struct brick_error *err);
/* The whole conversion: cgroups_path NULL or "" means
 * "system.slice:brick:<id>". *ret is absolute, e.g. "/system.slice/brick-c1.scope". */
int cgroup_systemd_path(const char *cgroups_path, const char *id, char **ret, struct brick_error *err);

/* The same under a user manager whose own cgroup is manager (rootless):
 * cgroups_path NULL or "" means "user.slice:brick:<id>", as runc's rootless
 * default. "/user.slice/user-1000.slice/user@1000.service/user.slice/brick-c1.scope" */
int cgroup_systemd_user_path(const char *cgroups_path, const char *id, const char *manager, char **ret,
                             struct brick_error *err);

#endif
