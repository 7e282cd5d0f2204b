/* test-cgroup-systemd-path.c — runc's systemd cgroupsPath "SLICE:PREFIX:NAME"
 * -> cgroup path: slice expansion (runc's ExpandSlice table), unit names
 * (getUnitName), the default, the errors, and cgroup_resolve_systemd() on a
 * made-up hierarchy set. */
#include "../tap.h"
#include "cgroup/cgroup.h"
#include "cgroup/systemd_path.h"

#include <brick/brick.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* expand_slice as a string: the path, or "ERR: message". */
static char *expand(const char *slice)
{
    static char buf[1200];
    struct brick_error err = {0};
    char *p = NULL;
    if (cgroup_systemd_expand_slice(slice, &p, &err) < 0) {
        snprintf(buf, sizeof(buf), "ERR: %s", err.msg);
        return buf;
    }
    snprintf(buf, sizeof(buf), "%s", p);
    free(p);
    return buf;
}

static char *conv(const char *cgroups_path, const char *id)
{
    static char buf[1200];
    struct brick_error err = {0};
    char *p = NULL;
    if (cgroup_systemd_path(cgroups_path, id, &p, &err) < 0) {
        snprintf(buf, sizeof(buf), "ERR: %s", err.msg);
        return buf;
    }
    snprintf(buf, sizeof(buf), "%s", p);
    free(p);
    return buf;
}

TEST(expand_slice)
{
    /* runc's TestExpandSlice table */
    is_str(expand("-.slice"), "/", "-.slice is the root");
    is_str(expand("system.slice"), "/system.slice", "one level");
    is_str(expand("test-a.slice"), "/test.slice/test-a.slice", "two levels");
    is_str(expand("test-a-b.slice"), "/test.slice/test-a.slice/test-a-b.slice", "three levels");
    is_str(expand("kubepods-burstable-pod123.slice"),
           "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod123.slice", "kubelet's pod slice");
    is_str(expand("user-1000.slice"), "/user.slice/user-1000.slice", "user slice");
    is_str(expand("a_b@c.d.slice"), "/a_b@c.d.slice", "dots, @ and _ are not separators");
    /* refused, as runc */
    like_str(expand("test--a.slice"), "empty \"-\" component", "\"--\" refused");
    like_str(expand("-test.slice"), "empty \"-\" component", "leading - refused");
    like_str(expand("test-.slice"), "empty \"-\" component", "trailing - refused");
    like_str(expand("--.slice"), "empty \"-\" component", "--.slice refused");
    like_str(expand("test.slice/foo.slice"), "\"/\" is not allowed", "/ refused");
    like_str(expand("a/b.slice"), "\"/\" is not allowed", "/ inside refused");
    like_str(expand("foo"), "must end in \".slice\"", "no .slice suffix refused");
    like_str(expand("foo.scope"), "must end in \".slice\"", ".scope refused");
    like_str(expand(".slice"), "must end in \".slice\"", "bare .slice refused");
    like_str(expand(""), "must end in \".slice\"", "empty refused");
    like_str(expand("a b.slice"), "not a systemd unit name", "space refused");
    like_str(expand("foo"), "invalid slice name \"foo\"", "runc's wording, naming the slice");
}

TEST(unit_name)
{
    struct brick_error err = {0};
    char *u = NULL;
    ok(cgroup_systemd_unit_name("cri-containerd", "abc", &u, &err) == 0, "prefix-name");
    is_str(u, "cri-containerd-abc.scope", "PREFIX-NAME.scope");
    free(u);
    ok(cgroup_systemd_unit_name("", "abc", &u, &err) == 0, "empty prefix");
    is_str(u, "-abc.scope", "empty PREFIX: -NAME.scope, as runc and crun");
    free(u);
    ok(cgroup_systemd_unit_name("ignored", "sub-x.slice", &u, &err) == 0, "a slice unit");
    is_str(u, "sub-x.slice", "NAME ending in .slice is the unit, prefix ignored");
    free(u);
    u = NULL;
    ok(cgroup_systemd_unit_name("brick", "", &u, &err) < 0, "empty name refused");
    like_str(err.msg, "is empty", "the error says why");
    ok(cgroup_systemd_unit_name("brick", "a/b", &u, &err) < 0, "/ in name refused");
    like_str(err.msg, "invalid unit name \"brick-a/b.scope\"", "the error names the unit");
    ok(cgroup_systemd_unit_name("x/..", "b", &u, &err) < 0, "/ in prefix refused");
    char big[300];
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    ok(cgroup_systemd_unit_name("brick", big, &u, &err) < 0, "over 255 characters refused");
    ok(u == NULL, "nothing returned on failure");
}

