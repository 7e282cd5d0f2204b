/* exe_guard.h — what the re-exec guard (exe_guard.c) shares with the CLI's
 * early entry point (cli/entry.c), which does the same re-exec before libc
 * starts. */
#pragma once

/* Set in the re-executed image's environment: the fd of the detached tree it
 * runs from, so that it can make that mount noexec (exe_guard.c). */
#define BRICK_EXE_TREE_ENV "_BRICK_EXE_TREE"
