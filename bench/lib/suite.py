#!/usr/bin/python3
"""Extended comparisons for bench/run (runs inside bench/lib/in-ns.sh).

suite.py measure --out F --tmp D --bundle B --cgpath /brick-bench-PID --n N
                 --warmup W [--only exec,do,memlimit,rss,concurrent,scale] NAME=BIN...

Every benchmark uses the same timing primitive as harness.py (posix_spawn +
waitpid around perf_counter_ns), interleaves runtimes round-robin where the
benchmark is sequential, and gives each container its own bundle directory
(config.json only; root.path points at the one shared rootfs) so that every
container has its own cgroupsPath, as a real engine would do.

  exec        a long-running container per runtime, then N `exec /bin/true`
  do          `brick do -- /bin/true` vs bwrap with the same isolation
  memlimit    `run` with linux.resources.memory.limit = 524288 (512 KiB)
  rss         peak RSS (GNU time %M) of each verb: run, create, start, exec, delete
  concurrent  C containers `run` at once, per runtime: throughput, p50/p99
  scale       create time vs bind mounts (0/10/100/1000), seccomp rules
              (none/default/10x) and containers already running (0/100/500)
"""
import copy
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (OpError, Spawner, _on_alarm, reap_orphans, set_subreaper,  # noqa: E402
                     stats, wait_exit)

ENV = os.environ
MOUNT_LEVELS = [int(x) for x in ENV.get("SCALE_MOUNTS", "0,10,100,1000").split(",")]
RUNNING_LEVELS = [int(x) for x in ENV.get("SCALE_RUNNING", "0,100,500").split(",")]
CONC = int(ENV.get("CONCURRENT", "100"))
CONC_ROUNDS = int(ENV.get("CONCURRENT_ROUNDS", "3"))


def log(*a):
    print("suite:", *a, file=sys.stderr, flush=True)


class Ctx:
    def __init__(self, opts, specs):
        self.tmp = opts["tmp"]
        self.n = int(opts["n"])
        self.warm = int(opts["warmup"])
        self.cgpath = opts["cgpath"]
        base = os.path.join(opts["bundle"], "config.json")
        with open(base) as f:
            self.base = json.load(f)
        self.rootfs = os.path.join(opts["bundle"], self.base["root"]["path"])
        self.base["root"]["path"] = self.rootfs
        self.rts = [RT(name, b, self) for name, b in specs]
        self.nb = 0

    def bundle(self, cid, args=("/bin/true",), mutate=None):
        """A bundle dir for container cid with its own cgroupsPath."""
        d = os.path.join(self.tmp, "bundles", cid)
        os.makedirs(d, exist_ok=True)
        c = copy.deepcopy(self.base)
        c["process"]["args"] = list(args)
        c["linux"]["cgroupsPath"] = "%s-%s" % (self.cgpath, cid)
        if mutate:
            mutate(c)
        with open(os.path.join(d, "config.json"), "w") as f:
            json.dump(c, f)
        return d


class RT:
    def __init__(self, name, binary, ctx):
        self.name, self.bin = name, binary
        self.root = os.path.join(ctx.tmp, "suite-root-" + name)
        os.makedirs(self.root, exist_ok=True)
        self.err = os.path.join(ctx.tmp, "suite-stderr-" + name)
        self.spawn = Spawner(self.err)

    def argv(self, *a):
        return [self.bin, "--root", self.root] + list(a)

    def create_start(self, cid, bundle):
        pidfile = os.path.join(self.root, cid + ".pid")
        self.spawn(self.argv("create", "--bundle", bundle, "--pid-file", pidfile, cid))
        self.spawn(self.argv("start", cid))
        with open(pidfile) as f:
            return int(f.read())

    def cycle(self, cid, bundle):
        """create (timed) + start + wait + delete; returns create ns."""
        pidfile = os.path.join(self.root, cid + ".pid")
        c = self.spawn(self.argv("create", "--bundle", bundle, "--pid-file", pidfile, cid))
        with open(pidfile) as f:
            pid = int(f.read())
        os.unlink(pidfile)
        self.spawn(self.argv("start", cid))
        wait_exit(pid)
        self.spawn(self.argv("delete", cid))
        return c

    def kill_delete(self, cid):
        try:
            self.spawn(self.argv("delete", "--force", cid))
        except OpError as e:
            log("%s: cleanup of %s: %s" % (self.name, cid, e))

    def cleanup_all(self):
        try:
            names = [n for n in os.listdir(self.root)
                     if not n.startswith(".") and os.path.isdir(os.path.join(self.root, n))]
        except OSError:
            return
        for n in names:
            self.kill_delete(n)
        reap_orphans()


