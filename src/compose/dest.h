/* dest.h — destinations on the host's read-only root (dest.c), for build.c. */
#ifndef BRICK_COMPOSE_DEST_H
#define BRICK_COMPOSE_DEST_H

#include "compose/compose.h"
#include "spec/json.h"

/* The directories to cover (shallowest first) so that every --tmpfs, -v
 * and --symlink destination of o can be made, given the mounts made before
 * them; NULL when none (or with --rootfs, or no probe). Errors name the flag:
 * "-v /a:/srv/x:ro: /srv/x does not exist in the read-only bind at /srv". */
int compose_plan_covers(const struct compose_opts *o, const bjson *mounts, char ***ret_covers,
                        struct brick_error *err);

#endif
