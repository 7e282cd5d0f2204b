/* update.c — `update`: change the resource limits of a running container,
 * from runc's flags or from a LinuxResources document (-r FILE, "-" for
 * stdin, as containerd passes it). Flags are turned into the same document,
 * so there is one path into the library. */
#include "cli/cli.h"
#include "core/missing.h"
#include "core/cleanup.h"
#include "core/fd.h"
#include "core/util.h"
#include "spec/json.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
    U_MEMORY = 256,
    U_MEMRES,
    U_SWAP,
    U_KMEM,
    U_KMEM_TCP,
    U_SHARES,
    U_QUOTA,
    U_PERIOD,
    U_RT_RUNTIME,
    U_RT_PERIOD,
    U_CPUS,
    U_MEMS,
    U_PIDS,
    U_BLKIO,
    U_L3,
    U_MEMBW,
};

/* Sizes as runc reads them: a number with an optional k/m/g/t (b) suffix,
 * powers of 1024; "-1" is unlimited. */
static int parse_size(const char *s, int64_t *ret)
{
    if (streq(s, "-1"))
        return *ret = -1, 0;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || v < 0)
        return -EINVAL;
    int64_t mul = 1;
    switch (tolower((unsigned char)*end)) {
    case 'k':
        mul = 1LL << 10;
        end++;
        break;
    case 'm':
        mul = 1LL << 20;
        end++;
        break;
    case 'g':
        mul = 1LL << 30;
        end++;
        break;
    case 't':
        mul = 1LL << 40;
        end++;
        break;
    default: break;
    }
    if (tolower((unsigned char)*end) == 'b')
        end++;
    if (*end)
        return -EINVAL;
    *ret = (int64_t)(v * (double)mul);
    return 0;
}

/* The LinuxResources document the flags make (built with the JSON adapter). */
struct doc {
    bjson *root;
};

/* resources[section] (made when missing) */
static bjson *section(struct doc *d, const char *name)
{
    bjson *o = bjson_get(d->root, name);
    if (!o)
        bjson_set(d->root, name, o = bjson_new_object());
    return o;
}

/* One flag into the document; the value is checked here so the error names
 * the flag. */
static int add_flag(struct doc *d, int opt, const char *name, const char *arg)
{
    int64_t n;
    uint64_t u;
    static const char *const keys[] = {
        [U_MEMORY - U_MEMORY] = "limit",
        [U_MEMRES - U_MEMORY] = "reservation",
        [U_SWAP - U_MEMORY] = "swap",
        [U_KMEM - U_MEMORY] = "kernel",
        [U_KMEM_TCP - U_MEMORY] = "kernelTCP",
        [U_SHARES - U_MEMORY] = "shares",
        [U_QUOTA - U_MEMORY] = "quota",
        [U_PERIOD - U_MEMORY] = "period",
        [U_RT_RUNTIME - U_MEMORY] = "realtimeRuntime",
        [U_RT_PERIOD - U_MEMORY] = "realtimePeriod",
        [U_CPUS - U_MEMORY] = "cpus",
        [U_MEMS - U_MEMORY] = "mems",
    };
    const char *key = opt <= U_MEMS ? keys[opt - U_MEMORY] : NULL;
    if (opt <= U_KMEM_TCP) {
        if (parse_size(arg, &n) < 0)
            return cli_failf("update: --%s: invalid size \"%s\"", name, arg);
        bjson_set(section(d, "memory"), key, bjson_new_i64(n));
    } else if (opt == U_CPUS || opt == U_MEMS) {
        if (strspn(arg, "0123456789,-") != strlen(arg))
            return cli_failf("update: --%s: invalid list \"%s\"", name, arg);
        bjson_set(section(d, "cpu"), key, bjson_new_string(arg));
    } else if (opt == U_QUOTA || opt == U_RT_RUNTIME || opt == U_PIDS) {
        if (parse_i64(arg, &n) < 0)
            return cli_failf("update: --%s: invalid number \"%s\"", name, arg);
        bjson_set(opt == U_PIDS ? section(d, "pids") : section(d, "cpu"), opt == U_PIDS ? "limit" : key,
                  bjson_new_i64(n));
    } else {
        if (parse_u64(arg, &u) < 0 || (opt == U_BLKIO && u > 1000))
            return cli_failf("update: --%s: invalid number \"%s\"", name, arg);
        bjson_set(opt == U_BLKIO ? section(d, "blockIO") : section(d, "cpu"), opt == U_BLKIO ? "weight" : key,
                  bjson_new_u64(u));
    }
    return 0;
}

