/* parse.h — the unit tests' `brick do ARGS...`: argv with the verb in front,
 * through compose_parse(). args ends with NULL. */
#ifndef BRICK_TESTS_COMPOSE_PARSE_H
#define BRICK_TESTS_COMPOSE_PARSE_H

#include "compose/compose.h"

static inline int parse(struct compose_opts *o, struct brick_error *err, const char *const *args)
{
    char *argv[64];
    int argc = 0;
    argv[argc++] = (char *)"do";
    for (; *args && argc < 63; args++)
        argv[argc++] = (char *)*args;
    argv[argc] = NULL;
    return compose_parse(argc, argv, o, err);
}

#endif
