/* test-cgroup-plan.c — linux.resources -> {controller, file, value} lists for
 * v1 and v2 against expected lists, runc's conversions, device rules, the
 * eBPF program shape, cgroupsPath resolution, and the writer (alt files,
 * errors naming the resource) on a temporary directory tree. */
#include "../tap.h"
#include "cgroup/bpf.h"
#include "cgroup/cgroup.h"
#include "cgroup/internal.h"
#include "cgroup/plan.h"
#include "spec/model.h"
#include "spec/parse_resources_doc.h"
#include "spec/spec.h"

#include <brick/brick.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Parse a LinuxResources document; abort the test on error. */
static struct oci_spec *res(const char *json)
{
    struct oci_spec *s = NULL;
    struct brick_error err = {0};
    if (oci_resources_parse(json, strlen(json), &s, &err) < 0) {
        printf("# parse: %s\n", err.msg);
        exit(1);
    }
    return s;
}

/* "file=value;file=value" of a plan. */
static char *flat(const struct cgroup_writes *w)
{
    static char buf[4096];
    buf[0] = '\0';
    for (size_t i = 0; i < w->n; i++) {
        size_t l = strlen(buf);
        snprintf(buf + l, sizeof(buf) - l, "%s%s=%s", i ? ";" : "", w->v[i].file, w->v[i].value);
    }
    return buf;
}

static void expect_v1(const char *json, const char *want, const char *what)
{
    struct oci_spec *s = res(json);
    struct cgroup_writes w;
    struct brick_error err = {0};
    int r = cgroup_plan_v1(&s->linux_.resources, NULL, &w, &err);
    if (r < 0)
        printf("# %s\n", err.msg);
    is_str(r < 0 ? "(error)" : flat(&w), want, what);
    if (r >= 0)
        cgroup_writes_done(&w);
    oci_spec_free(s);
}

static void expect_v2(const char *json, const char *want, const char *what)
{
    struct oci_spec *s = res(json);
    struct cgroup_writes w;
    struct brick_error err = {0};
    int r = cgroup_plan_v2(&s->linux_.resources, &w, &err);
    if (r < 0)
        printf("# %s\n", err.msg);
    is_str(r < 0 ? "(error)" : flat(&w), want, what);
    if (r >= 0)
        cgroup_writes_done(&w);
    oci_spec_free(s);
}

static void expect_err(bool v2, const char *json, const char *needle, const char *what)
{
    struct oci_spec *s = res(json);
    struct cgroup_writes w;
    struct brick_error err = {0};
    int r = v2 ? cgroup_plan_v2(&s->linux_.resources, &w, &err)
               : cgroup_plan_v1(&s->linux_.resources, NULL, &w, &err);
    ok(r < 0 && strstr(err.msg, needle), what);
    if (r >= 0)
        cgroup_writes_done(&w);
    else if (!strstr(err.msg, needle))
        printf("#   got \"%s\"\n", err.msg);
    oci_spec_free(s);
}

