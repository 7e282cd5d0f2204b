/* lsm.c — AppArmor and SELinux labels: host detection, config checks, the
 * mount label plan and the exec attribute writes (see lsm.h). */
#include "security/lsm.h"
#include "core/cleanup.h"
#include "core/error.h"
#include "core/fd.h"
#include "core/strv.h"
#include "core/util.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

void lsm_host_detect(struct lsm_host *ret)
{
    _cleanup_free_ char *aa = NULL;
    *ret = (struct lsm_host){0};
    if (read_file_at(AT_FDCWD, "/sys/module/apparmor/parameters/enabled", 16, &aa, NULL) >= 0)
        ret->apparmor = aa[0] == 'Y';
    ret->selinux = faccessat(AT_FDCWD, "/sys/fs/selinux/enforce", F_OK, 0) == 0;
}

/* runc 1.1 (tried on this host): an apparmorProfile without AppArmor fails
 * the init ("write /proc/self/attr/exec: invalid argument"), a selinuxLabel
 * without SELinux is refused by its validator, a mountLabel without SELinux
 * fails the first tmpfs mount with EINVAL. brick refuses all three, earlier,
 * before anything is created; empty strings mean "unset", as in runc. */
int lsm_check_process(const struct oci_process *p, const struct lsm_host *host, struct brick_error *err)
{
    if (p && p->apparmor_profile && *p->apparmor_profile && !host->apparmor)
        return brick_err(err, EINVAL,
                         "process.apparmorProfile: apparmor profile set but AppArmor is not enabled");
    if (p && p->selinux_label && *p->selinux_label && !host->selinux)
        return brick_err(err, EINVAL,
                         "process.selinuxLabel: selinux label set but SELinux is disabled or not supported");
    return 0;
}

int lsm_check_config(const struct oci_spec *spec, const struct lsm_host *host, struct brick_error *err)
{
    int r = lsm_check_process(spec->process, host, err);
    if (r < 0)
        return r;
    if (spec->linux_.mount_label && *spec->linux_.mount_label && !host->selinux)
        return brick_err(err, EINVAL,
                         "linux.mountLabel: mount label set but SELinux is disabled or not supported");
    return 0;
}

char *lsm_mount_label_option(const char *label)
{
    /* Quoted: an MCS label ("s0:c1,c2") contains the option separator. */
    return xasprintf("context=\"%s\"", label);
}

/* runc labels every mount it makes except bind mounts (they keep the
 * source's labels), proc, sysfs and cgroup (their labels come from policy). */
bool lsm_mount_takes_label(const struct oci_mount *m)
{
    static const char *const unlabelled[] = {"bind", "rbind", "proc", "sysfs", "cgroup", "cgroup2"};
    for (char **o = m->options; o && *o; o++)
        if (streq(*o, "bind") || streq(*o, "rbind"))
            return false;
    for (size_t i = 0; i < ARRAY_SIZE(unlabelled); i++)
        if (streq(m->type, unlabelled[i]))
            return false;
    return true;
}

void lsm_apply_mount_label(struct oci_spec *spec, const struct lsm_host *host)
{
    const char *label = spec->linux_.mount_label;
    if (!host->selinux || !label || !*label)
        return;
    for (size_t i = 0; i < spec->n_mounts; i++)
        if (lsm_mount_takes_label(&spec->mounts[i]))
            strv_push_take(&spec->mounts[i].options, lsm_mount_label_option(label));
}

int lsm_verify_procfs(int fd, bool is_root)
{
    struct statfs sfs;
    struct stat st;
    if (fstatfs(fd, &sfs) < 0 || fstat(fd, &st) < 0)
        return -errno;
    if (sfs.f_type != PROC_SUPER_MAGIC || (is_root && st.st_ino != 1))
        return -EXDEV;
    return 0;
}

/* "<pid>/task/<tid>" of the calling thread in procfd's pid namespace, from
 * its thread-self link: the container's pid namespace numbers differ. */
static int task_dir(int procfd, char *buf, size_t len)
{
    ssize_t n = readlinkat(procfd, "thread-self", buf, len - 1);
    if (n < 0)
        return -errno;
    if ((size_t)n >= len - 1)
        return -ENAMETOOLONG;
    buf[n] = '\0';
    /* Only digits and "/task/": nothing that could walk elsewhere. */
    if (strspn(buf, "0123456789/task") != (size_t)n || strstr(buf, ".."))
        return -EXDEV;
    return 0;
}

/* No symlink, no magic link, no mount crossing: an attribute file that is
 * overmounted or redirected fails instead of being written (CVE-2025-52881). */
