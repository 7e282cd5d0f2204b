/* net.c — `--net user` and `-p` flags, and slirp4netns's plan (pure). */
#include "compose/compose.h"
#include "compose/net.h"
#include "core/cleanup.h"
#include "core/error.h"
#include "core/strv.h"
#include "core/util.h"
#include "spec/json.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PUBLISH_FORM "expected [IP:]HOSTPORT:CONTAINERPORT[/tcp|udp]"

static int parse_port(const char *s, uint16_t *ret)
{
    uint64_t v;
    if (parse_u64(s, &v) < 0 || v < 1 || v > 65535)
        return -EINVAL;
    *ret = (uint16_t)v;
    return 0;
}

/* "::1" or "[::1]" */
static bool is_ipv6(const char *ip)
{
    _cleanup_free_ char *bare = xstrdup(ip[0] == '[' ? ip + 1 : ip);
    bare[strcspn(bare, "]")] = '\0';
    struct in6_addr a;
    return inet_pton(AF_INET6, bare, &a) == 1;
}

/* "IP:HOST:CONTAINER", "HOST:CONTAINER" (the protocol already cut off) */
static int parse_triple(char *s, struct compose_port *p, const char *spec, struct brick_error *err)
{
    char *last = strrchr(s, ':');
    if (!last)
        return brick_err(err, EINVAL, "-p %s: %s", spec, PUBLISH_FORM);
    *last = '\0';
    char *host = strrchr(s, ':');
    const char *ip = NET_DEFAULT_HOST_IP;
    if (host) {
        *host++ = '\0';
        ip = s;
    } else {
        host = s;
    }
    if (is_ipv6(ip))
        return brick_err(err, EINVAL, "-p %s: IPv6 addresses are not supported (--net user forwards IPv4)",
                         spec);
    struct in_addr a;
    if (inet_pton(AF_INET, ip, &a) != 1)
        return brick_err(err, EINVAL, "-p %s: \"%s\" is not an IPv4 address (%s)", spec, ip, PUBLISH_FORM);
    if (parse_port(host, &p->host_port) < 0 || parse_port(last + 1, &p->port) < 0)
        return brick_err(err, EINVAL, "-p %s: ports are numbers from 1 to 65535 (%s; no ranges)", spec,
                         PUBLISH_FORM);
    inet_ntop(AF_INET, &a, p->host_ip, sizeof(p->host_ip));
    return 0;
}

int net_parse_mode(const char *arg, struct compose_opts *o, struct brick_error *err)
{
    const char *opt = startswith(arg, "user") ? arg + 4 : startswith(arg, "slirp4netns") ? arg + 11 : NULL;
    o->net_user = false;
    o->net_host_loopback = false;
    if (!opt || (*opt && *opt != ':'))
        return 0;
    if (*opt && !streq(opt, ":allow_host_loopback=true") && !streq(opt, ":allow_host_loopback=false"))
        return brick_err(err, EINVAL, "--net %s: the one option of user is allow_host_loopback=true|false",
                         arg);
    o->net_user = true;
    o->net_host_loopback = streq(opt, ":allow_host_loopback=true");
    return 1;
}

int net_parse_publish(const char *spec, struct compose_opts *o, struct brick_error *err)
{
    struct compose_port p = {0};
    _cleanup_free_ char *copy = xstrdup(spec);
    char *proto = strchr(copy, '/');
    if (proto) {
        *proto++ = '\0';
        if (!streq(proto, "tcp") && !streq(proto, "udp"))
            return brick_err(err, EINVAL, "-p %s: the protocol is tcp or udp, not \"%s\"", spec, proto);
        p.udp = streq(proto, "udp");
    }
    int r = parse_triple(copy, &p, spec, err);
    if (r < 0)
        return r;
    for (size_t i = 0; i < o->n_ports; i++) {
        const struct compose_port *q = &o->ports[i];
        if (q->host_port == p.host_port && q->udp == p.udp &&
            (streq(q->host_ip, p.host_ip) || streq(q->host_ip, "0.0.0.0") || streq(p.host_ip, "0.0.0.0")))
            return brick_err(err, EINVAL, "-p %s: host port %u/%s is already published by -p %s", spec,
                             p.host_port, p.udp ? "udp" : "tcp", q->spec);
    }
    p.spec = xstrdup(spec);
    o->ports = xrealloc(o->ports, (o->n_ports + 1) * sizeof(*o->ports));
    o->ports[o->n_ports++] = p;
    return 0;
}

/* How the user chose the network that -p cannot publish from. */
static char *net_choice(const struct compose_opts *o)
{
    const struct compose_ns *n = &o->ns[OCI_NS_NETWORK];
    if (o->pod)
        return xasprintf("--pod %s", o->pod);
    switch (n->mode) {
    case NS_MODE_HOST: return xstrdup("--net host");
    case NS_MODE_CONTAINER: return xasprintf("--net container:%s", n->target);
    case NS_MODE_PATH: return xasprintf("--net ns:%s", n->target);
    case NS_MODE_NEW: return xstrdup("--net new");
    case NS_MODE_DEFAULT: break;
    }
    return NULL;
}