def interleaved(ctx, rts, n, warm, fn):
    """fn(rt, i) -> ns for n measured + warm iterations, rotating order."""
    out = {rt.name: [] for rt in rts}
    errs = {}
    for i in range(warm + n):
        k = i % len(rts)
        for rt in rts[k:] + rts[:k]:
            if rt.name in errs:
                continue
            try:
                v = fn(rt, i)
            except (OpError, OSError, ValueError) as e:
                errs[rt.name] = str(e)[:400]
                log("%s FAILED: %s" % (rt.name, e))
                rt.cleanup_all()
                continue
            if i >= warm:
                out[rt.name].append(v)
        reap_orphans()
    return {name: {"stats": stats(v), "samples_ns": v} if name not in errs else {"error": errs[name]}
            for name, v in out.items()}


# --- exec ----------------------------------------------------------------------
def bench_exec(ctx):
    ids = {}
    for rt in ctx.rts:
        cid = "sx-%s-long" % rt.name
        rt.create_start(cid, ctx.bundle(cid, args=("/bin/sleep", "100000")))
        ids[rt.name] = cid
    try:
        return interleaved(ctx, ctx.rts, ctx.n, ctx.warm,
                           lambda rt, i: rt.spawn(rt.argv("exec", ids[rt.name], "/bin/true")))
    finally:
        for rt in ctx.rts:
            rt.kill_delete(ids[rt.name])
        reap_orphans()


# --- brick do vs bwrap -----------------------------------------------------------
def seccomp_bpf(profile, path):
    """Compile an OCI seccomp profile to classic BPF for bwrap --seccomp."""
    import seccomp as S
    ops = {"SCMP_CMP_EQ": S.EQ, "SCMP_CMP_NE": S.NE, "SCMP_CMP_LT": S.LT, "SCMP_CMP_LE": S.LE,
           "SCMP_CMP_GT": S.GT, "SCMP_CMP_GE": S.GE, "SCMP_CMP_MASKED_EQ": S.MASKED_EQ}

    def act(a, errno):
        return {"SCMP_ACT_ALLOW": S.ALLOW, "SCMP_ACT_ERRNO": S.ERRNO(errno),
                "SCMP_ACT_KILL": S.KILL}[a]

    f = S.SyscallFilter(defaction=act(profile["defaultAction"], profile.get("defaultErrnoRet", 1)))
    # The binary-tree layout brick compiles its own filter with (a linear
    # filter of ~400 rules costs bwrap's every syscall several ms in total).
    try:
        f.set_attr(S.Attr.CTL_OPTIMIZE, 2)
    except Exception:
        pass
    for a in ("x86", "x32"):
        try:
            f.add_arch(S.Arch(a))
        except Exception:
            pass
    for r in profile["syscalls"]:
        a = act(r["action"], r.get("errnoRet", 1))
        args = [S.Arg(x["index"], ops[x["op"]], x["value"], *([x["valueTwo"]] if x.get("valueTwo") else []))
                for x in r.get("args", [])]
        for name in r["names"]:
            try:
                f.add_rule(a, name, *args)
            except Exception:
                pass  # unknown on this libseccomp, or equal to the default action
    with open(path, "wb") as fh:
        f.export_bpf(fh)


