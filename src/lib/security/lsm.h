/* lsm.h — AppArmor and SELinux labels (process.apparmorProfile,
 * process.selinuxLabel, linux.mountLabel).
 *
 * Plan, then apply:
 *   parent  lsm_host_detect() + lsm_check_config(): refuse, before anything
 *           is created, a label for an LSM the host does not run (runc 1.1
 *           refuses too, only later; see docs/SECURITY.md);
 *           lsm_apply_mount_label(): add context="<label>" to the mounts
 *           runc labels (pure, on the typed spec);
 *   init    lsm_exec_attrs_open() while the host procfs the parent verified
 *           is still open and we are still privileged;
 *           lsm_exec_attrs_write() just before seccomp and execve.
 * The attribute files are reached only through that verified procfs, by
 * numeric task path with no symlink, magic link or mount crossing, never
 * through the container's /proc (CVE-2025-52881). */
#ifndef BRICK_SECURITY_LSM_H
#define BRICK_SECURITY_LSM_H

#include <stdbool.h>

#include "spec/model.h"

struct brick_error;

struct lsm_host {
    bool apparmor; /* /sys/module/apparmor/parameters/enabled is "Y" */
    bool selinux;  /* selinuxfs is mounted (/sys/fs/selinux/enforce exists) */
};

/* What the running kernel enables; never fails (absent means disabled). */
void lsm_host_detect(struct lsm_host *ret);

/* Refuse labels for an LSM that is not enabled (pure). */
int lsm_check_config(const struct oci_spec *spec, const struct lsm_host *host, struct brick_error *err);
/* The process's part of it (create, and exec's process). */
int lsm_check_process(const struct oci_process *p, const struct lsm_host *host, struct brick_error *err);

/* Append context="<linux.mountLabel>" to every mount runc labels: all but
 * bind mounts, proc, sysfs and cgroup (pure; no-op without SELinux or label). */
void lsm_apply_mount_label(struct oci_spec *spec, const struct lsm_host *host);
/* The option string added for a label: context="<label>" (heap). */
char *lsm_mount_label_option(const char *label);
bool lsm_mount_takes_label(const struct oci_mount *m);

/* Open handles on this task's exec attributes, written later. */
struct lsm_exec_attrs {
    int apparmor_fd; /* attr/apparmor/exec, or attr/exec on old kernels; -1 */
    int selinux_fd;  /* attr/exec; -1 */
    const char *apparmor_profile;
    const char *selinux_label;
};
#define LSM_EXEC_ATTRS_INIT                                                                                  \
    {                                                                                                        \
        .apparmor_fd = -1, .selinux_fd = -1                                                                  \
    }

/* procfd: the host procfs opened and verified by the parent. Opens
 * <procfd>/<tid path>/attr/... for the labels the process asks for. */
int lsm_exec_attrs_open(int procfd, const struct oci_process *p, struct lsm_exec_attrs *ret,
                        struct brick_error *err);
/* Write "exec <profile>" (AppArmor) and the label (SELinux); takes effect at
 * the next execve. Closes the handles. */
int lsm_exec_attrs_write(struct lsm_exec_attrs *a, struct brick_error *err);
void lsm_exec_attrs_close(struct lsm_exec_attrs *a);

/* Whether this task could change to AppArmor profile `profile` ("permprofile"
 * written to our attr/current through procfd, the verified host procfs):
 * 0 yes, -ENOENT no such profile, -EACCES our own profile forbids it. */
int lsm_apparmor_test_change(int procfd, const char *profile);

/* TEST SEAM — unit tests only. How an fd reached through procfd is checked:
 * the runtime always uses lsm_verify_procfs (fstatfs PROC_SUPER_MAGIC, and
 * inode 1 for the root). test_lsm.c passes its own check to exercise the
 * attribute paths against a fake procfs tree in a temp dir. */
typedef int (*lsm_verify_fn)(int fd, bool is_root);
int lsm_verify_procfs(int fd, bool is_root);
int lsm_exec_attrs_open_with(int procfd, lsm_verify_fn verify, const struct oci_process *p,
                             struct lsm_exec_attrs *ret, struct brick_error *err);

#endif
