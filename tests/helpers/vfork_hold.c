/* vfork_hold.c — a container init that never reaches a ptrace stop: vfork()
 * with a child that sleeps; the parent waits in the kernel until the child
 * execs or exits, and `brick inspect --probe` (PTRACE_INTERRUPT, then an
 * unbounded waitpid) waits with it. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <unistd.h>
#include <stdio.h>
int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    printf("holding\n");
    if (vfork() == 0) {
        sleep(1000);
        _exit(0);
    }
    return 0;
}
