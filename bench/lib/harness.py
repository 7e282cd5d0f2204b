#!/usr/bin/python3
"""Timing harness for bench/run (runs inside bench/lib/in-ns.sh).

harness.py measure --out F --bundle B --tmp D --n N --warmup W NAME=BIN...
harness.py report  --meta META.json --harness F [--hyperfine HF.json]

Every runtime invocation is launched with os.posix_spawn (vfork-style, no
Python-side work between the clock reads and the syscalls) and timed with
time.perf_counter_ns() around spawn+waitpid.  The same harness spawning a
static busybox `true` is reported as the "harness floor".  The harness makes
itself a child subreaper, so after `create` the container's init is
re-parented to it and the end of the container can be awaited exactly with
waitpid() (no polling through `state`).  Runtimes are interleaved
round-robin (rotating the order each iteration) to spread drift evenly.
"""
import ctypes
import json
import os
import signal
import statistics
import sys
import time

PR_SET_CHILD_SUBREAPER = 36
OP_TIMEOUT = int(os.environ.get("BENCH_OP_TIMEOUT", "30"))  # seconds per invocation


class OpError(Exception):
    pass


class Timeout(OpError):
    pass


def _on_alarm(signum, frame):
    raise Timeout("timed out after %ds" % OP_TIMEOUT)


def set_subreaper():
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")


class Spawner:
    def __init__(self, errfile):
        self.errfile = errfile

    def __call__(self, argv):
        """Run argv; return elapsed ns.  Raises OpError on failure."""
        fa = [
            (os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0),
            (os.POSIX_SPAWN_OPEN, 1, "/dev/null", os.O_WRONLY, 0),
            (os.POSIX_SPAWN_OPEN, 2, self.errfile,
             os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600),
        ]
        pid = None
        signal.alarm(OP_TIMEOUT)
        try:
            t0 = time.perf_counter_ns()
            pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=fa)
            _, status = os.waitpid(pid, 0)
            t1 = time.perf_counter_ns()
            signal.alarm(0)
        except Timeout as e:
            if pid:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            raise OpError("%s: %s" % (" ".join(argv), e))
        finally:
            signal.alarm(0)
        rc = os.waitstatus_to_exitcode(status)
        if rc != 0:
            try:
                with open(self.errfile, errors="replace") as f:
                    err = f.read().strip()
            except OSError:
                err = ""
            raise OpError("exit %d: %s: %s" % (rc, " ".join(argv), err[-400:]))
        return t1 - t0


