/* bpf.c — the cgroup v2 device controller is an eBPF program: assemble it
 * from the rule list (no libbpf, a dozen instruction shapes are enough),
 * load it and attach it to the container's cgroup.
 *
 * Program shape (ctx is struct bpf_cgroup_dev_ctx):
 *   r2 = ctx->access_type; r3 = r2 & 0xffff (type); r4 = r2 >> 16 (access)
 *   r5 = ctx->major; r6 = ctx->minor
 *   per rule, last to first: mismatch -> next rule; else r0 = allow; exit
 *   r0 = 0; exit
 * An allow rule matches when every requested access bit is in the rule; a
 * deny rule when any requested bit is: the v1 semantics for the common
 * cases (an allow for "rw" and a later deny of "w" denies writes). */
#include "cgroup/bpf.h"
#include "core/cleanup.h"
#include "core/error.h"
#include "core/util.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

struct prog {
    struct bpf_insn *v;
    size_t n;
};

static size_t emit(struct prog *p, uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
    p->v = xrealloc(p->v, (p->n + 1) * sizeof(*p->v));
    p->v[p->n] = (struct bpf_insn){.code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm};
    return p->n++;
}

#define LDX_W(p, dst, src, off) emit(p, BPF_LDX | BPF_MEM | BPF_W, dst, src, off, 0)
#define MOV32_REG(p, dst, src) emit(p, BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0)
#define ALU32_IMM(p, op, dst, imm) emit(p, BPF_ALU | (op) | BPF_K, dst, 0, 0, imm)
#define MOV64_IMM(p, dst, imm) emit(p, BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm)
#define JMP_IMM(p, op, dst, imm) emit(p, BPF_JMP | (op) | BPF_K, dst, 0, 0, imm)
#define EXIT(p) emit(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

static int access_bits(const char *a)
{
    return (strchr(a, 'm') ? BPF_DEVCG_ACC_MKNOD : 0) | (strchr(a, 'r') ? BPF_DEVCG_ACC_READ : 0) |
           (strchr(a, 'w') ? BPF_DEVCG_ACC_WRITE : 0);
}

/* Returns false when the rule matches everything: nothing after it is reachable. */
static bool emit_rule(struct prog *p, const struct cgroup_dev_rule *d)
{
    size_t jumps[4], nj = 0;
    const int all = BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE;
    int acc = access_bits(d->access);
    if (d->type != 'a')
        jumps[nj++] = JMP_IMM(p, BPF_JNE, 3, d->type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK);
    if (acc != all) {
        MOV32_REG(p, 7, 4);
        if (d->allow) {
            ALU32_IMM(p, BPF_AND, 7, ~acc & all);
            jumps[nj++] = JMP_IMM(p, BPF_JNE, 7, 0);
        } else {
            ALU32_IMM(p, BPF_AND, 7, acc);
            jumps[nj++] = JMP_IMM(p, BPF_JEQ, 7, 0);
        }
    }
    if (d->major >= 0)
        jumps[nj++] = JMP_IMM(p, BPF_JNE, 5, (int32_t)d->major);
    if (d->minor >= 0)
        jumps[nj++] = JMP_IMM(p, BPF_JNE, 6, (int32_t)d->minor);
    MOV64_IMM(p, 0, d->allow ? 1 : 0);
    EXIT(p);
    for (size_t i = 0; i < nj; i++) /* to the first instruction of the next rule */
        p->v[jumps[i]].off = (int16_t)(p->n - jumps[i] - 1);
    return nj > 0;
}