TEST(full_path)
{
    is_str(
        conv("kubepods-burstable-pod123.slice:cri-containerd:abc", "x"),
        "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod123.slice/cri-containerd-abc.scope",
        "containerd's kubelet path");
    is_str(conv("machine.slice:libpod:0123abcd", "x"), "/machine.slice/libpod-0123abcd.scope", "Podman");
    is_str(conv("foo.slice:brick:c1", "x"), "/foo.slice/brick-c1.scope", "one slice");
    is_str(conv(":brick:c1", "x"), "/system.slice/brick-c1.scope", "empty slice: system.slice");
    is_str(conv("-.slice:brick:c1", "x"), "/brick-c1.scope", "root slice");
    is_str(conv("foo.slice::c1", "x"), "/foo.slice/-c1.scope", "empty prefix");
    is_str(conv("foo.slice:p:bar-baz.slice", "x"), "/foo.slice/bar-baz.slice", "a slice as the unit");
    is_str(conv(NULL, "c9"), "/system.slice/brick-c9.scope", "absent: system.slice:brick:<id>");
    is_str(conv("", "c9"), "/system.slice/brick-c9.scope", "empty: the default too");
    like_str(conv("/brick/c1", "x"), "expected the format \"slice:prefix:name\"", "a cgroupfs path refused");
    like_str(conv("foo.slice:c1", "x"), "got \"foo.slice:c1\" instead", "two parts refused");
    like_str(conv("a.slice:b:c:d", "x"), "slice:prefix:name", "four parts refused");
    like_str(conv("foo/bar.slice:brick:c1", "x"), "invalid slice name \"foo/bar.slice\"", "slice with /");
    like_str(conv("foo--bar.slice:brick:c1", "x"), "empty \"-\" component", "slice with --");
    like_str(conv("foo:brick:c1", "x"), "must end in \".slice\"", "slice without .slice");
    like_str(conv("foo.slice:brick:", "x"), "is empty", "empty name");
    like_str(conv("foo.slice:brick:../../x", "x"), "invalid unit name", "name escaping the slice");
    like_str(conv(NULL, "a+b"), "invalid unit name \"brick-a+b.scope\"", "an id systemd cannot name");
}

/* cgroup_resolve_systemd on a fake v1 layout: the converted path is absolute
 * in every hierarchy and nothing is marked as brick's own yet (cgroup_create
 * records the topmost level it makes). Skipped where systemd is pid 1. */
TEST(resolve)
{
    struct stat st;
    if (lstat("/run/systemd/system", &st) == 0) {
        ok(1, "# SKIP systemd is running here");
        return;
    }
    struct cgroup cg = {.layout = CGROUP_LAYOUT_HYBRID};
    const char *names[] = {"memory", "cpu,cpuacct", ""};
    const char *mounts[] = {"/sys/fs/cgroup/memory", "/sys/fs/cgroup/cpu,cpuacct", "/sys/fs/cgroup/unified"};
    cg.n = 3;
    cg.h = calloc(cg.n, sizeof(*cg.h));
    for (size_t i = 0; i < cg.n; i++) {
        cg.h[i].name = strdup(names[i]);
        cg.h[i].mount = strdup(mounts[i]);
    }
    struct brick_error err = {0};
    ok(cgroup_resolve_systemd(&cg, "foo-bar.slice:brick:c1", "c1", &err) == 0, "resolved");
    is_str(cg.path, "/foo.slice/foo-bar.slice/brick-c1.scope", "the inner path");
    is_str(cg.h[0].dir, "/sys/fs/cgroup/memory/foo.slice/foo-bar.slice/brick-c1.scope", "memory");
    is_str(cg.h[2].dir, "/sys/fs/cgroup/unified/foo.slice/foo-bar.slice/brick-c1.scope", "unified");
    ok(cg.h[1].created == NULL, "nothing recorded before mkdir");
    ok(cgroup_resolve_systemd(&cg, NULL, "c2", &err) == 0, "default");
    is_str(cg.h[1].dir, "/sys/fs/cgroup/cpu,cpuacct/system.slice/brick-c2.scope", "default scope");
    ok(cgroup_resolve_systemd(&cg, "/abs/path", "c3", &err) < 0, "cgroupfs path refused");
    like_str(err.msg, "slice:prefix:name", "with runc's format hint");
    cgroup_done(&cg);
}

