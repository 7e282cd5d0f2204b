/* opts.c — option tables with their documentation (opts.h). */
#include "core/opts.h"
#include "core/cleanup.h"
#include "core/error.h"
#include "core/util.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>

const struct option *brick_opts_longopts(const struct brick_opt *t, struct option buf[BRICK_OPTS_MAX])
{
    size_t n = 0;
    for (; !brick_opt_is_end(t) && n + 1 < BRICK_OPTS_MAX; t++)
        if (t->name)
            buf[n++] = (struct option){t->name, t->has_arg, t->flag, t->val};
    buf[n] = (struct option){0};
    return buf;
}

int brick_getopt(int argc, char **argv, const char *shortopts, const struct brick_opt *t)
{
    struct option buf[BRICK_OPTS_MAX];
    return getopt_long(argc, argv, shortopts, brick_opts_longopts(t, buf), NULL);
}

const char *brick_opts_closest(const char *arg, const struct brick_opt *t)
{
    struct option buf[BRICK_OPTS_MAX];
    return closest_long_option(arg, brick_opts_longopts(t, buf));
}

static const struct brick_opt *find_name(const struct brick_opt *t, const char *name)
{
    for (; !brick_opt_is_end(t); t++)
        if (streq(t->name, name))
            return t;
    return NULL;
}

/* The documented entry an undocumented one belongs to, or NULL. */
static const struct brick_opt *owner(const struct brick_opt *t, const struct brick_opt *o)
{
    for (const struct brick_opt *p = t; p < o; p++)
        if (p->help && p->val == o->val && (p->name || p->val))
            return p;
    if (o->name && startswith(o->name, "no-")) {
        const struct brick_opt *pos = find_name(t, o->name + 3);
        if (pos && pos->help)
            return pos;
    }
    return NULL;
}

bool brick_opt_doc(const struct brick_opt *t, size_t i, const char *shortopts, struct brick_opt_doc *ret)
{
    const struct brick_opt *o = &t[i];
    if (!o->help || brick_opt_is_heading(o))
        return false;
    *ret = (struct brick_opt_doc){.opt = o};
    if (o->name)
        ret->names[ret->n_names++] = o->name;
    if (o->val > 0 && o->val < 128 && isalnum(o->val) && shortopts && strchr(shortopts, o->val))
        ret->short_name = (char)o->val;
    for (const struct brick_opt *p = o + 1; !brick_opt_is_end(p); p++) {
        if (p->help || owner(t, p) != o)
            continue;
        if (p->val == o->val && p->name && ret->n_names < ARRAY_SIZE(ret->names))
            ret->names[ret->n_names++] = p->name;
        else if (p->val != o->val)
            ret->negatable = true;
    }
    return true;
}

void brick_opt_label(const struct brick_opt_doc *d, char *buf, size_t len)
{
    size_t n = 0;
    buf[0] = '\0';
#define PUT(...) (n += (size_t)snprintf(buf + n, n < len ? len - n : 0, __VA_ARGS__))
    if (d->short_name)
        PUT("-%c", d->short_name);
    for (size_t i = 0; i < d->n_names; i++)
        PUT("%s--%s%s", n ? ", " : "", d->negatable && i == 0 ? "[no-]" : "", d->names[i]);
    if (d->opt->arg && d->opt->has_arg == optional_argument)
        PUT("[=%s]", d->opt->arg);
    else if (d->opt->arg && d->opt->has_arg == required_argument)
        PUT(" %s", d->opt->arg);
#undef PUT
}

/* text from column col, words wrapped before column 80 (a word is never cut). */
static void print_wrapped(FILE *f, const char *text, int col, int indent)
{
    const char *p = text;
    while (*p) {
        size_t w = strcspn(p, " ");
        if (col > indent && col + 1 + (int)w > 80) {
            fprintf(f, "\n%*s", indent, "");
            col = indent;
        } else if (col > indent) {
            fputc(' ', f);
            col++;
        }
        fprintf(f, "%.*s", (int)w, p);
        col += (int)w;
        p += w;
        while (*p == ' ')
            p++;
    }
    fputc('\n', f);
}

void brick_opts_print(FILE *f, const struct brick_opt *t, const char *shortopts)
{
    enum { HELP_COL = 29 };
    for (size_t i = 0; !brick_opt_is_end(&t[i]); i++) {
        struct brick_opt_doc d;
        if (brick_opt_is_heading(&t[i])) {
            fprintf(f, "\n%s\n", t[i].help);
            continue;
        }
        if (!brick_opt_doc(t, i, shortopts, &d))
            continue;
        char label[160];
        brick_opt_label(&d, label, sizeof(label));
        int col = fprintf(f, "%s%s", d.short_name ? "  " : "      ", label);
        if (col >= HELP_COL - 1) {
            fprintf(f, "\n%*s", HELP_COL, "");
        } else {
            fprintf(f, "%*s", HELP_COL - col, "");
        }
        print_wrapped(f, t[i].help, HELP_COL, HELP_COL);
    }
}

int brick_opts_check(const struct brick_opt *t, const char *shortopts, struct brick_error *err)
{
    size_t n = 0;
    for (const struct brick_opt *o = t; !brick_opt_is_end(o); o++, n++) {
        if (n + 1 >= BRICK_OPTS_MAX)
            return brick_err(err, E2BIG, "more than %d options: raise BRICK_OPTS_MAX", BRICK_OPTS_MAX - 1);
        const char *what = o->name ? o->name : "(short option)";
        if (!o->help && !brick_opt_is_heading(o) && !owner(t, o))
            return brick_err(err, EINVAL, "option --%s: no help (and not an alias or a --no- form)", what);
        if (o->name && find_name(t, o->name) != o)
            return brick_err(err, EINVAL, "option --%s: listed twice", o->name);
        if (!o->name && o->val && !(o->val < 128 && shortopts && strchr(shortopts, o->val)))
            return brick_err(err, EINVAL, "short-only option %d: not in \"%s\"", o->val, shortopts);
    }
    for (const char *s = shortopts ? shortopts : ""; *s; s++) {
        if (*s == ':' || *s == '+' || *s == '-')
            continue;
        const struct brick_opt *o = t;
        while (!brick_opt_is_end(o) && !(o->val == *s && o->help))
            o++;
        if (brick_opt_is_end(o))
            return brick_err(err, EINVAL, "short option -%c: no documented entry with that val", *s);
        bool takes = s[1] == ':';
        if (takes != (o->has_arg != no_argument))
            return brick_err(err, EINVAL, "short option -%c: %s an argument, its entry does%s", *s,
                             takes ? "takes" : "takes no", o->has_arg != no_argument ? "" : " not");
    }
    return 0;
}
