/* test_net.c — `brick do --net user` and -p: flags, spec, slirp4netns's plan. */
#include <brick/brick.h>

#include "compose/compose.h"
#include "compose/net.h"
#include "core/cleanup.h"
#include "core/strv.h"
#include "core/util.h"
#include "spec/json.h"
#include "../tap.h"
#include "parse.h"

#include <stdlib.h>
#include <string.h>

/* The error text of flags that must fail ("" when they parse). */
static const char *parse_error(const char *const *args, struct brick_error *err)
{
    struct compose_opts o;
    int r = parse(&o, err, args);
    compose_opts_done(&o);
    return r < 0 ? err->msg : "";
}

TEST(publish_specs)
{
    struct compose_opts o;
    struct brick_error err;
    const char *const args[] = {
        "-p", "8080:80", "--publish", "0.0.0.0:53:5353/udp", "-p", "127.0.0.2:1:65535/tcp", "true", NULL};
    is_int(parse(&o, &err, args), 0, "three -p");
    ok(o.net_user && !o.net_host_loopback, "-p alone implies --net user, host loopback out of reach");
    is_int(o.n_ports, 3, "three ports");
    is_str(o.ports[0].host_ip, "127.0.0.1", "the default address is the host's loopback");
    is_int(o.ports[0].host_port, 8080, "host port");
    is_int(o.ports[0].port, 80, "container port");
    ok(!o.ports[0].udp && o.ports[1].udp && !o.ports[2].udp, "protocols");
    is_str(o.ports[1].host_ip, "0.0.0.0", "every address");
    is_int(o.ports[2].port, 65535, "the highest port");
    is_str(o.ports[1].spec, "0.0.0.0:53:5353/udp", "the spec as written, for messages");
    compose_opts_done(&o);
}

TEST(net_modes)
{
    struct compose_opts o;
    struct brick_error err;
    const char *const a1[] = {"--net", "user:allow_host_loopback=true", "true", NULL};
    is_int(parse(&o, &err, a1), 0, "allow_host_loopback=true");
    ok(o.net_user && o.net_host_loopback && o.ns[OCI_NS_NETWORK].mode == NS_MODE_NEW, "a new namespace");
    compose_opts_done(&o);
    const char *const a2[] = {"--net", "user", "--net", "host", "true", NULL};
    is_int(parse(&o, &err, a2), 0, "the last --net wins");
    ok(!o.net_user && o.ns[OCI_NS_NETWORK].mode == NS_MODE_HOST, "host after user");
    compose_opts_done(&o);
    const char *const a3[] = {"--network", "slirp4netns", "true", NULL};
    is_int(parse(&o, &err, a3), 0, "Podman's spelling");
    ok(o.net_user, "slirp4netns is user");
    compose_opts_done(&o);
}

TEST(errors)
{
    struct brick_error err;
    const char *const a1[] = {"--net", "host", "-p", "80:80", "true", NULL};
    is_str(parse_error(a1, &err), "-p 80:80: publishing a port needs --net user, not --net host",
           "--net host");
    const char *const a2[] = {"-p", "80:80", "--net", "container:web", "true", NULL};
    is_str(parse_error(a2, &err), "-p 80:80: publishing a port needs --net user, not --net container:web",
           "a joined namespace");
    const char *const a3[] = {"-p", "1.2.3.4:80:90:100", "true", NULL};
    like_str(parse_error(a3, &err), "\"1.2.3.4:80\" is not an IPv4 address", "four fields");
    const char *const a4[] = {"-p", "::1:80:90", "true", NULL};
    like_str(parse_error(a4, &err), "IPv6 addresses are not supported", "IPv6");
    const char *const a5[] = {"-p", "80:65536", "true", NULL};
    like_str(parse_error(a5, &err), "-p 80:65536: ports are numbers from 1 to 65535", "a port too high");
    const char *const a6[] = {"-p", "80:80", "-p", "0.0.0.0:80:81", "true", NULL};
    like_str(parse_error(a6, &err), "host port 80/tcp is already published by -p 80:80", "a port twice");
    const char *const a7[] = {"-p", "80:80", "-p", "80:80/udp", "true", NULL};
    like_str(parse_error(a7, &err), "-p 80:80/udp: UDP answers to the host's loopback need",
             "UDP on loopback");
    const char *const a8[] = {
        "--net", "user:allow_host_loopback=true", "-p", "80:80", "-p", "80:80/udp", "true", NULL};
    is_str(parse_error(a8, &err), "", "tcp and udp share a number; UDP on loopback when allowed");
    const char *const a9[] = {"--net", "user:foo", "true", NULL};
    like_str(parse_error(a9, &err), "--net user:foo: the one option of user is allow_host_loopback",
             "option");
    const char *const a10[] = {"--net", "user", "--print-spec", NULL};
    like_str(parse_error(a10, &err), "--net user: its helper runs beside the container", "--print-spec");
}

