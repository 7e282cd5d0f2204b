/* seccomp-probe: static helper run as a container process. Tries the fixed
 * list of dangerous syscalls in src/lib/security/seccomp_probe.c and prints
 * one JSON object: {"name": "EPERM" | "ok" | "<errno name>", ...}.
 * `seccomp-probe call NR [ARG...]` makes one raw syscall and prints its
 * errno name ("ok" on success) — for argument-filter tests. */
#include "security/seccomp_probe.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *ename(int e) { return e == 0 ? "ok" : strerrorname_np(e) ? strerrorname_np(e) : "E?"; }

int main(int argc, char **argv)
{
    if (argc > 2 && strcmp(argv[1], "call") == 0) {
        long a[7] = {0};
        for (int i = 2; i < argc && i < 9; i++)
            a[i - 2] = strtol(argv[i], NULL, 0);
        long r = syscall(a[0], a[1], a[2], a[3], a[4], a[5], a[6]);
        printf("%s\n", ename(r < 0 ? errno : 0));
        return 0;
    }
    printf("{");
    for (size_t i = 0; i < sc_n_probes; i++)
        printf("%s\"%s\": \"%s\"", i ? ", " : "", sc_probes[i].name, ename(sc_probe_one(&sc_probes[i])));
    printf("}\n");
    return 0;
}
