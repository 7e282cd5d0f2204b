/* bpf.h — the v2 device filter: the same rules as v1's devices.allow/deny,
 * compiled into a BPF_PROG_TYPE_CGROUP_DEVICE program. */
#ifndef BRICK_CGROUP_BPF_H
#define BRICK_CGROUP_BPF_H

#include <linux/bpf.h>
#include <stddef.h>

#include "cgroup/plan.h"

struct brick_error;

/* Assemble the program (pure): rules are tried last to first, the first
 * match decides; nothing matching is denied. */
void cgroup_bpf_build(const struct cgroup_dev_rule *rules, size_t n, struct bpf_insn **ret, size_t *ret_n);
/* Load it and attach it to the cgroup directory fd with BPF_F_ALLOW_MULTI,
 * then detach the programs that were attached there before (update). */
int cgroup_bpf_apply(int cgroup_fd, const struct cgroup_dev_rule *rules, size_t n, struct brick_error *err);

#endif
