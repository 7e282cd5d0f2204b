/* test_apparmor.c — AppArmor decisions (pure): the kernel's list of profiles,
 * what create/exec do before the container starts, brick do's default, the
 * parser's path checks; and brick-default's text, compiled by the host's
 * apparmor_parser the way the runtime runs it (no kernel AppArmor needed:
 * -Q skips the load). */
#include <brick/brick.h>
#include "core/cleanup.h"
#include "core/fd.h"
#include "core/util.h"
#include "hooks/hooks.h"
#include "security/apparmor.h"
#include "../tap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

TEST(list)
{
    const char *list = "/usr/bin/man (enforce)\n"
                       "brick-default (enforce)\n"
                       "lsb_release (complain)\n"
                       "odd (name) (enforce)\n"
                       "hatted//child (enforce)\n";
    ok(apparmor_list_has(list, "brick-default"), "brick-default listed");
    ok(apparmor_list_has(list, "lsb_release"), "a profile in complain mode is loaded too");
    ok(apparmor_list_has(list, "/usr/bin/man"), "a path-named profile");
    ok(apparmor_list_has(list, "odd (name)"), "a name with \" (\" in it");
    ok(!apparmor_list_has(list, "odd"), "... is not the profile \"odd\"");
    ok(apparmor_list_has(list, "hatted//child"), "a hat by its full name");
    ok(!apparmor_list_has(list, "hatted"), "... is not its parent");
    ok(!apparmor_list_has(list, "brick"), "a prefix is not a name");
    ok(!apparmor_list_has(list, "brick-default (enforce)"), "the mode is not part of the name");
    ok(!apparmor_list_has("brick-default (enforce)", "brick-default (enforce"), "no half lines");
    ok(apparmor_list_has("brick-default (enforce)", "brick-default"), "last line without newline");
    ok(!apparmor_list_has("", "brick-default"), "empty list");
    ok(!apparmor_list_has("x (enforce)\nbrick-default\n", "brick-default"), "a line without a mode");
}

TEST(plan)
{
    is_int(apparmor_plan("brick-default", 1), APPARMOR_APPLY, "brick-default loaded: apply");
    is_int(apparmor_plan("brick-default", 0), APPARMOR_LOAD, "brick-default not loaded: load it");
    is_int(apparmor_plan("brick-default", -EACCES), APPARMOR_APPLY, "unknown: the kernel decides at exec");
    is_int(apparmor_plan("acme", 1), APPARMOR_APPLY, "another profile, loaded: apply");
    is_int(apparmor_plan("acme", 0), APPARMOR_MISSING,
           "another profile, not loaded: refused (never loaded by us)");
    is_int(apparmor_plan("acme", -ENOENT), APPARMOR_APPLY, "another profile, unknown: as runc");
    is_int(apparmor_plan("unconfined", 0), APPARMOR_APPLY, "unconfined is never loaded but always there");
    is_int(apparmor_plan("brick-default//&acme", 0), APPARMOR_MISSING,
           "a stack naming brick-default is not it");
}

TEST(do_default)
{
    is_str(apparmor_do_default(true, true, 0), "brick-default", "root with a parser: brick-default");
    is_str(apparmor_do_default(true, false, 1), "brick-default", "anyone, once loaded");
    ok(!apparmor_do_default(true, false, 0), "unprivileged, not loaded: none (nobody could load it)");
    ok(!apparmor_do_default(true, false, -EACCES), "unprivileged, unknown: none");
    ok(!apparmor_do_default(false, true, 1), "AppArmor disabled: none");
}

static char *tmpdir;

static char *file_with_mode(const char *name, mode_t mode)
{
    char *p = xasprintf("%s/%s", tmpdir, name);
    int fd = open(p, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0700);
    close(fd);
    chmod(p, mode);
    return p;
}