static void test_v1(void)
{
    expect_v1("{\"memory\":{\"limit\":1000,\"swap\":2000,\"reservation\":500,\"swappiness\":10,"
              "\"disableOOMKiller\":true}}",
              "memory.limit_in_bytes=1000;memory.memsw.limit_in_bytes=2000;"
              "memory.soft_limit_in_bytes=500;memory.swappiness=10;memory.oom_control=1",
              "v1 memory");
    expect_v1("{\"memory\":{\"limit\":-1,\"swap\":-1}}",
              "memory.limit_in_bytes=-1;memory.memsw.limit_in_bytes=-1", "v1 memory unlimited");
    expect_v1("{\"cpu\":{\"shares\":512,\"quota\":20000,\"period\":100000,\"burst\":1000,"
              "\"realtimeRuntime\":950,\"realtimePeriod\":1000,\"cpus\":\"0-1\",\"mems\":\"0\",\"idle\":1}}",
              "cpu.shares=512;cpu.cfs_period_us=100000;cpu.cfs_quota_us=20000;cpu.cfs_burst_us=1000;"
              "cpu.rt_period_us=1000;cpu.rt_runtime_us=950;cpu.idle=1;cpuset.cpus=0-1;cpuset.mems=0",
              "v1 cpu (period before quota, rt period before runtime)");
    expect_v1("{\"pids\":{\"limit\":10}}", "pids.max=10", "v1 pids");
    expect_v1("{\"pids\":{\"limit\":-1}}", "pids.max=max", "v1 pids unlimited");
    expect_v1("{\"blockIO\":{\"weight\":300,\"leafWeight\":200,\"weightDevice\":[{\"major\":8,\"minor\":0,"
              "\"weight\":100}],\"throttleReadBpsDevice\":[{\"major\":8,\"minor\":0,\"rate\":1048576}],"
              "\"throttleWriteIOPSDevice\":[{\"major\":8,\"minor\":16,\"rate\":100}]}}",
              "blkio.weight=300;blkio.leaf_weight=200;blkio.weight_device=8:0 100;"
              "blkio.throttle.read_bps_device=8:0 1048576;blkio.throttle.write_iops_device=8:16 100",
              "v1 blkio");
    expect_v1("{\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":4194304}]}",
              "hugetlb.2MB.limit_in_bytes=4194304", "v1 hugetlb");
    expect_v1("{\"network\":{\"classID\":1048577,\"priorities\":[{\"name\":\"eth0\",\"priority\":5}]}}",
              "net_cls.classid=1048577;net_prio.ifpriomap=eth0 5", "v1 network");
    expect_v1("{\"rdma\":{\"mlx5_1\":{\"hcaHandles\":3,\"hcaObjects\":10000}}}",
              "rdma.max=mlx5_1 hca_handle=3 hca_object=10000", "v1 rdma");
    expect_err(false, "{\"memory\":{\"limit\":2000,\"swap\":1000}}", "linux.resources.memory.swap",
               "v1 swap below limit is an error naming the resource");
    expect_err(false, "{\"unified\":{\"memory.high\":\"1\"}}", "linux.resources.unified",
               "v1 unified without a v2 tree is an error");
    expect_err(false, "{\"hugepageLimits\":[{\"pageSize\":\"2M/../x\",\"limit\":1}]}",
               "linux.resources.hugepageLimits", "invalid page size");
}

static void test_hybrid_unified(void)
{
    struct oci_spec *s = res("{\"unified\":{\"hugetlb.2MB.max\":\"100\",\"cgroup.max.depth\":\"3\"}}");
    char *ctrls[] = {"cgroup", "hugetlb", NULL};
    struct cgroup_writes w;
    struct brick_error err;
    int r = cgroup_plan_v1(&s->linux_.resources, ctrls, &w, &err);
    ok(r == 0 && w.n == 2 && w.v[0].v2 && w.v[1].v2,
       "hybrid: unified keys of v2 controllers go to the v2 tree");
    if (r == 0)
        cgroup_writes_done(&w);
    oci_spec_free(s);
    s = res("{\"unified\":{\"memory.high\":\"100\"}}");
    r = cgroup_plan_v1(&s->linux_.resources, ctrls, &w, &err);
    ok(r < 0 && strstr(err.msg, "memory.high"), "hybrid: a controller the v2 tree lacks is an error");
    oci_spec_free(s);
}