int net_check(struct compose_opts *o, struct brick_error *err)
{
    if (o->n_ports && !o->net_user) {
        _cleanup_free_ char *choice = net_choice(o);
        if (choice)
            return brick_err(err, EINVAL, "-p %s: publishing a port needs --net user, not %s",
                             o->ports[0].spec, choice);
        o->net_user = true; /* -p alone: Docker's habit, a network of its own */
    }
    for (size_t i = 0; i < o->n_ports; i++) {
        const struct compose_port *p = &o->ports[i];
        /* slirp4netns sends the container's UDP answers to a client on the
         * host's loopback to 10.0.2.2, which --disable-host-loopback drops */
        if (p->udp && startswith(p->host_ip, "127.") && !o->net_host_loopback)
            return brick_err(err, EINVAL,
                             "-p %s: UDP answers to the host's loopback need "
                             "--net user:allow_host_loopback=true (the container then reaches the host's "
                             "127.0.0.1 as 10.0.2.2); or publish on another address (-p 0.0.0.0:%u:%u/udp)",
                             p->spec, p->host_port, p->port);
    }
    if (o->net_user && o->print_spec)
        return brick_err(err, EINVAL,
                         "--net user: its helper runs beside the container; --print-spec "
                         "cannot carry it");
    return 0;
}

void net_ports_free(struct compose_opts *o)
{
    for (size_t i = 0; i < o->n_ports; i++)
        free(o->ports[i].spec);
    free(o->ports);
    o->ports = NULL;
    o->n_ports = 0;
}

/* The sandbox: slirp4netns in a mount namespace of its own (only /etc and
 * /run of the host) under a seccomp filter; as root it also drops every
 * capability but CAP_NET_BIND_SERVICE. --disable-host-loopback: 10.0.2.2
 * does not lead to the host's 127.0.0.1 (docs/SECURITY.md). */
char **net_helper_argv(pid_t target, const char *api_socket, int ready_fd, int exit_fd, bool sandbox,
                       bool host_loopback)
{
    char **v = NULL;
    strv_push(&v, "slirp4netns");
    strv_push(&v, "--configure");
    strv_push_take(&v, xasprintf("--mtu=%d", NET_MTU));
    if (!host_loopback)
        strv_push(&v, "--disable-host-loopback");
    if (sandbox) {
        strv_push(&v, "--enable-sandbox");
        strv_push(&v, "--enable-seccomp");
    }
    strv_push_take(&v, xasprintf("--ready-fd=%d", ready_fd));
    strv_push_take(&v, xasprintf("--exit-fd=%d", exit_fd));
    strv_push_take(&v, xasprintf("--api-socket=%s", api_socket));
    strv_push_take(&v, xasprintf("%d", (int)target));
    strv_push(&v, NET_TAP);
    return v;
}

char *net_hostfwd_request(const struct compose_port *p)
{
    bjson *req = bjson_new_object(), *args = bjson_new_object();
    bjson_set(args, "proto", bjson_new_string(p->udp ? "udp" : "tcp"));
    bjson_set(args, "host_addr", bjson_new_string(p->host_ip));
    bjson_set(args, "host_port", bjson_new_u64(p->host_port));
    bjson_set(args, "guest_addr", bjson_new_string(NET_GUEST_ADDR));
    bjson_set(args, "guest_port", bjson_new_u64(p->port));
    bjson_set(req, "execute", bjson_new_string("add_hostfwd"));
    bjson_set(req, "arguments", args);
    char *s = bjson_to_string(req, false);
    bjson_free(req);
    return s;
}

int net_hostfwd_reply(const struct compose_port *p, const char *reply, struct brick_error *err)
{
    bjson *v = NULL;
    struct brick_error perr;
    if (!reply || bjson_parse(reply, strlen(reply), &v, &perr) < 0)
        return brick_err(err, EPROTO, "-p %s: slirp4netns gave no answer", p->spec);
    bool ok = bjson_get(v, "return") != NULL;
    const char *desc = bjson_string(bjson_get(bjson_get(v, "error"), "desc"));
    int r = ok ? 0 : brick_err(err, EADDRNOTAVAIL, "-p %s: slirp4netns: %s", p->spec, desc ? desc : reply);
    bjson_free(v);
    return r;
}

/* Lines "INSIDE OUTSIDE COUNT". */
bool net_uid_map_has_root(const char *uid_map)
{
    for (const char *l = uid_map; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        unsigned long inside, outside, count;
        if (sscanf(l, "%lu %lu %lu", &inside, &outside, &count) == 3 && inside == 0 && count > 0)
            return true;
    }
    return false;
}
