/* dump.c — `brick help --dump-options`: the option tables of the global
 * flags and of every command (core/opts.h) as one JSON document, from which
 * tools/gendocs.py writes the man pages' OPTIONS sections and the bash, zsh
 * and fish completions. A table that fails brick_opts_check() fails the dump:
 * an undocumented option cannot reach a release. */
#include "cli/cli.h"
#include "core/error.h"
#include "spec/json.h"

#include <stdio.h>
#include <stdlib.h>

/* NULL stands for JSON null in bjson_set(). */
static bjson *str_or_null(const char *s) { return s ? bjson_new_string(s) : NULL; }

static bjson *one_option(const struct brick_opt_doc *d)
{
    bjson *o = bjson_new_object(), *names = bjson_new_array();
    char label[160], shrt[2] = {d->short_name, '\0'};
    brick_opt_label(d, label, sizeof(label));
    for (size_t i = 0; i < d->n_names; i++)
        bjson_append(names, bjson_new_string(d->names[i]));
    bjson_set(o, "label", bjson_new_string(label));
    bjson_set(o, "long", names);
    bjson_set(o, "short", d->short_name ? bjson_new_string(shrt) : NULL);
    bjson_set(o, "negatable", bjson_new_bool(d->negatable));
    bjson_set(o, "arg", d->opt->has_arg == no_argument ? NULL : str_or_null(d->opt->arg));
    bjson_set(o, "arg_optional", bjson_new_bool(d->opt->has_arg == optional_argument));
    bjson_set(o, "help", bjson_new_string(d->opt->help));
    bjson_set(o, "complete", str_or_null(d->opt->complete));
    return o;
}

static int table(bjson *parent, const char *what, const struct brick_opt *t, const char *shortopts)
{
    struct brick_error err;
    static const struct brick_opt none[] = {{0}}; /* pod ls, profile merge: no option at all */
    if (!t)
        t = none;
    if (brick_opts_check(t, shortopts, &err) < 0) {
        cli_failf("help --dump-options: %s: %s", what, err.msg);
        return -1;
    }
    bjson *arr = bjson_new_array();
    for (size_t i = 0; !brick_opt_is_end(&t[i]); i++) {
        struct brick_opt_doc d;
        if (brick_opt_is_heading(&t[i])) {
            bjson *h = bjson_new_object();
            bjson_set(h, "heading", bjson_new_string(t[i].help));
            bjson_append(arr, h);
        } else if (brick_opt_doc(t, i, shortopts, &d)) {
            bjson_append(arr, one_option(&d));
        }
    }
    bjson_set(parent, "options", arr);
    return 0;
}

static bjson *command(const struct cli_command *c, int *r)
{
    bjson *o = bjson_new_object(), *subs = bjson_new_array();
    bjson_set(o, "name", bjson_new_string(c->name));
    bjson_set(o, "summary", bjson_new_string(c->summary));
    bjson_set(o, "args", str_or_null(c->args));
    if (table(o, c->name, c->opts, c->shortopts) < 0)
        *r = -1;
    for (const struct cli_subcommand *s = c->subs; s && s->name; s++) {
        bjson *so = bjson_new_object();
        bjson_set(so, "name", bjson_new_string(s->name));
        bjson_set(so, "summary", bjson_new_string(s->summary));
        bjson_set(so, "args", str_or_null(s->args));
        if (table(so, s->name, s->opts, s->shortopts) < 0)
            *r = -1;
        bjson_append(subs, so);
    }
    bjson_set(o, "subcommands", subs);
    return o;
}

int cli_dump_options(const struct cli_command *const *cmds, size_t n, const struct brick_opt *globals,
                     const char *global_shortopts)
{
    int r = 0;
    bjson *doc = bjson_new_object(), *arr = bjson_new_array();
    bjson *g = bjson_new_object();
    if (table(g, "global options", globals, global_shortopts) < 0)
        r = -1;
    bjson_set(doc, "global", g);
    for (size_t i = 0; i < n; i++)
        bjson_append(arr, command(cmds[i], &r));
    bjson_set(doc, "commands", arr);
    if (r == 0) {
        char *text = bjson_to_string(doc, true);
        printf("%s\n", text);
        free(text);
    }
    bjson_free(doc);
    return r < 0 ? 1 : 0;
}
