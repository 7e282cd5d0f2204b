/* parse_util.c — the parse context (JSON paths in errors), typed readers and
 * the field-table dispatcher shared by all parse*.c files (see parse.h). */
#include "spec/parse.h"
#include "core/cleanup.h"
#include "core/error.h"
#include "core/strv.h"
#include "core/util.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Append to the path; a path that does not fit is cut short (the message
 * stays useful and the fixed-size error cannot overflow). */
static void pc_append(struct pctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void pc_append(struct pctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(c->path + c->len, sizeof(c->path) - c->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        c->len += (size_t)n < sizeof(c->path) - c->len ? (size_t)n : sizeof(c->path) - c->len - 1;
}

static bool is_ident(const char *k)
{
    if (!*k || (*k >= '0' && *k <= '9'))
        return false;
    for (; *k; k++)
        if (!((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') || (*k >= '0' && *k <= '9') || *k == '_' ||
              *k == '-'))
            return false;
    return true;
}

/* The hot path (every key and index of every document) without printf. */
static void pc_append_raw(struct pctx *c, const char *s, size_t n)
{
    size_t room = sizeof(c->path) - 1 - c->len;
    if (n > room)
        n = room;
    memcpy(c->path + c->len, s, n);
    c->len += n;
    c->path[c->len] = '\0';
}

size_t pc_key(struct pctx *c, const char *key)
{
    size_t old = c->len;
    if (is_ident(key)) {
        if (c->len)
            pc_append_raw(c, ".", 1);
        pc_append_raw(c, key, strlen(key));
        return old;
    }
    /* Keys such as sysctl names hold dots: quote them, escaping what would
     * make the path ambiguous or unprintable. */
    pc_append(c, "[\"");
    for (const unsigned char *p = (const unsigned char *)key; *p && c->len + 8 < sizeof(c->path); p++) {
        if (*p == '"' || *p == '\\')
            pc_append(c, "\\%c", *p);
        else if (*p < 0x20 || *p == 0x7f)
            pc_append(c, "\\u%04x", *p);
        else
            pc_append(c, "%c", *p);
    }
    pc_append(c, "\"]");
    return old;
}

size_t pc_idx(struct pctx *c, size_t i)
{
    size_t old = c->len;
    char buf[24], *p = buf + sizeof(buf);
    *--p = ']';
    do
        *--p = (char)('0' + i % 10);
    while (i /= 10);
    *--p = '[';
    pc_append_raw(c, p, (size_t)(buf + sizeof(buf) - p));
    return old;
}

void pc_pop(struct pctx *c, size_t old)
{
    c->len = old;
    c->path[old] = '\0';
}

int pc_err(struct pctx *c, const char *fmt, ...)
{
    char reason[BRICK_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof(reason), fmt, ap);
    va_end(ap);
    if (!c->len)
        return brick_err(c->err, 0, "%s", reason);
    return brick_err(c->err, 0, "%s: %s", c->path, reason);
}

int pc_str(struct pctx *c, const bjson *v, char **ret)
{
    const char *s = bjson_string(v);
    if (!s)
        return pc_err(c, "expected a string");
    /* "\u0000" would silently cut a path or name short in C. */
    if (strlen(s) != bjson_string_len(v))
        return pc_err(c, "must not contain a NUL character");
    free(*ret);
    *ret = xstrdup(s);
    return 0;
}

int pc_u64(struct pctx *c, const bjson *v, uint64_t max, uint64_t *ret)
{
    uint64_t u;
    int64_t s;
    if (bjson_type_of(v) != BJSON_INT)
        return pc_err(c, "expected an unsigned integer");
    if (bjson_u64(v, &u) < 0) {
        if (bjson_i64(v, &s) == 0 && s < 0)
            return pc_err(c, "expected an unsigned integer");
        return pc_err(c, "value out of range");
    }
    if (u > max)
        return pc_err(c, "value out of range");
    *ret = u;
    return 0;
}

int pc_i64(struct pctx *c, const bjson *v, int64_t min, int64_t max, int64_t *ret)
{
    int64_t s;
    if (bjson_type_of(v) != BJSON_INT)
        return pc_err(c, "expected an integer");
    if (bjson_i64(v, &s) < 0 || s < min || s > max)
        return pc_err(c, "value out of range");
    *ret = s;
    return 0;
}

int pc_strv(struct pctx *c, const bjson *v, char ***ret)
{
    if (bjson_type_of(v) != BJSON_ARRAY)
        return pc_err(c, "expected an array");
    size_t n = bjson_array_len(v);
    strv_free(*ret);
    *ret = xcalloc(n + 1, sizeof(char *));
    for (size_t i = 0; i < n; i++) {
        size_t old = pc_idx(c, i);
        int r = pc_str(c, bjson_array_get(v, i), &(*ret)[i]);
        if (r < 0)
            return r;
        pc_pop(c, old);
    }
    return 0;
}

int pc_absolute(struct pctx *c, const char *path)
{
    if (!path || path[0] != '/')
        return pc_err(c, "must be an absolute path");
    return 0;
}

int pc_known(struct pctx *c, const char *name, const char *const *set, const char *what)
{
    for (size_t i = 0; set[i]; i++)
        if (strcmp(name, set[i]) == 0)
            return 0;
    return pc_err(c, "%s \"%s\"", what, name);
}

/* An object of strings -> key/value list (annotations, sysctl, unified). */
static int pc_map(struct pctx *c, const bjson *v, struct oci_kv **ret, size_t *ret_n)
{
    if (bjson_type_of(v) != BJSON_OBJECT)
        return pc_err(c, "expected an object");
    size_t n = bjson_object_len(v);
    *ret = xcalloc(n, sizeof(**ret));
    *ret_n = n;
    bjson_iter it = bjson_object_iter(v);
    bjson *val;
    const char *key;
    for (size_t i = 0; i < n && bjson_object_next(&it, &key, &val); i++) {
        (*ret)[i].key = xstrdup(key);
        size_t old = pc_key(c, key);
        int r = pc_str(c, val, &(*ret)[i].value);
        if (r < 0)
            return r;
        pc_pop(c, old);
    }
    return 0;
}

static int pc_array(struct pctx *c, const bjson *v, const struct pfield *f, char *base)
{
    if (bjson_type_of(v) != BJSON_ARRAY)
        return pc_err(c, "expected an array");
    size_t n = bjson_array_len(v);
    char *elems = xcalloc(n, f->elem_size);
    *(void **)(base + f->off) = elems;
    *(size_t *)(base + f->aux) = n;
    for (size_t i = 0; i < n; i++) {
        size_t old = pc_idx(c, i);
        int r = f->fn(c, bjson_array_get(v, i), elems + i * f->elem_size);
        if (r < 0)
            return r;
        pc_pop(c, old);
    }
    return 0;
}

static int pc_scalar(struct pctx *c, const bjson *v, enum pf_kind kind, void *dst)
{
    uint64_t u;
    int64_t s;
    int r;
    switch (kind) {
    case PF_U64: return pc_u64(c, v, UINT64_MAX, dst);
    case PF_U32:
        if ((r = pc_u64(c, v, UINT32_MAX, &u)) == 0)
            *(uint32_t *)dst = (uint32_t)u;
        return r;
    case PF_U16:
        if ((r = pc_u64(c, v, UINT16_MAX, &u)) == 0)
            *(uint16_t *)dst = (uint16_t)u;
        return r;
    case PF_I64: return pc_i64(c, v, INT64_MIN, INT64_MAX, dst);
    case PF_I32:
        if ((r = pc_i64(c, v, INT32_MIN, INT32_MAX, &s)) == 0)
            *(int32_t *)dst = (int32_t)s;
        return r;
    case PF_INT:
        if ((r = pc_i64(c, v, INT_MIN, INT_MAX, &s)) == 0)
            *(int *)dst = (int)s;
        return r;
    case PF_BOOL:
        if (bjson_type_of(v) != BJSON_BOOL)
            return pc_err(c, "expected a boolean");
        *(bool *)dst = bjson_bool(v);
        return 0;
    case PF_STR:
    case PF_PATH:
    case PF_STRV:
    case PF_MAP:
    case PF_ARRAY:
    case PF_CUSTOM:
    default: abort(); /* a field table bug, not an input error */
    }
}

static int pc_field(struct pctx *c, const bjson *v, const struct pfield *f, char *base)
{
    void *dst = base + f->off;
    switch (f->kind) {
    case PF_STR: return pc_str(c, v, dst);
    case PF_PATH: {
        int r = pc_str(c, v, dst);
        return r < 0 ? r : pc_absolute(c, *(char **)dst);
    }
    case PF_STRV: return pc_strv(c, v, dst);
    case PF_MAP: return pc_map(c, v, dst, (size_t *)(base + f->aux));
    case PF_ARRAY: return pc_array(c, v, f, base);
    case PF_CUSTOM: return f->fn(c, v, dst);
    case PF_BOOL:
    case PF_U64:
    case PF_I64:
    case PF_U32:
    case PF_U16:
    case PF_I32:
    case PF_INT:
    default: {
        int r = pc_scalar(c, v, f->kind, dst);
        if (r == 0 && f->aux >= 0)
            *(bool *)(base + f->aux) = true;
        return r;
    }
    }
}

int pc_fields(struct pctx *c, const bjson *obj, const struct pfield *fields, size_t n, void *base)
{
    if (bjson_type_of(obj) != BJSON_OBJECT)
        return pc_err(c, "expected an object");
    for (size_t i = 0; i < n; i++) {
        const struct pfield *f = &fields[i];
        bjson *v = bjson_get(obj, f->key);
        size_t old = pc_key(c, f->key);
        int r = 0;
        if (bjson_type_of(v) != BJSON_NULL)
            r = pc_field(c, v, f, base);
        else if (f->required)
            r = pc_err(c, "is required");
        if (r < 0)
            return r;
        pc_pop(c, old);
    }
    return 0;
}

int pc_object_map(struct pctx *c, const bjson *v, void **ret, size_t *ret_n, size_t elem_size, size_t key_off,
                  const struct pfield *fields, size_t n_fields)
{
    if (bjson_type_of(v) != BJSON_OBJECT)
        return pc_err(c, "expected an object");
    size_t n = bjson_object_len(v);
    char *arr = xcalloc(n, elem_size);
    *ret = arr;
    *ret_n = n;
    bjson_iter it = bjson_object_iter(v);
    bjson *val;
    const char *key;
    for (size_t i = 0; i < n && bjson_object_next(&it, &key, &val); i++) {
        char *elem = arr + i * elem_size;
        char *dup = xstrdup(key);
        memcpy(elem + key_off, &dup, sizeof(dup));
        size_t old = pc_key(c, key);
        int r = pc_fields(c, val, fields, n_fields, elem);
        if (r < 0)
            return r;
        pc_pop(c, old);
    }
    return 0;
}
