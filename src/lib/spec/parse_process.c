/* parse_process.c — "process": user, args, env, cwd, capabilities, rlimits,
 * scheduler, I/O priority, CPU affinity. Also the lone process object of
 * `exec --process`. */
#include "core/strv.h"
#include "core/util.h"
#include "spec/names.h"
#include "spec/parse.h"
#include "spec/spec.h"

#include <string.h>

static int pc_console_size(struct pctx *c, const bjson *v, void *dst)
{
    static const struct pfield fields[] = {
        FREQ("height", PF_U32, struct oci_process, console_height),
        FREQ("width", PF_U32, struct oci_process, console_width),
    };
    struct oci_process *p = dst;
    p->has_console_size = true;
    return PC_FIELDS(c, v, fields, p);
}

static int pc_gid(struct pctx *c, const bjson *v, void *dst)
{
    uint64_t u;
    int r = pc_u64(c, v, UINT32_MAX, &u);
    if (r == 0)
        *(uint32_t *)dst = (uint32_t)u;
    return r;
}

static int pc_user(struct pctx *c, const bjson *v, void *dst)
{
    static const struct pfield fields[] = {
        F("uid", PF_U32, struct oci_user, uid),
        F("gid", PF_U32, struct oci_user, gid),
        FHAS("umask", PF_U32, struct oci_user, umask, has_umask),
        FARR("additionalGids", struct oci_user, additional_gids, n_additional_gids, pc_gid),
        F("username", PF_STR, struct oci_user, username),
    };
    return PC_FIELDS(c, v, fields, dst);
}

static int pc_cap_list(struct pctx *c, const bjson *v, void *dst)
{
    char ***caps = dst;
    int r = pc_strv(c, v, caps);
    for (size_t i = 0; r == 0 && (*caps)[i]; i++) {
        if (oci_cap_from_name((*caps)[i]) < 0) {
            pc_idx(c, i);
            return pc_err(c, "unknown capability \"%s\"", (*caps)[i]);
        }
    }
    return r;
}

static int pc_capabilities(struct pctx *c, const bjson *v, void *dst)
{
    static const struct pfield fields[] = {
        FOBJ("bounding", struct oci_capabilities, bounding, pc_cap_list),
        FOBJ("effective", struct oci_capabilities, effective, pc_cap_list),
        FOBJ("inheritable", struct oci_capabilities, inheritable, pc_cap_list),
        FOBJ("permitted", struct oci_capabilities, permitted, pc_cap_list),
        FOBJ("ambient", struct oci_capabilities, ambient, pc_cap_list),
    };
    struct oci_capabilities *caps = dst;
    caps->present = true;
    return PC_FIELDS(c, v, fields, caps);
}

static int pc_rlimit_type(struct pctx *c, const bjson *v, void *dst)
{
    struct oci_rlimit *rl = dst;
    int r = pc_str(c, v, &rl->type);
    if (r < 0)
        return r;
    rl->resource = oci_rlimit_from_name(rl->type);
    if (rl->resource < 0)
        return pc_err(c, "unknown rlimit \"%s\"", rl->type);
    return 0;
}

static int pc_rlimit(struct pctx *c, const bjson *v, void *dst)
{
    static const struct pfield fields[] = {
        FSELF_REQ("type", pc_rlimit_type),
        FREQ("soft", PF_U64, struct oci_rlimit, soft),
        FREQ("hard", PF_U64, struct oci_rlimit, hard),
    };
    return PC_FIELDS(c, v, fields, dst);
}

/* A string field that must be one of set. */
static int pc_enum(struct pctx *c, const bjson *v, char **dst, const char *const *set, const char *what)
{
    int r = pc_str(c, v, dst);
    return r < 0 ? r : pc_known(c, *dst, set, what);
}

static int pc_sched_policy(struct pctx *c, const bjson *v, void *dst)
{
    return pc_enum(c, v, dst, oci_sched_policies, "unknown scheduler policy");
}