TEST(parser_pick)
{
    struct brick_error err = {0};
    char tmpl[] = "/tmp/brick-aa-XXXXXX";
    tmpdir = mkdtemp(tmpl);
    _cleanup_free_ char *missing = xasprintf("%s/missing", tmpdir);
    _cleanup_free_ char *good = file_with_mode("good", 0755);
    _cleanup_free_ char *gw = file_with_mode("group-writable", 0775);
    _cleanup_free_ char *ow = file_with_mode("other-writable", 0757);
    _cleanup_free_ char *noexec = file_with_mode("noexec", 0644);
    const char *c1[] = {missing, good, NULL};
    if (geteuid() == 0) {
        is_str(apparmor_parser_pick(c1, &err), good, "the first that exists, root's, 0755");
    } else {
        ok(!apparmor_parser_pick(c1, &err), "a file that is not root's is refused");
        like_str(err.msg, "that only root can write", "message");
    }
    const char *c2[] = {gw, good, NULL};
    ok(!apparmor_parser_pick(c2, &err), "group-writable: refused, not skipped");
    like_str(err.msg, "group-writable is not an executable file that only root can write: not run",
             "message");
    const char *c3[] = {ow, NULL};
    ok(!apparmor_parser_pick(c3, &err), "writable by others: refused");
    const char *c4[] = {noexec, NULL};
    ok(!apparmor_parser_pick(c4, &err), "not executable: refused");
    const char *c5[] = {tmpdir, NULL};
    ok(!apparmor_parser_pick(c5, &err), "a directory: refused");
    const char *c6[] = {missing, NULL};
    ok(!apparmor_parser_pick(c6, &err), "none installed");
    is_int(err.code, ENOENT, "ENOENT");
    like_str(err.msg, "apparmor_parser is not installed", "message");
    for (const char *const *p = (const char *const[]){good, gw, ow, noexec, NULL}; *p; p++)
        unlink(*p);
    rmdir(tmpdir);
}

TEST(default_text)
{
    ok(strstr(apparmor_default_text,
              "\nprofile brick-default flags=(attach_disconnected,mediate_deleted) {\n"),
       "the text defines brick-default");
    ok(!strstr(apparmor_default_text, "#include"), "self-contained: nothing of the host's is included");
    ok(strstr(apparmor_default_text, "deny mount,") &&
           strstr(apparmor_default_text, "deny /proc/sysrq-trigger"),
       "mount and sysrq-trigger denied");
}

/* The parser as the runtime runs it (hooks_run_program: text on stdin, a
 * fixed path, a clean environment), with -Q: compile only. */
static int run_parser(const char *parser, const char *text, struct brick_error *err)
{
    char *args[] = {(char *)parser, "-Q", "-K", "-o", "/dev/null", NULL};
    char *env[] = {"LC_ALL=C", NULL};
    struct oci_hook h = {
        .path = (char *)parser, .args = args, .env = env, .has_timeout = true, .timeout = 60};
    return hooks_run_program(&h, text, err);
}

TEST(default_text_compiles)
{
    struct brick_error err = {0};
    const char *parser = apparmor_parser_find(&err);
    if (!parser) {
        ok(1, "brick-default compiles # SKIP no apparmor_parser (apt-get install apparmor)");
        return;
    }
    int r = run_parser(parser, apparmor_default_text, &err);
    is_int(r, 0, "brick-default compiles with the host's apparmor_parser");
    if (r < 0)
        printf("# %s\n", err.msg);
    r = run_parser(parser, "profile broken {\n  deny mount bogus\n}\n", &err);
    ok(r < 0, "a broken profile fails");
    like_str(err.msg, "exited with status", "the parser's status ...");
    like_str(err.msg, "AppArmor parser error at line", "... and its message are the error");
}

int main(void)
{
    RUN(list);
    RUN(plan);
    RUN(do_default);
    RUN(parser_pick);
    RUN(default_text);
    RUN(default_text_compiles);
    return tap_done();
}
