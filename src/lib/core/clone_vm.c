/* clone_vm.c — clone3 with CLONE_VM and a stack of its own.
 *
 * Why: a forked child gets a copy of the parent's page tables, and every page
 * either side writes afterwards takes a copy-on-write fault; its execve then
 * tears the copy down. In virtual machines that shadow the guest's page
 * tables each of those costs tens of microseconds, and a container init
 * touches a few hundred pages before its execve (docs/PERFORMANCE.md).
 *
 * The rules (the child is not a thread: glibc does not know it exists, it
 * shares the parent's TLS, errno and heap):
 *   - never both at once: after the clone the parent blocks until the child
 *     talks to it, and each side blocks in a recv/poll as soon as it has sent
 *     what the other side waits for; between a send and the next blocking
 *     call only the stack and read-only data are touched;
 *   - the child copies what it will modify (runtime/create.c) and never frees
 *     memory it did not allocate; the parent frees nothing the child still
 *     uses until the child has exec'd or died;
 *   - the parent never unmaps the child's stack while the child lives;
 *   - the memory map is made non-dumpable before the clone (a ptrace-capable
 *     process that could open /proc/<child>/mem would hold the parent's);
 *   - once the child may be signalled by someone else (after an identity
 *     switch), it touches no heap: a kill in the middle of a malloc would
 *     leave the parent's heap half-written;
 * The callers decide where these can hold (runtime/create.c); fork-like
 * semantics stay everywhere they cannot (create with a later `start`,
 * two-stage setups, exec: see init_may_share_memory). */
#include "core/clone_vm.h"

#include <errno.h>
#include <linux/sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

#ifndef CLONE_CLEAR_SIGHAND
#define CLONE_CLEAR_SIGHAND 0x100000000ULL
#endif

/* Sanitizer runtimes keep per-thread state in the TLS both would share. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define NO_VM_CHILD 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer) || \
    __has_feature(leak_sanitizer)
#define NO_VM_CHILD 1
#endif
#endif

#if defined(__x86_64__) && !defined(NO_VM_CHILD)
#define HAVE_TRAMPOLINE 1
/* long vm_clone3_raw(struct clone_args *args, size_t size, int (*fn)(void *), void *arg)
 * The kernel preserves every register but rax, rcx and r11 across syscall,
 * and the child starts with the parent's registers on the new stack: fn and
 * arg travel in r8/r9. The kernel sets the child's rsp to the 16-byte
 * aligned stack top; the call leaves it as the ABI expects at entry. */
__asm__(".text\n"
        ".p2align 4\n"
        ".globl vm_clone3_raw\n"
        ".hidden vm_clone3_raw\n"
        ".type vm_clone3_raw,@function\n"
        "vm_clone3_raw:\n"
        "    mov %rdx, %r8\n"
        "    mov %rcx, %r9\n"
        "    mov $" "435" ", %eax\n" /* SYS_clone3 */
        "    syscall\n"
        "    test %rax, %rax\n"
        "    jz 1f\n"
        "    ret\n"
        "1:  xor %ebp, %ebp\n"
        "    mov %r9, %rdi\n"
        "    call *%r8\n"
        "    mov %eax, %edi\n"
        "    mov $" "60" ", %eax\n" /* SYS_exit: this task only */
        "    syscall\n"
        "    hlt\n"
        ".size vm_clone3_raw, .-vm_clone3_raw\n");
long vm_clone3_raw(struct clone_args *args, size_t size, int (*fn)(void *), void *arg);
#endif

bool clone_vm_supported(void)
{
#ifdef HAVE_TRAMPOLINE
    return true;
#else
    return false;
#endif
}

int vm_stack_alloc(struct vm_stack *s, size_t size)
{
    long page = sysconf(_SC_PAGESIZE);
    size = (size + (size_t)page - 1) & ~((size_t)page - 1);
    void *p = mmap(NULL, size + (size_t)page, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        return -errno;
    /* the guard: an overflow faults instead of writing into other memory */
    if (mprotect(p, (size_t)page, PROT_NONE) < 0) {
        int e = errno;
        munmap(p, size + (size_t)page);
        return -e;
    }
    s->base = p;
    s->size = size + (size_t)page;
    return 0;
}

void vm_stack_free(struct vm_stack *s)
{
    if (s->base)
        munmap(s->base, s->size);
    s->base = NULL;
    s->size = 0;
}

pid_t clone3_vm(uint64_t flags, int cgroup_fd, const struct vm_stack *stack, int (*fn)(void *), void *arg,
                int *ret_pidfd)
{
#ifdef HAVE_TRAMPOLINE
    int pidfd = -1;
    struct clone_args args = {
        /* CLONE_CLEAR_SIGHAND: our signal handlers never run in the child (on
         * our data); also makes kernels before 5.5 refuse (EINVAL, then the
         * caller forks), among them 5.3, whose clone3 took `stack` for the
         * stack pointer itself */
        .flags = flags | CLONE_VM | CLONE_CLEAR_SIGHAND | (cgroup_fd >= 0 ? CLONE_INTO_CGROUP : 0) |
                 (ret_pidfd ? CLONE_PIDFD : 0),
        .pidfd = (uint64_t)(uintptr_t)&pidfd,
        .exit_signal = SIGCHLD,
        .stack = (uint64_t)(uintptr_t)stack->base,
        .stack_size = stack->size,
        .cgroup = cgroup_fd >= 0 ? (uint64_t)cgroup_fd : 0,
    };
    long r = vm_clone3_raw(&args, sizeof(args), fn, arg);
    if (r < 0)
        return (pid_t)r; /* the raw syscall's -errno */
    if (ret_pidfd)
        *ret_pidfd = pidfd;
    return (pid_t)r;
#else
    (void)flags, (void)cgroup_fd, (void)stack, (void)fn, (void)arg, (void)ret_pidfd;
    return -ENOSYS;
#endif
}