static int pc_scheduler(struct pctx *c, const bjson *v, void *dst)
{
    static const struct pfield fields[] = {
        FOBJ_REQ("policy", struct oci_scheduler, policy, pc_sched_policy),
        F("nice", PF_I32, struct oci_scheduler, nice),
        F("priority", PF_I32, struct oci_scheduler, priority),
        F("flags", PF_STRV, struct oci_scheduler, flags),
        F("runtime", PF_U64, struct oci_scheduler, runtime),
        F("deadline", PF_U64, struct oci_scheduler, deadline),
        F("period", PF_U64, struct oci_scheduler, period),
    };
    ((struct oci_scheduler *)dst)->present = true;
    return PC_FIELDS(c, v, fields, dst);
}

static int pc_ioprio_class(struct pctx *c, const bjson *v, void *dst)
{
    return pc_enum(c, v, dst, oci_ioprio_classes, "unknown I/O priority class");
}

static int pc_io_priority(struct pctx *c, const bjson *v, void *dst)
{
    static const struct pfield fields[] = {
        FOBJ_REQ("class", struct oci_io_priority, class, pc_ioprio_class),
        F("priority", PF_I32, struct oci_io_priority, priority),
    };
    ((struct oci_io_priority *)dst)->present = true;
    return PC_FIELDS(c, v, fields, dst);
}

/* A CPU list such as "0-3,7" (the schema's pattern ^[0-9, -]*$). */
static int pc_cpu_list(struct pctx *c, const bjson *v, void *dst)
{
    int r = pc_str(c, v, dst);
    const char *s = *(char **)dst;
    if (r == 0 && s[strspn(s, "0123456789, -")])
        return pc_err(c, "invalid CPU list \"%s\"", s);
    return r;
}

static int pc_cpu_affinity(struct pctx *c, const bjson *v, void *dst)
{
    static const struct pfield fields[] = {
        FOBJ("initial", struct oci_exec_cpu_affinity, initial, pc_cpu_list),
        FOBJ("final", struct oci_exec_cpu_affinity, final, pc_cpu_list),
    };
    ((struct oci_exec_cpu_affinity *)dst)->present = true;
    return PC_FIELDS(c, v, fields, dst);
}

static int pc_args(struct pctx *c, const bjson *v, void *dst)
{
    int r = pc_strv(c, v, dst);
    if (r == 0 && !**(char ***)dst)
        return pc_err(c, "must not be empty");
    return r;
}

static const struct pfield process_fields[] = {
    F("terminal", PF_BOOL, struct oci_process, terminal),
    FSELF("consoleSize", pc_console_size),
    FOBJ("user", struct oci_process, user, pc_user),
    FOBJ("args", struct oci_process, args, pc_args),
    F("commandLine", PF_STR, struct oci_process, command_line),
    F("env", PF_STRV, struct oci_process, env),
    FREQ("cwd", PF_PATH, struct oci_process, cwd),
    FOBJ("capabilities", struct oci_process, capabilities, pc_capabilities),
    FARR("rlimits", struct oci_process, rlimits, n_rlimits, pc_rlimit),
    F("noNewPrivileges", PF_BOOL, struct oci_process, no_new_privileges),
    F("apparmorProfile", PF_STR, struct oci_process, apparmor_profile),
    FHAS("oomScoreAdj", PF_INT, struct oci_process, oom_score_adj, has_oom_score_adj),
    FOBJ("scheduler", struct oci_process, scheduler, pc_scheduler),
    F("selinuxLabel", PF_STR, struct oci_process, selinux_label),
    FOBJ("ioPriority", struct oci_process, io_priority, pc_io_priority),
    FOBJ("execCPUAffinity", struct oci_process, exec_cpu_affinity, pc_cpu_affinity),
};

int pc_process(struct pctx *c, const bjson *v, void *dst)
{
    struct oci_process **ret = dst;
    *ret = xcalloc(1, sizeof(**ret));
    return PC_FIELDS(c, v, process_fields, *ret);
}
