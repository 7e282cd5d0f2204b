/* test_seccomp.c — linux.seccomp -> rule list (runc's semantics), name
 * tables, error paths, and the default profile (parses, compiles, blocks). */
#include "../tap.h"
#include "core/util.h"
#include "security/seccomp.h"
#include "spec/spec.h"

#include <brick/brick.h>
#include <errno.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>

static char *q(const char *s)
{
    char *r = xstrdup(s);
    for (char *p = r; *p; p++)
        if (*p == '\'')
            *p = '"';
    return r;
}

/* Parse {"ociVersion",...,"linux":{"seccomp": <sc>}} and build its plan. */
static int plan_of(const char *sc, struct oci_spec **spec, struct seccomp_plan *plan, struct brick_error *e)
{
    char *body = q(sc);
    char *text =
        xasprintf("{\"ociVersion\":\"1.2.1\",\"root\":{\"path\":\"r\"},\"linux\":{\"seccomp\":%s}}", body);
    free(body);
    memset(e, 0, sizeof(*e));
    int r = oci_spec_parse(text, strlen(text), spec, e);
    free(text);
    if (r < 0)
        return r;
    return sc_plan_build(&(*spec)->linux_.seccomp, plan, e);
}

TEST(actions)
{
    uint32_t a;
    ok(sc_action_from_name("SCMP_ACT_ERRNO", false, 0, &a) == 0 && a == SCMP_ACT_ERRNO(EPERM),
       "ERRNO defaults to EPERM");
    ok(sc_action_from_name("SCMP_ACT_ERRNO", true, 38, &a) == 0 && a == SCMP_ACT_ERRNO(38), "ERRNO errnoRet");
    ok(sc_action_from_name("SCMP_ACT_TRACE", false, 0, &a) == 0 && a == SCMP_ACT_TRACE(EPERM),
       "TRACE defaults to EPERM");
    ok(sc_action_from_name("SCMP_ACT_KILL", false, 0, &a) == 0 && a == SCMP_ACT_KILL_THREAD,
       "KILL is KILL_THREAD");
    ok(sc_action_from_name("SCMP_ACT_KILL_PROCESS", false, 0, &a) == 0 && a == SCMP_ACT_KILL_PROCESS,
       "KILL_PROCESS");
    ok(sc_action_from_name("SCMP_ACT_NOTIFY", false, 0, &a) == 0 && a == SCMP_ACT_NOTIFY, "NOTIFY");
    is_int(sc_action_from_name("SCMP_ACT_ERRNO", true, 70000, &a), -ERANGE, "errnoRet beyond 16 bits");
    is_int(sc_action_from_name("SCMP_ACT_NOPE", false, 0, &a), -EINVAL, "unknown action");
    is_int(sc_op_from_name("SCMP_CMP_MASKED_EQ"), SCMP_CMP_MASKED_EQ, "MASKED_EQ");
    is_int(sc_op_from_name("SCMP_CMP_XX"), -1, "unknown op");
    ok(sc_arch_from_name("SCMP_ARCH_X86_64") == SCMP_ARCH_X86_64, "arch x86_64");
    ok(sc_arch_from_name("SCMP_ARCH_AARCH64") == SCMP_ARCH_AARCH64, "arch aarch64");
    ok(sc_arch_from_name("x86_64") == 0, "arch needs the SCMP_ARCH_ name");
    is_int(sc_flag_from_name("SECCOMP_FILTER_FLAG_LOG"), SECCOMP_FILTER_FLAG_LOG, "flag LOG");
    is_int(sc_flag_from_name("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"), 32, "flag WAIT_KILLABLE_RECV");
    is_int(sc_flag_from_name("SECCOMP_FILTER_FLAG_NEW_LISTENER"), 0, "NEW_LISTENER is not a user flag");
}

