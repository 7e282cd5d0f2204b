/* json.c — the adapter over json-c (see json.h). */
#include "spec/json.h"
#include "core/cleanup.h"
#include "core/error.h"
#include "core/util.h"

#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <string.h>

#define J(v) ((struct json_object *)(v))
#define B(o) ((bjson *)(o))

static void pos_of(const char *text, size_t off, int *line, int *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off; i++) {
        if (text[i] == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

/* json-c saturates integer literals outside int64/uint64 (18446744073709551616
 * reads back as UINT64_MAX with no error), so an overflow would be silently
 * accepted. Before parsing, number tokens are canonicalised in a copy of the
 * text: an integer literal out of range gets an "E0" suffix, which makes
 * json-c keep it as a double together with its source text, and a genuine
 * exponent 'E' is lower-cased (same value). A double whose text contains 'E'
 * is then exactly "an out-of-range integer literal" (see is_overflow()). */
static bool int_overflows(const char *tok, size_t n)
{
    bool neg = tok[0] == '-';
    size_t i = neg ? 1 : 0;
    while (i + 1 < n && tok[i] == '0')
        i++;
    const char *lim = neg ? "9223372036854775808" : "18446744073709551615";
    size_t digits = n - i, lim_len = strlen(lim);
    return digits > lim_len || (digits == lim_len && memcmp(tok + i, lim, lim_len) > 0);
}

static bool is_num_char(char c) { return c && strchr("0123456789+-.eE", c); }
static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* End of the token starting at text[i]: a string (with escapes), a number,
 * or any other single byte. */
static size_t token_end(const char *text, size_t len, size_t i)
{
    size_t j = i + 1;
    if (text[i] == '"') {
        while (j < len && text[j] != '"')
            j += text[j] == '\\' ? 2 : 1;
        return j < len ? j + 1 : len;
    }
    if (text[i] == '-' || is_digit(text[i]))
        while (j < len && is_num_char(text[j]))
            j++;
    return j;
}

/* One pass over text; writes the canonical copy to out when non-NULL.
 * Returns the copy's length and sets *changes to the number of edits. */
static size_t canon_numbers(const char *text, size_t len, char *out, size_t *changes)
{
    size_t o = 0;
    *changes = 0;
    for (size_t i = 0; i < len;) {
        size_t j = token_end(text, len, i);
        bool number = text[i] == '-' || is_digit(text[i]);
        size_t sign = text[i] == '-', digits = 0;
        while (number && i + sign + digits < j && is_digit(text[i + sign + digits]))
            digits++;
        for (size_t k = i; k < j; k++) {
            bool upper = number && text[k] == 'E';
            if (out)
                out[o] = upper ? 'e' : text[k];
            o++;
            *changes += upper;
        }
        if (number && digits > 0 && sign + digits == j - i && int_overflows(text + i, j - i)) {
            if (out)
                memcpy(out + o, "E0", 2);
            o += 2;
            (*changes)++;
        }
        i = j;
    }
    return o;
}

static int parse_raw(const char *text, size_t len, struct json_object **ret, struct brick_error *err)
{
    struct json_tokener *tok = json_tokener_new_ex(JSON_TOKENER_DEFAULT_DEPTH);
    if (!tok)
        abort();
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    struct json_object *o = json_tokener_parse_ex(tok, text, (int)len);
    enum json_tokener_error e = json_tokener_get_error(tok);
    size_t off = json_tokener_get_parse_end(tok);
    if (e == json_tokener_continue && len > 0) {
        /* A bare top-level number waits for more digits: a NUL byte tells
         * json-c the input ended. */
        o = json_tokener_parse_ex(tok, "", 1);
        e = json_tokener_get_error(tok) == json_tokener_success ? json_tokener_success
                                                                : json_tokener_continue;
        off = len;
    }
    json_tokener_free(tok);
    if (e == json_tokener_continue) {
        int line, col;
        pos_of(text, len, &line, &col);
        return brick_err(err, 0, "invalid JSON at line %d column %d: unexpected end of input", line, col);
    }
    if (e != json_tokener_success) {
        int line, col;
        pos_of(text, off < len ? off : len, &line, &col);
        return brick_err(err, 0, "invalid JSON at line %d column %d: %s", line, col,
                         json_tokener_error_desc(e));
    }
    /* Trailing garbage after the document. */
    for (size_t i = off; i < len; i++) {
        if (!strchr(" \t\r\n", text[i]) && text[i] != '\0') {
            int line, col;
            json_object_put(o);
            pos_of(text, i, &line, &col);
            return brick_err(err, 0, "invalid JSON at line %d column %d: trailing data", line, col);
        }
    }
    *ret = o;
    return 0;
}

int bjson_parse(const char *text, size_t len, bjson **ret, struct brick_error *err)
{
    if (len > INT_MAX / 4)
        return brick_err(err, EFBIG, "document too large");
    size_t changes;
    size_t n = canon_numbers(text, len, NULL, &changes);
    struct json_object *o = NULL;
    if (changes == 0) {
        int r = parse_raw(text, len, &o, err);
        if (r < 0)
            return r;
    } else {
        _cleanup_free_ char *copy = xmalloc(n + 1);
        canon_numbers(text, len, copy, &changes);
        copy[n] = '\0';
        if (parse_raw(copy, n, &o, NULL) < 0) {
            /* Positions in the copy may be shifted: report on the original. */
            if (parse_raw(text, len, &o, err) < 0)
                return -EINVAL;
            json_object_put(o);
            return brick_err(err, 0, "invalid JSON");
        }
    }
    *ret = B(o);
    return 0;
}

void bjson_free(bjson *v)
{
    if (v)
        json_object_put(J(v));
}

/* A double whose source text has an 'E': an integer literal out of range,
 * marked by canon_numbers(). */
static bool is_overflow(const bjson *v)
{
    if (!json_object_is_type(J(v), json_type_double))
        return false;
    const char *s = json_object_get_string(J(v));
    return s && strchr(s, 'E');
}

enum bjson_type bjson_type_of(const bjson *v)
{
    if (!v)
        return BJSON_NULL;
    switch (json_object_get_type(J(v))) {
    case json_type_boolean: return BJSON_BOOL;
    case json_type_int: return BJSON_INT;
    case json_type_double: return is_overflow(v) ? BJSON_INT : BJSON_DOUBLE;
    case json_type_string: return BJSON_STRING;
    case json_type_array: return BJSON_ARRAY;
    case json_type_object: return BJSON_OBJECT;
    case json_type_null:
    default: return BJSON_NULL;
    }
}

const char *bjson_type_name(enum bjson_type t)
{
    static const char *const names[] = {
        [BJSON_NULL] = "null",        [BJSON_BOOL] = "a boolean",  [BJSON_INT] = "an integer",
        [BJSON_DOUBLE] = "a number",  [BJSON_STRING] = "a string", [BJSON_ARRAY] = "an array",
        [BJSON_OBJECT] = "an object",
    };
    return names[t];
}

bjson *bjson_get(const bjson *obj, const char *key)
{
    struct json_object *v = NULL;
    if (!obj || !json_object_is_type(J(obj), json_type_object))
        return NULL;
    if (!json_object_object_get_ex(J(obj), key, &v))
        return NULL;
    return B(v);
}

size_t bjson_object_len(const bjson *obj)
{
    if (!obj || !json_object_is_type(J(obj), json_type_object))
        return 0;
    return (size_t)json_object_object_length(J(obj));
}

bjson_iter bjson_object_iter(const bjson *obj)
{
    bjson_iter it = {NULL};
    if (obj && json_object_is_type(J(obj), json_type_object))
        it.next = lh_table_head(json_object_get_object(J(obj)));
    return it;
}

bool bjson_object_next(bjson_iter *it, const char **ret_key, bjson **ret_val)
{
    struct lh_entry *e = it->next;
    if (!e)
        return false;
    *ret_key = (const char *)lh_entry_k(e);
    *ret_val = B((struct json_object *)lh_entry_v(e));
    it->next = lh_entry_next(e);
    return true;
}

size_t bjson_array_len(const bjson *arr)
{
    if (!arr || !json_object_is_type(J(arr), json_type_array))
        return 0;
    return json_object_array_length(J(arr));
}

bjson *bjson_array_get(const bjson *arr, size_t i)
{
    if (i >= bjson_array_len(arr))
        return NULL;
    return B(json_object_array_get_idx(J(arr), i));
}

bool bjson_bool(const bjson *v)
{
    return v && json_object_is_type(J(v), json_type_boolean) && json_object_get_boolean(J(v));
}

const char *bjson_string(const bjson *v)
{
    if (!v || !json_object_is_type(J(v), json_type_string))
        return NULL;
    return json_object_get_string(J(v));
}

/* json-c keeps integer literals as int64, or as uint64 when positive and
 * above INT64_MAX; literals beyond both are marked by canon_numbers(). */
size_t bjson_string_len(const bjson *v)
{
    if (!v || !json_object_is_type(J(v), json_type_string))
        return 0;
    return (size_t)json_object_get_string_len(J(v));
}

int bjson_u64(const bjson *v, uint64_t *ret)
{
    if (bjson_type_of(v) != BJSON_INT)
        return -EINVAL;
    if (is_overflow(v) || json_object_get_int64(J(v)) < 0)
        return -ERANGE;
    *ret = json_object_get_uint64(J(v));
    return 0;
}

int bjson_i64(const bjson *v, int64_t *ret)
{
    if (bjson_type_of(v) != BJSON_INT)
        return -EINVAL;
    if (is_overflow(v))
        return -ERANGE;
    int64_t s = json_object_get_int64(J(v));
    /* A positive literal above INT64_MAX is stored as uint64 and reads back
     * clamped to INT64_MAX. */
    if (s == INT64_MAX && json_object_get_uint64(J(v)) > (uint64_t)INT64_MAX)
        return -ERANGE;
    *ret = s;
    return 0;
}

bjson *bjson_new_object(void) { return B(json_object_new_object()); }
bjson *bjson_new_array(void) { return B(json_object_new_array()); }
bjson *bjson_new_string(const char *s) { return B(json_object_new_string(s ? s : "")); }
bjson *bjson_new_i64(int64_t v) { return B(json_object_new_int64(v)); }
bjson *bjson_new_u64(uint64_t v) { return B(json_object_new_uint64(v)); }
bjson *bjson_new_bool(bool b) { return B(json_object_new_boolean(b)); }
void bjson_set(bjson *obj, const char *key, bjson *val) { json_object_object_add(J(obj), key, J(val)); }
void bjson_del(bjson *obj, const char *key) { json_object_object_del(J(obj), key); }
void bjson_append(bjson *arr, bjson *val) { json_object_array_add(J(arr), J(val)); }

bjson *bjson_copy(const bjson *v)
{
    struct json_object *out = NULL;
    if (!v || json_object_deep_copy(J(v), &out, NULL) < 0)
        return NULL;
    return B(out);
}

char *bjson_to_string(const bjson *v, bool pretty)
{
    int flags = JSON_C_TO_STRING_NOSLASHESCAPE |
                (pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED : JSON_C_TO_STRING_PLAIN);
    return xstrdup(json_object_to_json_string_ext(J(v), flags));
}

char *bjson_to_string_tabs(const bjson *v)
{
    int flags = JSON_C_TO_STRING_NOSLASHESCAPE | JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_PRETTY_TAB |
                JSON_C_TO_STRING_SPACED;
    return xstrdup(json_object_to_json_string_ext(J(v), flags));
}
