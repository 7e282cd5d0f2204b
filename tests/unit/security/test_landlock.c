/* test_landlock.c — run.brick.landlock: parser errors (JSON paths), ABI
 * negotiation (pure), and one real enforcement in a forked child. */
#include <brick/brick.h>
#include "core/cleanup.h"
#include "core/util.h"
#include "security/landlock.h"
#include "../tap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define A "annotations[\"run.brick.landlock\"]"

static void parse_fails(const char *json, const char *msg)
{
    struct landlock_policy *p = NULL;
    struct brick_error err = {0};
    int r = landlock_policy_parse(json, &p, &err);
    ok(r < 0 && !p, json);
    is_str(err.msg, msg, "  message");
}

TEST(parse_errors)
{
    parse_fails("{\"fs\":[{\"path\":\"/data\",\"access\":[\"read\",\"fly\"]}]}",
                A ".fs[0].access[1]: unknown access \"fly\"");
    parse_fails("{\"fs\":[{\"path\":\"data\",\"access\":[\"read\"]}]}",
                A ".fs[0].path: expected an absolute path");
    parse_fails("{\"fs\":[{\"path\":\"/d\"}]}", A ".fs[0].access: is required");
    parse_fails("{\"fs\":[{\"path\":\"/d\",\"access\":[]}]}",
                A ".fs[0].access: must name at least one access");
    parse_fails("{\"fs\":[{\"path\":\"/d\",\"access\":[\"read\"],\"requred\":true}]}",
                A ".fs[0]: unknown key \"requred\"");
    parse_fails("{\"net\":{\"bind\":[70000]}}", A ".net.bind[0]: expected a TCP port (0-65535)");
    parse_fails("{\"net\":{\"connect\":[\"443\"]}}", A ".net.connect[0]: expected a TCP port (0-65535)");
    parse_fails("{\"scope\":[\"signal\",\"ipc\"]}",
                A ".scope[1]: unknown scope \"ipc\" (known: \"abstract-unix-socket\", \"signal\")");
    parse_fails("{\"required\":\"yes\"}", A ".required: expected a boolean, got a string");
    parse_fails("[1]", A ": expected an object, got an array");
    struct landlock_policy *p = NULL;
    struct brick_error err = {0};
    ok(landlock_policy_parse("{\"fs\":", &p, &err) < 0, "syntax error");
    like_str(err.msg, A ": ", "  prefixed with the annotation");
}

TEST(parse_ok)
{
    struct landlock_policy *p = NULL;
    struct brick_error err = {0};
    int r = landlock_policy_parse(
        "{\"required\":false,\"fs\":[{\"path\":\"/data\",\"access\":[\"read\",\"write\",\"execute\"],"
        "\"required\":true},{\"path\":\"/x\",\"access\":[\"refer\"]}],"
        "\"net\":{\"bind\":[8080],\"connect\":[443,80]},\"scope\":[\"abstract-unix-socket\",\"signal\"]}",
        &p, &err);
    is_int(r, 0, "parse a full policy");
    if (r < 0)
        return;
    is_int(p->n_fs, 2, "two fs rules");
    ok(p->fs[0].required && !p->fs[1].required, "per-rule required (default: policy's)");
    is_int(p->fs[0].access, 0x400f, "read+write+execute = READ_FILE|READ_DIR|WRITE_FILE|TRUNCATE|EXECUTE");
    is_int(p->fs[1].min_abi, 2, "refer needs ABI 2");
    is_int(p->n_bind, 1, "bind ports");
    is_int(p->n_connect, 2, "connect ports");
    is_int(p->scope, 3, "both scopes");

    is_int(landlock_negotiate(p, 7, &err), 0, "ABI 7: everything");
    is_int(p->handled_fs, 0xffff, "handled fs: every right ABI 7 knows");
    is_int(p->handled_net, 3, "handled net: bind + connect");
    is_int(p->scoped, 3, "scoped");

    is_int(landlock_negotiate(p, 3, &err), 0, "ABI 3: net and scope dropped (not required)");
    is_int(p->handled_fs, 0x7fff, "handled fs without ioctl-dev");
    is_int(p->handled_net, 0, "no net");
    is_int(p->scoped, 0, "no scope");

    is_int(landlock_negotiate(p, 1, &err), 0, "ABI 1: non-required refer rule dropped");
    is_int(p->fs[1].access, 0, "refer masked off");
    is_int(p->fs[0].access, 0xf, "truncate (part of write) dropped, core rights kept");
    ok(landlock_negotiate(p, 0, &err) < 0, "no Landlock: the required rule fails");
    is_str(err.msg, A ".fs[0] (required) needs Landlock, which this kernel does not enable", "  message");
    p->fs[0].required = false;
    is_int(landlock_negotiate(p, 0, &err), 0, "no Landlock, nothing required: no-op");
    landlock_policy_free(p);
}

