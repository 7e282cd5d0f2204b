/* net.h — `brick do --net user` and `-p`: user-mode networking through
 * Debian's slirp4netns (docs/COMPOSE.md, "User-mode networking").
 *
 * The container gets a network namespace of its own with a tap device that
 * slirp4netns, a process on the host side, configures (10.0.2.100/24, route
 * via 10.0.2.2, DNS forwarder 10.0.2.3) and connects to the host's network
 * through ordinary sockets. Why slirp4netns and not pasta: Debian 12's pasta,
 * run by root, drops to nobody and every capability before it joins the
 * target, so it can open neither /proc/PID/ns of a root container nor setns
 * into a network namespace that root owns; its AppArmor profile admits
 * namespace files under /run/user/UID/netns only; and it has no exit-fd.
 * slirp4netns has --ready-fd, --exit-fd, --disable-host-loopback and a
 * sandbox (its own mount namespace, seccomp), as root and unprivileged.
 *
 * The same three steps as the rest of compose:
 *   1. net_parse_publish(), net_check()        the flags            (pure)
 *   2. net_helper_argv(), net_hostfwd_*()      the helper's plan    (pure)
 *   3. net_session_*() (net_helper.c)          the helper's life    (system calls)
 */
#ifndef BRICK_COMPOSE_NET_H
#define BRICK_COMPOSE_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct brick_error;
struct brick_created;
struct compose_opts;

#define NET_HELPER_PATH "/usr/bin/slirp4netns" /* never looked up in PATH */
#define NET_TAP "tap0"
#define NET_MTU 65520
#define NET_GUEST_ADDR "10.0.2.100" /* slirp4netns --configure's defaults */
#define NET_GATEWAY "10.0.2.2"
#define NET_DNS "10.0.2.3"
#define NET_RESOLV_IN "/etc/resolv.conf"
#define NET_RESOLV_TEXT "nameserver " NET_DNS "\n"
#define NET_HOST_DIR_TEMPLATE "/tmp/brick-net-XXXXXX" /* the resolv.conf and the API socket */
#define NET_DEFAULT_HOST_IP "127.0.0.1" /* -p HOSTPORT:PORT publishes on the host's loopback only */

/* -p [IP:]HOSTPORT:CONTAINERPORT[/tcp|udp] */
struct compose_port {
    char *spec;       /* as the user wrote it, for messages */
    char host_ip[16]; /* dotted IPv4 */
    uint16_t host_port, port;
    bool udp;
};

/* Step 1. --net VALUE: 1 for user[:allow_host_loopback=true] (also spelt
 * slirp4netns, as Podman does), 0 for any other namespace mode (left to
 * compose_parse_ns), -EINVAL for an unknown user option. */
int net_parse_mode(const char *arg, struct compose_opts *o, struct brick_error *err);
/* One -p value into o->ports. */
int net_parse_publish(const char *spec, struct compose_opts *o, struct brick_error *err);
/* After every flag: -p implies --net user, refused with any other --net. */
int net_check(struct compose_opts *o, struct brick_error *err);
void net_ports_free(struct compose_opts *o);

/* Step 2. slirp4netns's command line for the namespaces of process `target`
 * (heap strv). ready_fd/exit_fd: its --ready-fd and --exit-fd. */
char **net_helper_argv(pid_t target, const char *api_socket, int ready_fd, int exit_fd, bool sandbox,
                       bool host_loopback);
/* The API request that publishes p (JSON text, heap). */
char *net_hostfwd_request(const struct compose_port *p);
/* Its answer: 0, or -EADDRNOTAVAIL with "-p SPEC: <slirp4netns's words>". */
int net_hostfwd_reply(const struct compose_port *p, const char *reply, struct brick_error *err);
/* Does the text of /proc/PID/uid_map map id 0 inside? (slirp4netns's
 * sandbox, unprivileged, becomes uid 0 in the container's user namespace.) */
bool net_uid_map_has_root(const char *uid_map);

/* Step 3 (net_helper.c). Before the container exists: start the helper's
 * supervisor, which makes its directory with the resolv.conf that the spec
 * binds (o->net_resolv). No-op without --net user. */
struct net_session {
    int sock;  /* to the supervisor; -1: none */
    char *dir; /* NET_HOST_DIR_TEMPLATE, the supervisor removes it */
};
int net_session_start(struct compose_opts *o, struct net_session *s, struct brick_error *err);
/* brick_create_opts.on_created (data: the session): the supervisor starts
 * slirp4netns on the container's namespaces, waits until the tap device is
 * configured, publishes the ports and answers. */
int net_session_attach(const struct brick_created *c, void *data, struct brick_error *err);
/* After the run: let go of the supervisor (it lives as long as the init).
 * wait: until it is gone (a foreground run, whose container is). */
void net_session_end(struct net_session *s, bool wait);

#endif