def reap_orphans():
    """Reap re-parented zombies (we are a subreaper).  Untimed."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def wait_exit(pid, timeout=OP_TIMEOUT):
    signal.alarm(OP_TIMEOUT)
    try:
        os.waitpid(pid, 0)
        return
    except ChildProcessError:
        pass
    finally:
        signal.alarm(0)
    # Not our child (should not happen with the subreaper): poll /proc.
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open("/proc/%d/stat" % pid) as f:
                if f.read().rsplit(")", 1)[1].split()[0] in ("Z", "X"):
                    return
        except (FileNotFoundError, ProcessLookupError):
            return
        time.sleep(0.0002)
    raise OpError("container pid %d did not exit within %.0fs" % (pid, timeout))


class Runtime:
    def __init__(self, name, binary, tmp, bundle, tag):
        self.name, self.bin, self.bundle = name, binary, bundle
        self.root = os.path.join(tmp, "root-" + name)
        os.makedirs(self.root, exist_ok=True)
        self.errfile = os.path.join(tmp, "stderr-" + name)
        self.spawn = Spawner(self.errfile)
        self.prefix = "%s-%s" % (tag, name)
        self.error = None

    def argv(self, *args):
        return [self.bin, "--root", self.root] + list(args)

    def op_run(self, i):
        cid = "%s-run-%d" % (self.prefix, i)
        return {"total": self.spawn(self.argv("run", "--bundle", self.bundle, cid))}

    def op_cycle(self, i):
        cid = "%s-cyc-%d" % (self.prefix, i)
        pidfile = os.path.join(self.root, cid + ".pid")
        t0 = time.perf_counter_ns()
        c = self.spawn(self.argv("create", "--bundle", self.bundle,
                                 "--pid-file", pidfile, cid))
        with open(pidfile) as f:
            pid = int(f.read().strip())
        s = self.spawn(self.argv("start", cid))
        tw = time.perf_counter_ns()
        wait_exit(pid)
        w = time.perf_counter_ns() - tw
        d = self.spawn(self.argv("delete", cid))
        total = time.perf_counter_ns() - t0
        os.unlink(pidfile)
        return {"total": total, "create": c, "start": s, "wait": w, "delete": d}

    def force_cleanup(self):
        """Best effort: delete --force every container left in our root."""
        try:
            names = [n for n in os.listdir(self.root)  # '.x': runtime caches, not containers
                     if not n.startswith(".") and os.path.isdir(os.path.join(self.root, n))]
        except OSError:
            return
        for n in names:
            try:
                self.spawn(self.argv("delete", "--force", n))
            except OpError:
                pass
        reap_orphans()

    def peak_rss(self, tmp, reps=3):
        out = []
        for r in range(reps):
            f = os.path.join(tmp, "rss-%s-%d" % (self.name, r))
            cid = "%s-rss-%d" % (self.prefix, r)
            self.spawn(["/usr/bin/time", "-o", f, "-f", "%M"]
                       + self.argv("run", "--bundle", self.bundle, cid))
            with open(f) as fh:
                out.append(int(fh.read().split()[-1]))
            reap_orphans()
        return out


def stats(samples_ns):
    xs = sorted(v / 1e6 for v in samples_ns)
    n = len(xs)
    if n == 0:
        return None

    def pct(p):  # linear interpolation between closest ranks
        k = (n - 1) * p
        lo = int(k)
        hi = min(lo + 1, n - 1)
        return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)

    return {"n": n, "median": pct(0.5), "p90": pct(0.9),
            "mean": statistics.fmean(xs),
            "stddev": statistics.stdev(xs) if n > 1 else 0.0,
            "min": xs[0], "max": xs[-1]}


def measure(opts, specs):
    set_subreaper()
    signal.signal(signal.SIGALRM, _on_alarm)
    tmp, bundle, n, warm = opts["tmp"], opts["bundle"], int(opts["n"]), int(opts["warmup"])
    tag = opts.get("tag", "bb%d" % os.getpid())
    rts = [Runtime(name, b, tmp, bundle, tag) for name, b in specs]
    res = {rt.name: {"binary": rt.bin, "error": None, "ops": {}} for rt in rts}

    # Harness floor: the same spawn+wait of a static `true`.
    floor = Spawner(os.path.join(tmp, "stderr-floor"))
    bb = os.path.join(bundle, "rootfs/bin/busybox")
    fl = []
    for i in range(warm + n):
        t = floor([bb, "true"])
        if i >= warm:
            fl.append(t)

    for op in ("run", "cycle"):
        samples = {rt.name: [] for rt in rts}
        for i in range(warm + n):
            k = i % len(rts) if rts else 0
            for rt in rts[k:] + rts[:k]:
                if rt.error:
                    continue
                try:
                    r = getattr(rt, "op_" + op)(i)
                except (OpError, OSError, ValueError) as e:
                    rt.error = "%s #%d: %s" % (op, i, e)
                    print("harness: %s FAILED: %s" % (rt.name, rt.error), file=sys.stderr)
                    rt.force_cleanup()
                    continue
                if i >= warm:
                    samples[rt.name].append(r)
            reap_orphans()
        for rt in rts:
            s = samples[rt.name]
            if not s or rt.error:
                continue
            entry = {"samples_ns": [x["total"] for x in s], "stats": stats([x["total"] for x in s])}
            if op == "cycle":
                entry["phases"] = {p: stats([x[p] for x in s])
                                   for p in ("create", "start", "wait", "delete")}
            res[rt.name]["ops"][op] = entry
        print("harness: %s done" % op, file=sys.stderr)

    for rt in rts:
        if not rt.error:
            try:
                res[rt.name]["peak_rss_kib"] = rt.peak_rss(tmp)
            except (OpError, OSError, ValueError) as e:
                res[rt.name]["peak_rss_error"] = str(e)
        res[rt.name]["error"] = rt.error
        rt.force_cleanup()

    out = {"n": n, "warmup": warm, "method": "posix_spawn+waitpid, perf_counter_ns, round-robin",
           "floor": {"samples_ns": fl, "stats": stats(fl)}, "runtimes": res}
    with open(opts["out"], "w") as f:
        json.dump(out, f, indent=1)


def fmt_ms(s):
    return "%.2f" % s


def report(opts):
    with open(opts["meta"]) as f:
        meta = json.load(f)
    with open(opts["harness"]) as f:
        h = json.load(f)
    hf = None
    if opts.get("hyperfine") and os.path.exists(opts["hyperfine"]):
        with open(opts["hyperfine"]) as f:
            hf = json.load(f)
    rts = {}
    for name in ("brick", "crun", "runc"):
        if name in meta.get("skipped", {}):
            rts[name] = {"skipped": meta["skipped"][name]}
        elif name in h["runtimes"]:
            rts[name] = h["runtimes"][name]
    L = []
    L.append("# brick benchmark: %s" % meta["date"])
    L.append("")
    L.append("- host: %s, kernel %s, %s CPUs, cgroup v1 hybrid (cgroup2 hidden in a private mount ns)"
             % (meta["host"], meta["kernel"], meta["cpus"]))
    for name in ("brick", "crun", "runc"):
        L.append("- %s: %s" % (name, meta["versions"].get(name, "n/a")))
    L.append("- N = %d measured iterations per runtime and operation (+%d warm-up), runtimes interleaved"
             % (h["n"], h["warmup"]))
    L.append("- bundle: busybox-static rootfs, `/bin/true`, `crun spec` defaults (terminal false, "
             "cgroupsPath `%s`)" % meta.get("cgroups_path", "?"))
    L.append("- harness floor (posix_spawn+wait of static busybox `true`): median %s ms"
             % fmt_ms(h["floor"]["stats"]["median"]))
    L.append("")
    for name, r in rts.items():
        if r.get("skipped"):
            L.append("> **%s skipped**: %s" % (name, r["skipped"]))
        elif r.get("error"):
            L.append("> **%s failed**: %s" % (name, r["error"].replace("\n", " ")[:300]))
    L.append("")

    def base(op):
        c = rts.get("crun", {}).get("ops", {}).get(op)
        return c["stats"] if c else None

    titles = {"run": "(a) `run` of /bin/true (wall ms per op)",
              "cycle": "(b) `create` + `start` + wait for exit + `delete` (wall ms per cycle)"}
    for op in ("run", "cycle"):
        L.append("## " + titles[op])
        L.append("")
        L.append("| runtime | median | p90 | mean ± stddev | min | max | median / crun | mean / crun |")
        L.append("|---|---:|---:|---:|---:|---:|---:|---:|")
        b = base(op)
        for name, r in rts.items():
            e = r.get("ops", {}).get(op)
            if not e:
                L.append("| %s | – | – | – | – | – | – | – |" % name)
                continue
            s = e["stats"]
            rm = "%.2fx" % (s["median"] / b["median"]) if b else "–"
            rmean = "%.2fx" % (s["mean"] / b["mean"]) if b else "–"
            L.append("| %s | %s | %s | %s ± %s | %s | %s | %s | %s |" % (
                name, fmt_ms(s["median"]), fmt_ms(s["p90"]), fmt_ms(s["mean"]),
                fmt_ms(s["stddev"]), fmt_ms(s["min"]), fmt_ms(s["max"]), rm, rmean))
        L.append("")
        if op == "cycle":
            L.append("Per-phase medians (ms):")
            L.append("")
            L.append("| runtime | create | start | wait exit | delete |")
            L.append("|---|---:|---:|---:|---:|")
            for name, r in rts.items():
                e = r.get("ops", {}).get(op)
                if e:
                    p = e["phases"]
                    L.append("| %s | %s | %s | %s | %s |" % (
                        name, fmt_ms(p["create"]["median"]), fmt_ms(p["start"]["median"]),
                        fmt_ms(p["wait"]["median"]), fmt_ms(p["delete"]["median"])))
            L.append("")
    if hf:
        L.append("## Cross-check: hyperfine -N, `run` with a fixed id (ms)")
        L.append("")
        L.append("| runtime | median | mean ± stddev | min | max |")
        L.append("|---|---:|---:|---:|---:|")
        for r in hf["results"]:
            L.append("| %s | %s | %s ± %s | %s | %s |" % (
                r["command"], fmt_ms(r["median"] * 1e3), fmt_ms(r["mean"] * 1e3),
                fmt_ms(r["stddev"] * 1e3), fmt_ms(r["min"] * 1e3), fmt_ms(r["max"] * 1e3)))
        L.append("")
    L.append("## Peak RSS of one `run` (GNU time %M, KiB; max of 3)")
    L.append("")
    L.append("| runtime | peak RSS KiB | / crun |")
    L.append("|---|---:|---:|")
    crss = rts.get("crun", {}).get("peak_rss_kib")
    for name, r in rts.items():
        v = r.get("peak_rss_kib")
        if v:
            ratio = "%.2fx" % (max(v) / max(crss)) if crss else "–"
            L.append("| %s | %d | %s |" % (name, max(v), ratio))
        else:
            L.append("| %s | – | – |" % name)
    L.append("")
    L.append("Raw data: `%s`%s." % (meta.get("raw_harness", "harness.json"),
                                    (", `%s`" % meta["raw_hyperfine"]) if hf else ""))
    print("\n".join(L))


def parse(argv):
    opts, pos, i = {}, [], 0
    while i < len(argv):
        a = argv[i]
        if a.startswith("--"):
            opts[a[2:]] = argv[i + 1]
            i += 2
        else:
            pos.append(a)
            i += 1
    return opts, pos


def main():
    cmd = sys.argv[1]
    opts, pos = parse(sys.argv[2:])
    if cmd == "measure":
        measure(opts, [p.split("=", 1) for p in pos])
    elif cmd == "report":
        report(opts)
    else:
        sys.exit("usage: harness.py measure|report ...")


if __name__ == "__main__":
    main()
