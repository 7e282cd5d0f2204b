/* clone_vm.h — a child that shares the parent's memory (CLONE_VM), on a stack
 * of its own: no page tables copied, no copy-on-write faults, nothing to tear
 * down at its execve. See clone_vm.c for the rules both sides must keep. */
#ifndef BRICK_CORE_CLONE_VM_H
#define BRICK_CORE_CLONE_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct vm_stack {
    void *base; /* the mapping, guard page first; NULL when none */
    size_t size;
};

/* Whether this build can start such a child (the architecture has a
 * trampoline, no sanitizer runtime keeps per-thread state we would share). */
bool clone_vm_supported(void);
int vm_stack_alloc(struct vm_stack *s, size_t size);
void vm_stack_free(struct vm_stack *s);

/* clone3(flags | CLONE_VM [| CLONE_INTO_CGROUP when cgroup_fd >= 0]): the
 * child runs fn(arg) on the stack and exits with its return value (fn
 * normally never returns: it execs or _exits). Returns the child's pid, or
 * -errno (-ENOSYS when unsupported). *ret_pidfd as with CLONE_PIDFD. */
pid_t clone3_vm(uint64_t flags, int cgroup_fd, const struct vm_stack *stack, int (*fn)(void *), void *arg,
                int *ret_pidfd);

#endif