void cgroup_bpf_build(const struct cgroup_dev_rule *rules, size_t n, struct bpf_insn **ret, size_t *ret_n)
{
    struct prog p = {0};
    LDX_W(&p, 2, 1, offsetof(struct bpf_cgroup_dev_ctx, access_type));
    MOV32_REG(&p, 3, 2);
    ALU32_IMM(&p, BPF_AND, 3, 0xffff);
    MOV32_REG(&p, 4, 2);
    ALU32_IMM(&p, BPF_RSH, 4, 16);
    LDX_W(&p, 5, 1, offsetof(struct bpf_cgroup_dev_ctx, major));
    LDX_W(&p, 6, 1, offsetof(struct bpf_cgroup_dev_ctx, minor));
    bool reachable = true;
    /* the verifier refuses unreachable code: stop after a match-all rule */
    for (size_t i = n; i-- > 0 && reachable;)
        reachable = emit_rule(&p, &rules[i]);
    if (reachable) {
        MOV64_IMM(&p, 0, 0);
        EXIT(&p);
    }
    *ret = p.v;
    *ret_n = p.n;
}

static int sys_bpf(int cmd, union bpf_attr *a)
{
    long r = syscall(SYS_bpf, cmd, a, sizeof(*a));
    return r < 0 ? -errno : (int)r;
}

static int load(const struct cgroup_dev_rule *rules, size_t n, struct brick_error *err)
{
    _cleanup_free_ struct bpf_insn *insns = NULL;
    size_t ni;
    cgroup_bpf_build(rules, n, &insns, &ni);
    static char log[4096];
    union bpf_attr a = {0};
    a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    a.insns = (uint64_t)(uintptr_t)insns;
    a.insn_cnt = (uint32_t)ni;
    a.license = (uint64_t)(uintptr_t) "Apache-2.0";
    int fd = sys_bpf(BPF_PROG_LOAD, &a); /* bpf fds are always close-on-exec */
    if (fd == -EINVAL) {
        a.log_buf = (uint64_t)(uintptr_t)log;
        a.log_size = sizeof(log);
        a.log_level = 1;
        fd = sys_bpf(BPF_PROG_LOAD, &a);
        if (fd < 0)
            return brick_err(err, EINVAL, "load device filter: verifier: %.200s", log);
    }
    if (fd < 0)
        return brick_err_errno(err, -fd, "load device filter (bpf)");
    return fd;
}

/* Programs attached to the cgroup itself before ours. */
static size_t query(int cgfd, uint32_t *ids, size_t max)
{
    union bpf_attr a = {0};
    a.query.target_fd = (uint32_t)cgfd;
    a.query.attach_type = BPF_CGROUP_DEVICE;
    a.query.prog_ids = (uint64_t)(uintptr_t)ids;
    a.query.prog_cnt = (uint32_t)max;
    return sys_bpf(BPF_PROG_QUERY, &a) < 0 ? 0 : a.query.prog_cnt;
}

static void detach_id(int cgfd, uint32_t id)
{
    union bpf_attr a = {0};
    a.prog_id = id;
    int fd = sys_bpf(BPF_PROG_GET_FD_BY_ID, &a);
    if (fd < 0)
        return;
    a = (union bpf_attr){0};
    a.target_fd = (uint32_t)cgfd;
    a.attach_bpf_fd = (uint32_t)fd;
    a.attach_type = BPF_CGROUP_DEVICE;
    sys_bpf(BPF_PROG_DETACH, &a);
    close(fd);
}

int cgroup_bpf_apply(int cgroup_fd, const struct cgroup_dev_rule *rules, size_t n, struct brick_error *err)
{
    uint32_t old[64];
    size_t nold = query(cgroup_fd, old, ARRAY_SIZE(old));
    _cleanup_close_ int fd = load(rules, n, err);
    if (fd < 0)
        return fd;
    union bpf_attr a = {0};
    a.target_fd = (uint32_t)cgroup_fd;
    a.attach_bpf_fd = (uint32_t)fd;
    a.attach_type = BPF_CGROUP_DEVICE;
    a.attach_flags = BPF_F_ALLOW_MULTI;
    int r = sys_bpf(BPF_PROG_ATTACH, &a);
    if (r < 0)
        return brick_err_errno(err, -r, "attach device filter");
    /* The new filter is in place before the old ones go: no window where
     * nothing filters. */
    for (size_t i = 0; i < nold; i++)
        detach_id(cgroup_fd, old[i]);
    return 0;
}
