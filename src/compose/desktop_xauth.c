/* desktop_xauth.c — the Xauthority file format (pure; fuzzable).
 *
 * A file is a sequence of entries, each five fields; every field but the
 * first is a 16-bit big-endian length followed by that many bytes:
 *   family  u16 (256 = FamilyLocal: address is a hostname; 65535 = Wild;
 *           0 = Internet, 6 = Internet6, ...)
 *   address, number (the display number as decimal text), name (the
 *   protocol: "MIT-MAGIC-COOKIE-1"), data (the cookie).
 * The file comes from the user's home and may be anything: every length is
 * checked against what is left. */
#include "compose/desktop.h"
#include "core/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cursor {
    const uint8_t *p;
    size_t left;
};

static int get_u16(struct cursor *c, uint16_t *ret)
{
    if (c->left < 2)
        return -EINVAL;
    *ret = (uint16_t)(c->p[0] << 8 | c->p[1]);
    c->p += 2;
    c->left -= 2;
    return 0;
}

/* A counted field as a NUL-terminated heap copy (data may contain NULs). */
static int get_field(struct cursor *c, char **ret, size_t *ret_len)
{
    uint16_t n;
    if (get_u16(c, &n) < 0 || c->left < n)
        return -EINVAL;
    char *s = xmalloc((size_t)n + 1);
    memcpy(s, c->p, n);
    s[n] = '\0';
    c->p += n;
    c->left -= n;
    *ret = s;
    if (ret_len)
        *ret_len = n;
    return 0;
}

void xauth_free(struct xauth_entry *e, size_t n)
{
    for (size_t i = 0; e && i < n; i++) {
        free(e[i].address);
        free(e[i].number);
        free(e[i].name);
        free(e[i].data);
    }
    free(e);
}

int xauth_parse(const uint8_t *buf, size_t len, struct xauth_entry **ret, size_t *ret_n)
{
    struct cursor c = {buf, len};
    struct xauth_entry *v = NULL;
    size_t n = 0;
    while (c.left > 0) {
        struct xauth_entry e = {0};
        char *data = NULL;
        if (get_u16(&c, &e.family) < 0 || get_field(&c, &e.address, &e.address_len) < 0 ||
            get_field(&c, &e.number, NULL) < 0 || get_field(&c, &e.name, NULL) < 0 ||
            get_field(&c, &data, &e.data_len) < 0) {
            free(e.address);
            free(e.number);
            free(e.name);
            free(data);
            xauth_free(v, n);
            return -EINVAL;
        }
        e.data = (uint8_t *)data;
        v = xrealloc(v, (n + 1) * sizeof(*v));
        v[n++] = e;
    }
    *ret = v;
    *ret_n = n;
    return 0;
}

static bool same_cookie(const struct xauth_entry *a, const struct xauth_entry *b)
{
    return strcmp(a->name, b->name) == 0 && a->data_len == b->data_len &&
           memcmp(a->data, b->data, a->data_len) == 0;
}

size_t xauth_filter_display(const struct xauth_entry *in, size_t n, unsigned number, struct xauth_entry **ret)
{
    char num[16];
    snprintf(num, sizeof(num), "%u", number);
    struct xauth_entry *out = NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const struct xauth_entry *e = &in[i];
        if ((e->family != XAUTH_FAMILY_LOCAL && e->family != XAUTH_FAMILY_WILD) ||
            strcmp(e->number, num) != 0)
            continue;
        bool dup = false;
        for (size_t j = 0; j < k && !dup; j++)
            dup = same_cookie(&out[j], e);
        if (dup)
            continue;
        out = xrealloc(out, (k + 1) * sizeof(*out));
        uint8_t *data = xmalloc(e->data_len + 1);
        memcpy(data, e->data, e->data_len);
        out[k++] = (struct xauth_entry){
            .family = XAUTH_FAMILY_WILD,
            .address = xstrdup(""),
            .address_len = 0,
            .number = xstrdup(e->number),
            .name = xstrdup(e->name),
            .data = data,
            .data_len = e->data_len,
        };
    }
    *ret = out;
    return k;
}

static uint8_t *put_field(uint8_t *p, const void *s, size_t n)
{
    *p++ = (uint8_t)(n >> 8);
    *p++ = (uint8_t)n;
    memcpy(p, s, n);
    return p + n;
}

uint8_t *xauth_serialize(const struct xauth_entry *e, size_t n, size_t *ret_len)
{
    size_t len = 0;
    for (size_t i = 0; i < n; i++)
        len += 2 + 2 + e[i].address_len + 2 + strlen(e[i].number) + 2 + strlen(e[i].name) + 2 + e[i].data_len;
    uint8_t *buf = xmalloc(len + 1), *p = buf;
    for (size_t i = 0; i < n; i++) {
        *p++ = (uint8_t)(e[i].family >> 8);
        *p++ = (uint8_t)e[i].family;
        p = put_field(p, e[i].address, e[i].address_len);
        p = put_field(p, e[i].number, strlen(e[i].number));
        p = put_field(p, e[i].name, strlen(e[i].name));
        p = put_field(p, e[i].data, e[i].data_len);
    }
    *ret_len = len;
    return buf;
}
