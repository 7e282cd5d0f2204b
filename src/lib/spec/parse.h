/* parse.h — private machinery of the config.json parser (parse*.c).
 *
 * A parse context carries the JSON path of the value being read, so every
 * error names it ("linux.namespaces[1].type: ..."). Objects are read through
 * field tables (struct pfield): one line per key giving its kind and where
 * the value goes, so types, "is required" and error texts are uniform.
 *
 * Ownership: values are stored into the model as they are read, and arrays
 * are allocated zeroed with their count set *before* their elements are
 * parsed; on any error the caller frees the half-built model with the
 * ordinary free functions. */
#ifndef BRICK_SPEC_PARSE_H
#define BRICK_SPEC_PARSE_H

#include "spec/json.h"
#include "spec/model.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct brick_error;

struct pctx {
    struct brick_error *err;
    size_t len;     /* strlen(path) */
    char path[512]; /* "process.rlimits[2].hard"; "" at the document root */
};

/* Descend: append ".key" (or ["key"] when the key is not an identifier) or
 * "[i]"; each returns the old length for pc_pop(). */
size_t pc_key(struct pctx *c, const char *key);
size_t pc_idx(struct pctx *c, size_t i);
void pc_pop(struct pctx *c, size_t old);
/* Fail with "<path>: <reason>" (just the reason at the root). */
int pc_err(struct pctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

enum pf_kind {
    PF_STR,   /* char * */
    PF_PATH,  /* char *, must be absolute */
    PF_BOOL,  /* bool */
    PF_U64,   /* uint64_t */
    PF_I64,   /* int64_t */
    PF_U32,   /* uint32_t */
    PF_U16,   /* uint16_t */
    PF_I32,   /* int32_t */
    PF_INT,   /* int */
    PF_STRV,  /* char ** */
    PF_MAP,   /* struct oci_kv * with count at aux: object of strings */
    PF_ARRAY, /* T * with count at aux; fn parses one element */
    PF_CUSTOM /* fn parses the whole value into base + off */
};

typedef int (*pf_fn)(struct pctx *c, const bjson *v, void *dst);

struct pfield {
    const char *key;
    enum pf_kind kind;
    bool required;
    size_t off;       /* of the value in the struct */
    ptrdiff_t aux;    /* of the bool has_* flag, or the size_t count; -1: none */
    pf_fn fn;         /* PF_ARRAY, PF_CUSTOM */
    size_t elem_size; /* PF_ARRAY */
};

#define PF_(k, kind, req, T, m, aux, fn, es)                                                                 \
    {                                                                                                        \
        k, kind, req, offsetof(T, m), aux, fn, es                                                            \
    }
/* Optional, no presence flag. */
#define F(k, kind, T, m) PF_(k, kind, false, T, m, -1, NULL, 0)
/* Required. */
#define FREQ(k, kind, T, m) PF_(k, kind, true, T, m, -1, NULL, 0)
/* Optional; sets T.h when present. */
#define FHAS(k, kind, T, m, h) PF_(k, kind, false, T, m, (ptrdiff_t)offsetof(T, h), NULL, 0)
#define FMAP(k, T, m, n) PF_(k, PF_MAP, false, T, m, (ptrdiff_t)offsetof(T, n), NULL, 0)
#define FARR(k, T, m, n, fn)                                                                                 \
    PF_(k, PF_ARRAY, false, T, m, (ptrdiff_t)offsetof(T, n), fn, sizeof(*((T *)0)->m))
#define FOBJ(k, T, m, fn) PF_(k, PF_CUSTOM, false, T, m, -1, fn, 0)
#define FOBJ_REQ(k, T, m, fn) PF_(k, PF_CUSTOM, true, T, m, -1, fn, 0)
/* Custom, and fn gets the whole struct: for keys that fill several members. */
#define FSELF(k, fn)                                                                                         \
    {                                                                                                        \
        k, PF_CUSTOM, false, 0, -1, fn, 0                                                                    \
    }
#define FSELF_REQ(k, fn)                                                                                     \
    {                                                                                                        \
        k, PF_CUSTOM, true, 0, -1, fn, 0                                                                     \
    }

/* Read the keys of obj listed in fields into base. Absent and null keys are
 * skipped (or "is required"); unknown keys are ignored. */
int pc_fields(struct pctx *c, const bjson *obj, const struct pfield *fields, size_t n, void *base);
#define PC_FIELDS(c, obj, table, base) pc_fields(c, obj, table, sizeof(table) / sizeof((table)[0]), base)
/* An object whose members are objects keyed by a name (linux.netDevices,
 * linux.resources.rdma): *ret becomes an array of n elements of elem_size;
 * each element gets a copy of its key (a char * at key_off) and its member
 * parsed with fields. */
int pc_object_map(struct pctx *c, const bjson *v, void **ret, size_t *ret_n, size_t elem_size, size_t key_off,
                  const struct pfield *fields, size_t n_fields);
#define PC_OBJECT_MAP(c, v, arr, n, type, key_member, table)                                                 \
    pc_object_map(c, v, (void **)&(arr), &(n), sizeof(type), offsetof(type, key_member), table,              \
                  sizeof(table) / sizeof((table)[0]))

/* Typed readers for the value at the current path. */
int pc_str(struct pctx *c, const bjson *v, char **ret);
int pc_u64(struct pctx *c, const bjson *v, uint64_t max, uint64_t *ret);
int pc_i64(struct pctx *c, const bjson *v, int64_t min, int64_t max, int64_t *ret);
int pc_strv(struct pctx *c, const bjson *v, char ***ret);
int pc_absolute(struct pctx *c, const char *path);
/* Reject a name not in set with "<what> \"name\"" (e.g. "unknown namespace type"). */
int pc_known(struct pctx *c, const char *name, const char *const *set, const char *what);

/* Sections (parse_process.c, parse_linux.c, parse_resources.c, parse_seccomp.c). */
int pc_process(struct pctx *c, const bjson *v, void *dst);    /* dst: struct oci_process ** */
int pc_id_mapping(struct pctx *c, const bjson *v, void *dst); /* one struct oci_id_mapping */
int pc_linux(struct pctx *c, const bjson *v, void *dst);      /* struct oci_linux */
int pc_resources(struct pctx *c, const bjson *v, void *dst);  /* struct oci_resources */
int pc_seccomp(struct pctx *c, const bjson *v, void *dst);    /* struct oci_seccomp */

#endif
