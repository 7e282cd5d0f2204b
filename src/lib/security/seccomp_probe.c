/* seccomp_probe.c — try dangerous syscalls with harmless arguments and record
 * the errno of each. Used by `brick inspect --probe` (in a child that carries
 * a copy of the container's filter) and compiled into the static test helper
 * tests/helpers/seccomp_probe.c. Depends on libc only, on purpose.
 *
 * The arguments are chosen so that, were the call allowed and the caller
 * fully privileged, the kernel would fail it with something other than EPERM
 * (a bad fd, a missing path, invalid flags) or do nothing: an EPERM (or the
 * ENOSYS the default profile gives clone3) then means the filter said no. */
#include "security/seccomp_probe.h"

#include <errno.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#define BAD ((long)1) /* an unmapped pointer: EFAULT if the kernel gets that far */
#define NOPID ((long)(1 << 30))

#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#ifndef SYS_open_tree
#define SYS_open_tree 428
#define SYS_move_mount 429
#define SYS_fsopen 430
#define SYS_fsmount 432
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif
#ifndef SYS_io_uring_setup
#define SYS_io_uring_setup 425
#define SYS_io_uring_enter 426
#define SYS_io_uring_register 427
#endif

const struct sc_probe sc_probes[] = {
    {"add_key", SYS_add_key, {BAD, BAD, 0, 0, -3}},
    {"keyctl", SYS_keyctl, {0 /* GET_KEYRING_ID */, -3 /* session */, 0}},
    {"request_key", SYS_request_key, {BAD, BAD, 0, 0}},
    {"mount", SYS_mount, {BAD, BAD, BAD, 0, 0}},
    {"umount2", SYS_umount2, {(long)"/.brick-probe-none", 0}},
    {"pivot_root", SYS_pivot_root, {(long)"/.brick-probe-none", (long)"/.brick-probe-none"}},
    {"setns", SYS_setns, {-1, 0}},
    {"unshare", SYS_unshare, {0}},
    {"clone(CLONE_NEWNS)", SYS_clone, {0x00020000 | 0x00000200 /* NEWNS|FS: EINVAL */, 0, 0, 0, 0}},
    {"clone3", SYS_clone3, {0, 0}},
    {"open_tree", SYS_open_tree, {-1, (long)"", 0}},
    {"move_mount", SYS_move_mount, {-1, (long)"", -1, (long)"", 0}},
    {"fsopen", SYS_fsopen, {(long)"brick-probe-nofs", 0}},
    {"fsmount", SYS_fsmount, {-1, 0, 0}},
    {"bpf", SYS_bpf, {0xffff, 0, 0}},
    {"perf_event_open", SYS_perf_event_open, {BAD, 0, -1, -1, 0}},
    {"init_module", SYS_init_module, {0, 0, (long)""}},
    {"finit_module", SYS_finit_module, {-1, (long)"", 0}},
    {"delete_module", SYS_delete_module, {(long)"brick_probe_none", 04000 /* O_NONBLOCK */}},
    {"kexec_load", SYS_kexec_load, {0, 0, 0, 0xffff0000}},
#ifdef SYS_kexec_file_load
    {"kexec_file_load", SYS_kexec_file_load, {-1, -1, 0, 0, 0xffff}},
#endif
    {"reboot", SYS_reboot, {0, 0, 0, 0}},
    {"swapon", SYS_swapon, {BAD, 0}},
    {"acct", SYS_acct, {BAD}},
    {"settimeofday", SYS_settimeofday, {0, 0}},
    {"clock_settime", SYS_clock_settime, {-1, 0}},
    {"open_by_handle_at", SYS_open_by_handle_at, {-1, BAD, 0}},
    {"userfaultfd", SYS_userfaultfd, {-1}},
    {"io_uring_setup", SYS_io_uring_setup, {0, BAD}},
    {"io_uring_enter", SYS_io_uring_enter, {-1, 0, 0, 0, 0, 0}},
    {"io_uring_register", SYS_io_uring_register, {-1, 0, 0, 0}},
    {"personality(READ_IMPLIES_EXEC)", SYS_personality, {0x0400000}},
    {"ptrace", SYS_ptrace, {16 /* ATTACH */, NOPID, 0, 0}},
    {"process_vm_readv", SYS_process_vm_readv, {NOPID, 0, 0, 0, 0, 0}},
    {"kcmp", SYS_kcmp, {NOPID, NOPID, 0, 0, 0}},
    {"pidfd_getfd", SYS_pidfd_getfd, {-1, 0, 0}},
    {"socket(AF_VSOCK)", SYS_socket, {40, SOCK_STREAM | SOCK_CLOEXEC, 0}},
    {"socket(AF_ALG)", SYS_socket, {38, SOCK_SEQPACKET | SOCK_CLOEXEC, 0}},
    {"chroot", SYS_chroot, {(long)"/.brick-probe-none"}},
    /* Controls: allowed by every sane profile. */
    {"getpid", SYS_getpid, {0}, true},
    {"personality(query)", SYS_personality, {0xffffffff}, true},
    {"socket(AF_UNIX)", SYS_socket, {AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0}, true},
};
const size_t sc_n_probes = sizeof(sc_probes) / sizeof(sc_probes[0]);

int sc_probe_one(const struct sc_probe *p)
{
    const long *a = p->args;
    long r = syscall(p->nr, a[0], a[1], a[2], a[3], a[4], a[5]);
    int e = r < 0 ? errno : 0;
    /* Undo what an allowed call may have done. */
    if (r >= 0 && p->nr == SYS_personality && a[0] != 0xffffffff)
        syscall(SYS_personality, r);
    if (r >= 0 && p->nr == SYS_socket)
        close((int)r);
    return e;
}

bool sc_probe_blocked(const struct sc_probe *p, int e)
{
    (void)p;
    return e == EPERM || e == ENOSYS;
}
