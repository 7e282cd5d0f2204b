#!/usr/bin/python3
"""report.py --harness H.json --suite S.json --png OUT.png [--dat DIR]

Markdown for the extended comparisons (suite.py) on stdout, a summary table of
every target (brick / crun) first, and a PNG chart drawn with gnuplot.
"""
import json
import os
import subprocess
import sys


def med(e):
    return e["stats"]["median"] if e and "stats" in e and e["stats"] else None


def f2(x):
    return "–" if x is None else "%.2f" % x


def ratio(a, b):
    return "–" if a is None or b is None or not b else "%.2fx" % (a / b)


def main():
    o = dict(zip(sys.argv[1::2], sys.argv[2::2]))
    h = json.load(open(o["--harness"]))
    s = json.load(open(o["--suite"])) if os.path.exists(o.get("--suite", "")) else {}
    H = h["runtimes"]
    L = []
    # ---- summary of targets ----
    L += ["## Summary: brick vs crun (medians, same run, target ≤ 0.60x)", "",
          "| comparison | brick ms | crun ms | brick / crun |", "|---|---:|---:|---:|"]
    rows = []
    for op, title in (("run", "`run` /bin/true"), ("cycle", "create + start + delete")):
        b = H.get("brick", {}).get("ops", {}).get(op)
        c = H.get("crun", {}).get("ops", {}).get(op)
        rows.append((title, med(b), med(c)))
    ex = s.get("exec", {})
    rows.append(("`exec` /bin/true", med(ex.get("brick")), med(ex.get("crun"))))
    for t, b, c in rows:
        L.append("| %s | %s | %s | %s |" % (t, f2(b), f2(c), ratio(b, c)))
    do = s.get("do", {})
    if "skipped" in do:
        L.append("| `brick do -- true` vs bwrap | skipped: %s | | |" % do["skipped"])
    elif do.get("brick do"):
        L.append("| `brick do -- true` vs **bwrap** | %s | %s (bwrap) | %s |" % (
            f2(med(do["brick do"])), f2(med(do.get("bwrap"))), ratio(med(do["brick do"]), med(do.get("bwrap")))))
    dr = s.get("do-rootless", {})
    if dr.get("brick do") and "stats" in dr["brick do"]:
        L.append("| `brick do -- true` vs **bwrap**, both unprivileged | %s | %s (bwrap) | %s |" % (
            f2(med(dr["brick do"])), f2(med(dr.get("bwrap"))), ratio(med(dr["brick do"]), med(dr.get("bwrap")))))
    elif dr:
        L.append("| `brick do -- true` vs bwrap, unprivileged | %s | | |" % (
            dr.get("skipped") or dr.get("error") or (dr.get("brick do") or {}).get("error", "?"))[:200])
    L.append("")
    # ---- exec ----
    if ex:
        L += ["## exec of /bin/true into a running container (wall ms)", "",
              "| runtime | median | p90 | mean ± sd | / crun |", "|---|---:|---:|---:|---:|"]
        for name, e in ex.items():
            if "stats" in e:
                st = e["stats"]
                L.append("| %s | %s | %s | %s ± %s | %s |" % (name, f2(st["median"]), f2(st["p90"]),
                         f2(st["mean"]), f2(st["stddev"]), ratio(st["median"], med(ex.get("crun")))))
            else:
                L.append("| %s | failed: %s | | | |" % (name, e.get("error", "?")[:200]))
        L.append("")
    if do and "skipped" not in do and "error" not in do:
        L += ["## `brick do -- true` vs bubblewrap (wall ms)", "",
              "bwrap: `%s` with the brick default seccomp profile compiled to BPF "
              "(python3-seccomp). bwrap puts nothing in a cgroup." % do["argv"]["bwrap"], "",
              "| tool | median | p90 | / bwrap |", "|---|---:|---:|---:|"]
        for name in ("brick do", "bwrap"):
            e = do.get(name, {})
            if "stats" in e:
                L.append("| %s | %s | %s | %s |" % (name, f2(med(e)), f2(e["stats"]["p90"]),
                                                    ratio(med(e), med(do.get("bwrap")))))
            else:
                L.append("| %s | failed: %s | | |" % (name, e.get("error", "?")[:200]))
        L.append("")
    elif "skipped" in do:
        L += ["> **do vs bwrap skipped**: %s" % do["skipped"], ""]
    # ---- memory limit ----
    ml = s.get("memlimit")
    if ml:
        L += ["## `run` under linux.resources.memory.limit = 524288 (512 KiB)", "",
              "| runtime | started | median ms | first error |", "|---|---:|---:|---|"]
        for name, r in ml.items():
            L.append("| %s | %d/%d | %s | %s |" % (name, r["ok"], r["tries"], f2(med(r)),
                                                  (r["errors"] or [""])[0].replace("\n", " ")[:160]))
        L.append("")
    # ---- rss ----
    rs = s.get("rss")
    if rs:
        verbs = ["run", "create", "start", "exec", "kill", "delete"]
        L += ["## Peak RSS per verb (GNU time %M, KiB, max of 3; `run` includes the container init it reaps)", "",
              "| runtime | " + " | ".join(verbs) + " |", "|---|" + "---:|" * len(verbs)]
        for name, r in rs.items():
            L.append("| %s | %s |" % (name, " | ".join(str(r.get(v, "–")) for v in verbs)))
        L.append("")
    # ---- concurrency ----
    cc = s.get("concurrent")
    if cc:
        L += ["## Concurrency: containers `run` at the same time (one runtime at a time)", "",
              "| runtime | containers × rounds | failed | throughput /s | burst wall ms | p50 ms | p99 ms |",
              "|---|---:|---:|---:|---:|---:|---:|"]
        for name, r in cc.items():
            L.append("| %s | %d × %d | %d | %.1f | %.0f | %.1f | %.1f |" % (
                name, r["containers"], r["rounds"], r["failed"], r["throughput_per_s"], r["wall_ms_median"],
                r["p50_ms"], r["p99_ms"]))
        for name, r in cc.items():
            for ex_ in r.get("fail_examples", []):
                L.append("> %s failure: %s" % (name, ex_.replace("\n", " ")[:200]))
        L.append("")
    # ---- scaling ----
    sc = s.get("scale")
    if sc and "error" not in sc:
        L += ["## Scaling: `create` median ms (p90) vs ...", ""]
        for key, title in (("mounts", "extra bind mounts"), ("seccomp", "seccomp profile (rules: %s)" %
                           ", ".join("%s=%s" % kv for kv in sc.get("seccomp_rules", {}).items())),
                           ("running", "containers of the same runtime already running"),
                           ("annotations", "annotations in config.json")):
            ser = sc.get(key, {})
            names = list(ser)
            if not names:
                continue
            levels = [p["level"] for p in ser[names[0]]]
            L += ["**%s**" % title, "", "| runtime | " + " | ".join(str(x) for x in levels) + " |",
                  "|---|" + "---:|" * len(levels)]
            for name in names:
                L.append("| %s | %s |" % (name, " | ".join(
                    ("%s (%s)" % (f2(p["median"]), f2(p["p90"]))) if "median" in p else "failed"
                    for p in ser[name])))
            L.append("")
    print("\n".join(L))
    if o.get("--png"):
        chart(h, s, o["--png"], o.get("--dat", os.path.dirname(o["--png"])))