def bench_do(ctx, brick_bin, profile):
    res = {}
    if not brick_bin:
        return {"skipped": "brick not measured"}
    probe = subprocess.run([brick_bin, "do", "--help"], capture_output=True, text=True)
    if probe.returncode != 0:
        msg = "`brick do` is not available in this build (%s)" % (
            (probe.stderr or probe.stdout).strip().splitlines() or ["?"])[0][:120]
        log("SKIPPING do: " + msg)
        return {"skipped": msg}
    bpf = os.path.join(ctx.tmp, "default.bpf")
    seccomp_bpf(profile, bpf)
    bwrap = "/usr/bin/bwrap"
    # What `brick do` sets up by default: every namespace but user and time,
    # the host root read-only, private /tmp /run /proc /dev, /sys read-only,
    # its own hostname, loopback only, the default capabilities, seccomp.
    caps = ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
            "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
            "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"]
    bw_argv = [bwrap, "--unshare-all", "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev",
               "--tmpfs", "/tmp", "--tmpfs", "/run", "--ro-bind", "/sys", "/sys", "--hostname", "bench",
               "--cap-drop", "ALL"] + [a for c in caps for a in ("--cap-add", c)] + [
               "--new-session", "--die-with-parent", "--seccomp", "3", "--", "/bin/true"]
    do_argv = ENV.get("DO_ARGV", "%s do -- /bin/true" % brick_bin).split()
    err = os.path.join(ctx.tmp, "suite-stderr-do")

    def bw_spawn():
        fa = [(os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0),
              (os.POSIX_SPAWN_OPEN, 1, "/dev/null", os.O_WRONLY, 0),
              (os.POSIX_SPAWN_OPEN, 2, err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600),
              (os.POSIX_SPAWN_OPEN, 3, bpf, os.O_RDONLY, 0)]
        t0 = time.perf_counter_ns()
        pid = os.posix_spawn(bw_argv[0], bw_argv, os.environ, file_actions=fa)
        _, st = os.waitpid(pid, 0)
        t1 = time.perf_counter_ns()
        if os.waitstatus_to_exitcode(st) != 0:
            raise OpError("bwrap failed: " + open(err).read()[-300:])
        return t1 - t0

    sp = Spawner(err)

    class P:
        def __init__(self, name, fn):
            self.name, self.fn = name, fn

        def cleanup_all(self):
            pass

    ps = [P("brick do", lambda: sp(do_argv)), P("bwrap", bw_spawn)]
    out = interleaved(ctx, ps, ctx.n, ctx.warm, lambda p, i: p.fn())
    out["argv"] = {"brick do": " ".join(do_argv), "bwrap": " ".join(bw_argv)}
    return out


# --- brick do vs bwrap, both as an unprivileged user --------------------------------
ROOTLESS_UID = 65534  # nobody: no capabilities, no home, a user namespace of its own for both


def bench_do_rootless(ctx, brick_bin, profile):
    """`brick do -- /bin/true` and bwrap with the same namespaces and seccomp
    filter, both run by an unprivileged user (docs/ROOTLESS.md). Neither gets
    a cgroup (none is delegated); both map the user's own id only."""
    if not brick_bin:
        return {"skipped": "brick not measured"}
    top = tempfile.mkdtemp(prefix="bench-rl-", dir="/tmp")
    os.chmod(top, 0o755)
    binary = os.path.join(top, "brick")
    shutil.copy2(brick_bin, binary)
    os.chmod(binary, 0o755)
    bpf = os.path.join(top, "default.bpf")
    seccomp_bpf(profile, bpf)
    os.chmod(bpf, 0o644)
    state = "/tmp/brick-%d" % ROOTLESS_UID
    err = os.path.join(top, "stderr")
    env = {"PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "XDG_RUNTIME_DIR": ""}
    do_argv = [binary, "do", "--", "/bin/true"]
    bw_argv = ["/usr/bin/bwrap", "--unshare-all", "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev",
               "--tmpfs", "/tmp", "--tmpfs", "/run", "--ro-bind", "/sys", "/sys", "--hostname", "bench",
               "--new-session", "--die-with-parent", "--seccomp", "3", "--", "/bin/true"]

    def as_user(argv, seccomp_fd=False):
        with open(err, "w") as e, open(bpf, "rb") as b:
            t0 = time.perf_counter_ns()
            p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=e, env=env,
                                 user=ROOTLESS_UID, group=ROOTLESS_UID, extra_groups=[],
                                 pass_fds=(3, b.fileno()) if seccomp_fd else (),
                                 # the same fork path for both (a preexec_fn rules out vfork)
                                 preexec_fn=(lambda: os.dup2(b.fileno(), 3)) if seccomp_fd else (lambda: None))
            rc = p.wait()
            t1 = time.perf_counter_ns()
        if rc != 0:
            raise OpError("%s failed: %s" % (argv[0], open(err).read()[-300:]))
        return t1 - t0

    class P:
        def __init__(self, name, fn):
            self.name, self.fn = name, fn

        def cleanup_all(self):
            pass

    ps = [P("brick do", lambda: as_user(do_argv)), P("bwrap", lambda: as_user(bw_argv, True))]
    try:
        out = interleaved(ctx, ps, ctx.n, ctx.warm, lambda p, i: p.fn())
    finally:
        shutil.rmtree(top, ignore_errors=True)
        shutil.rmtree(state, ignore_errors=True)
    out["argv"] = {"brick do": " ".join(do_argv), "bwrap": " ".join(bw_argv)}
    return out


