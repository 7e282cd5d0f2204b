/* opts.h — option tables that carry their documentation. One table gives
 * getopt_long its struct option[], `--help` its option list, and (through
 * `brick help --dump-options`, tools/gendocs.py) the man pages' OPTIONS
 * sections and the bash, zsh and fish completions: none can drift.
 *
 * The first four fields are getopt's struct option, in its order, so an
 * entry written as one (`{"no-rm", no_argument, NULL, OPT_NO_RM}`) is valid.
 * An entry without help is documented by another one:
 *   - an alias: an entry before it with help and the same val (--network);
 *   - a negation: "no-X" where --X is in the table (shown as --[no-]X).
 * A short option is val when val is a character of the caller's shortopts
 * string; an entry without a name is a short-only option (-u), or, with
 * val 0, a heading ("Desktop (docs/DESKTOP.md):"). The table ends with {0}. */
#ifndef BRICK_CORE_OPTS_H
#define BRICK_CORE_OPTS_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct brick_error;

struct brick_opt {
    const char *name;     /* long name, or NULL */
    int has_arg;          /* getopt's no_argument, required_argument, optional_argument */
    int *flag;            /* getopt's: always NULL in brick */
    int val;              /* getopt's return value */
    const char *arg;      /* argument name in the help: "NAME"; two words ("SRC DST"): two arguments */
    const char *help;     /* one paragraph; NULL: see above */
    const char *complete; /* the argument's completion: BRICK_COMPLETE_* or "words:a b c" */
};

/* Completion kinds (the shells' scripts know them: tools/gendocs.py). */
#define BRICK_COMPLETE_FILE "file"
#define BRICK_COMPLETE_DIR "dir"
#define BRICK_COMPLETE_CONTAINER "container"
#define BRICK_COMPLETE_POD "pod"
#define BRICK_COMPLETE_PROFILE "profile"
#define BRICK_COMPLETE_USER "user"
#define BRICK_COMPLETE_CAP "cap"
#define BRICK_COMPLETE_SIGNAL "signal"
#define BRICK_COMPLETE_COMMAND "command"

#define BRICK_OPTS_MAX 192

/* One documented option, its aliases and negation gathered. */
struct brick_opt_doc {
    const struct brick_opt *opt;
    const char *names[8]; /* long names: the entry's, then its aliases' */
    size_t n_names;
    char short_name; /* or '\0' */
    bool negatable;  /* a "no-NAME" entry undoes it */
};

static inline bool brick_opt_is_end(const struct brick_opt *o) { return !o->name && !o->val && !o->help; }
static inline bool brick_opt_is_heading(const struct brick_opt *o) { return !o->name && !o->val && o->help; }

/* getopt_long's table (the entries with a long name) into buf. */
const struct option *brick_opts_longopts(const struct brick_opt *t, struct option buf[BRICK_OPTS_MAX]);
/* getopt_long over t (argument order and state as getopt_long's). */
int brick_getopt(int argc, char **argv, const char *shortopts, const struct brick_opt *t);
/* closest_long_option() over t: "did you mean" for an unknown "--arg". */
const char *brick_opts_closest(const char *arg, const struct brick_opt *t);
/* Entry i as the help shows it; false for an entry another one documents,
 * a heading or the end. */
bool brick_opt_doc(const struct brick_opt *t, size_t i, const char *shortopts, struct brick_opt_doc *ret);
/* "-d, --detach", "--[no-]rm", "-u USER[:GROUP]", "--x11[=untrusted]" into buf. */
void brick_opt_label(const struct brick_opt_doc *d, char *buf, size_t len);
/* The option list of `--help`: one line (or wrapped paragraph) per option, headings between. */
void brick_opts_print(FILE *f, const struct brick_opt *t, const char *shortopts);
/* Every entry documented (its own help, an alias, a negation), no name twice,
 * every character of shortopts an option; the first fault named in err. */
int brick_opts_check(const struct brick_opt *t, const char *shortopts, struct brick_error *err);

#endif