def chart(h, s, png, datdir):
    H = h["runtimes"]
    names = [n for n in ("brick", "crun", "runc") if n in H]
    bars = [("run", lambda n: med(H[n].get("ops", {}).get("run"))),
            ("create+start+delete", lambda n: med(H[n].get("ops", {}).get("cycle"))),
            ("exec", lambda n: med(s.get("exec", {}).get(n)))]
    dat = os.path.join(datdir, "chart-latency.dat")
    with open(dat, "w") as f:
        f.write("# op " + " ".join(names) + "\n")
        for t, fn in bars:
            f.write('"%s" %s\n' % (t, " ".join(f2(fn(n)) if fn(n) is not None else "NaN" for n in names)))
    sc = s.get("scale", {})
    files = {}
    for key in ("mounts", "seccomp", "running"):
        ser = sc.get(key) if isinstance(sc, dict) else None
        if not ser:
            continue
        p = os.path.join(datdir, "chart-scale-%s.dat" % key)
        rn = list(ser)
        with open(p, "w") as f:
            f.write("# level " + " ".join(rn) + "\n")
            for i, pt in enumerate(ser[rn[0]]):
                f.write('"%s" %s\n' % (pt["level"], " ".join(
                    f2(ser[r][i].get("median")) if ser[r][i].get("median") is not None else "NaN" for r in rn)))
        files[key] = (p, rn)
    g = ['set terminal pngcairo size 1400,900 font "DejaVu Sans,11"', 'set output "%s"' % png,
         "set multiplot layout 2,2 title \"brick vs crun%s: median wall ms (lower is better)\"" %
         (" vs runc" if "runc" in names else ""),
         "set style data histograms", "set style histogram clustered gap 1", "set style fill solid 0.8 border -1",
         "set key top left", "set grid ytics", "set yrange [0:*]", 'set ylabel "ms"',
         'set title "start-up latency (bench/run)"',
         "plot " + ", ".join('"%s" using %d:xtic(1) title "%s"' % (dat, i + 2, n) for i, n in enumerate(names))]
    titles = {"mounts": "create vs number of bind mounts", "seccomp": "create vs seccomp profile",
              "running": "create vs containers already running"}
    for key in ("mounts", "seccomp", "running"):
        if key not in files:
            continue
        p, rn = files[key]
        failed = any("NaN" in line for line in open(p).read().splitlines()[1:])
        g += ['set title "%s%s"' % (titles[key], " (no bar: that runtime failed)" if failed else "")]
        g += ["plot " + ", ".join('"%s" using %d:xtic(1) title "%s"' % (p, i + 2, r) for i, r in enumerate(rn))]
    g += ["unset multiplot"]
    gp = os.path.join(datdir, "chart.gp")
    with open(gp, "w") as f:
        f.write("\n".join(g) + "\n")
    r = subprocess.run(["gnuplot", gp], capture_output=True, text=True)
    if r.returncode != 0:
        print("report: gnuplot failed: %s" % r.stderr[-300:], file=sys.stderr)


if __name__ == "__main__":
    main()