# --- 512 KiB memory limit --------------------------------------------------------
def bench_memlimit(ctx):
    def lim(c):
        c["linux"].setdefault("resources", {})["memory"] = {"limit": 524288}
    res = {}
    for rt in ctx.rts:
        ok, errs, t = 0, [], []
        for i in range(3):
            cid = "sm-%s-%d" % (rt.name, i)
            try:
                t.append(rt.spawn(rt.argv("run", "--bundle", ctx.bundle(cid, mutate=lim), cid)))
                ok += 1
            except OpError as e:
                errs.append(str(e)[-300:])
                rt.kill_delete(cid)
            reap_orphans()
        res[rt.name] = {"ok": ok, "tries": 3, "errors": errs[:1], "stats": stats(t) if t else None}
    return res


# --- peak RSS of every verb --------------------------------------------------------
def bench_rss(ctx):
    res = {}
    for rt in ctx.rts:
        r = {}

        def timed(verb, args):
            f = os.path.join(ctx.tmp, "rss.out")
            rt.spawn(["/usr/bin/time", "-o", f, "-f", "%M"] + rt.argv(*args))
            with open(f) as fh:
                r.setdefault(verb, []).append(int(fh.read().split()[-1]))
        try:
            for k in range(3):
                cid = "sr-%s-%d" % (rt.name, k)
                timed("run", ["run", "--bundle", ctx.bundle(cid), cid])
                cid = "sr-%s-l%d" % (rt.name, k)
                b = ctx.bundle(cid, args=("/bin/sleep", "100000"))
                timed("create", ["create", "--bundle", b, cid])
                timed("start", ["start", cid])
                timed("exec", ["exec", cid, "/bin/true"])
                timed("kill", ["kill", cid, "KILL"])
                time.sleep(0.05)
                reap_orphans()
                timed("delete", ["delete", "--force", cid])
        except OpError as e:
            r["error"] = str(e)[-300:]
            rt.cleanup_all()
        res[rt.name] = {k: (max(v) if isinstance(v, list) else v) for k, v in r.items()}
    return res


# --- concurrency -------------------------------------------------------------------
def burst(ctx, rt, rnd):
    ids = ["sc-%s-%d-%d" % (rt.name, rnd, j) for j in range(CONC)]
    bundles = [ctx.bundle(c) for c in ids]
    fa = [(os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0),
          (os.POSIX_SPAWN_OPEN, 1, "/dev/null", os.O_WRONLY, 0)]
    errdir = os.path.join(ctx.tmp, "conc-err")
    os.makedirs(errdir, exist_ok=True)
    start, lat, fails = {}, [], []
    t0 = time.perf_counter_ns()
    for cid, b in zip(ids, bundles):
        ef = os.path.join(errdir, cid)
        pid = os.posix_spawn(rt.bin, rt.argv("run", "--bundle", b, cid), os.environ,
                             file_actions=fa + [(os.POSIX_SPAWN_OPEN, 2, ef,
                                                 os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)])
        start[pid] = (time.perf_counter_ns(), cid)
    signal.alarm(120)
    try:
        while start:
            pid, st = os.waitpid(-1, 0)
            if pid not in start:
                continue  # a re-parented orphan
            ts, cid = start.pop(pid)
            lat.append(time.perf_counter_ns() - ts)
            if os.waitstatus_to_exitcode(st) != 0:
                fails.append("%s: %s" % (cid, open(os.path.join(errdir, cid)).read().strip()[-200:]))
    finally:
        signal.alarm(0)
    wall = time.perf_counter_ns() - t0
    for f in fails:
        rt.kill_delete(f.split(":")[0])
    reap_orphans()
    return wall, lat, fails


