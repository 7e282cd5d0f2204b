/* test_spec.c — the spec module: error paths and reasons, a config using
 * every field, integer edge cases, ociVersion, the default spec, name tables.
 * JSON is written with single quotes and converted, to keep it readable. */
#include "../tap.h"
#include "core/strv.h"
#include "core/util.h"
#include "spec/spec.h"

#include <brick/brick.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static char *q(const char *s)
{
    char *r = xstrdup(s);
    for (char *p = r; *p; p++)
        if (*p == '\'')
            *p = '"';
    return r;
}

/* A minimal valid document plus body (extra top-level keys). */
static char *doc(const char *body)
{
    char *b = q(body);
    char *r = xasprintf("{\"ociVersion\":\"1.2.1\",\"root\":{\"path\":\"rootfs\"}%s%s}", *b ? "," : "", b);
    free(b);
    return r;
}

static int parse_text(const char *text, struct oci_spec **s, struct brick_error *e)
{
    *s = NULL;
    memset(e, 0, sizeof(*e));
    return oci_spec_parse(text, strlen(text), s, e);
}

static int parse_body(const char *body, struct oci_spec **s, struct brick_error *e)
{
    char *t = doc(body);
    int r = parse_text(t, s, e);
    free(t);
    return r;
}

#define P "'process':{'cwd':'/','args':['sh'],"
#define L                                                                                                    \
    "'linux':{'namespaces':[{'type':'pid'},{'type':'user'},{'type':'network'},{'type':'uts'},{'type':'ipc'}],"

struct bad_case {
    const char *body; /* appended to the minimal document */
    const char *msg;  /* the exact error message */
};

