/* entry.c — the static CLI's ELF entry point: the CVE-2019-5736 re-exec
 * (security/exe_guard.c) done before the C library starts.
 *
 * create, run, exec, do and pod re-execute brick from a read-only bind of
 * itself, so the first image only ever makes three syscalls that matter:
 * open_tree, mount_setattr and execveat. Letting glibc start that image
 * first costs more than everything else it does: static glibc start-up runs
 * about a hundred `cpuid` instructions (CPU features, cache sizes), and each
 * one traps to the hypervisor in a VM (6 µs here), so the start-up alone is
 * about 1 ms on the machine we measure on (docs/PERFORMANCE.md).
 *
 * brick_entry (the linker's --entry) runs on the kernel's initial stack with
 * nothing set up: no TLS, no relocation of the static PIE yet, no IFUNCs. So
 * this file calls no library function, reads no global that needs a
 * relocation (only RIP-relative string constants), uses raw syscalls, and is
 * built with -ffreestanding -fno-stack-protector (src/cli/meson.build). When
 * it returns, the stack is restored and glibc's own _start runs as if the
 * kernel had jumped there. Anything unusual (an unknown layout, an error,
 * already guarded, the second image) is left to brick_guard_exe() in main(),
 * which also covers the memfd fallback and library users. */
#include "cli/guarded.h"

#include <elf.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/vfs.h>

#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)
#define ST_RDONLY_FLAG 0x0001 /* statfs f_flags, as ST_RDONLY */

void brick_early_guard(long *sp) __attribute__((visibility("hidden"), used));

#if defined(__x86_64__)
__asm__(".text\n"
        ".globl brick_entry\n"
        ".hidden brick_entry\n"
        ".type brick_entry,@function\n"
        "brick_entry:\n"
#ifdef __CET__
        "  endbr64\n"
#endif
        "  xor %ebp, %ebp\n"
        "  mov %rsp, %rbx\n" /* callee-saved: the kernel's stack pointer */
        "  mov %rsp, %rdi\n"
        "  call brick_early_guard\n"
        "  mov %rbx, %rsp\n"
        "  xor %ebx, %ebx\n"
        "  xor %edx, %edx\n" /* no rtld_fini, as from the kernel */
        "  jmp _start\n"
        ".size brick_entry, .-brick_entry\n");

static long sys6(long n, long a, long b, long c, long d, long e, long f)
{
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    register long r9 __asm__("r9") = f;
    long ret;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}
#elif defined(__aarch64__)
__asm__(".text\n"
        ".globl brick_entry\n"
        ".hidden brick_entry\n"
        ".type brick_entry,%function\n"
        "brick_entry:\n"
        "  mov x29, #0\n"
        "  mov x30, #0\n"
        "  mov x19, sp\n"
        "  mov x0, sp\n"
        "  bl brick_early_guard\n"
        "  mov sp, x19\n"
        "  mov x19, #0\n"
        "  mov x0, #0\n" /* no rtld_fini */
        "  b _start\n"
        ".size brick_entry, .-brick_entry\n");

static long sys6(long n, long a, long b, long c, long d, long e, long f)
{
    register long x8 __asm__("x8") = n;
    register long x0 __asm__("x0") = a;
    register long x1 __asm__("x1") = b;
    register long x2 __asm__("x2") = c;
    register long x3 __asm__("x3") = d;
    register long x4 __asm__("x4") = e;
    register long x5 __asm__("x5") = f;
    __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5) : "memory");
    return x0;
}
#else
#error "entry.c: only x86_64 and aarch64 (meson builds it only there)"
#endif

#define SYS(n, a, b, c, d, e) sys6((n), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)

static size_t slen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

