/* seccomp_plan.c — linux.seccomp -> a flat rule list (pure: no system calls,
 * only libseccomp's header constants). */
#include "security/seccomp.h"
#include "core/cleanup.h"
#include "core/error.h"
#include "core/util.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

#define P "linux.seccomp."

int sc_action_from_name(const char *name, bool has_errno, uint32_t errno_ret, uint32_t *ret)
{
    /* runc's default for ERRNO and TRACE without errnoRet: EPERM. */
    uint32_t data = has_errno ? errno_ret : EPERM;
    if (data > 0xffff)
        return -ERANGE; /* SECCOMP_RET_DATA is 16 bits */
    static const struct {
        const char *name;
        uint32_t action;
    } plain[] = {
        {"SCMP_ACT_KILL", SCMP_ACT_KILL},
        {"SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD},
        {"SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS},
        {"SCMP_ACT_TRAP", SCMP_ACT_TRAP},
        {"SCMP_ACT_ALLOW", SCMP_ACT_ALLOW},
        {"SCMP_ACT_LOG", SCMP_ACT_LOG},
        {"SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY},
    };
    if (streq(name, "SCMP_ACT_ERRNO")) {
        *ret = SCMP_ACT_ERRNO(data);
        return 0;
    }
    if (streq(name, "SCMP_ACT_TRACE")) {
        *ret = SCMP_ACT_TRACE(data);
        return 0;
    }
    for (size_t i = 0; i < ARRAY_SIZE(plain); i++)
        if (streq(name, plain[i].name)) {
            *ret = plain[i].action;
            return 0;
        }
    return -EINVAL;
}

int sc_op_from_name(const char *name)
{
    static const struct {
        const char *name;
        int op;
    } ops[] = {
        {"SCMP_CMP_NE", SCMP_CMP_NE},
        {"SCMP_CMP_LT", SCMP_CMP_LT},
        {"SCMP_CMP_LE", SCMP_CMP_LE},
        {"SCMP_CMP_EQ", SCMP_CMP_EQ},
        {"SCMP_CMP_GE", SCMP_CMP_GE},
        {"SCMP_CMP_GT", SCMP_CMP_GT},
        {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
    };
    for (size_t i = 0; i < ARRAY_SIZE(ops); i++)
        if (streq(name, ops[i].name))
            return ops[i].op;
    return -1;
}

uint32_t sc_arch_from_name(const char *name)
{
    static const struct {
        const char *name;
        uint32_t token;
    } arches[] = {
        {"SCMP_ARCH_X86", SCMP_ARCH_X86},
        {"SCMP_ARCH_X86_64", SCMP_ARCH_X86_64},
        {"SCMP_ARCH_X32", SCMP_ARCH_X32},
        {"SCMP_ARCH_ARM", SCMP_ARCH_ARM},
        {"SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64},
        {"SCMP_ARCH_MIPS", SCMP_ARCH_MIPS},
        {"SCMP_ARCH_MIPS64", SCMP_ARCH_MIPS64},
        {"SCMP_ARCH_MIPS64N32", SCMP_ARCH_MIPS64N32},
        {"SCMP_ARCH_MIPSEL", SCMP_ARCH_MIPSEL},
        {"SCMP_ARCH_MIPSEL64", SCMP_ARCH_MIPSEL64},
        {"SCMP_ARCH_MIPSEL64N32", SCMP_ARCH_MIPSEL64N32},
        {"SCMP_ARCH_PPC", SCMP_ARCH_PPC},
        {"SCMP_ARCH_PPC64", SCMP_ARCH_PPC64},
        {"SCMP_ARCH_PPC64LE", SCMP_ARCH_PPC64LE},
        {"SCMP_ARCH_S390", SCMP_ARCH_S390},
        {"SCMP_ARCH_S390X", SCMP_ARCH_S390X},
        {"SCMP_ARCH_PARISC", SCMP_ARCH_PARISC},
        {"SCMP_ARCH_PARISC64", SCMP_ARCH_PARISC64},
        {"SCMP_ARCH_RISCV64", SCMP_ARCH_RISCV64},
    };
    for (size_t i = 0; i < ARRAY_SIZE(arches); i++)
        if (streq(name, arches[i].name))
            return arches[i].token;
    return 0;
}

unsigned sc_flag_from_name(const char *name)
{
    static const struct {
        const char *name;
        unsigned flag;
    } flags[] = {
        {"SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC},
        {"SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG},
        {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW},
        {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV},
    };
    for (size_t i = 0; i < ARRAY_SIZE(flags); i++)
        if (streq(name, flags[i].name))
            return flags[i].flag;
    return 0;
}

static void push_rule(struct seccomp_plan *p, const struct seccomp_rule *r)
{
    p->rules = xrealloc(p->rules, (p->n_rules + 1) * sizeof(*p->rules));
    p->rules[p->n_rules++] = *r;
}

static int conds_of(const struct oci_seccomp_syscall *sys, size_t i, struct seccomp_cond *conds,
                    bool *ret_split, struct brick_error *err)
{
    unsigned seen = 0;
    *ret_split = false;
    if (sys->n_args > SECCOMP_PLAN_MAX_ARGS)
        return brick_err(err, EINVAL, P "syscalls[%zu].args: at most %d conditions", i,
                         SECCOMP_PLAN_MAX_ARGS);
    for (size_t j = 0; j < sys->n_args; j++) {
        const struct oci_seccomp_arg *a = &sys->args[j];
        int op = sc_op_from_name(a->op);
        if (op < 0)
            return brick_err(err, EINVAL, P "syscalls[%zu].args[%zu].op: unknown operator \"%s\"", i, j,
                             a->op);
        if (a->index >= SECCOMP_PLAN_MAX_ARGS)
            return brick_err(err, EINVAL, P "syscalls[%zu].args[%zu].index: %u is not below %d", i, j,
                             a->index, SECCOMP_PLAN_MAX_ARGS);
        if (seen & (1u << a->index))
            *ret_split = true;
        seen |= 1u << a->index;
        conds[j] = (struct seccomp_cond){.arg = a->index, .op = op, .a = a->value, .b = a->value_two};
    }
    return 0;
}

/* One syscalls[] entry -> rules for each of its names. */
static int add_entry(struct seccomp_plan *p, const struct oci_seccomp_syscall *sys, size_t i,
                     struct brick_error *err)
{
    struct seccomp_rule r = {.src = i};
    int ret = sc_action_from_name(sys->action, sys->has_errno_ret, sys->errno_ret, &r.action);
    if (ret < 0)
        return brick_err(err, EINVAL, P "syscalls[%zu].%s: invalid action \"%s\"", i,
                         ret == -ERANGE ? "errnoRet" : "action", sys->action);
    struct seccomp_cond conds[SECCOMP_PLAN_MAX_ARGS];
    bool split;
    ret = conds_of(sys, i, conds, &split, err);
    if (ret < 0)
        return ret;
    /* libseccomp refuses a rule whose action is the default one; it would
     * change nothing anyway. */
    if (r.action == p->default_action)
        return 0;
    p->notify = p->notify || r.action == SCMP_ACT_NOTIFY;
    for (char **n = sys->names; n && *n; n++) {
        r.name = *n;
        if (!split) {
            memcpy(r.conds, conds, sys->n_args * sizeof(*conds));
            r.n_conds = (unsigned)sys->n_args;
            push_rule(p, &r);
            continue;
        }
        /* runc: the same index twice cannot be one libseccomp rule, so each
         * condition stands alone (an OR of the conditions). */
        for (size_t j = 0; j < sys->n_args; j++) {
            r.conds[0] = conds[j];
            r.n_conds = 1;
            push_rule(p, &r);
        }
    }
    return 0;
}

static int plan_header(const struct oci_seccomp *sc, struct seccomp_plan *p, struct brick_error *err)
{
    int r = sc_action_from_name(sc->default_action, sc->has_default_errno_ret, sc->default_errno_ret,
                                &p->default_action);
    if (r < 0)
        return brick_err(err, EINVAL, P "%s: invalid default action \"%s\"",
                         r == -ERANGE ? "defaultErrnoRet" : "defaultAction", sc->default_action);
    p->notify = p->default_action == SCMP_ACT_NOTIFY;
    for (size_t i = 0; sc->architectures && sc->architectures[i]; i++) {
        uint32_t a = sc_arch_from_name(sc->architectures[i]);
        if (!a)
            return brick_err(err, EINVAL, P "architectures[%zu]: unknown architecture \"%s\"", i,
                             sc->architectures[i]);
        p->arches = xrealloc(p->arches, (p->n_arches + 1) * sizeof(*p->arches));
        p->arches[p->n_arches++] = a;
    }
    for (size_t i = 0; sc->flags && sc->flags[i]; i++) {
        unsigned f = sc_flag_from_name(sc->flags[i]);
        if (!f)
            return brick_err(err, EOPNOTSUPP, P "flags[%zu]: unsupported flag \"%s\"", i, sc->flags[i]);
        p->flags |= f;
    }
    return 0;
}

int sc_plan_build(const struct oci_seccomp *sc, struct seccomp_plan *ret, struct brick_error *err)
{
    struct seccomp_plan p = {0};
    int r = plan_header(sc, &p, err);
    for (size_t i = 0; r >= 0 && i < sc->n_syscalls; i++)
        r = add_entry(&p, &sc->syscalls[i], i, err);
    if (r >= 0 && p.notify && !sc->listener_path)
        r = brick_err(err, EINVAL, P "listenerPath: is required when SCMP_ACT_NOTIFY is used");
    if (r < 0) {
        sc_plan_done(&p);
        return r;
    }
    *ret = p;
    return 0;
}

void sc_plan_done(struct seccomp_plan *p)
{
    free(p->arches);
    free(p->rules);
    *p = (struct seccomp_plan){0};
}