def bench_concurrent(ctx):
    res = {rt.name: {"walls": [], "lat": [], "fails": []} for rt in ctx.rts}
    for rnd in range(CONC_ROUNDS):
        k = rnd % len(ctx.rts)
        for rt in ctx.rts[k:] + ctx.rts[:k]:
            wall, lat, fails = burst(ctx, rt, rnd)
            r = res[rt.name]
            r["walls"].append(wall)
            r["lat"] += lat
            r["fails"] += fails
    out = {}
    for name, r in res.items():
        ls = sorted(x / 1e6 for x in r["lat"])
        n = len(ls)

        def pct(p):
            return ls[min(n - 1, int(round((n - 1) * p)))]
        walls = sorted(r["walls"])
        out[name] = {"containers": CONC, "rounds": CONC_ROUNDS, "failed": len(r["fails"]),
                     "fail_examples": r["fails"][:3],
                     "throughput_per_s": CONC / (walls[len(walls) // 2] / 1e9),
                     "wall_ms_median": walls[len(walls) // 2] / 1e6,
                     "p50_ms": pct(0.5), "p99_ms": pct(0.99), "max_ms": ls[-1]}
    return out


# --- scaling -------------------------------------------------------------------------
ANNOTATION_LEVELS = [0, 1000, 10000, 100000]


def scale_series(ctx, label, levels, mutate_for):
    series = {rt.name: [] for rt in ctx.rts}
    n = max(5, ctx.n // 2)
    for lv in levels:
        mut = mutate_for(lv)

        def op(rt, i, lv=lv):
            cid = "ss-%s-%s-%s-%d" % (rt.name, label, lv, i)
            return rt.cycle(cid, ctx.bundle(cid, mutate=mut))
        r = interleaved(ctx, ctx.rts, n, 1, op)
        for name, e in r.items():
            series[name].append({"level": lv, **({"median": e["stats"]["median"], "p90": e["stats"]["p90"]}
                                                 if "stats" in e else {"error": e["error"]})})
        log("scale %s=%s done" % (label, lv))
    return series


def mounts_mutator(ctx):
    src = os.path.join(ctx.tmp, "msrc")
    os.makedirs(src, exist_ok=True)
    top = max(MOUNT_LEVELS)
    for k in range(top):  # targets exist in advance: every runtime does the same work
        os.makedirs(os.path.join(ctx.rootfs, "mnt", "m%d" % k), exist_ok=True)

    def for_level(lv):
        def m(c):
            c["mounts"] = c["mounts"] + [{"destination": "/mnt/m%d" % k, "type": "bind", "source": src,
                                          "options": ["bind", "ro", "nosuid", "nodev"]} for k in range(lv)]
        return m
    return for_level


def seccomp_profiles(default):
    denied = ["kexec_load", "reboot", "swapon", "swapoff", "init_module", "delete_module",
              "acct", "settimeofday", "mount", "umount2", "pivot_root"]
    extra = []
    target = 10 * len(default["syscalls"])
    k = 0
    while len(default["syscalls"]) + len(extra) < target:
        extra.append({"names": [denied[k % len(denied)]], "action": "SCMP_ACT_ERRNO", "errnoRet": 38,
                      "args": [{"index": 0, "value": 1000 + k, "op": "SCMP_CMP_EQ"}]})
        k += 1
    x10 = copy.deepcopy(default)
    x10["syscalls"] = default["syscalls"] + extra
    return {"none": None, "default": default, "10x": x10}


def running_series(ctx):
    """Create time with 0/100/500 containers of the same runtime running."""
    series = {rt.name: [] for rt in ctx.rts}
    running = {rt.name: 0 for rt in ctx.rts}
    n = max(5, ctx.n // 2)
    try:
        for lv in RUNNING_LEVELS:
            for rt in ctx.rts:
                while running[rt.name] < lv:
                    cid = "sb-%s-%d" % (rt.name, running[rt.name])
                    rt.create_start(cid, ctx.bundle(cid, args=("/bin/sleep", "100000")))
                    running[rt.name] += 1
                reap_orphans()

            def op(rt, i, lv=lv):
                cid = "ss-%s-run-%s-%d" % (rt.name, lv, i)
                return rt.cycle(cid, ctx.bundle(cid))
            r = interleaved(ctx, ctx.rts, n, 1, op)
            for name, e in r.items():
                series[name].append({"level": lv, **({"median": e["stats"]["median"], "p90": e["stats"]["p90"]}
                                                     if "stats" in e else {"error": e["error"]})})
            log("scale running=%s done" % lv)
    finally:
        for rt in ctx.rts:
            rt.cleanup_all()
    return series


def bench_scale(ctx, profile):
    out = {"mounts": scale_series(ctx, "mnt", MOUNT_LEVELS, mounts_mutator(ctx))}
    profs = seccomp_profiles(profile)

    def sc_for(name):
        def m(c):
            if profs[name] is None:
                c["linux"].pop("seccomp", None)
            else:
                c["linux"]["seccomp"] = profs[name]
        return m
    out["seccomp"] = scale_series(ctx, "sc", list(profs), sc_for)
    out["seccomp_rules"] = {k: (len(v["syscalls"]) if v else 0) for k, v in profs.items()}

    def ann_for(lv):
        def m(c):
            c["annotations"] = {"bench.key.%d" % k: "value-%d" % k for k in range(lv)}
        return m
    # JSON objects must parse in linear time (annotations, sysctl, unified)
    out["annotations"] = scale_series(ctx, "ann", ANNOTATION_LEVELS, ann_for)
    out["running"] = running_series(ctx)
    return out


def main():
    args = sys.argv[1:]
    assert args[0] == "measure"
    opts, specs, i = {}, [], 1
    while i < len(args):
        if args[i].startswith("--"):
            opts[args[i][2:]] = args[i + 1]
            i += 2
        else:
            specs.append(args[i].split("=", 1))
            i += 1
    set_subreaper()
    signal.signal(signal.SIGALRM, _on_alarm)
    # crun keeps one fd per mount: 1000 bind mounts exceed the usual soft
    # limit of 1024 (EMFILE). Engines run with a high limit; so do we, for all.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:  # root may raise the hard limit too
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 65536), max(hard, 65536)))
    except (ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 65536)), hard))
    ctx = Ctx(opts, specs)
    only = opts.get("only", "exec,do,do-rootless,memlimit,rss,concurrent,scale").split(",")
    with open(opts["profile"]) as f:
        profile = json.load(f)
    brick = dict(specs).get("brick")
    res = {"n": ctx.n, "warmup": ctx.warm, "runtimes": [rt.name for rt in ctx.rts]}
    benches = {"exec": lambda: bench_exec(ctx), "do": lambda: bench_do(ctx, brick, profile),
               "do-rootless": lambda: bench_do_rootless(ctx, brick, profile),
               "memlimit": lambda: bench_memlimit(ctx), "rss": lambda: bench_rss(ctx),
               "concurrent": lambda: bench_concurrent(ctx), "scale": lambda: bench_scale(ctx, profile)}
    try:
        for b in only:
            log("%s ..." % b)
            t = time.monotonic()
            try:
                res[b] = benches[b]()
            except (OpError, OSError, ValueError) as e:
                res[b] = {"error": str(e)[:400]}
                log("%s FAILED: %s" % (b, e))
            log("%s done in %.0fs" % (b, time.monotonic() - t))
            with open(opts["out"], "w") as f:
                json.dump(res, f, indent=1)
    finally:
        for rt in ctx.rts:
            rt.cleanup_all()


if __name__ == "__main__":
    main()
