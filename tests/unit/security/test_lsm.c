/* test_lsm.c — AppArmor/SELinux: config checks (runc's behaviour when the LSM
 * is absent), the mount label plan, and the exec attribute writes against a
 * fake procfs tree (through the lsm_exec_attrs_open_with() test seam). */
#include <brick/brick.h>
#include "core/cleanup.h"
#include "core/fd.h"
#include "core/strv.h"
#include "core/util.h"
#include "security/lsm.h"
#include "spec/spec.h"
#include "../tap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static struct oci_spec *parse(const char *json)
{
    struct oci_spec *s = NULL;
    struct brick_error err = {0};
    if (oci_spec_parse(json, strlen(json), &s, &err) < 0)
        printf("# parse: %s\n", err.msg);
    return s;
}

#define BASE "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},"
#define PROC(extra) "\"process\":{\"cwd\":\"/\",\"args\":[\"/bin/true\"]" extra "}"

TEST(check_config)
{
    struct brick_error err = {0};
    struct lsm_host none = {0}, aa = {.apparmor = true}, se = {.selinux = true};
    struct oci_spec *s = parse(BASE PROC(",\"apparmorProfile\":\"acme\"") "}");
    ok(s, "parse apparmorProfile");
    is_int(lsm_check_config(s, &none, &err), -EINVAL, "apparmorProfile without AppArmor refused");
    is_str(err.msg, "process.apparmorProfile: apparmor profile set but AppArmor is not enabled", "message");
    is_int(lsm_check_config(s, &aa, &err), 0, "apparmorProfile with AppArmor ok");
    oci_spec_free(s);

    s = parse(BASE PROC(",\"selinuxLabel\":\"system_u:system_r:container_t:s0\"") "}");
    is_int(lsm_check_config(s, &aa, &err), -EINVAL, "selinuxLabel without SELinux refused (as runc)");
    like_str(err.msg, "process.selinuxLabel: selinux label set but SELinux is disabled", "message");
    is_int(lsm_check_config(s, &se, &err), 0, "selinuxLabel with SELinux ok");
    oci_spec_free(s);

    s = parse(BASE PROC("") ",\"linux\":{\"mountLabel\":\"system_u:object_r:container_file_t:s0\"}}");
    is_int(lsm_check_config(s, &none, &err), -EINVAL, "mountLabel without SELinux refused");
    like_str(err.msg, "linux.mountLabel:", "message");
    oci_spec_free(s);

    s = parse(BASE PROC(",\"apparmorProfile\":\"\",\"selinuxLabel\":\"\"") "}");
    is_int(lsm_check_config(s, &none, &err), 0, "empty labels mean unset");
    oci_spec_free(s);
}

/* A label is one line to the kernel ("exec <profile>") and one in errors. */
TEST(label_characters)
{
    struct oci_spec *s = NULL;
    struct brick_error err = {0};
    static const char *const bad[] = {
        BASE PROC(",\"apparmorProfile\":\"brick-default\\nchangeprofile unconfined\"") "}",
        BASE PROC(",\"apparmorProfile\":\"a\\u001b[2Jb\"") "}",
        BASE PROC(",\"selinuxLabel\":\"x\\ty\"") "}",
    };
    for (size_t i = 0; i < 3; i++) {
        is_int(oci_spec_parse(bad[i], strlen(bad[i]), &s, &err), -EINVAL, "control character refused");
        like_str(err.msg, "contains a control character", "message");
    }
    like_str(err.msg, "process.selinuxLabel", "with the JSON path");
    const char *good = BASE PROC(",\"apparmorProfile\":\"/usr/bin/a b//&c\"") "}";
    is_int(oci_spec_parse(good, strlen(good), &s, &err), 0, "spaces, slashes and stacks are names");
    oci_spec_free(s);
}

TEST(mount_label)
{
    struct oci_spec *s = parse(BASE PROC(
        "") ",\"mounts\":["
            "{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
            "{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\",\"options\":[\"mode=755\"]},"
            "{\"destination\":\"/sys\",\"type\":\"sysfs\",\"source\":\"sysfs\"},"
            "{\"destination\":\"/d\",\"type\":\"none\",\"source\":\"/x\",\"options\":[\"rbind\"]},"
            "{\"destination\":\"/dev/mqueue\",\"type\":\"mqueue\",\"source\":\"mqueue\"}],"
            "\"linux\":{\"mountLabel\":\"system_u:object_r:c_t:s0:c1,c2\"}}");
    ok(s, "parse mounts");
    struct lsm_host none = {0}, se = {.selinux = true};
    lsm_apply_mount_label(s, &none);
    is_int(strv_length(s->mounts[1].options), 1, "no SELinux: options untouched");
    lsm_apply_mount_label(s, &se);
    is_int(strv_length(s->mounts[0].options), 0, "proc not labelled");
    is_str(s->mounts[1].options[1], "context=\"system_u:object_r:c_t:s0:c1,c2\"",
           "tmpfs gets quoted context=");
    is_int(strv_length(s->mounts[2].options), 0, "sysfs not labelled");
    is_int(strv_length(s->mounts[3].options), 1, "bind not labelled");
    is_str(s->mounts[4].options[0], "context=\"system_u:object_r:c_t:s0:c1,c2\"", "mqueue labelled");
    oci_spec_free(s);
}