TEST(spec)
{
    struct compose_opts o;
    struct brick_error err;
    const char *const args[] = {"-p", "8080:80", "-p", "0.0.0.0:5353:53/udp", "true", NULL};
    is_int(parse(&o, &err, args), 0, "parse");
    o.net_resolv = xstrdup("/tmp/brick-net-x/resolv.conf");
    char *json = NULL;
    is_int(compose_build(&o, &json, &err), 0, "build");
    bjson *v = NULL;
    bjson_parse(json, strlen(json), &v, &err);
    bjson *ann = bjson_get(v, "annotations");
    is_str(bjson_string(bjson_get(ann, "run.brick.net")), "user", "annotation");
    is_str(bjson_string(bjson_get(ann, "run.brick.net.ports")), "127.0.0.1:8080:80/tcp,0.0.0.0:5353:53/udp",
           "ports annotation");
    is_str(bjson_string(bjson_get(ann, "run.brick.net.loopback")), "up", "lo up");
    bjson *m = bjson_get(v, "mounts");
    bjson *last = bjson_array_get(m, bjson_array_len(m) - 1);
    is_str(bjson_string(bjson_get(last, "destination")), "/etc/resolv.conf", "resolv.conf, the last mount");
    is_str(bjson_string(bjson_get(last, "source")), "/tmp/brick-net-x/resolv.conf", "from the session");
    bjson *ns = bjson_get(bjson_get(v, "linux"), "namespaces");
    bool net_new = false;
    for (size_t i = 0; i < bjson_array_len(ns); i++) {
        bjson *e = bjson_array_get(ns, i);
        if (streq(bjson_string(bjson_get(e, "type")), "network") && !bjson_get(e, "path"))
            net_new = true;
    }
    ok(net_new, "a network namespace of its own");
    bjson_free(v);
    free(json);
    compose_opts_done(&o);
}

TEST(helper_plan)
{
    char **v = net_helper_argv(4242, "/tmp/d/api/sock", 3, 4, true, false);
    const char *const want[] = {"slirp4netns",
                                "--configure",
                                "--mtu=65520",
                                "--disable-host-loopback",
                                "--enable-sandbox",
                                "--enable-seccomp",
                                "--ready-fd=3",
                                "--exit-fd=4",
                                "--api-socket=/tmp/d/api/sock",
                                "4242",
                                "tap0",
                                NULL};
    is_int(strv_length(v), strv_length((char **)want), "argument count");
    for (size_t i = 0; want[i] && v[i]; i++)
        is_str(v[i], want[i], want[i]);
    strv_free(v);
    v = net_helper_argv(1, "s", 3, 4, false, true);
    for (char **a = v; *a; a++)
        ok(!streq(*a, "--disable-host-loopback") && !streq(*a, "--enable-sandbox"),
           "no sandbox, host loopback");
    strv_free(v);
}

TEST(api)
{
    struct compose_port p = {
        .spec = (char *)"127.0.0.1:8080:80", .host_ip = "127.0.0.1", .host_port = 8080, .port = 80};
    char *req = net_hostfwd_request(&p);
    is_str(req,
           "{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"tcp\",\"host_addr\":\"127.0.0.1\","
           "\"host_port\":8080,\"guest_addr\":\"10.0.2.100\",\"guest_port\":80}}",
           "add_hostfwd");
    free(req);
    struct brick_error err;
    is_int(net_hostfwd_reply(&p, "{\"return\":{\"id\":1}}", &err), 0, "accepted");
    ok(net_hostfwd_reply(&p, "{\"error\":{\"desc\":\"bad request: add_hostfwd: slirp_add_hostfwd failed\"}}",
                         &err) < 0,
       "refused");
    is_str(err.msg, "-p 127.0.0.1:8080:80: slirp4netns: bad request: add_hostfwd: slirp_add_hostfwd failed",
           "its words");
    ok(net_hostfwd_reply(&p, "", &err) < 0, "no answer");
    ok(net_uid_map_has_root("         0     300000       1000\n      1000        995          1\n"),
       "0 mapped");
    ok(!net_uid_map_has_root("       995        995          1\n"), "own id only");
    ok(!net_uid_map_has_root(""), "empty");
}

int main(void)
{
    RUN(publish_specs);
    RUN(net_modes);
    RUN(errors);
    RUN(spec);
    RUN(helper_plan);
    RUN(api);
    return tap_done();
}