static int read_resources(const char *path, char **ret)
{
    if (streq(path, "-"))
        return read_all_fd(0, BRICK_READ_CONFIG, ret, NULL);
    return read_file_at(AT_FDCWD, path, BRICK_READ_CONFIG, ret, NULL);
}

static const struct brick_opt update_opts[] = {
    {"resources", required_argument, NULL, 'r', "FILE",
     "LinuxResources JSON (\"-\": stdin); other flags ignored", BRICK_COMPLETE_FILE},
    {"memory", required_argument, NULL, U_MEMORY, "SIZE", "memory limit (k/m/g suffixes, -1 unlimited)",
     NULL},
    {"memory-reservation", required_argument, NULL, U_MEMRES, "SIZE", "soft limit", NULL},
    {"memory-swap", required_argument, NULL, U_SWAP, "SIZE", "memory+swap limit", NULL},
    {"kernel-memory", required_argument, NULL, U_KMEM, "SIZE", "kernel memory limit (v1)", NULL},
    {"kernel-memory-tcp", required_argument, NULL, U_KMEM_TCP, "SIZE", "kernel TCP buffer limit (v1)", NULL},
    {"cpu-shares", required_argument, NULL, U_SHARES, "N", "relative CPU weight", NULL},
    {"cpu-quota", required_argument, NULL, U_QUOTA, "N", "CFS quota (us per period, -1 unlimited)", NULL},
    {"cpu-period", required_argument, NULL, U_PERIOD, "N", "CFS period (us)", NULL},
    {"cpu-rt-runtime", required_argument, NULL, U_RT_RUNTIME, "N", "realtime runtime (us, v1)", NULL},
    {"cpu-rt-period", required_argument, NULL, U_RT_PERIOD, "N", "realtime period (us, v1)", NULL},
    {"cpuset-cpus", required_argument, NULL, U_CPUS, "LIST", "CPUs allowed (0-3,5)", NULL},
    {"cpuset-mems", required_argument, NULL, U_MEMS, "LIST", "memory nodes allowed", NULL},
    {"pids-limit", required_argument, NULL, U_PIDS, "N", "maximum number of tasks (<= 0 unlimited)", NULL},
    {"blkio-weight", required_argument, NULL, U_BLKIO, "N", "block IO weight (10-1000)", NULL},
    {"l3-cache-schema", required_argument, NULL, U_L3, "SCHEMA", "refused: no Intel RDT support", NULL},
    {"mem-bw-schema", required_argument, NULL, U_MEMBW, "SCHEMA", "refused: no Intel RDT support", NULL},
    {"help", no_argument, NULL, 'h', NULL, "show this help", NULL},
    {0},
};

static int update_main(struct cli_globals *g, int argc, char **argv)
{
    struct option buf[BRICK_OPTS_MAX];
    const struct option *opts =
        brick_opts_longopts(update_opts, buf); /* every entry has a name: same index */
    _cleanup_bjson_ bjson *root = bjson_new_object();
    struct doc d = {.root = root};
    const char *file = NULL;
    int c, idx = 0;
    bool any = false;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "r:h", opts, &idx)) != -1) {
        if (c == 'h')
            return cli_help(&cmd_update);
        if (c == '?' || c == ':')
            return cli_failf("update: unknown or incomplete option '%s'%s (see 'brick update --help')",
                             argv[optind - 1], did_you_mean(argv[optind - 1], update_opts));
        if (c == 'r') {
            file = optarg;
        } else if (c == U_L3 || c == U_MEMBW) {
            return cli_failf("update: --%s: Intel RDT is not supported by brick", opts[idx].name);
        } else if (add_flag(&d, c, opts[idx].name, optarg) != 0) {
            return 1;
        }
        any = true;
    }
    if (cli_want_args(argc, argv, 1, 1, &cmd_update) < 0)
        return 1;
    if (!any)
        return cli_failf("update: nothing to update (see 'brick update --help')");
    _cleanup_free_ char *json = NULL;
    if (file) {
        int r = read_resources(file, &json);
        if (r < 0)
            return cli_failf("update: read %s: %s", file, strerror(-r));
    } else {
        json = bjson_to_string(d.root, false);
    }
    struct brick_error err;
    return brick_update(g->root, argv[optind], json, &err) < 0 ? cli_fail(&err) : 0;
}

const struct cli_command cmd_update = {
    .name = "update",
    .summary = "update the resource limits of a container",
    .usage = "update [options] ID\n\nChange the cgroup limits of a running container.\n",
    .run = update_main,
    .opts = update_opts,
    .shortopts = "r:h",
    .args = BRICK_COMPLETE_CONTAINER,
};
