/* dump.c — `brick help --dump-options`: the option tables of the global
 * flags and of every command (core/opts.h) as one JSON document, from which
 * tools/gendocs.py writes the man pages' OPTIONS sections and the bash, zsh
 * and fish completions. A table that fails brick_opts_check() fails the dump:
 * an undocumented option cannot reach a release. */
#include "cli/cli.h"
#include "core/error.h"

#include <json-c/json.h>
#include <stdio.h>

static json_object *str_or_null(const char *s) { return s ? json_object_new_string(s) : NULL; }

static json_object *one_option(const struct brick_opt_doc *d)
{
    json_object *o = json_object_new_object(), *names = json_object_new_array();
    char label[160], shrt[2] = {d->short_name, '\0'};
    brick_opt_label(d, label, sizeof(label));
    for (size_t i = 0; i < d->n_names; i++)
        json_object_array_add(names, json_object_new_string(d->names[i]));
    json_object_object_add(o, "label", json_object_new_string(label));
    json_object_object_add(o, "long", names);
    json_object_object_add(o, "short", d->short_name ? json_object_new_string(shrt) : NULL);
    json_object_object_add(o, "negatable", json_object_new_boolean(d->negatable));
    json_object_object_add(o, "arg", d->opt->has_arg == no_argument ? NULL : str_or_null(d->opt->arg));
    json_object_object_add(o, "arg_optional", json_object_new_boolean(d->opt->has_arg == optional_argument));
    json_object_object_add(o, "help", json_object_new_string(d->opt->help));
    json_object_object_add(o, "complete", str_or_null(d->opt->complete));
    return o;
}

static int table(json_object *parent, const char *what, const struct brick_opt *t, const char *shortopts)
{
    struct brick_error err;
    static const struct brick_opt none[] = {{0}}; /* pod ls, profile merge: no option at all */
    if (!t)
        t = none;
    if (brick_opts_check(t, shortopts, &err) < 0) {
        cli_failf("help --dump-options: %s: %s", what, err.msg);
        return -1;
    }
    json_object *arr = json_object_new_array();
    for (size_t i = 0; !brick_opt_is_end(&t[i]); i++) {
        struct brick_opt_doc d;
        if (brick_opt_is_heading(&t[i])) {
            json_object *h = json_object_new_object();
            json_object_object_add(h, "heading", json_object_new_string(t[i].help));
            json_object_array_add(arr, h);
        } else if (brick_opt_doc(t, i, shortopts, &d)) {
            json_object_array_add(arr, one_option(&d));
        }
    }
    json_object_object_add(parent, "options", arr);
    return 0;
}

static json_object *command(const struct cli_command *c, int *r)
{
    json_object *o = json_object_new_object(), *subs = json_object_new_array();
    json_object_object_add(o, "name", json_object_new_string(c->name));
    json_object_object_add(o, "summary", json_object_new_string(c->summary));
    json_object_object_add(o, "args", str_or_null(c->args));
    if (table(o, c->name, c->opts, c->shortopts) < 0)
        *r = -1;
    for (const struct cli_subcommand *s = c->subs; s && s->name; s++) {
        json_object *so = json_object_new_object();
        json_object_object_add(so, "name", json_object_new_string(s->name));
        json_object_object_add(so, "summary", json_object_new_string(s->summary));
        json_object_object_add(so, "args", str_or_null(s->args));
        if (table(so, s->name, s->opts, s->shortopts) < 0)
            *r = -1;
        json_object_array_add(subs, so);
    }
    json_object_object_add(o, "subcommands", subs);
    return o;
}

int cli_dump_options(const struct cli_command *const *cmds, size_t n, const struct brick_opt *globals,
                     const char *global_shortopts)
{
    int r = 0;
    json_object *doc = json_object_new_object(), *arr = json_object_new_array();
    json_object *g = json_object_new_object();
    if (table(g, "global options", globals, global_shortopts) < 0)
        r = -1;
    json_object_object_add(doc, "global", g);
    for (size_t i = 0; i < n; i++)
        json_object_array_add(arr, command(cmds[i], &r));
    json_object_object_add(doc, "commands", arr);
    if (r == 0)
        printf("%s\n", json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
                                                               JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(doc);
    return r < 0 ? 1 : 0;
}
