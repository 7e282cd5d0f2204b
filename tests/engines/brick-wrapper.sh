#!/bin/sh
# An engine's "runtime path" for brick with a private state root: Podman's
# cleanup process (`podman container cleanup`, started by conmon) does not
# pass --runtime-flag options, so the root is fixed here instead. A later
# --root from the engine wins (getopt keeps the last one).
# conmon gives the runtime a clean environment: the suite puts back here
# what the binary needs (ASAN_OPTIONS for a sanitizer build: LeakSanitizer
# at exit hangs under conmon).
@ENV@
exec @BRICK@ --root @DIR@/brick-state "$@"
