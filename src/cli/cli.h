/* cli.h — the brick command line: runc's global flags and verbs. Each verb
 * lives in its own file and exports one handler. */
#ifndef BRICK_CLI_CLI_H
#define BRICK_CLI_CLI_H

#include <brick/brick.h>
#include <getopt.h>
#include <stdbool.h>

#include "core/opts.h"

struct cli_globals {
    const char *root;
    const char *log_path;
    bool log_json;
    bool debug;
    bool systemd_cgroup; /* --systemd-cgroup: passed to create and run */
};

/* A verb's verb: pod create, profile merge. */
struct cli_subcommand {
    const char *name;
    const char *summary;
    const struct brick_opt *opts; /* NULL: only --help */
    const char *shortopts;
    const char *args; /* completion of its arguments (BRICK_COMPLETE_*), NULL: none */
};

/* A command. Its option table is the one source of its parser, of the
 * option list of its --help, of its man page's OPTIONS and of the shell
 * completions (`brick help --dump-options`, tools/gendocs.py). */
struct cli_command {
    const char *name;
    const char *summary;
    const char *usage; /* help text after "Usage: brick ", before the options */
    int (*run)(struct cli_globals *g, int argc, char **argv);
    const struct brick_opt *opts;
    const char *shortopts;
    const char *args;                  /* completion of its arguments (BRICK_COMPLETE_*), NULL: none */
    const struct cli_subcommand *subs; /* ended by {0}; NULL: none */
};

/* Print the error (stderr line and --log record) and return exit status 1. */
int cli_fail(const struct brick_error *err);
int cli_failf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* getopt_long with brick's conventions: --help prints the command's help
 * (returns 'h'); an unknown option fails with a clear message ('?'). */
int cli_getopt(int argc, char **argv, const char *shortopts, const struct brick_opt *opts,
               const struct cli_command *cmd);
/* Exactly n positional arguments remain, else a usage error. */
int cli_want_args(int argc, char **argv, int min, int max, const struct cli_command *cmd);
/* A runc flag brick knows about but does not implement yet. */
int cli_unsupported_flag(const char *flag, const struct cli_command *cmd);
int cli_help(const struct cli_command *cmd);
/* After a foreground run: one line when the OOM killer acted in the
 * container's cgroup ("killed: out of memory (limit 32 MiB)"). */
void cli_report_exit(const struct brick_exit_info *info, int status);
/* "; did you mean '--NAME'?" when an unknown "--arg" is close to one of
 * opts, else "" (a static buffer: use before the next call). */
const char *did_you_mean(const char *arg, const struct brick_opt *opts);
/* The option table with only --help (start, state, pause, ...). */
extern const struct brick_opt cli_help_only[];
/* `brick help --dump-options`: every command's options as JSON (dump.c). */
int cli_dump_options(const struct cli_command *const *cmds, size_t n, const struct brick_opt *globals,
                     const char *global_shortopts);

extern const struct cli_command cmd_create, cmd_exec, cmd_start, cmd_run, cmd_state, cmd_kill, cmd_delete,
    cmd_list, cmd_spec;
extern const struct cli_command cmd_pause, cmd_resume, cmd_update, cmd_ps, cmd_events, cmd_features;
extern const struct cli_command cmd_inspect; /* brick-only */
extern const struct cli_command cmd_do, cmd_logs, cmd_pod, cmd_graph,
    cmd_profile; /* brick-only: composition */

/* Build, share and run the container `brick do` describes (do.c); used by
 * `pod create` too. Returns the exit status to use; *ret_status is the
 * container's in the foreground. */
struct compose_opts;
int cli_do_launch(struct cli_globals *g, struct compose_opts *o, int *ret_status);

#endif
