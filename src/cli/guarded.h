/* guarded.h — the verbs that start container processes, and so run only from
 * a copy of brick the container cannot write (CVE-2019-5736): main.c checks
 * the command, entry.c (before libc starts) any argument. One list, NUL
 * separated and doubly terminated, usable without relocations. */
#pragma once
#include <brick/brick.h> /* BRICK_EXE_TREE_ENV */

#define BRICK_GUARDED_VERBS "create\0run\0exec\0do\0pod\0"
