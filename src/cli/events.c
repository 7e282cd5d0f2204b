/* events.c — `events`: runc's event stream of a container. `--stats` prints
 * one {"type":"stats","id":ID,"data":{...}} and exits; otherwise a stats
 * record every --interval and an {"type":"oom","id":ID} record whenever the
 * cgroup's OOM-kill counter grows, until the container stops. */
#include "cli/cli.h"
#include "core/cleanup.h"
#include "core/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Go durations as runc takes them: "5s", "500ms", "1m", "1m30s". */
static int parse_duration_ms(const char *s, long long *ret)
{
    long long total = 0;
    if (!*s)
        return -EINVAL;
    while (*s) {
        char *end;
        double v = strtod(s, &end);
        if (end == s || v < 0)
            return -EINVAL;
        double mul;
        if (!strncmp(end, "ms", 2))
            mul = 1, end += 2;
        else if (*end == 's')
            mul = 1000, end++;
        else if (*end == 'm')
            mul = 60000, end++;
        else if (*end == 'h')
            mul = 3600000, end++;
        else
            return -EINVAL;
        total += (long long)(v * mul);
        s = end;
    }
    *ret = total;
    return 0;
}

static void print_record(const char *type, const char *id, const char *data)
{
    if (data)
        printf("{\"type\":\"%s\",\"id\":\"%s\",\"data\":%s}\n", type, id, data);
    else
        printf("{\"type\":\"%s\",\"id\":\"%s\"}\n", type, id);
    fflush(stdout);
}

static void sleep_ms(long long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* Poll the OOM counter often (an OOM is short-lived news), stats at the interval. */
static int stream(struct cli_globals *g, const char *id, long long interval)
{
    struct brick_error err;
    long long base = -1, since = interval;
    for (;;) {
        _cleanup_free_ char *data = NULL;
        long long ooms;
        bool running;
        if (brick_stats(g->root, id, &data, &ooms, &running, &err) < 0)
            return cli_fail(&err);
        if (base >= 0 && ooms > base)
            print_record("oom", id, NULL);
        if (ooms >= 0)
            base = ooms;
        if (!running)
            return 0;
        if (since >= interval) {
            print_record("stats", id, data);
            since = 0;
        }
        sleep_ms(100);
        since += 100;
    }
}

static const struct brick_opt events_opts[] = {
    {"stats", no_argument, NULL, 's', NULL, "print the statistics once and exit", NULL},
    {"interval", required_argument, NULL, 'i', "DUR", "time between stats records (default 5s)", NULL},
    {"help", no_argument, NULL, 'h', NULL, "show this help", NULL},
    {0},
};

static int events_main(struct cli_globals *g, int argc, char **argv)
{
    bool stats = false;
    long long interval = 5000;
    int c;
    while ((c = cli_getopt(argc, argv, "h", events_opts, &cmd_events)) != -1) {
        if (c == 's')
            stats = true;
        else if (c == 'i') {
            if (parse_duration_ms(optarg, &interval) < 0 || interval <= 0)
                return cli_failf("events: --interval: invalid duration \"%s\"", optarg);
        } else
            return c == 'h' ? cli_help(&cmd_events) : 1;
    }
    if (cli_want_args(argc, argv, 1, 1, &cmd_events) < 0)
        return 1;
    const char *id = argv[optind];
    if (!stats)
        return stream(g, id, interval);
    _cleanup_free_ char *data = NULL;
    long long ooms;
    bool running;
    struct brick_error err;
    if (brick_stats(g->root, id, &data, &ooms, &running, &err) < 0)
        return cli_fail(&err);
    print_record("stats", id, data);
    return 0;
}

const struct cli_command cmd_events = {
    .name = "events",
    .summary = "show a container's resource usage and OOM events",
    .usage =
        "events [options] ID\n\nPrint JSON records: {\"type\":\"stats\",\"id\",\"data\":{cpu,memory,pids,blkio,\n"
        "hugetlb}} every interval and {\"type\":\"oom\",\"id\"} when the OOM killer acts,\n"
        "until the container stops.\n",
    .run = events_main,
    .opts = events_opts,
    .shortopts = "h",
    .args = BRICK_COMPLETE_CONTAINER,
};