static void negotiate_fails(const char *json, int abi, const char *msg)
{
    struct landlock_policy *p = NULL;
    struct brick_error err = {0};
    if (landlock_policy_parse(json, &p, &err) < 0) {
        ok(0, err.msg);
        return;
    }
    ok(landlock_negotiate(p, abi, &err) < 0, json);
    is_str(err.msg, msg, "  message");
    landlock_policy_free(p);
}

TEST(negotiate_required)
{
    negotiate_fails("{\"fs\":[{\"path\":\"/d\",\"access\":[\"read\",\"refer\"],\"required\":true}]}", 1,
                    A ".fs[0]: access \"refer\" needs Landlock ABI 2, this kernel has ABI 1");
    negotiate_fails("{\"fs\":[{\"path\":\"/d\",\"access\":[\"ioctl-dev\"],\"required\":true}]}", 4,
                    A ".fs[0]: access \"ioctl-dev\" needs Landlock ABI 5, this kernel has ABI 4");
    negotiate_fails("{\"net\":{\"bind\":[1],\"required\":true}}", 3,
                    A ".net needs Landlock ABI 4, this kernel has ABI 3");
    negotiate_fails("{\"required\":true,\"scope\":[\"signal\"]}", 5,
                    A ".scope needs Landlock ABI 6, this kernel has ABI 5");
    negotiate_fails("{\"required\":true}", 0,
                    A " (required) needs Landlock, which this kernel does not enable");
}

/* Read allowed beneath /usr only: /etc must be refused in the child. */
TEST(enforce)
{
    if (landlock_abi_version() < 1) {
        ok(1, "# SKIP Landlock unavailable");
        return;
    }
    struct landlock_policy *p = NULL;
    struct brick_error err = {0};
    ok(landlock_policy_parse("{\"fs\":[{\"path\":\"/usr\",\"access\":[\"read\"]},"
                             "{\"path\":\"/nonexistent-brick\",\"access\":[\"read\"]}]}",
                             &p, &err) == 0,
       "parse");
    is_int(landlock_negotiate(p, landlock_abi_version(), &err), 0, "negotiate with the kernel");
    pid_t pid = fork();
    if (pid == 0) {
        int fd;
        prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
        if (landlock_prepare(p, &fd, &err) < 0 || landlock_enforce(fd, &err) < 0)
            _exit(10);
        if (open("/usr/bin", O_RDONLY | O_DIRECTORY | O_CLOEXEC) < 0)
            _exit(11);
        if (open("/etc/hostname", O_RDONLY | O_CLOEXEC) >= 0 || errno != EACCES)
            _exit(12);
        _exit(0);
    }
    int st = -1;
    waitpid(pid, &st, 0);
    is_int(WIFEXITED(st) ? WEXITSTATUS(st) : -1, 0, "child: /usr readable, /etc denied (EACCES)");

    p->fs[1].required = true;
    int fd = -1;
    ok(landlock_prepare(p, &fd, &err) < 0, "required rule on a missing path fails");
    is_str(err.msg, A ".fs[1]: path \"/nonexistent-brick\": No such file or directory", "  message");
    landlock_policy_free(p);
}

int main(void)
{
    RUN(parse_errors);
    RUN(parse_ok);
    RUN(negotiate_required);
    RUN(enforce);
    return tap_done();
}