static const struct bad_case bad_cases[] = {
    {"'process':{'cwd':'/','args':[]}", "process.args: must not be empty"},
    {"'process':{'args':['sh']}", "process.cwd: is required"},
    {"'process':{'cwd':'rel','args':['sh']}", "process.cwd: must be an absolute path"},
    {"'process':{'cwd':null,'args':['sh']}", "process.cwd: is required"},
    {P "'rlimits':[{'type':'RLIMIT_NOFILE','soft':1,'hard':2},{'type':'RLIMIT_CORE','soft':1,"
       "'hard':2},{'type':'RLIMIT_AS','soft':1,'hard':-1}]}",
     "process.rlimits[2].hard: expected an unsigned integer"},
    {P "'rlimits':[{'type':'RLIMIT_FOO','soft':1,'hard':2}]}",
     "process.rlimits[0].type: unknown rlimit \"RLIMIT_FOO\""},
    {P "'rlimits':[{'type':'RLIMIT_NOFILE','hard':2}]}", "process.rlimits[0].soft: is required"},
    {P "'rlimits':[{'type':'RLIMIT_NOFILE','soft':1,'hard':2},{'type':'RLIMIT_NOFILE','soft':1,'hard':2}]}",
     "process.rlimits[1].type: duplicate rlimit \"RLIMIT_NOFILE\""},
    {P "'rlimits':[{'type':'RLIMIT_NOFILE','soft':3,'hard':2}]}",
     "process.rlimits[0]: soft limit exceeds hard limit"},
    {P "'rlimits':{}}", "process.rlimits: expected an array"},
    {P "'rlimits':[5]}", "process.rlimits[0]: expected an object"},
    {P "'capabilities':{'bounding':['CAP_KILL','CAP_FOO']}}",
     "process.capabilities.bounding[1]: unknown capability \"CAP_FOO\""},
    {P "'capabilities':{'ambient':'CAP_KILL'}}", "process.capabilities.ambient: expected an array"},
    {P "'terminal':'yes'}", "process.terminal: expected a boolean"},
    {P "'user':{'uid':4294967296}}", "process.user.uid: value out of range"},
    {P "'user':{'uid':1.5}}", "process.user.uid: expected an unsigned integer"},
    {P "'user':{'gid':'0'}}", "process.user.gid: expected an unsigned integer"},
    {P "'user':{'additionalGids':[1,'x']}}", "process.user.additionalGids[1]: expected an unsigned integer"},
    {P "'user':{'umask':-1}}", "process.user.umask: expected an unsigned integer"},
    {P "'consoleSize':{'height':1}}", "process.consoleSize.width: is required"},
    {P "'oomScoreAdj':1001}", "process.oomScoreAdj: value out of range"},
    {P "'oomScoreAdj':2147483648}", "process.oomScoreAdj: value out of range"},
    {P "'oomScoreAdj':'1'}", "process.oomScoreAdj: expected an integer"},
    {P "'env':'PATH=/bin'}", "process.env: expected an array"},
    {P "'env':[1]}", "process.env[0]: expected a string"},
    {P "'scheduler':{}}", "process.scheduler.policy: is required"},
    {P "'scheduler':{'policy':'SCHED_X'}}", "process.scheduler.policy: unknown scheduler policy \"SCHED_X\""},
    {P "'scheduler':{'policy':'SCHED_OTHER','nice':2147483648}}",
     "process.scheduler.nice: value out of range"},
    {P "'scheduler':{'policy':'SCHED_OTHER','nice':20}}", "process.scheduler.nice: value out of range"},
    {P "'ioPriority':{'class':'IOPRIO_CLASS_X'}}",
     "process.ioPriority.class: unknown I/O priority class \"IOPRIO_CLASS_X\""},
    {P "'ioPriority':{'class':'IOPRIO_CLASS_BE','priority':8}}",
     "process.ioPriority.priority: value out of range"},
    {P "'execCPUAffinity':{'initial':'a'}}", "process.execCPUAffinity.initial: invalid CPU list \"a\""},
    {"'process':[]", "process: expected an object"},
    {"'root':{}", "root.path: is required"},
    {"'root':{'path':''}", "root.path: must not be empty"},
    {"'root':{'path':'r','readonly':1}", "root.readonly: expected a boolean"},
    {"'mounts':[{'type':'tmpfs'}]", "mounts[0].destination: is required"},
    {"'mounts':[{'destination':'/a'},{'destination':'b'}]",
     "mounts[1].destination: must be an absolute path"},
    {"'mounts':[{'destination':'/a','options':'ro'}]", "mounts[0].options: expected an array"},
    {"'mounts':[{'destination':'/a','uidMappings':[{'containerID':0,'hostID':1,'size':0}]}]",
     "mounts[0].uidMappings[0].size: must be greater than 0"},
    {"'mounts':[{'destination':'/a','gidMappings':[{'containerID':0,'size':1}]}]",
     "mounts[0].gidMappings[0].hostID: is required"},
    {"'mounts':{}", "mounts: expected an array"},
    {"'hooks':{'prestart':[{'args':['x']}]}", "hooks.prestart[0].path: is required"},
    {"'hooks':{'poststop':[{'path':'/a'},{'path':'b'}]}", "hooks.poststop[1].path: must be an absolute path"},
    {"'hooks':{'createRuntime':[{'path':'/a','timeout':0}]}",
     "hooks.createRuntime[0].timeout: must be greater than 0"},
    {"'hooks':{'startContainer':[{'path':'/a','timeout':1.5}]}",
     "hooks.startContainer[0].timeout: expected an integer"},
    {"'hooks':{'createContainer':{}}", "hooks.createContainer: expected an array"},
    {"'hooks':{'poststart':[{'path':'/a','env':[null]}]}", "hooks.poststart[0].env[0]: expected a string"},
    {"'annotations':{'foo':1}", "annotations.foo: expected a string"},
    {"'annotations':{'org.a.b':true}", "annotations[\"org.a.b\"]: expected a string"},
    {"'annotations':{'':'x'}", "annotations: keys must not be empty"},
    {"'annotations':[]", "annotations: expected an object"},
    {"'hostname':5", "hostname: expected a string"},
    {"'hostname':'a\\u0000b','linux':{'namespaces':[{'type':'uts'}]}",
     "hostname: must not contain a NUL character"},
    {"'hostname':'box'", "hostname: requires a uts namespace"},
    {"'domainname':'x','linux':{}", "domainname: requires a uts namespace"},
    {"'linux':'x'", "linux: expected an object"},
    {"'linux':{'namespaces':[{'type':'pid'},{'type':'foo'}]}",
     "linux.namespaces[1].type: unknown namespace type \"foo\""},
    {"'linux':{'namespaces':[{'type':'pid'},{'type':'ipc'},{'type':'pid'}]}",
     "linux.namespaces[2].type: duplicate namespace type \"pid\""},
    {"'linux':{'namespaces':[{'type':'net','path':'x'}]}",
     "linux.namespaces[0].type: unknown namespace type \"net\""},
    {"'linux':{'namespaces':[{'type':'network','path':'x'}]}",
     "linux.namespaces[0].path: must be an absolute path"},
    {"'linux':{'namespaces':[{'path':'/x'}]}", "linux.namespaces[0].type: is required"},
    {"'linux':{'uidMappings':[{'containerID':0,'hostID':1000,'size':1}]}",
     "linux.uidMappings: requires a user namespace"},
    {"'linux':{'gidMappings':[{'containerID':0,'hostID':1000,'size':1}]}",
     "linux.gidMappings: requires a user namespace"},
    {"'linux':{'timeOffsets':{'monotonic':{'secs':1}}}", "linux.timeOffsets: requires a time namespace"},
    {"'linux':{'namespaces':[{'type':'time','path':'/proc/1/ns/time'}],'timeOffsets':{'boottime':{'secs':1}}}",
     "linux.timeOffsets: cannot be set when joining an existing time namespace"},
    {"'linux':{'timeOffsets':{'realtime':{'secs':1}}}",
     "linux.timeOffsets.realtime: unknown clock \"realtime\""},
    {"'linux':{'timeOffsets':{'boottime':{'nanosecs':1000000000}}}",
     "linux.timeOffsets.boottime.nanosecs: value out of range"},
    {"'linux':{'devices':[{'type':'x','path':'/dev/x'}]}",
     "linux.devices[0].type: invalid device type \"x\""},
    {"'linux':{'devices':[{'type':'c','path':'/dev/x','minor':1}]}", "linux.devices[0].major: is required"},
    {"'linux':{'devices':[{'type':'b','path':'/dev/x','major':1}]}", "linux.devices[0].minor: is required"},
    {"'linux':{'devices':[{'type':'p','path':'dev/x'}]}", "linux.devices[0].path: must be an absolute path"},
    {"'linux':{'devices':[{'type':'p','path':'/x','fileMode':-1}]}",
     "linux.devices[0].fileMode: expected an unsigned integer"},
    {"'linux':{'resources':{'memory':{'limit':'1G'}}}", "linux.resources.memory.limit: expected an integer"},
    {"'linux':{'resources':{'memory':{'limit':9223372036854775808}}}",
     "linux.resources.memory.limit: value out of range"},
    {"'linux':{'resources':{'memory':{'swappiness':101}}}",
     "linux.resources.memory.swappiness: value out of range"},
    {"'linux':{'resources':{'memory':{'disableOOMKiller':0}}}",
     "linux.resources.memory.disableOOMKiller: expected a boolean"},
    {"'linux':{'resources':{'devices':[{}]}}", "linux.resources.devices[0].allow: is required"},
    {"'linux':{'resources':{'devices':[{'allow':true,'access':'xa'}]}}",
     "linux.resources.devices[0].access: invalid device access \"xa\": expected some of \"rwm\""},
    {"'linux':{'resources':{'devices':[{'allow':true,'type':'u'}]}}",
     "linux.resources.devices[0].type: invalid device type \"u\""},
    {"'linux':{'resources':{'pids':{'limit':1.0}}}", "linux.resources.pids.limit: expected an integer"},
    {"'linux':{'resources':{'cpu':{'shares':-2}}}",
     "linux.resources.cpu.shares: expected an unsigned integer"},
    {"'linux':{'resources':{'cpu':{'cpus':0}}}", "linux.resources.cpu.cpus: expected a string"},
    {"'linux':{'resources':{'blockIO':{'weight':65536}}}",
     "linux.resources.blockIO.weight: value out of range"},
    {"'linux':{'resources':{'blockIO':{'throttleReadBpsDevice':[{'major':8,'minor':0}]}}}",
     "linux.resources.blockIO.throttleReadBpsDevice[0].rate: is required"},
    {"'linux':{'resources':{'blockIO':{'weightDevice':[{'minor':0}]}}}",
     "linux.resources.blockIO.weightDevice[0].major: is required"},
    {"'linux':{'resources':{'hugepageLimits':[{'limit':1}]}}",
     "linux.resources.hugepageLimits[0].pageSize: is required"},
    {"'linux':{'resources':{'network':{'priorities':[{'name':'eth0','priority':-1}]}}}",
     "linux.resources.network.priorities[0].priority: expected an unsigned integer"},
    {"'linux':{'resources':{'network':{'classID':4294967296}}}",
     "linux.resources.network.classID: value out of range"},
    {"'linux':{'resources':{'rdma':{'mlx5_1':{'hcaHandles':'x'}}}}",
     "linux.resources.rdma.mlx5_1.hcaHandles: expected an unsigned integer"},
    {"'linux':{'resources':{'unified':{'memory.max':5}}}",
     "linux.resources.unified[\"memory.max\"]: expected a string"},
    {"'linux':{'rootfsPropagation':'foo'}", "linux.rootfsPropagation: unknown rootfsPropagation \"foo\""},
    {"'linux':{'seccomp':{}}", "linux.seccomp.defaultAction: is required"},
    {"'linux':{'seccomp':{'defaultAction':'SCMP_ACT_DENY'}}",
     "linux.seccomp.defaultAction: unknown seccomp action \"SCMP_ACT_DENY\""},
    {"'linux':{'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':[],'action':'SCMP_ACT_ERRNO'}]}}",
     "linux.seccomp.syscalls[0].names: must not be empty"},
    {"'linux':{'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['read']}]}}",
     "linux.seccomp.syscalls[0].action: is required"},
    {"'linux':{'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['read'],'action':'SCMP_ACT_ERRNO',"
     "'args':[{'index':0,'value':1,'op':'SCMP_CMP_FOO'}]}]}}",
     "linux.seccomp.syscalls[0].args[0].op: unknown seccomp operator \"SCMP_CMP_FOO\""},
    {"'linux':{'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['read'],'action':'SCMP_ACT_NOTIFY'}]}}",
     "linux.seccomp.listenerPath: is required when SCMP_ACT_NOTIFY is used"},
    {"'linux':{'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['read'],'action':'SCMP_ACT_ALLOW','errnoRet':1}]}}",
     "linux.seccomp.syscalls[0].errnoRet: only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE"},
    {"'linux':{'seccomp':{'defaultAction':'SCMP_ACT_KILL','defaultErrnoRet':1}}",
     "linux.seccomp.defaultErrnoRet: only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE"},
    {"'linux':{'sysctl':{'net.ipv4.ip_forward':1}}",
     "linux.sysctl[\"net.ipv4.ip_forward\"]: expected a string"},
    {"'linux':{'sysctl':{'net.ipv4.ip_forward':'1'}}",
     "linux.sysctl[\"net.ipv4.ip_forward\"]: requires a network namespace"},
    {"'linux':{'sysctl':{'vm.swappiness':'1'}}",
     "linux.sysctl[\"vm.swappiness\"]: not a namespaced sysctl: it would change the host"},
    {"'linux':{'sysctl':{'':'1'}}", "linux.sysctl: keys must not be empty"},
    {"'linux':{'maskedPaths':['/a','rel']}", "linux.maskedPaths[1]: must be an absolute path"},
    {"'linux':{'readonlyPaths':'/a'}", "linux.readonlyPaths: expected an array"},
    {"'linux':{'intelRdt':{'closID':'..'}}", "linux.intelRdt.closID: invalid closID \"..\""},
    {"'linux':{'memoryPolicy':{'nodes':'0'}}", "linux.memoryPolicy.mode: is required"},
    {"'linux':{'personality':{'domain':'BSD'}}",
     "linux.personality.domain: unknown personality domain \"BSD\""},
    {"'linux':{'netDevices':{'eth0':{'name':5}}}", "linux.netDevices.eth0.name: expected a string"},
    {"'linux':{'netDevices':{'eth0':{}}}", "linux.netDevices: requires a network namespace"},
    {"'process':{'cwd':'/','args':['sh'],'user':{'uid':18446744073709551616}}",
     "process.user.uid: value out of range"},
};