/* The seam: the fake tree lives on tmpfs/ext4, not procfs. */
static int fake_verify(int fd, bool is_root) { return 0; }
static int reject_verify(int fd, bool is_root) { return is_root ? 0 : -EXDEV; }

static int make_tree(char *dir, bool apparmor_dir)
{
    if (!mkdtemp(dir))
        return -1;
    _cleanup_free_ char *t = xasprintf("%s/42/task/42/attr/apparmor", dir);
    _cleanup_free_ char *cmd = xasprintf("mkdir -p %s", t);
    if (system(cmd) != 0)
        return -1;
    _cleanup_free_ char *link = xasprintf("%s/thread-self", dir);
    if (symlink("42/task/42", link) < 0)
        return -1;
    _cleanup_free_ char *e = xasprintf("%s/42/task/42/attr/exec", dir);
    _cleanup_free_ char *ae = xasprintf("%s/exec", t);
    close(open(e, O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
    if (apparmor_dir)
        close(open(ae, O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
    return open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

static char *slurp(const char *dir, const char *rel)
{
    _cleanup_free_ char *p = xasprintf("%s/%s", dir, rel);
    char *s = NULL;
    if (read_file_at(AT_FDCWD, p, 4096, &s, NULL) < 0)
        return NULL;
    return s;
}

static void rm_tree(const char *dir)
{
    _cleanup_free_ char *cmd = xasprintf("rm -rf %s", dir);
    (void)!system(cmd);
}

TEST(exec_attrs_write)
{
    char dir[] = "/tmp/brick-lsm-XXXXXX";
    _cleanup_close_ int procfd = make_tree(dir, true);
    ok(procfd >= 0, "fake procfs tree");
    struct brick_error err = {0};
    struct oci_process p = {.apparmor_profile = (char *)"acme", .selinux_label = (char *)"u:r:t:s0"};
    struct lsm_exec_attrs a;
    is_int(lsm_exec_attrs_open_with(procfd, fake_verify, &p, &a, &err), 0, "open attrs");
    ok(a.apparmor_fd >= 0 && a.selinux_fd >= 0, "both handles open");
    is_int(lsm_exec_attrs_write(&a, &err), 0, "write attrs");
    is_int(a.apparmor_fd, -1, "handles closed after write");
    _cleanup_free_ char *aa = slurp(dir, "42/task/42/attr/apparmor/exec");
    _cleanup_free_ char *se = slurp(dir, "42/task/42/attr/exec");
    is_str(aa, "exec acme", "AppArmor: \"exec <profile>\" to attr/apparmor/exec");
    is_str(se, "u:r:t:s0", "SELinux: label to attr/exec");
    rm_tree(dir);
}

TEST(exec_attrs_legacy_and_refusals)
{
    char dir[] = "/tmp/brick-lsm-XXXXXX";
    _cleanup_close_ int procfd = make_tree(dir, false);
    struct brick_error err = {0};
    struct oci_process p = {.apparmor_profile = (char *)"acme"};
    struct lsm_exec_attrs a;
    is_int(lsm_exec_attrs_open_with(procfd, fake_verify, &p, &a, &err), 0, "open (no attr/apparmor/exec)");
    is_int(lsm_exec_attrs_write(&a, &err), 0, "write");
    _cleanup_free_ char *legacy = slurp(dir, "42/task/42/attr/exec");
    is_str(legacy, "exec acme", "AppArmor falls back to attr/exec");

    /* A symlink planted where an attribute file should be is not followed. */
    _cleanup_free_ char *ae = xasprintf("%s/42/task/42/attr/apparmor/exec", dir);
    _cleanup_free_ char *victim = xasprintf("%s/victim", dir);
    close(open(victim, O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
    ok(symlink(victim, ae) == 0, "plant symlink");
    ok(lsm_exec_attrs_open_with(procfd, fake_verify, &p, &a, &err) < 0, "symlinked attribute refused");
    _cleanup_free_ char *v = slurp(dir, "victim");
    is_str(v, "", "victim untouched");

    /* The real check refuses a tree that is not procfs. */
    ok(lsm_exec_attrs_open(procfd, &p, &a, &err) < 0, "non-procfs root refused by lsm_exec_attrs_open");
    like_str(err.msg, "not a procfs root", "message");
    struct oci_process s = {.selinux_label = (char *)"u:r:t:s0"};
    ok(lsm_exec_attrs_open_with(procfd, reject_verify, &s, &a, &err) < 0, "attribute off procfs refused");
    is_int(a.selinux_fd, -1, "nothing left open");

    struct oci_process none = {0};
    is_int(lsm_exec_attrs_open(-1, &none, &a, &err), 0, "no labels: nothing opened");
    rm_tree(dir);
}

TEST(real_procfs)
{
    /* On this host (no AppArmor/SELinux) the real procfs is accepted. */
    int fd = -1;
    ok(procfs_open_verified(&fd) == 0, "open /proc");
    is_int(lsm_verify_procfs(fd, true), 0, "host /proc verifies as a procfs root");
    int tmp = open("/tmp", O_PATH | O_CLOEXEC);
    is_int(lsm_verify_procfs(tmp, false), -EXDEV, "/tmp does not");
    close(tmp);
    close(fd);
}

int main(void)
{
    RUN(check_config);
    RUN(label_characters);
    RUN(mount_label);
    RUN(exec_attrs_write);
    RUN(exec_attrs_legacy_and_refusals);
    RUN(real_procfs);
    return tap_done();
}
