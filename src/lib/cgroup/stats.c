/* stats.c — the figures of `events --stats` (runc's "data" object: cpu,
 * memory, pids, blkio, hugetlb) and the OOM-kill counter `events` watches. */
#include "cgroup/internal.h"
#include "core/cleanup.h"
#include "core/util.h"
#include "spec/json.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* A whole-number file; "max" (v2) reads as 0 like runc's stats; absent -> 0. */
static uint64_t num(const struct cgroup_hier *h, const char *file)
{
    _cleanup_free_ char *s = NULL;
    uint64_t v = 0;
    if (h && cgroup_read(h->dir, file, &s) == 0)
        (void)parse_u64(s, &v);
    return v;
}

/* "key value" lines (cpu.stat, memory.stat, memory.events): one key. */
static uint64_t keyed(const struct cgroup_hier *h, const char *file, const char *key)
{
    _cleanup_free_ char *s = NULL;
    if (!h || cgroup_read(h->dir, file, &s) < 0)
        return 0;
    size_t kl = strlen(key);
    for (char *l = s; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        uint64_t v;
        if (strncmp(l, key, kl) == 0 && l[kl] == ' ' && sscanf(l + kl + 1, "%lu", &v) == 1)
            return v;
    }
    return 0;
}

static bjson *raw_map(const struct cgroup_hier *h, const char *file)
{
    bjson *o = bjson_new_object();
    _cleanup_free_ char *s = NULL;
    if (!h || cgroup_read(h->dir, file, &s) < 0)
        return o;
    char *save = NULL;
    for (char *l = strtok_r(s, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        char key[128];
        uint64_t v;
        if (sscanf(l, "%127s %lu", key, &v) == 2)
            bjson_set(o, key, bjson_new_u64(v));
    }
    return o;
}

static bjson *entry(uint64_t usage, uint64_t max, uint64_t limit, uint64_t failcnt)
{
    bjson *o = bjson_new_object();
    bjson_set(o, "usage", bjson_new_u64(usage));
    bjson_set(o, "max", bjson_new_u64(max));
    bjson_set(o, "limit", bjson_new_u64(limit));
    bjson_set(o, "failcnt", bjson_new_u64(failcnt));
    return o;
}

static bjson *cpu_stats(const struct cgroup *cg, bool v2)
{
    bjson *cpu = bjson_new_object(), *usage = bjson_new_object(), *thr = bjson_new_object();
    const struct cgroup_hier *h = cgroup_hier_of(cg, v2 ? "" : "cpu");
    const struct cgroup_hier *acct = v2 ? h : cgroup_hier_of(cg, "cpuacct");
    long hz = sysconf(_SC_CLK_TCK) > 0 ? sysconf(_SC_CLK_TCK) : 100;
    if (v2) {
        bjson_set(usage, "total", bjson_new_u64(keyed(h, "cpu.stat", "usage_usec") * 1000));
        bjson_set(usage, "kernel", bjson_new_u64(keyed(h, "cpu.stat", "system_usec") * 1000));
        bjson_set(usage, "user", bjson_new_u64(keyed(h, "cpu.stat", "user_usec") * 1000));
    } else {
        bjson_set(usage, "total", bjson_new_u64(num(acct, "cpuacct.usage")));
        bjson_set(usage, "kernel", bjson_new_u64(keyed(acct, "cpuacct.stat", "system") * (1000000000 / hz)));
        bjson_set(usage, "user", bjson_new_u64(keyed(acct, "cpuacct.stat", "user") * (1000000000 / hz)));
    }
    bjson_set(thr, "periods", bjson_new_u64(keyed(h, "cpu.stat", "nr_periods")));
    bjson_set(thr, "throttled_periods", bjson_new_u64(keyed(h, "cpu.stat", "nr_throttled")));
    bjson_set(thr, "throttled_time",
              bjson_new_u64(v2 ? keyed(h, "cpu.stat", "throttled_usec") * 1000
                               : keyed(h, "cpu.stat", "throttled_time")));
    bjson_set(cpu, "usage", usage);
    bjson_set(cpu, "throttling", thr);
    return cpu;
}

static bjson *memory_stats(const struct cgroup *cg, bool v2)
{
    const struct cgroup_hier *h = cgroup_hier_of(cg, v2 ? "" : "memory");
    bjson *m = bjson_new_object();
    if (v2) {
        bjson_set(m, "usage",
                  entry(num(h, "memory.current"), num(h, "memory.peak"), num(h, "memory.max"),
                        keyed(h, "memory.events", "max")));
        bjson_set(m, "swap",
                  entry(num(h, "memory.swap.current"), num(h, "memory.swap.peak"), num(h, "memory.swap.max"),
                        keyed(h, "memory.swap.events", "max")));
    } else {
        bjson_set(m, "usage",
                  entry(num(h, "memory.usage_in_bytes"), num(h, "memory.max_usage_in_bytes"),
                        num(h, "memory.limit_in_bytes"), num(h, "memory.failcnt")));
        bjson_set(m, "swap",
                  entry(num(h, "memory.memsw.usage_in_bytes"), num(h, "memory.memsw.max_usage_in_bytes"),
                        num(h, "memory.memsw.limit_in_bytes"), num(h, "memory.memsw.failcnt")));
    }
    bjson_set(m, "cache", bjson_new_u64(keyed(h, "memory.stat", v2 ? "file" : "total_cache")));
    bjson_set(m, "raw", raw_map(h, "memory.stat"));
    return m;
}

int cgroup_stats_json(const struct cgroup *cg, char **ret, struct brick_error *err)
{
    bool v2 = cg->layout == CGROUP_LAYOUT_V2;
    const struct cgroup_hier *ph = cgroup_hier_of(cg, v2 ? "" : "pids");
    bjson *d = bjson_new_object(), *pids = bjson_new_object();
    bjson_set(d, "cpu", cpu_stats(cg, v2));
    bjson_set(d, "memory", memory_stats(cg, v2));
    bjson_set(pids, "current", bjson_new_u64(num(ph, "pids.current")));
    bjson_set(pids, "limit", bjson_new_u64(num(ph, "pids.max")));
    bjson_set(d, "pids", pids);
    bjson_set(d, "blkio", bjson_new_object());
    bjson_set(d, "hugetlb", bjson_new_object());
    *ret = bjson_to_string(d, false);
    bjson_free(d);
    (void)err;
    return 0;
}

int64_t cgroup_oom_kills(const struct cgroup *cg)
{
    bool v2 = cg->layout == CGROUP_LAYOUT_V2;
    const struct cgroup_hier *h = cgroup_hier_of(cg, v2 ? "" : "memory");
    if (!h || access(h->dir, F_OK) < 0)
        return -ENOENT;
    return (int64_t)(v2 ? keyed(h, "memory.events", "oom_kill") : keyed(h, "memory.oom_control", "oom_kill"));
}