TEST(bad_inputs)
{
    char what[128];
    for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
        struct oci_spec *s;
        struct brick_error e;
        int r = parse_body(bad_cases[i].body, &s, &e);
        snprintf(what, sizeof(what), "bad[%zu] %s", i, bad_cases[i].msg);
        ok(r == -EINVAL && s == NULL, what);
        is_str(e.msg, bad_cases[i].msg, what);
    }
}

struct raw_case {
    const char *text;
    const char *msg;
};

static const struct raw_case raw_cases[] = {
    {"{'root':{'path':'r'}}", "ociVersion: is required"},
    {"{'ociVersion':'1.2.1'}", "root: is required"},
    {"{'ociVersion':'1.2.1','root':null}", "root: is required"},
    {"[]", "expected an object"},
    {"5", "expected an object"},
    {"", "invalid JSON at line 1 column 1: unexpected end of input"},
    {"{'ociVersion':'1.2.1',", "invalid JSON at line 1 column 23: unexpected end of input"},
    {"{'ociVersion' '1.2.1'}",
     "invalid JSON at line 1 column 15: object property name separator ':' expected"},
    {"{}\n x", "invalid JSON at line 2 column 2"},
    {"{'ociVersion':'1.2.1','root':{'path':'r'},'x':0001}", "invalid JSON at line 1 column 51"},
    /* An overflowing literal earlier must not shift the reported position. */
    {"{'a':99999999999999999999999,'b':1E5,\n'c':}", "invalid JSON at line 2 column 5: unexpected character"},
};

TEST(raw_inputs)
{
    for (size_t i = 0; i < sizeof(raw_cases) / sizeof(raw_cases[0]); i++) {
        char *t = q(raw_cases[i].text);
        struct oci_spec *s;
        struct brick_error e;
        int r = parse_text(t, &s, &e);
        ok(r < 0 && !s, raw_cases[i].msg);
        like_str(e.msg, raw_cases[i].msg, raw_cases[i].msg);
        free(t);
    }
}