static void test_v2(void)
{
    expect_v2("{\"memory\":{\"limit\":1000,\"swap\":3000,\"reservation\":500}}",
              "memory.swap.max=2000;memory.max=1000;memory.low=500", "v2 memory: swap.max = swap - limit");
    expect_v2("{\"memory\":{\"limit\":-1,\"swap\":-1}}", "memory.swap.max=max;memory.max=max",
              "v2 memory: -1 is max");
    expect_v2("{\"cpu\":{\"shares\":1024,\"quota\":50000,\"period\":100000,\"burst\":1000,\"idle\":1}}",
              "cpu.weight=39;cpu.max=50000 100000;cpu.max.burst=1000;cpu.idle=1",
              "v2 cpu: shares -> weight, quota/period -> cpu.max");
    expect_v2("{\"cpu\":{\"quota\":-1,\"period\":100000}}", "cpu.max=max 100000", "v2 cpu.max unlimited");
    expect_v2("{\"cpu\":{\"cpus\":\"1\",\"mems\":\"0\"}}", "cpuset.cpus=1;cpuset.mems=0", "v2 cpuset");
    expect_v2("{\"pids\":{\"limit\":0}}", "", "v2 pids 0: unchanged (runc 1.1; engines' zero value)");
    expect_v1("{\"pids\":{\"limit\":0}}", "", "v1 pids 0: unchanged");
    /* Docker writes Go zero values for what is not set */
    expect_v1(
        "{\"blockIO\":{\"weight\":0,\"leafWeight\":0,\"weightDevice\":[{\"major\":8,\"minor\":0,\"weight\":0}]},"
        "\"memory\":{\"limit\":0,\"reservation\":0,\"swap\":0,\"kernelTCP\":0},"
        "\"cpu\":{\"shares\":0,\"quota\":0,\"period\":0,\"realtimeRuntime\":0,\"realtimePeriod\":0}}",
        "", "v1: zero values are not set (Docker)");
    expect_v2(
        "{\"blockIO\":{\"weight\":0,\"leafWeight\":0,\"weightDevice\":[{\"major\":8,\"minor\":0,\"weight\":0,\"leafWeight\":0}]},"
        "\"memory\":{\"limit\":0,\"reservation\":0},"
        "\"cpu\":{\"shares\":0,\"quota\":0,\"period\":0,\"realtimeRuntime\":0,\"realtimePeriod\":0}}",
        "", "v2: zero values are not set (Docker)");
    expect_v2("{\"blockIO\":{\"weight\":500,\"throttleReadBpsDevice\":[{\"major\":8,\"minor\":0,"
              "\"rate\":100}],\"throttleWriteIOPSDevice\":[{\"major\":8,\"minor\":0,\"rate\":7}]}}",
              "io.bfq.weight=500;io.max=8:0 rbps=100;io.max=8:0 wiops=7", "v2 io");
    expect_v2("{\"hugepageLimits\":[{\"pageSize\":\"1GB\",\"limit\":1073741824}]}",
              "hugetlb.1GB.max=1073741824", "v2 hugetlb");
    expect_v2("{\"unified\":{\"memory.high\":\"1G\"}}", "memory.high=1G", "v2 unified");
    expect_err(true, "{\"memory\":{\"swappiness\":10}}",
               "linux.resources.memory.swappiness: not supported on cgroup v2", "v2 swappiness error");
    expect_err(true, "{\"memory\":{\"disableOOMKiller\":true}}", "memory.disableOOMKiller", "v2 oom killer");
    expect_err(true, "{\"cpu\":{\"realtimeRuntime\":100}}", "cpu.realtimeRuntime", "v2 rt error");
    expect_err(true, "{\"network\":{\"classID\":1}}", "network.classID", "v2 net_cls error");
    expect_err(true, "{\"blockIO\":{\"leafWeight\":10}}", "blockIO.leafWeight", "v2 leaf weight error");
    expect_err(true, "{\"unified\":{\"../x\":\"1\"}}", "invalid key", "v2 unified: no ..");
    expect_err(true, "{\"unified\":{\"a/b.c\":\"1\"}}", "invalid key", "v2 unified: no /");
    expect_err(true, "{\"memory\":{\"swap\":100}}", "needs a memory limit", "v2 swap without limit");

    struct oci_spec *s = res("{\"blockIO\":{\"weight\":500}}");
    struct cgroup_writes w;
    struct brick_error err;
    cgroup_plan_v2(&s->linux_.resources, &w, &err);
    is_str(w.v[0].alt_file, "io.weight", "v2 blkio weight falls back to io.weight");
    is_str(w.v[0].alt_value, "default 4950", "... converted to the io.weight range");
    cgroup_writes_done(&w);
    oci_spec_free(s);
}

static void test_conversions(void)
{
    is_int(cgroup_shares_to_weight(2), 1, "shares 2 -> weight 1");
    is_int(cgroup_shares_to_weight(1024), 39, "shares 1024 -> weight 39 (runc)");
    is_int(cgroup_shares_to_weight(262144), 10000, "shares max -> weight 10000");
    is_int(cgroup_shares_to_weight(0), 0, "shares 0 stays unset");
    is_int(cgroup_blkio_to_io_weight(10), 1, "blkio 10 -> io 1");
    is_int(cgroup_blkio_to_io_weight(1000), 10000, "blkio 1000 -> io 10000");
}

