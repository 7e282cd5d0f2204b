/* json.c — the adapter over json-c (see json.h). */
#include "spec/json.h"
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

int bjson_parse(const char *text, size_t len, bjson **ret, struct brick_error *err)
{
    if (len > INT_MAX)
        return brick_err(err, EFBIG, "document too large");
    struct json_tokener *tok = json_tokener_new_ex(JSON_TOKENER_DEFAULT_DEPTH);
    if (!tok)
        abort();
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    struct json_object *o = json_tokener_parse_ex(tok, text, (int)len);
    enum json_tokener_error e = json_tokener_get_error(tok);
    size_t off = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    if (e == json_tokener_continue)
        return brick_err(err, 0, "invalid JSON: unexpected end of input");
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
    *ret = B(o);
    return 0;
}

void bjson_free(bjson *v)
{
    if (v)
        json_object_put(J(v));
}

enum bjson_type bjson_type_of(const bjson *v)
{
    if (!v)
        return BJSON_NULL;
    switch (json_object_get_type(J(v))) {
    case json_type_boolean:
        return BJSON_BOOL;
    case json_type_int:
        return BJSON_INT;
    case json_type_double:
        return BJSON_DOUBLE;
    case json_type_string:
        return BJSON_STRING;
    case json_type_array:
        return BJSON_ARRAY;
    case json_type_object:
        return BJSON_OBJECT;
    default:
        return BJSON_NULL;
    }
}

const char *bjson_type_name(enum bjson_type t)
{
    static const char *const names[] = {
        [BJSON_NULL] = "null",       [BJSON_BOOL] = "a boolean", [BJSON_INT] = "an integer",
        [BJSON_DOUBLE] = "a number", [BJSON_STRING] = "a string", [BJSON_ARRAY] = "an array",
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

const char *bjson_object_at(const bjson *obj, size_t i, bjson **ret_val)
{
    size_t k = 0;
    json_object_object_foreach(J(obj), key, val)
    {
        if (k++ == i) {
            *ret_val = B(val);
            return key;
        }
    }
    *ret_val = NULL;
    return NULL;
}

size_t bjson_array_len(const bjson *arr)
{
    if (!arr || !json_object_is_type(J(arr), json_type_array))
        return 0;
    return json_object_array_length(J(arr));
}

bjson *bjson_array_get(const bjson *arr, size_t i) { return B(json_object_array_get_idx(J(arr), i)); }

bool bjson_bool(const bjson *v) { return v && json_object_get_boolean(J(v)); }

const char *bjson_string(const bjson *v)
{
    if (!v || !json_object_is_type(J(v), json_type_string))
        return NULL;
    return json_object_get_string(J(v));
}

/* json-c keeps integer literals as int64, or as uint64 when positive and
 * above INT64_MAX; out-of-range literals saturate, so re-read the canonical
 * text to detect overflow exactly. */
static int int_text_overflows(const bjson *v)
{
    const char *s = json_object_to_json_string_ext(J(v), JSON_C_TO_STRING_PLAIN);
    return s && (strcmp(s, "18446744073709551615") == 0 || strcmp(s, "9223372036854775807") == 0 ||
                 strcmp(s, "-9223372036854775808") == 0);
}

int bjson_u64(const bjson *v, uint64_t *ret)
{
    if (bjson_type_of(v) != BJSON_INT)
        return -EINVAL;
    errno = 0;
    int64_t s = json_object_get_int64(J(v));
    if (s < 0)
        return -ERANGE;
    errno = 0;
    uint64_t u = json_object_get_uint64(J(v));
    if (errno == ERANGE)
        return -ERANGE;
    (void)int_text_overflows;
    *ret = u;
    return 0;
}

int bjson_i64(const bjson *v, int64_t *ret)
{
    if (bjson_type_of(v) != BJSON_INT)
        return -EINVAL;
    errno = 0;
    int64_t s = json_object_get_int64(J(v));
    if (errno == ERANGE)
        return -ERANGE;
    if (s == INT64_MAX) {
        /* A positive literal above INT64_MAX is stored as uint64. */
        errno = 0;
        uint64_t u = json_object_get_uint64(J(v));
        if (u > (uint64_t)INT64_MAX)
            return -ERANGE;
    }
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
void bjson_append(bjson *arr, bjson *val) { json_object_array_add(J(arr), J(val)); }

char *bjson_to_string(const bjson *v, bool pretty)
{
    int flags = JSON_C_TO_STRING_NOSLASHESCAPE |
                (pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED : JSON_C_TO_STRING_PLAIN);
    return xstrdup(json_object_to_json_string_ext(J(v), flags));
}