TEST(oci_version)
{
    static const char *const good[] = {"1.0.0", "1.0.2-dev",     "1.1.0-rc.1",      "1.2.1",
                                       "1.3.0", "1.0.0-rc5-dev", "1.99.12+build.5", "1.2.0-rc.1+dev"};
    static const struct {
        const char *v, *msg;
    } bad[] = {
        {"2.0.0", "ociVersion: unsupported ociVersion \"2.0.0\": brick supports 1.x"},
        {"0.1.0", "ociVersion: unsupported ociVersion \"0.1.0\": brick supports 1.x"},
        {"1.0", "ociVersion: invalid ociVersion \"1.0\": expected MAJOR.MINOR.PATCH"},
        {"v1.0.0", "ociVersion: invalid ociVersion \"v1.0.0\": expected MAJOR.MINOR.PATCH"},
        {"", "ociVersion: invalid ociVersion \"\": expected MAJOR.MINOR.PATCH"},
        {"1.0.0-", "ociVersion: invalid ociVersion \"1.0.0-\": expected MAJOR.MINOR.PATCH"},
        {"1..0", "ociVersion: invalid ociVersion \"1..0\": expected MAJOR.MINOR.PATCH"},
        {"1.0.0 ", "ociVersion: invalid ociVersion \"1.0.0 \": expected MAJOR.MINOR.PATCH"},
    };
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        char *t = xasprintf("{\"ociVersion\":\"%s\",\"root\":{\"path\":\"r\"}}", good[i]);
        struct oci_spec *s;
        struct brick_error e;
        ok(parse_text(t, &s, &e) == 0, good[i]);
        if (s)
            is_str(s->oci_version, good[i], "version kept");
        oci_spec_free(s);
        free(t);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char *t = xasprintf("{\"ociVersion\":\"%s\",\"root\":{\"path\":\"r\"}}", bad[i].v);
        struct oci_spec *s;
        struct brick_error e;
        ok(parse_text(t, &s, &e) < 0, bad[i].v);
        is_str(e.msg, bad[i].msg, bad[i].v);
        free(t);
    }
    struct oci_spec *s;
    struct brick_error e;
    ok(parse_text("{\"ociVersion\":1,\"root\":{\"path\":\"r\"}}", &s, &e) < 0, "numeric version");
    is_str(e.msg, "ociVersion: expected a string", "numeric version message");
}

/* What runc's parsing accepts: a device path with a trailing slash names the
 * device ("/dev/fuse/" is /dev/fuse); access letters outside "rwm" are
 * ignored ("rwa" is "rw", checked in the cgroup plan's test). */
static void test_runc_leniency(void)
{
    struct oci_spec *s;
    struct brick_error e;
    ok(parse_body("'linux':{'devices':[{'type':'c','path':'/dev/fuse//','major':10,'minor':229}],"
                  "'resources':{'devices':[{'allow':true,'access':'rwa'}]}}",
                  &s, &e) == 0,
       "lenient device fields");
    if (s) {
        is_str(s->linux_.devices[0].path, "/dev/fuse", "trailing slashes dropped");
        is_str(s->linux_.resources.devices[0].access, "rwa", "access kept as written");
    }
    oci_spec_free(s);
}

/* Integer edge cases through rlimits (uint64) and memory.limit (int64). */
static int rlimit_hard(const char *lit, uint64_t *ret, struct brick_error *e)
{
    char *body = xasprintf(P "'rlimits':[{'type':'RLIMIT_CORE','soft':0,'hard':%s}]}", lit);
    struct oci_spec *s;
    int r = parse_body(body, &s, e);
    if (r == 0)
        *ret = s->process->rlimits[0].hard;
    oci_spec_free(s);
    free(body);
    return r;
}

static int memory_limit(const char *lit, int64_t *ret, struct brick_error *e)
{
    char *body = xasprintf("'linux':{'resources':{'memory':{'limit':%s}}}", lit);
    struct oci_spec *s;
    int r = parse_body(body, &s, e);
    if (r == 0)
        *ret = s->linux_.resources.memory.limit;
    oci_spec_free(s);
    free(body);
    return r;
}

TEST(integers)
{
    static const struct {
        const char *lit;
        uint64_t value;
        const char *reason; /* NULL: accepted */
    } u[] = {
        {"0", 0, NULL},
        {"18446744073709551615", UINT64_MAX, NULL},
        {"9223372036854775808", 9223372036854775808u, NULL},
        {"9223372036854775807", INT64_MAX, NULL},
        {"18446744073709551616", 0, "value out of range"},
        {"99999999999999999999999", 0, "value out of range"},
        {"-1", 0, "expected an unsigned integer"},
        {"-9223372036854775808", 0, "expected an unsigned integer"},
        {"-99999999999999999999", 0, "value out of range"},
        {"1.0", 0, "expected an unsigned integer"},
        {"1e3", 0, "expected an unsigned integer"},
        {"1E3", 0, "expected an unsigned integer"},
        {"1E400", 0, "expected an unsigned integer"},
        {"'5'", 0, "expected an unsigned integer"},
        {"true", 0, "expected an unsigned integer"},
    };
    for (size_t i = 0; i < sizeof(u) / sizeof(u[0]); i++) {
        uint64_t v = 0;
        struct brick_error e;
        int r = rlimit_hard(u[i].lit, &v, &e);
        if (!u[i].reason) {
            ok(r == 0 && v == u[i].value, u[i].lit);
        } else {
            char *m = xasprintf("process.rlimits[0].hard: %s", u[i].reason);
            ok(r < 0, u[i].lit);
            is_str(e.msg, m, u[i].lit);
            free(m);
        }
    }
    static const struct {
        const char *lit;
        int64_t value;
        bool good;
    } s[] = {
        {"-1", -1, true},
        {"-9223372036854775808", INT64_MIN, true},
        {"9223372036854775807", INT64_MAX, true},
        {"-9223372036854775809", 0, false},
        {"9223372036854775808", 0, false},
        {"18446744073709551615", 0, false},
        {"18446744073709551616", 0, false},
    };
    for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
        int64_t v = 0;
        struct brick_error e;
        int r = memory_limit(s[i].lit, &v, &e);
        if (s[i].good)
            ok(r == 0 && v == s[i].value, s[i].lit);
        else
            is_str(r < 0 ? e.msg : "accepted", "linux.resources.memory.limit: value out of range", s[i].lit);
    }
    /* Unknown keys may hold anything, including numbers json-c would clamp. */
    struct oci_spec *sp;
    struct brick_error e;
    ok(parse_body("'x':[1E5,99999999999999999999,-99999999999999999999999,'1E0']", &sp, &e) == 0,
       "unknown keys with odd numbers ignored");
    oci_spec_free(sp);
}

