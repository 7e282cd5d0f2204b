/* logger.h — the output log of a detached `brick do` (logger.c).
 *
 * In the container's state directory:
 *   log     the container's stdout and stderr, raw bytes as written
 *   log.1   the previous LOG_CAP bytes (the file before the last rotation)
 *   logger  "PID START\n": the logger process and its start time, so that
 *           `delete` can stop it and `logs -f` wait for it */
#ifndef BRICK_RUNTIME_LOGGER_H
#define BRICK_RUNTIME_LOGGER_H

#define LOG_CAP (1 << 20) /* bytes per file: log + log.1 never exceed 2 MiB */
#define LOG_NAME "log"
#define LOG_OLD_NAME "log.1"

struct brick_error;
struct create_ctx;

/* The create step (opts->output_log, a detached run only): the pipe, the
 * log file, the logger process and its record; ctx->log_stdin and
 * ctx->log_stdout are then what the init makes its stdio. */
int step_spawn_logger(struct create_ctx *ctx, struct brick_error *err);
/* A failed create: kill and reap the logger it started (our child). */
void logger_rollback(struct create_ctx *ctx);
/* Before the state directory dirfd is removed or recycled for another
 * container: kill the logger it records and wait until it is gone, so it
 * never writes into a directory that is no longer its container's. */
void logger_stop(int dirfd);

#endif
