/* json.h — brick's JSON adapter: the one seam to the JSON library.
 *
 * json.c is the ONLY file that includes <json-c/json.h>; everything else uses
 * this small API. Values returned by getters are borrowed from their parent and
 * live as long as the root handle. Builders create new owned values; adding a
 * value to an object/array transfers ownership to the container. */
#ifndef BRICK_SPEC_JSON_H
#define BRICK_SPEC_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct brick_error;
typedef struct bjson bjson;

enum bjson_type {
    BJSON_NULL,
    BJSON_BOOL,
    BJSON_INT,    /* an integer literal (may be > INT64_MAX when positive) */
    BJSON_DOUBLE, /* a literal with a fraction or exponent */
    BJSON_STRING,
    BJSON_ARRAY,
    BJSON_OBJECT,
};

/* Parse text (need not be NUL-terminated). On a syntax error the message names
 * the line and column. The root must be released with bjson_free(). */
int bjson_parse(const char *text, size_t len, bjson **ret, struct brick_error *err);
void bjson_free(bjson *v);
static inline void bjson_freep(bjson **v) { bjson_free(*v); }
#define _cleanup_bjson_ __attribute__((cleanup(bjson_freep)))

enum bjson_type bjson_type_of(const bjson *v);  /* NULL -> BJSON_NULL */
const char *bjson_type_name(enum bjson_type t); /* "a string", "an object", ... */

/* Objects: member lookup (NULL when absent) and iteration in document order. */
bjson *bjson_get(const bjson *obj, const char *key);
size_t bjson_object_len(const bjson *obj);
/* Iterate in document order, each member once (linear in the members):
 *   bjson_iter it = bjson_object_iter(obj);
 *   while (bjson_object_next(&it, &key, &val)) ...
 * The object must not change meanwhile. */
typedef struct {
    void *next; /* json-c's hash table entry of the next member */
} bjson_iter;
bjson_iter bjson_object_iter(const bjson *obj);
bool bjson_object_next(bjson_iter *it, const char **ret_key, bjson **ret_val);

size_t bjson_array_len(const bjson *arr);
bjson *bjson_array_get(const bjson *arr, size_t i);

bool bjson_bool(const bjson *v);
const char *bjson_string(const bjson *v); /* NULL unless a string */
/* Length in bytes (a string may hold "\u0000", which C strings cannot). */
size_t bjson_string_len(const bjson *v);
/* Exact integer readers: -ERANGE when out of range (including negative for
 * the unsigned reader, and any literal beyond int64/uint64, which json-c
 * alone would saturate), -EINVAL when v is not an integer. */
int bjson_u64(const bjson *v, uint64_t *ret);
int bjson_i64(const bjson *v, int64_t *ret);

/* Builders. */
bjson *bjson_new_object(void);
bjson *bjson_new_array(void);
bjson *bjson_new_string(const char *s);
bjson *bjson_new_i64(int64_t v);
bjson *bjson_new_u64(uint64_t v);
bjson *bjson_new_bool(bool b);
void bjson_set(bjson *obj, const char *key, bjson *val); /* takes val */
void bjson_del(bjson *obj, const char *key);             /* no such key: nothing */
/* A deep copy, owned by the caller (NULL for NULL). */
bjson *bjson_copy(const bjson *v);
void bjson_append(bjson *arr, bjson *val); /* takes val */
/* Serialize: pretty (2-space indent, as runc prints state) or compact.
 * Returns a heap string the caller frees. Slashes are not escaped. */
char *bjson_to_string(const bjson *v, bool pretty);
/* Pretty with one tab per level, the layout of Go's json.MarshalIndent(v, "", "\t")
 * (what `runc spec` writes). */
char *bjson_to_string_tabs(const bjson *v);

#endif