TEST(rules)
{
    struct oci_spec *s = NULL;
    struct seccomp_plan p;
    struct brick_error e;
    int r = plan_of(
        "{'defaultAction':'SCMP_ACT_ALLOW','architectures':['SCMP_ARCH_X86'],"
        "'flags':['SECCOMP_FILTER_FLAG_LOG','SECCOMP_FILTER_FLAG_SPEC_ALLOW'],'syscalls':["
        "{'names':['getpid','gettid'],'action':'SCMP_ACT_ERRNO','errnoRet':38},"
        "{'names':['read'],'action':'SCMP_ACT_ALLOW'},"
        "{'names':['socket'],'action':'SCMP_ACT_ERRNO','args':[{'index':0,'value':40,'op':'SCMP_CMP_EQ'},"
        "{'index':1,'value':1,'op':'SCMP_CMP_EQ'}]},"
        "{'names':['personality'],'action':'SCMP_ACT_KILL','args':[{'index':0,'value':8,'op':'SCMP_CMP_EQ'},"
        "{'index':0,'value':255,'valueTwo':9,'op':'SCMP_CMP_MASKED_EQ'}]}]}",
        &s, &p, &e);
    is_int(r, 0, "plan builds");
    if (r < 0) {
        printf("# %s\n", e.msg);
        return;
    }
    ok(p.default_action == SCMP_ACT_ALLOW, "default action");
    is_int(p.n_arches, 1, "one arch");
    is_int(p.flags, SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW, "flags");
    /* getpid, gettid, socket (AND of 2), personality split in 2; read skipped */
    is_int(p.n_rules, 5, "rule count: same-as-default skipped, same index split");
    is_str(p.rules[1].name, "gettid", "one rule per name");
    ok(p.rules[1].action == SCMP_ACT_ERRNO(38), "errnoRet carried");
    is_int(p.rules[2].n_conds, 2, "distinct indexes: one rule (AND)");
    is_int(p.rules[3].n_conds, 1, "same index: split (OR)");
    is_int(p.rules[4].conds[0].op, SCMP_CMP_MASKED_EQ, "masked op");
    ok(p.rules[4].conds[0].a == 255 && p.rules[4].conds[0].b == 9, "mask and datum");
    is_int(p.rules[4].src, 3, "source index");
    ok(!p.notify, "no notify");
    struct seccomp_prog prog = {.listener_fd = -1};
    r = sc_compile(&p, &prog, &e);
    is_int(r, 0, "compiles");
    ok(prog.n_insns > 10, "BPF produced");
    free(prog.insns);
    sc_plan_done(&p);
    oci_spec_free(s);
}

TEST(errors)
{
    struct oci_spec *s = NULL;
    struct seccomp_plan p;
    struct brick_error e;
    int r = plan_of("{'defaultAction':'SCMP_ACT_ALLOW','flags':['SECCOMP_FILTER_FLAG_NOPE']}", &s, &p, &e);
    ok(r < 0, "unknown flag refused");
    like_str(e.msg, "linux.seccomp.flags[0]: unsupported flag \"SECCOMP_FILTER_FLAG_NOPE\"",
             "flag error path");
    oci_spec_free(s);
    s = NULL;
    r = plan_of("{'defaultAction':'SCMP_ACT_ALLOW','architectures':['SCMP_ARCH_X86_64','SCMP_ARCH_VAX']}", &s,
                &p, &e);
    like_str(e.msg, "linux.seccomp.architectures[1]: unknown architecture", "arch error path");
    oci_spec_free(s);
    s = NULL;
    r = plan_of("{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['x'],'action':'SCMP_ACT_ERRNO',"
                "'args':[{'index':6,'value':1,'op':'SCMP_CMP_EQ'}]}]}",
                &s, &p, &e);
    like_str(e.msg, "linux.seccomp.syscalls[0].args[0].index: 6 is not below 6", "index error path");
    oci_spec_free(s);
    s = NULL;
    r = plan_of("{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['x'],'action':'SCMP_ACT_BOGUS'}]}",
                &s, &p, &e);
    like_str(e.msg, "syscalls[0].action", "the parser names the path of an unknown action");
    oci_spec_free(s);
    s = NULL;
    r = plan_of("{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['x'],'action':'SCMP_ACT_ALLOW',"
                "'args':[{'index':0,'value':1,'op':'SCMP_CMP_WHAT'}]}]}",
                &s, &p, &e);
    like_str(e.msg, "syscalls[0].args[0].op", "the parser names the path of an unknown op");
    oci_spec_free(s);
}