/* Every field of runtime-spec 1.2 for Linux, the way the spec's example does. */
static const char full_config[] =
    "{'ociVersion':'1.2.0','process':{'terminal':true,'consoleSize':{'height':25,'width':80},"
    "'user':{'uid':1,'gid':1,'umask':18,'additionalGids':[5,6],'username':'u'},"
    "'args':['sh','-c','true'],'commandLine':'cmd','env':['PATH=/bin','TERM=xterm'],'cwd':'/root',"
    "'capabilities':{'bounding':['CAP_AUDIT_WRITE','CAP_KILL'],'effective':['CAP_KILL'],"
    "'inheritable':['CAP_CHOWN'],'permitted':['CAP_KILL','CAP_NET_BIND_SERVICE'],'ambient':['CAP_KILL']},"
    "'rlimits':[{'type':'RLIMIT_CORE','hard':1024,'soft':1024},{'type':'RLIMIT_NOFILE','hard':1024,'soft':512}],"
    "'noNewPrivileges':true,'apparmorProfile':'acme','oomScoreAdj':100,"
    "'scheduler':{'policy':'SCHED_DEADLINE','nice':-5,'priority':2,'flags':['SCHED_FLAG_RESET_ON_FORK'],"
    "'runtime':10,'deadline':20,'period':30},"
    "'selinuxLabel':'system_u:system_r:svirt_lxc_net_t:s0:c124,c675',"
    "'ioPriority':{'class':'IOPRIO_CLASS_RT','priority':4},"
    "'execCPUAffinity':{'initial':'7','final':'0-3,7'}},"
    "'root':{'path':'rootfs','readonly':true},'hostname':'slartibartfast','domainname':'example.org',"
    "'mounts':[{'destination':'/proc','type':'proc','source':'proc'},"
    "{'destination':'/data','type':'bind','source':'/volumes/data','options':['rbind','ro'],"
    "'uidMappings':[{'containerID':0,'hostID':1000,'size':10}],'gidMappings':[{'containerID':0,'hostID':2000,'size':10}]}],"
    "'hooks':{'prestart':[{'path':'/usr/bin/fix-mounts','args':['fix-mounts','a'],'env':['k=v']},"
    "{'path':'/usr/bin/setup-network'}],'createRuntime':[{'path':'/usr/bin/cr','timeout':5}],"
    "'createContainer':[{'path':'/usr/bin/cc'}],'startContainer':[{'path':'/usr/bin/sc'}],"
    "'poststart':[{'path':'/usr/bin/notify-start','timeout':5}],'poststop':[{'path':'/usr/sbin/cleanup.sh','args':['c','-f']}]},"
    "'annotations':{'com.example.key1':'value1','key2':'value2'},"
    "'solaris':{'milestone':'x'},'windows':{'layerFolders':[]},'vm':{},'zos':{},'somethingNew':[1,2],"
    "'linux':{'namespaces':[{'type':'pid'},{'type':'network','path':'/var/run/netns/neta'},{'type':'ipc'},"
    "{'type':'uts'},{'type':'mount'},{'type':'user'},{'type':'cgroup'},{'type':'time'}],"
    "'uidMappings':[{'containerID':0,'hostID':1000,'size':32000}],"
    "'gidMappings':[{'containerID':0,'hostID':1000,'size':32000}],"
    "'timeOffsets':{'monotonic':{'secs':-10,'nanosecs':5},'boottime':{'secs':3600}},"
    "'devices':[{'path':'/dev/fuse','type':'c','major':10,'minor':229,'fileMode':438,'uid':0,'gid':0},"
    "{'path':'/dev/fifo','type':'p'}],"
    "'netDevices':{'eth0':{'name':'ns0'},'eth1':{}},'cgroupsPath':'/myRuntime/myContainer',"
    "'resources':{'devices':[{'allow':false,'access':'rwm'},{'allow':true,'type':'c','major':10,'minor':-1,'access':'rw'}],"
    "'memory':{'limit':536870912,'reservation':536870912,'swap':-1,'kernel':-1,'kernelTCP':-1,'swappiness':0,"
    "'disableOOMKiller':false,'useHierarchy':true,'checkBeforeUpdate':true},"
    "'cpu':{'shares':1024,'quota':1000000,'burst':1000,'period':500000,'realtimeRuntime':950000,"
    "'realtimePeriod':1000000,'cpus':'2-3','mems':'0-7','idle':1},"
    "'pids':{'limit':32771},"
    "'blockIO':{'weight':10,'leafWeight':10,'weightDevice':[{'major':8,'minor':0,'weight':500,'leafWeight':300},"
    "{'major':8,'minor':16,'weight':500}],'throttleReadBpsDevice':[{'major':8,'minor':0,'rate':600}],"
    "'throttleWriteBpsDevice':[{'major':8,'minor':0,'rate':601}],'throttleReadIOPSDevice':[{'major':8,'minor':0,'rate':602}],"
    "'throttleWriteIOPSDevice':[{'major':8,'minor':16,'rate':300}]},"
    "'hugepageLimits':[{'pageSize':'2MB','limit':209715200},{'pageSize':'64KB','limit':1000000}],"
    "'network':{'classID':1048577,'priorities':[{'name':'eth0','priority':500},{'name':'eth1','priority':1000}]},"
    "'rdma':{'mlx5_1':{'hcaHandles':3,'hcaObjects':10000},'mlx4_0':{'hcaObjects':1000}},"
    "'unified':{'io.max':'259:0 rbps=2097152','memory.high':'max'}},"
    "'rootfsPropagation':'rslave',"
    "'seccomp':{'defaultAction':'SCMP_ACT_ERRNO','defaultErrnoRet':1,'architectures':['SCMP_ARCH_X86','SCMP_ARCH_X32'],"
    "'flags':['SECCOMP_FILTER_FLAG_LOG'],'listenerPath':'/run/agent.sock','listenerMetadata':'meta',"
    "'syscalls':[{'names':['getcwd','chmod'],'action':'SCMP_ACT_ERRNO','errnoRet':38},"
    "{'names':['mkdir'],'action':'SCMP_ACT_NOTIFY'},"
    "{'names':['personality'],'action':'SCMP_ACT_ALLOW','args':[{'index':0,'value':8,'valueTwo':0,'op':'SCMP_CMP_EQ'},"
    "{'index':1,'value':18446744073709551615,'op':'SCMP_CMP_MASKED_EQ'}]}]},"
    "'sysctl':{'net.ipv4.ip_forward':'1','net.core.somaxconn':'256','kernel.shmmax':'1','fs.mqueue.msg_max':'10',"
    "'kernel.domainname':'x'},"
    "'maskedPaths':['/proc/kcore','/proc/keys'],'readonlyPaths':['/proc/sys','/proc/sysrq-trigger'],"
    "'mountLabel':'system_u:object_r:svirt_sandbox_file_t:s0:c715,c811',"
    "'intelRdt':{'closID':'guaranteed_group','l3CacheSchema':'L3:0=7f0;1=1f','memBwSchema':'MB:0=20;1=70',"
    "'schemata':['L2:0=ff'],'enableCMT':true,'enableMBM':false},"
    "'memoryPolicy':{'mode':'MPOL_INTERLEAVE','nodes':'0-3','flags':['MPOL_F_STATIC_NODES']},"
    "'personality':{'domain':'LINUX32','flags':[]}}}";

