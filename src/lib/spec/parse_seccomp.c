/* parse_seccomp.c — "linux.seccomp": default action, architectures, flags,
 * notify listener and the syscall rules. Names are checked here; turning
 * them into a filter is the security module's job. */
#include "spec/names.h"
#include "spec/parse.h"

static int pc_action(struct pctx *c, const bjson *v, void *dst)
{
    int r = pc_str(c, v, dst);
    return r < 0 ? r : pc_known(c, *(char **)dst, oci_seccomp_actions, "unknown seccomp action");
}

static int pc_op(struct pctx *c, const bjson *v, void *dst)
{
    int r = pc_str(c, v, dst);
    return r < 0 ? r : pc_known(c, *(char **)dst, oci_seccomp_ops, "unknown seccomp operator");
}

static int pc_arg(struct pctx *c, const bjson *v, void *dst)
{
    static const struct pfield fields[] = {
        FREQ("index", PF_U32, struct oci_seccomp_arg, index),
        FREQ("value", PF_U64, struct oci_seccomp_arg, value),
        F("valueTwo", PF_U64, struct oci_seccomp_arg, value_two),
        FOBJ_REQ("op", struct oci_seccomp_arg, op, pc_op),
    };
    return PC_FIELDS(c, v, fields, dst);
}

static int pc_names(struct pctx *c, const bjson *v, void *dst)
{
    int r = pc_strv(c, v, dst);
    if (r == 0 && !**(char ***)dst)
        return pc_err(c, "must not be empty");
    return r;
}

static int pc_syscall(struct pctx *c, const bjson *v, void *dst)
{
    static const struct pfield fields[] = {
        FOBJ_REQ("names", struct oci_seccomp_syscall, names, pc_names),
        FOBJ_REQ("action", struct oci_seccomp_syscall, action, pc_action),
        FHAS("errnoRet", PF_U32, struct oci_seccomp_syscall, errno_ret, has_errno_ret),
        FARR("args", struct oci_seccomp_syscall, args, n_args, pc_arg),
    };
    return PC_FIELDS(c, v, fields, dst);
}

int pc_seccomp(struct pctx *c, const bjson *v, void *dst)
{
    static const struct pfield fields[] = {
        FOBJ_REQ("defaultAction", struct oci_seccomp, default_action, pc_action),
        FHAS("defaultErrnoRet", PF_U32, struct oci_seccomp, default_errno_ret, has_default_errno_ret),
        F("architectures", PF_STRV, struct oci_seccomp, architectures),
        F("flags", PF_STRV, struct oci_seccomp, flags),
        F("listenerPath", PF_STR, struct oci_seccomp, listener_path),
        F("listenerMetadata", PF_STR, struct oci_seccomp, listener_metadata),
        FARR("syscalls", struct oci_seccomp, syscalls, n_syscalls, pc_syscall),
    };
    ((struct oci_seccomp *)dst)->present = true;
    return PC_FIELDS(c, v, fields, dst);
}