TEST(unknown_names)
{
    struct oci_spec *s = NULL;
    struct seccomp_plan p;
    struct brick_error e;
    int r = plan_of("{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['no_such_syscall','getpid',"
                    "'socketcall'],'action':'SCMP_ACT_ERRNO'}]}",
                    &s, &p, &e);
    is_int(r, 0, "plan");
    struct seccomp_prog prog = {.listener_fd = -1};
    r = sc_compile(&p, &prog, &e);
    is_int(r, 0, "unknown names do not fail the compile");
    is_int(prog.n_skipped, 1, "only the name no architecture knows is skipped");
    free(prog.insns);
    sc_plan_done(&p);
    oci_spec_free(s);
}

static bool profile_has(const struct oci_seccomp *sc, const char *name)
{
    for (size_t i = 0; i < sc->n_syscalls; i++)
        for (char **n = sc->syscalls[i].names; *n; n++)
            if (streq(*n, name) && sc->syscalls[i].n_args == 0 &&
                streq(sc->syscalls[i].action, "SCMP_ACT_ALLOW"))
                return true;
    return false;
}

TEST(default_profile)
{
    static const char *const none[] = {"CAP_KILL", NULL};
    static const char *const admin[] = {"CAP_SYS_ADMIN", "CAP_SYS_PTRACE", NULL};
    const char *const *sets[] = {none, admin};
    for (int k = 0; k < 2; k++) {
        char *json = sc_default_profile_json(sets[k]);
        char *text = xasprintf(
            "{\"ociVersion\":\"1.2.1\",\"root\":{\"path\":\"r\"},\"linux\":{\"seccomp\":%s}}", json);
        struct oci_spec *s = NULL;
        struct brick_error e = {0};
        int r = oci_spec_parse(text, strlen(text), &s, &e);
        is_int(r, 0, "default profile parses and validates");
        if (r < 0) {
            printf("# %s\n", e.msg);
            continue;
        }
        const struct oci_seccomp *sc = &s->linux_.seccomp;
        is_str(sc->default_action, "SCMP_ACT_ERRNO", "default: deny");
        ok(profile_has(sc, "read") && profile_has(sc, "execve"), "ordinary calls allowed");
        ok(!profile_has(sc, "keyctl") && !profile_has(sc, "bpf") && !profile_has(sc, "io_uring_setup") &&
               !profile_has(sc, "open_by_handle_at") && !profile_has(sc, "userfaultfd") &&
               !profile_has(sc, "kexec_load") && !profile_has(sc, "init_module") &&
               !profile_has(sc, "reboot"),
           "dangerous calls not allowed");
        is_int(profile_has(sc, "mount") && profile_has(sc, "unshare") && profile_has(sc, "clone"), k == 1,
               "mount/unshare/unfiltered clone only with CAP_SYS_ADMIN");
        is_int(profile_has(sc, "ptrace"), k == 1, "ptrace only with CAP_SYS_PTRACE");
        struct seccomp_plan p;
        r = sc_plan_build(sc, &p, &e);
        struct seccomp_prog prog = {.listener_fd = -1};
        if (r == 0)
            r = sc_compile(&p, &prog, &e);
        is_int(r, 0, "default profile compiles");
        if (r < 0)
            printf("# %s\n", e.msg);
        ok(prog.n_insns > 100 && prog.n_insns < 4096, "fits in a BPF program");
        printf("# %zu instructions, %zu names skipped\n", prog.n_insns, prog.n_skipped);
        free(prog.insns);
        sc_plan_done(&p);
        oci_spec_free(s);
        free(text);
        free(json);
    }
}

int main(void)
{
    RUN(actions);
    RUN(rules);
    RUN(errors);
    RUN(unknown_names);
    RUN(default_profile);
    return tap_done();
}