static void test_devices(void)
{
    struct oci_spec *s = res("{\"devices\":[{\"allow\":false,\"access\":\"rwm\"},"
                             "{\"allow\":false,\"type\":\"c\",\"major\":1,\"minor\":3,\"access\":\"rw\"},"
                             "{\"allow\":true,\"type\":\"b\",\"major\":8,\"access\":\"ra\"}]}");
    struct cgroup_dev_rule *rules;
    size_t n;
    struct brick_error err;
    int r = cgroup_device_rules(s->linux_.resources.devices, s->linux_.resources.n_devices, &rules, &n, &err);
    ok(r == 0, "device rules");
    struct cgroup_writes w = {0};
    cgroup_plan_v1_devices(rules, n, &w);
    is_str(w.v[0].file, "devices.deny", "first: deny all");
    is_str(w.v[0].value, "a", "... a");
    is_str(w.v[3].value, "c 1:3 rwm", "defaults follow (/dev/null)");
    is_str(w.v[n - 2].file, "devices.deny", "spec deny after the defaults (it wins)");
    is_str(w.v[n - 2].value, "c 1:3 rw", "... c 1:3 rw");
    is_str(w.v[n - 1].value, "b 8:* r", "wildcard minor, a letter outside rwm ignored (runc)");
    is_int(n, 1 + 11 + 2, "leading spec deny-all skipped: it is the base");
    struct bpf_insn *insns;
    size_t ni;
    cgroup_bpf_build(rules, n, &insns, &ni);
    ok(ni > 2 * n && insns[ni - 1].code == (BPF_JMP | BPF_EXIT), "bpf program ends with exit");
    ok(insns[ni - 2].imm == 0, "... and denies what no rule matched");
    bool jumps_ok = true;
    for (size_t i = 0; i < ni; i++)
        if (BPF_CLASS(insns[i].code) == BPF_JMP && BPF_OP(insns[i].code) != BPF_EXIT &&
            (insns[i].off <= 0 || i + 1 + (size_t)insns[i].off >= ni))
            jumps_ok = false;
    ok(jumps_ok, "every jump goes forward inside the program");
    free(insns);
    cgroup_writes_done(&w);
    free(rules);
    oci_spec_free(s);
}

static struct cgroup fake(const char *base, enum cgroup_layout l)
{
    struct cgroup cg = {.layout = l};
    static const char *const names[] = {"cpu,cpuacct", "memory", "pids", ""};
    cg.n = l == CGROUP_LAYOUT_V2 ? 1 : 4;
    cg.h = calloc(cg.n, sizeof(*cg.h));
    for (size_t i = 0; i < cg.n; i++) {
        const char *name = l == CGROUP_LAYOUT_V2 ? "" : names[i];
        cg.h[i].name = strdup(name);
        char p[512];
        snprintf(p, sizeof(p), "%s/%s", base, *name ? name : "unified");
        cg.h[i].mount = strdup(p);
    }
    return cg;
}

static void test_resolve(void)
{
    struct cgroup cg = fake("/sys/fs/cgroup", CGROUP_LAYOUT_HYBRID);
    struct brick_error err;
    const char *self = "4:memory:/user/a\n3:pids:/\n2:cpu,cpuacct:/x\n0::/u\n";
    ok(cgroup_resolve(&cg, "/a/b", "id", self, &err) == 0, "absolute path");
    is_str(cg.h[1].dir, "/sys/fs/cgroup/memory/a/b", "absolute: under the hierarchy root");
    ok(cg.h[1].created == NULL, "explicit path: nothing owned yet");
    cgroup_resolve(&cg, "rel/c", "id", self, &err);
    is_str(cg.h[1].dir, "/sys/fs/cgroup/memory/user/a/rel/c", "relative: under our own cgroup");
    is_str(cg.h[0].dir, "/sys/fs/cgroup/cpu,cpuacct/x/rel/c", "relative: co-mounted controllers");
    is_str(cg.h[3].dir, "/sys/fs/cgroup/unified/u/rel/c", "relative: the v2 tree");
    cgroup_resolve(&cg, NULL, "id", self, &err);
    is_str(cg.h[2].dir, "/sys/fs/cgroup/pids/brick/id", "default /brick/<id>");
    is_str(cg.h[2].created, "/sys/fs/cgroup/pids/brick/id",
           "default: only the container's own cgroup goes, /brick stays");
    ok(cgroup_resolve(&cg, "/a/../b", "id", self, &err) < 0, ".. refused");
    ok(cgroup_resolve(&cg, "/", "id", self, &err) < 0, "the root cgroup refused");
    char *json = cgroup_to_json(&cg);
    struct cgroup back;
    ok(cgroup_from_json(json, &back, &err) == 0 && back.n == 4 && back.layout == CGROUP_LAYOUT_HYBRID,
       "state record round trip");
    is_str(back.h[2].dir, cg.h[2].dir, "... dirs kept");
    free(json);
    cgroup_done(&back);
    cgroup_done(&cg);
}

