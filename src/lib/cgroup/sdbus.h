/* sdbus.h — a minimal D-Bus client for systemd's manager (sdbus.c says why
 * not sd-bus): marshal a body, call a method, read the reply. */
#ifndef BRICK_CGROUP_SDBUS_H
#define BRICK_CGROUP_SDBUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct brick_error;

/* A message body being built; offsets (and so alignment) from its start,
 * which the message puts on an 8-byte boundary. */
struct sdbus_buf {
    uint8_t *p;
    size_t len, cap;
    size_t mark; /* set by sdbus_array_begin: where the array's elements start */
};

void sdbus_align(struct sdbus_buf *b, size_t a);
void sdbus_byte(struct sdbus_buf *b, uint8_t v);
void sdbus_u32(struct sdbus_buf *b, uint32_t v); /* also b (boolean) */
void sdbus_u64(struct sdbus_buf *b, uint64_t v);
void sdbus_str(struct sdbus_buf *b, const char *s); /* s and o */
void sdbus_sig(struct sdbus_buf *b, const char *s); /* g, and a variant's type */
/* An array: begin returns where its length goes (the elements start at
 * b->mark, after the padding to elem_align); end fills the length in. */
size_t sdbus_array_begin(struct sdbus_buf *b, size_t elem_align);
void sdbus_array_end(struct sdbus_buf *b, size_t at, size_t start);

struct sdbus {
    int fd;
    uint32_t serial;
};

/* The system manager (user false) or the caller's user manager. */
int sdbus_open(struct sdbus *c, bool user, struct brick_error *err);
/* Call org.freedesktop.systemd1.Manager.<member> with a body of signature
 * sig; *ret_str (may be NULL): the reply's first string or object path. */
int sdbus_call(struct sdbus *c, const char *member, const char *sig, const struct sdbus_buf *body,
               char **ret_str, struct brick_error *err);
/* A string property of the manager (org.freedesktop.DBus.Properties.Get),
 * e.g. "ControlGroup": where a user manager's units live. */
int sdbus_manager_string(struct sdbus *c, const char *property, char **ret, struct brick_error *err);
void sdbus_close(struct sdbus *c);

#endif