static int same(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

static int starts_with(const char *s, const char *p)
{
    while (*p)
        if (*s++ != *p++)
            return 0;
    return 1;
}

/* Any argument naming a guarded verb: a false positive (a container called
 * "run") costs one re-exec, never safety. */
static int wants_guard(int argc, char **argv)
{
    static const char verbs[] = BRICK_GUARDED_VERBS;
    for (int i = 1; i < argc; i++)
        for (const char *v = verbs; *v; v += slen(v) + 1)
            if (same(argv[i], v))
                return 1;
    return 0;
}

static int already_guarded(void)
{
    int exe = (int)SYS(SYS_openat, AT_FDCWD, "/proc/self/exe", O_RDONLY | O_CLOEXEC, 0, 0);
    if (exe < 0)
        return 1; /* let main() report it */
    struct statfs sf;
    int ro = SYS(SYS_fstatfs, exe, &sf, 0, 0, 0) == 0 && (sf.f_flags & ST_RDONLY_FLAG);
    long seals = ro ? 0 : SYS(SYS_fcntl, exe, F_GET_SEALS, 0, 0, 0);
    SYS(SYS_close, exe, 0, 0, 0, 0);
    return ro || (seals >= 0 && (seals & SEALS) == SEALS);
}

void brick_early_guard(long *sp)
{
    int argc = (int)sp[0];
    char **argv = (char **)(sp + 1);
    char **envp = argv + argc + 1;
    if (argc < 2 || !wants_guard(argc, argv))
        return;
    size_t n = 0;
    for (; envp[n]; n++)
        if (starts_with(envp[n], BRICK_EXE_TREE_ENV "="))
            return; /* the second image (or a caller's stray variable): main() */
    /* Executed with privileges the caller lacks (AT_SECURE: setuid, setgid,
     * file capabilities): no mount call on its behalf; main() refuses. */
    for (const long *aux = (const long *)(envp + n + 1); aux[0] != AT_NULL; aux += 2)
        if (aux[0] == AT_SECURE && aux[1] != 0)
            return;
    /* A caller that closed stdin (or stdout, stderr) would otherwise have
     * the tree fd below take its number, and the container inherit it as
     * its stdio: a handle on the runtime binary it could execute. main()
     * fills them too, for every other path. */
    for (int fd = 0; fd < 3; fd++)
        if (SYS(SYS_fcntl, fd, F_GETFD, 0, 0, 0) < 0)
            SYS(SYS_openat, AT_FDCWD, "/dev/null", O_RDWR, 0, 0);
    if (already_guarded())
        return;
    int tree = (int)SYS(SYS_open_tree, AT_FDCWD, "/proc/self/exe", OPEN_TREE_CLONE, 0, 0);
    if (tree < 0)
        return;
    struct mount_attr attr;
    attr.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
    attr.attr_clr = 0;
    attr.propagation = 0;
    attr.userns_fd = 0;
    if (SYS(SYS_mount_setattr, tree, "", AT_EMPTY_PATH, &attr, sizeof(attr)) == 0) {
        /* the environment plus BRICK_EXE_TREE_ENV=<tree>, in fresh memory */
        size_t bytes = (n + 2) * sizeof(char *) + sizeof(BRICK_EXE_TREE_ENV) + 16;
        long m = sys6(SYS_mmap, 0, (long)bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if ((unsigned long)m < -4095UL) {
            char **env = (char **)m;
            char *var = (char *)(env + n + 2), *p = var;
            for (const char *k = BRICK_EXE_TREE_ENV "="; *k;)
                *p++ = *k++;
            char digits[12];
            int d = 0;
            for (unsigned v = (unsigned)tree; v || !d; v /= 10)
                digits[d++] = (char)('0' + v % 10);
            while (d)
                *p++ = digits[--d];
            *p = 0;
            for (size_t i = 0; i < n; i++)
                env[i] = envp[i];
            env[n] = var;
            env[n + 1] = NULL;
            SYS(SYS_execveat, tree, "", argv, env, AT_EMPTY_PATH);
            SYS(SYS_munmap, m, bytes, 0, 0, 0);
        }
    }
    SYS(SYS_close, tree, 0, 0, 0, 0);
}
