/* seccomp_compile.c — rule list -> classic BPF with libseccomp, in the parent,
 * before any container process exists. */
#include "security/seccomp.h"
#include "core/cleanup.h"
#include "core/error.h"
#include "core/fd.h"
#include "core/util.h"

#include <errno.h>
#include <linux/filter.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* The largest program the kernel accepts (BPF_MAXINSNS). */
#define MAX_PROG_BYTES (4096 * sizeof(struct sock_filter))

static void seccomp_releasep(scmp_filter_ctx *f)
{
    if (*f)
        seccomp_release(*f);
}

static int add_rule(scmp_filter_ctx f, const struct seccomp_rule *r, size_t *n_skipped,
                    struct brick_error *err)
{
    /* A pseudo-number (< 0 but not an error) stands for a syscall that exists
     * on another architecture of the filter; libseccomp maps it per arch. A
     * name no architecture knows is skipped, as runc does, so one profile
     * serves old and new kernels and libseccomp versions. */
    int nr = seccomp_syscall_resolve_name(r->name);
    if (nr == __NR_SCMP_ERROR) {
        (*n_skipped)++;
        return 0;
    }
    struct scmp_arg_cmp cmp[SECCOMP_PLAN_MAX_ARGS];
    for (unsigned i = 0; i < r->n_conds; i++)
        cmp[i] = (struct scmp_arg_cmp){.arg = r->conds[i].arg,
                                       .op = (enum scmp_compare)r->conds[i].op,
                                       .datum_a = r->conds[i].a,
                                       .datum_b = r->conds[i].b};
    int ret = seccomp_rule_add_array(f, r->action, nr, r->n_conds, cmp);
    if (ret < 0)
        return brick_err_errno(err, -ret, "linux.seccomp.syscalls[%zu]: add rule for \"%s\"", r->src,
                               r->name);
    return 0;
}

static int export_bpf(scmp_filter_ctx f, struct seccomp_prog *prog, struct brick_error *err)
{
    _cleanup_close_ int fd = memfd_create("brick-seccomp", MFD_CLOEXEC);
    if (fd < 0)
        return brick_err_errno(err, errno, "seccomp: memfd_create");
    int r = seccomp_export_bpf(f, fd);
    if (r < 0)
        return brick_err_errno(err, -r, "seccomp: export BPF");
    if (lseek(fd, 0, SEEK_SET) < 0)
        return brick_err_errno(err, errno, "seccomp: lseek");
    char *buf = NULL;
    size_t len = 0;
    r = read_all_fd(fd, MAX_PROG_BYTES, &buf, &len);
    if (r < 0)
        return brick_err_errno(err, -r, "seccomp: read BPF (more than 4096 instructions?)");
    if (len == 0 || len % sizeof(struct sock_filter)) {
        free(buf);
        return brick_err(err, EINVAL, "seccomp: exported BPF has a bad size (%zu bytes)", len);
    }
    prog->insns = buf;
    prog->n_insns = len / sizeof(struct sock_filter);
    return 0;
}

int sc_compile(const struct seccomp_plan *plan, struct seccomp_prog *prog, struct brick_error *err)
{
    _cleanup_(seccomp_releasep) scmp_filter_ctx f = seccomp_init(plan->default_action);
    if (!f)
        return brick_err(err, EINVAL, "linux.seccomp.defaultAction: refused by libseccomp");
    /* no_new_privs is process.noNewPrivileges' business, not the filter's;
     * the binary tree keeps large allow-lists fast. */
    int r = seccomp_attr_set(f, SCMP_FLTATR_CTL_NNP, 0);
    if (r >= 0)
        r = seccomp_attr_set(f, SCMP_FLTATR_CTL_OPTIMIZE, 2);
    if (r < 0)
        return brick_err_errno(err, -r, "seccomp: set filter attribute");
    for (size_t i = 0; i < plan->n_arches; i++) {
        r = seccomp_arch_add(f, plan->arches[i]);
        if (r < 0 && r != -EEXIST) /* EEXIST: the native one, always present */
            return brick_err_errno(err, -r, "linux.seccomp.architectures[%zu]", i);
    }
    for (size_t i = 0; i < plan->n_rules; i++) {
        r = add_rule(f, &plan->rules[i], &prog->n_skipped, err);
        if (r < 0)
            return r;
    }
    prog->flags = plan->flags;
    if (plan->notify) {
        prog->flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
        /* The kernel refuses TSYNC with a listener unless told to report a
         * thread it cannot sync as ESRCH instead of its tid. */
        if (prog->flags & SECCOMP_FILTER_FLAG_TSYNC)
            prog->flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
    }
    return export_bpf(f, prog, err);
}