static void check_process(const struct oci_process *p)
{
    ok(p->terminal && p->has_console_size && p->console_height == 25 && p->console_width == 80, "console");
    ok(p->user.uid == 1 && p->user.gid == 1 && p->user.has_umask && p->user.umask == 18, "user");
    ok(p->user.n_additional_gids == 2 && p->user.additional_gids[1] == 6, "additionalGids");
    is_str(p->user.username, "u", "username");
    is_str(p->args[2], "true", "args");
    ok(!p->args[3], "args terminated");
    is_str(p->command_line, "cmd", "commandLine");
    is_str(p->env[1], "TERM=xterm", "env");
    is_str(p->cwd, "/root", "cwd");
    ok(p->capabilities.present, "capabilities");
    is_str(p->capabilities.bounding[1], "CAP_KILL", "bounding");
    is_str(p->capabilities.inheritable[0], "CAP_CHOWN", "inheritable");
    is_str(p->capabilities.permitted[1], "CAP_NET_BIND_SERVICE", "permitted");
    is_str(p->capabilities.ambient[0], "CAP_KILL", "ambient");
    is_str(p->capabilities.effective[0], "CAP_KILL", "effective");
    ok(p->n_rlimits == 2 && p->rlimits[1].resource == RLIMIT_NOFILE && p->rlimits[1].soft == 512, "rlimits");
    ok(p->no_new_privileges, "noNewPrivileges");
    is_str(p->apparmor_profile, "acme", "apparmor");
    ok(p->has_oom_score_adj && p->oom_score_adj == 100, "oomScoreAdj");
    ok(p->scheduler.present && p->scheduler.nice == -5 && p->scheduler.priority == 2, "scheduler");
    ok(p->scheduler.runtime == 10 && p->scheduler.deadline == 20 && p->scheduler.period == 30, "deadline");
    is_str(p->scheduler.flags[0], "SCHED_FLAG_RESET_ON_FORK", "scheduler flags");
    is_str(p->selinux_label, "system_u:system_r:svirt_lxc_net_t:s0:c124,c675", "selinux");
    ok(p->io_priority.present && p->io_priority.priority == 4, "ioPriority");
    is_str(p->io_priority.class, "IOPRIO_CLASS_RT", "ioPriority class");
    ok(p->exec_cpu_affinity.present, "execCPUAffinity");
    is_str(p->exec_cpu_affinity.final, "0-3,7", "affinity final");
}

static void check_top(const struct oci_spec *s)
{
    is_str(s->oci_version, "1.2.0", "ociVersion");
    ok(s->has_root && s->root.readonly, "root");
    is_str(s->root.path, "rootfs", "root.path");
    is_str(s->hostname, "slartibartfast", "hostname");
    is_str(s->domainname, "example.org", "domainname");
    ok(s->n_mounts == 2 && !s->mounts[0].options, "mounts");
    is_str(s->mounts[1].options[1], "ro", "mount options");
    ok(s->mounts[1].n_uid_mappings == 1 && s->mounts[1].gid_mappings[0].host_id == 2000, "mount idmap");
    ok(s->hooks[OCI_HOOK_PRESTART].n == 2, "prestart hooks");
    is_str(s->hooks[OCI_HOOK_PRESTART].hooks[0].args[1], "a", "hook args");
    is_str(s->hooks[OCI_HOOK_PRESTART].hooks[0].env[0], "k=v", "hook env");
    ok(s->hooks[OCI_HOOK_CREATE_RUNTIME].hooks[0].has_timeout &&
           s->hooks[OCI_HOOK_CREATE_RUNTIME].hooks[0].timeout == 5,
       "hook timeout");
    for (int k = 0; k < OCI_HOOK__MAX; k++)
        ok(s->hooks[k].n >= 1, oci_hook_kind_name((enum oci_hook_kind)k));
    is_str(s->hooks[OCI_HOOK_POSTSTOP].hooks[0].path, "/usr/sbin/cleanup.sh", "poststop");
    is_str(oci_kv_get(s->annotations, s->n_annotations, "com.example.key1"), "value1", "annotation");
    ok(!oci_kv_get(s->annotations, s->n_annotations, "nope"), "annotation absent");
}

static void check_linux(const struct oci_linux *l)
{
    ok(l->present && l->n_namespaces == 8, "namespaces");
    ok(l->namespaces[1].type == OCI_NS_NETWORK, "network ns");
    is_str(l->namespaces[1].path, "/var/run/netns/neta", "ns path");
    ok(l->n_uid_mappings == 1 && l->uid_mappings[0].size == 32000, "uidMappings");
    ok(l->time_monotonic.present && l->time_monotonic.secs == -10 && l->time_monotonic.nanosecs == 5,
       "monotonic");
    ok(l->time_boottime.present && l->time_boottime.secs == 3600, "boottime");
    ok(l->n_devices == 2 && l->devices[0].major == 10 && l->devices[0].minor == 229, "devices");
    ok(l->devices[0].has_file_mode && l->devices[0].file_mode == 438 && !l->devices[1].has_major,
       "device mode");
    ok(l->n_net_devices == 2, "netDevices");
    is_str(l->net_devices[0].host_name, "eth0", "netDevice host");
    is_str(l->net_devices[0].name, "ns0", "netDevice name");
    ok(!l->net_devices[1].name, "netDevice without name");
    is_str(l->cgroups_path, "/myRuntime/myContainer", "cgroupsPath");
    is_str(l->rootfs_propagation, "rslave", "rootfsPropagation");
    ok(l->n_sysctl == 5, "sysctl");
    is_str(oci_kv_get(l->sysctl, l->n_sysctl, "net.core.somaxconn"), "256", "sysctl value");
    is_str(l->masked_paths[1], "/proc/keys", "maskedPaths");
    is_str(l->readonly_paths[0], "/proc/sys", "readonlyPaths");
    is_str(l->mount_label, "system_u:object_r:svirt_sandbox_file_t:s0:c715,c811", "mountLabel");
    ok(l->intel_rdt.present && l->intel_rdt.has_enable_cmt && l->intel_rdt.enable_cmt, "intelRdt");
    ok(l->intel_rdt.has_enable_mbm && !l->intel_rdt.enable_mbm, "intelRdt mbm");
    is_str(l->intel_rdt.schemata[0], "L2:0=ff", "schemata");
    is_str(l->memory_policy.mode, "MPOL_INTERLEAVE", "memoryPolicy");
    is_str(l->memory_policy.flags[0], "MPOL_F_STATIC_NODES", "memoryPolicy flags");
    ok(l->personality.present && l->personality.flags && !l->personality.flags[0], "personality");
    is_str(l->personality.domain, "LINUX32", "personality domain");
}