static int open_attr(int procfd, lsm_verify_fn verify, const char *task, const char *name)
{
    _cleanup_free_ char *path = xasprintf("%s/attr/%s", task, name);
    struct open_how how = {
        .flags = O_WRONLY | O_CLOEXEC | O_NOCTTY,
        .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
    };
    _cleanup_close_ int fd = (int)syscall(SYS_openat2, procfd, path, &how, sizeof(how));
    if (fd < 0)
        return -errno;
    int r = verify(fd, false);
    if (r < 0)
        return r;
    return TAKE_FD(fd);
}

/* AppArmor's attribute `name` ("exec", "current"): attr/apparmor/ exists
 * since Linux 5.8 (LSM stacking); attr/<name> is the shared legacy file. */
static int open_apparmor(int procfd, lsm_verify_fn verify, const char *task, const char *name)
{
    _cleanup_free_ char *own = xasprintf("apparmor/%s", name);
    int fd = open_attr(procfd, verify, task, own);
    return fd == -ENOENT ? open_attr(procfd, verify, task, name) : fd;
}

int lsm_exec_attrs_open_with(int procfd, lsm_verify_fn verify, const struct oci_process *p,
                             struct lsm_exec_attrs *ret, struct brick_error *err)
{
    *ret = (struct lsm_exec_attrs)LSM_EXEC_ATTRS_INIT;
    bool aa = p->apparmor_profile && *p->apparmor_profile;
    bool se = p->selinux_label && *p->selinux_label;
    if (!aa && !se)
        return 0;
    int r = verify(procfd, true);
    if (r < 0)
        return brick_err_errno(err, -r, "lsm: procfs handle is not a procfs root");
    char task[64];
    r = task_dir(procfd, task, sizeof(task));
    if (r < 0)
        return brick_err_errno(err, -r, "lsm: find this task in procfs");
    if (aa) {
        r = open_apparmor(procfd, verify, task, "exec");
        if (r < 0)
            return brick_err_errno(err, -r, "apparmor: open %s/attr/apparmor/exec", task);
        ret->apparmor_fd = r;
        ret->apparmor_profile = p->apparmor_profile;
    }
    if (se) {
        r = open_attr(procfd, verify, task, "exec");
        if (r < 0) {
            lsm_exec_attrs_close(ret);
            return brick_err_errno(err, -r, "selinux: open %s/attr/exec", task);
        }
        ret->selinux_fd = r;
        ret->selinux_label = p->selinux_label;
    }
    return 0;
}

/* "permprofile NAME" to our own attr/current: the kernel checks that this
 * task could change to the profile (it exists, and our own confinement
 * allows the change) and changes nothing (AA_CHANGE_TEST). */
int lsm_apparmor_test_change(int procfd, const char *profile)
{
    int r = lsm_verify_procfs(procfd, true);
    char task[64];
    if (r >= 0)
        r = task_dir(procfd, task, sizeof(task));
    if (r < 0)
        return r;
    _cleanup_close_ int fd = open_apparmor(procfd, lsm_verify_procfs, task, "current");
    if (fd < 0)
        return fd;
    _cleanup_free_ char *cmd = xasprintf("permprofile %s", profile);
    return write_all(fd, cmd, strlen(cmd));
}

int lsm_exec_attrs_open(int procfd, const struct oci_process *p, struct lsm_exec_attrs *ret,
                        struct brick_error *err)
{
    return lsm_exec_attrs_open_with(procfd, lsm_verify_procfs, p, ret, err);
}

int lsm_exec_attrs_write(struct lsm_exec_attrs *a, struct brick_error *err)
{
    int r = 0;
    if (a->apparmor_fd >= 0) {
        char v[PATH_MAX + 8];
        int n = snprintf(v, sizeof(v), "exec %s", a->apparmor_profile);
        r = n < 0 || (size_t)n >= sizeof(v) ? -ENAMETOOLONG : write_all(a->apparmor_fd, v, (size_t)n);
        if (r < 0)
            brick_err_errno(err, -r, "apparmor: apply profile \"%s\"", a->apparmor_profile);
    }
    if (r >= 0 && a->selinux_fd >= 0) {
        r = write_all(a->selinux_fd, a->selinux_label, strlen(a->selinux_label));
        if (r < 0)
            brick_err_errno(err, -r, "selinux: set exec label \"%s\"", a->selinux_label);
    }
    lsm_exec_attrs_close(a);
    return r;
}

void lsm_exec_attrs_close(struct lsm_exec_attrs *a)
{
    if (a->apparmor_fd >= 0)
        close(a->apparmor_fd);
    if (a->selinux_fd >= 0)
        close(a->selinux_fd);
    a->apparmor_fd = a->selinux_fd = -1;
}