/* A record naming a systemd unit (state.json is input): delete stops the unit
 * it names, so the unit must be the scope at exactly <mount><slice>/<unit>. */
static int record_of(const char *unit, const char *slice, const char *manager, const char *dir)
{
    char json[1024], mgr[256] = "";
    if (manager)
        snprintf(mgr, sizeof(mgr), "\"manager\":\"%s\",", manager);
    snprintf(json, sizeof(json),
             "{\"layout\":\"v2\",\"path\":\"/x\",\"unit\":\"%s\",\"slice\":\"%s\",%s\"hierarchies\":"
             "[{\"name\":\"\",\"mount\":\"/sys/fs/cgroup\",\"dir\":\"%s\"}]}",
             unit, slice, mgr, dir);
    struct cgroup cg;
    struct brick_error err = {0};
    int r = cgroup_from_json(json, &cg, &err);
    if (r == 0)
        cgroup_done(&cg);
    return r;
}

static int record(const char *unit, const char *slice, const char *dir)
{
    return record_of(unit, slice, NULL, dir);
}

TEST(unit_record)
{
    ok(record("brick-x.scope", "a-b.slice", "/sys/fs/cgroup/a.slice/a-b.slice/brick-x.scope") == 0,
       "the scope");
    ok(record("brick-x.scope", "b.slice", "/sys/fs/cgroup/a.slice/brick-x.scope") < 0, "another slice's");
    ok(record("sshd.service", "system.slice", "/sys/fs/cgroup/system.slice/sshd.service") < 0, "a service");
    ok(record("brick-x.scope", "system.slice", "/sys/fs/cgroup/system.slice/other/brick-x.scope") < 0,
       "a deeper directory");
    ok(record("brick-x.scope", "../x.slice", "/sys/fs/cgroup/x.slice/brick-x.scope") < 0, "a path as slice");
    /* a user manager's scope (rootless): below the manager's own cgroup */
    const char *um = "/user.slice/user-1000.slice/user@1000.service";
    ok(record_of("brick-x.scope", "user.slice", um,
                 "/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service/user.slice/brick-x.scope") == 0,
       "a user manager's scope");
    ok(record_of("brick-x.scope", "user.slice", um, "/sys/fs/cgroup/user.slice/brick-x.scope") < 0,
       "the manager is part of the path");
    ok(record_of("brick-x.scope", "user.slice", "/user.slice/../system.slice",
                 "/sys/fs/cgroup/system.slice/user.slice/brick-x.scope") < 0,
       "a manager with \"..\"");
    ok(record_of("brick-x.scope", "user.slice", "rel", "/sys/fs/cgroup/reluser.slice/brick-x.scope") < 0,
       "a relative manager");
}

TEST(user_path)
{
    const char *um = "/user.slice/user-1000.slice/user@1000.service";
    struct brick_error err = {0};
    char *p = NULL;
    ok(cgroup_systemd_user_path(NULL, "c1", um, &p, &err) == 0, "rootless default");
    is_str(p, "/user.slice/user-1000.slice/user@1000.service/user.slice/brick-c1.scope",
           "in the manager's user.slice");
    free(p);
    p = NULL;
    ok(cgroup_systemd_user_path("user.slice:libpod:abc", "x", um, &p, &err) == 0, "Podman's path");
    is_str(p, "/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-abc.scope", "libpod scope");
    free(p);
    ok(cgroup_systemd_user_path("a/b", "x", um, &p, &err) < 0, "not slice:prefix:name");
}

int main(void)
{
    RUN(user_path);
    RUN(unit_record);
    RUN(expand_slice);
    RUN(unit_name);
    RUN(full_path);
    RUN(resolve);
    return tap_done();
}