static void check_resources(const struct oci_resources *r)
{
    ok(r->present && r->n_devices == 2 && !r->devices[0].allow && r->devices[1].minor == -1, "device rules");
    ok(!r->devices[0].type && !r->devices[0].has_major, "deny-all rule");
    const struct oci_memory *m = &r->memory;
    ok(m->present && m->has_limit && m->limit == 536870912 && m->swap == -1 && m->has_kernel_tcp, "memory");
    ok(m->has_swappiness && m->swappiness == 0 && m->has_disable_oom_killer && !m->disable_oom_killer,
       "memory flags");
    ok(m->use_hierarchy && m->check_before_update, "memory bools");
    const struct oci_cpu *c = &r->cpu;
    ok(c->present && c->shares == 1024 && c->quota == 1000000 && c->burst == 1000 && c->period == 500000,
       "cpu");
    ok(c->realtime_runtime == 950000 && c->realtime_period == 1000000 && c->has_idle && c->idle == 1,
       "cpu rt");
    is_str(c->mems, "0-7", "cpu mems");
    ok(r->has_pids_limit && r->pids_limit == 32771, "pids");
    const struct oci_blkio *b = &r->block_io;
    ok(b->present && b->weight == 10 && b->n_weight_device == 2 && b->weight_device[0].leaf_weight == 300,
       "blkio");
    ok(!b->weight_device[1].has_leaf_weight, "blkio leafWeight absent");
    ok(b->throttle_read_bps[0].rate == 600 && b->throttle_write_bps[0].rate == 601, "throttle bps");
    ok(b->throttle_read_iops[0].rate == 602 && b->throttle_write_iops[0].minor == 16, "throttle iops");
    ok(r->n_hugepage_limits == 2 && r->hugepage_limits[0].limit == 209715200, "hugepages");
    ok(r->has_network && r->has_class_id && r->class_id == 1048577 && r->n_net_priorities == 2, "network");
    ok(r->n_rdma == 2 && r->rdma[0].hca_handles == 3 && !r->rdma[1].has_hca_handles, "rdma");
    is_str(r->rdma[1].device, "mlx4_0", "rdma device");
    is_str(oci_kv_get(r->unified, r->n_unified, "memory.high"), "max", "unified");
}

static void check_seccomp(const struct oci_seccomp *sc)
{
    ok(sc->present && sc->has_default_errno_ret && sc->default_errno_ret == 1, "seccomp");
    is_str(sc->default_action, "SCMP_ACT_ERRNO", "defaultAction");
    is_str(sc->architectures[1], "SCMP_ARCH_X32", "architectures");
    is_str(sc->flags[0], "SECCOMP_FILTER_FLAG_LOG", "flags");
    is_str(sc->listener_path, "/run/agent.sock", "listenerPath");
    is_str(sc->listener_metadata, "meta", "listenerMetadata");
    ok(sc->n_syscalls == 3 && sc->syscalls[0].errno_ret == 38, "syscalls");
    ok(sc->syscalls[2].n_args == 2 && sc->syscalls[2].args[1].value == UINT64_MAX, "syscall args");
    is_str(sc->syscalls[2].args[1].op, "SCMP_CMP_MASKED_EQ", "syscall op");
}

TEST(full_config)
{
    char *t = q(full_config);
    struct oci_spec *s;
    struct brick_error e;
    int r = parse_text(t, &s, &e);
    if (!ok(r == 0, "full config parses"))
        printf("# %s\n", e.msg);
    if (s) {
        check_top(s);
        check_process(s->process);
        check_linux(&s->linux_);
        check_resources(&s->linux_.resources);
        check_seccomp(&s->linux_.seccomp);
        ok(oci_spec_namespace(s, OCI_NS_TIME) != NULL, "namespace lookup");
    }
    oci_spec_free(s);
    free(t);
}

TEST(null_is_absent)
{
    struct oci_spec *s;
    struct brick_error e;
    int r = parse_body("'process':{'cwd':'/','args':['sh'],'user':null,'env':null,'oomScoreAdj':null},"
                       "'hostname':null,'mounts':null,'linux':{'resources':null,'seccomp':null}",
                       &s, &e);
    ok(r == 0, "nulls accepted");
    if (s)
        ok(!s->process->has_oom_score_adj && !s->process->env && !s->hostname && !s->linux_.resources.present,
           "nulls are absent");
    oci_spec_free(s);
}

TEST(default_spec)
{
    for (int rootless = 0; rootless <= 1; rootless++) {
        char *text = brick_spec_default_json(rootless, true);
        struct oci_spec *s;
        struct brick_error e;
        int r = parse_text(text, &s, &e);
        ok(r == 0, rootless ? "rootless default parses" : "default parses");
        ok(text[0] == '{' && strstr(text, "\n\t\"ociVersion\": \"1.2.1\",\n"), "tab-indented like runc");
        if (s) {
            is_str(s->hostname, "brick", "hostname");
            ok(s->process->terminal && s->process->no_new_privileges, "process flags");
            ok(s->process->n_rlimits == 1 && s->process->rlimits[0].hard == 1024, "rlimit");
            ok(!s->process->capabilities.inheritable && !s->process->capabilities.ambient, "no inheritable");
            ok(s->root.readonly && s->n_mounts == 7, "root and mounts");
            is_str(s->mounts[5].type, rootless ? "none" : "sysfs", "/sys mount");
            ok(s->linux_.n_namespaces == 6, "six namespaces");
            ok((oci_spec_namespace(s, OCI_NS_NETWORK) == NULL) == rootless, "network ns unless rootless");
            ok((oci_spec_namespace(s, OCI_NS_USER) != NULL) == rootless, "user ns when rootless");
            ok(s->linux_.resources.present == !rootless, "resources unless rootless");
            if (rootless)
                ok(s->linux_.uid_mappings[0].host_id == geteuid() &&
                       s->linux_.gid_mappings[0].host_id == getegid(),
                   "mapped to the caller");
            ok(strv_length(s->linux_.masked_paths) == 10, "masked paths");
        }
        oci_spec_free(s);
        free(text);
    }
}