static void put(const char *dir, const char *file, const char *content)
{
    char p[1024];
    snprintf(p, sizeof(p), "%s/%s", dir, file);
    FILE *f = fopen(p, "w");
    fputs(content, f);
    fclose(f);
}

static char *get(const char *dir, const char *file)
{
    char *s = NULL;
    return cgroup_read(dir, file, &s) == 0 ? s : strdup("(missing)");
}

static void test_writer(void)
{
    char base[] = "/tmp/brick-cg-unit-XXXXXX";
    if (!mkdtemp(base)) {
        ok(0, "mkdtemp");
        return;
    }
    struct cgroup cg = fake(base, CGROUP_LAYOUT_V1);
    struct brick_error err;
    cgroup_resolve(&cg, "/t/c", "id", "", &err);
    /* no unified tree: drop the fourth hierarchy (its strings with it) */
    free(cg.h[3].name);
    free(cg.h[3].mount);
    free(cg.h[3].dir);
    free(cg.h[3].created);
    cg.n = 3;
    for (size_t i = 0; i < cg.n; i++) {
        mkdir(cg.h[i].mount, 0755);
        char p[1024];
        snprintf(p, sizeof(p), "%s/t", cg.h[i].mount);
        mkdir(p, 0755);
        mkdir(cg.h[i].dir, 0755);
    }
    put(cg.h[1].dir, "memory.limit_in_bytes", "");
    put(cg.h[0].dir, "cpu.shares", "");
    put(cg.h[2].dir, "pids.max", "");
    struct oci_spec *s = res("{\"memory\":{\"limit\":4096},\"cpu\":{\"shares\":100},\"pids\":{\"limit\":5}}");
    struct cgroup_writes w;
    cgroup_plan_v1(&s->linux_.resources, NULL, &w, &err);
    int r = cgroup_write_plan(&cg, &w, &err);
    ok(r == 0, "writer: plan applied to the tree");
    char *v;
    v = get(cg.h[1].dir, "memory.limit_in_bytes");
    is_str(v, "4096", "memory in the memory hierarchy");
    free(v);
    v = get(cg.h[0].dir, "cpu.shares");
    is_str(v, "100", "cpu in cpu,cpuacct");
    free(v);
    v = get(cg.h[2].dir, "pids.max");
    is_str(v, "5", "pids");
    free(v);
    cgroup_writes_done(&w);
    oci_spec_free(s);
    put(cg.h[0].dir, "blkio.bfq.weight", ""); /* no blkio hierarchy in this fake */
    s = res("{\"blockIO\":{\"weight\":100}}");
    cgroup_plan_v1(&s->linux_.resources, NULL, &w, &err);
    r = cgroup_write_plan(&cg, &w, &err);
    ok(r < 0 && strstr(err.msg, "linux.resources.blockIO.weight") && strstr(err.msg, "blkio"),
       "writer: missing controller named with the resource");
    cgroup_writes_done(&w);
    oci_spec_free(s);
    s = res("{\"memory\":{\"reservation\":1}}");
    cgroup_plan_v1(&s->linux_.resources, NULL, &w, &err);
    r = cgroup_write_plan(&cg, &w, &err);
    ok(r < 0 && strstr(err.msg, "memory.reservation") && strstr(err.msg, "memory.soft_limit_in_bytes"),
       "writer: missing file named with the resource");
    cgroup_writes_done(&w);
    oci_spec_free(s);
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
    (void)!system(cmd);
    cgroup_done(&cg);
}

int main(void)
{
    test_v1();
    test_hybrid_unified();
    test_v2();
    test_conversions();
    test_devices();
    test_resolve();
    test_writer();
    return tap_done();
}