TEST(process_object)
{
    char *t = q("{'args':['sh'],'cwd':'/','env':['A=1'],'user':{'uid':5}}");
    struct oci_process *p = NULL;
    struct brick_error e;
    ok(oci_process_parse(t, strlen(t), &p, &e) == 0, "lone process parses");
    if (p)
        ok(p->user.uid == 5 && strcmp(p->env[0], "A=1") == 0, "lone process fields");
    oci_process_free(p);
    free(t);
    t = q("{'args':['sh']}");
    ok(oci_process_parse(t, strlen(t), &p, &e) < 0, "lone process without cwd");
    is_str(e.msg, "cwd: is required", "relative path in message");
    free(t);
    t = q("{'args':['sh'],'cwd':'/','rlimits':[{'type':'RLIMIT_AS','soft':2,'hard':1}]}");
    ok(oci_process_parse(t, strlen(t), &p, &e) < 0, "lone process validated");
    is_str(e.msg, "rlimits[0]: soft limit exceeds hard limit", "validation path");
    free(t);
}

TEST(load)
{
    char dir[] = "/tmp/brick-spec-XXXXXX";
    ok(mkdtemp(dir) != NULL, "tmpdir");
    char *path = xasprintf("%s/config.json", dir);
    char *text = brick_spec_default_json(false, true);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    struct oci_spec *s = NULL;
    struct brick_error e;
    ok(oci_spec_load(AT_FDCWD, path, &s, &e) == 0, "load default");
    oci_spec_free(s);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    ok(oci_spec_load(dfd, "config.json", &s, &e) == 0, "load relative to dirfd");
    oci_spec_free(s);
    ok(oci_spec_load(dfd, "missing.json", &s, &e) == -ENOENT, "missing file");
    is_str(e.msg, "missing.json: No such file or directory", "missing message");
    f = fopen(path, "w");
    fputs("{\"ociVersion\":\"1.2.1\"}", f);
    fclose(f);
    ok(oci_spec_load(dfd, "config.json", &s, &e) < 0, "bad file");
    is_str(e.msg, "config.json: root: is required", "prefixed with the file name");
    close(dfd);
    unlink(path);
    rmdir(dir);
    free(path);
    free(text);
}

TEST(names)
{
    is_int(oci_cap_from_name("CAP_SYS_ADMIN"), 21, "CAP_SYS_ADMIN");
    is_int(oci_cap_from_name("CAP_CHOWN"), 0, "CAP_CHOWN");
    is_int(oci_cap_from_name("CAP_CHECKPOINT_RESTORE"), 40, "CAP_CHECKPOINT_RESTORE");
    is_int(oci_cap_from_name("CAP_FOO"), -1, "unknown cap");
    is_int(oci_cap_from_name("cap_chown"), -1, "caps are case-sensitive");
    is_str(oci_cap_name(21), "CAP_SYS_ADMIN", "cap name");
    ok(oci_cap_name(41) == NULL && oci_cap_name(-1) == NULL, "cap name out of range");
    is_int(oci_cap_last(), 40, "cap_last");
    for (int i = 0; i <= oci_cap_last(); i++)
        if (oci_cap_from_name(oci_cap_name(i)) != i)
            ok(0, "cap table round trip");
    is_int(oci_rlimit_from_name("RLIMIT_NOFILE"), RLIMIT_NOFILE, "RLIMIT_NOFILE");
    is_int(oci_rlimit_from_name("RLIMIT_RTTIME"), RLIMIT_RTTIME, "RLIMIT_RTTIME");
    is_int(oci_rlimit_from_name("RLIMIT_FOO"), -1, "unknown rlimit");
    is_int(brick_signal_from_string("SIGTERM"), SIGTERM, "SIGTERM");
    is_int(brick_signal_from_string("TERM"), SIGTERM, "TERM");
    is_int(brick_signal_from_string("term"), SIGTERM, "term");
    is_int(brick_signal_from_string("15"), 15, "15");
    is_int(brick_signal_from_string("SIGKILL"), SIGKILL, "SIGKILL");
    is_int(brick_signal_from_string("sigwinch"), SIGWINCH, "sigwinch");
    is_int(brick_signal_from_string("RTMIN"), SIGRTMIN, "RTMIN");
    is_int(brick_signal_from_string("SIGRTMIN+2"), SIGRTMIN + 2, "SIGRTMIN+2");
    is_int(brick_signal_from_string("SIGRTMAX-1"), SIGRTMAX - 1, "SIGRTMAX-1");
    is_int(brick_signal_from_string("SIGRTMIN-1"), -1, "SIGRTMIN-1");
    is_int(brick_signal_from_string("SIGRTMIN+99"), -1, "SIGRTMIN+99");
    is_int(brick_signal_from_string("0"), -1, "0");
    is_int(brick_signal_from_string("65"), -1, "65");
    is_int(brick_signal_from_string("9x"), -1, "9x");
    is_int(brick_signal_from_string("SIGFOO"), -1, "SIGFOO");
    is_int(brick_signal_from_string(""), -1, "empty");
    is_str(oci_ns_type_name(OCI_NS_NETWORK), "network", "ns name");
    is_str(oci_hook_kind_name(OCI_HOOK_CREATE_RUNTIME), "createRuntime", "hook name");
}

int main(void)
{
    RUN(bad_inputs);
    RUN(raw_inputs);
    RUN(oci_version);
    RUN(runc_leniency);
    RUN(integers);
    RUN(full_config);
    RUN(null_is_absent);
    RUN(default_spec);
    RUN(process_object);
    RUN(load);
    RUN(names);
    return tap_done();
}
