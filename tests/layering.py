#!/usr/bin/env python3
"""The include rules of docs/ARCHITECTURE.md, checked on every build (a meson
build step: an upward include fails the build): dependencies flow one way, and no two files of
src/ depend on each other.

  core <- spec <- {state, ns, rootfs, cgroup, security, process, hooks} <- runtime
  compose (the front end that builds specs) uses the library's modules, not runtime/
  cli uses <brick/brick.h>, compose/, core/ and the JSON adapter (spec/json.h) only

A unit is a .c file with its own .h; a header without a .c of its own
(internal.h) belongs to whoever includes it. Prints each violation; exit 1
when there is one."""

import os
import re
import sys

LOWER = {"core", "spec"}
PIECES = {"state", "ns", "rootfs", "cgroup", "security", "process", "hooks"}
ALLOWED = {
    "core": set(),
    "spec": {"core"},
    **{p: LOWER for p in PIECES},
    "runtime": LOWER | PIECES,
    "compose": LOWER | PIECES,
    "cli": {"compose", "core", "spec/json.h"},
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def module(path):
    parts = path.split(os.sep)
    return parts[2] if parts[1] == "lib" else parts[1]


def resolve(src, name):
    for base in ("src/lib", "src", "."):
        p = os.path.normpath(os.path.join(base, name))
        if os.path.isfile(p):
            return p
    return None  # generated (brick-config.h) or system


def main(top):
    os.chdir(top)
    files = [os.path.join(d, f) for d, _, fs in os.walk("src") for f in fs if f.endswith((".c", ".h"))]
    includes = {f: [r for r in (resolve(f, n) for n in INCLUDE.findall(open(f).read())) if r] for f in files}
    bad = []
    for f, incs in sorted(includes.items()):
        m = module(f)
        for inc in incs:
            t = module(inc) if inc.startswith("src" + os.sep) else None
            if t is None or t == m:
                continue
            rel = os.path.relpath(inc, "src/lib") if inc.startswith("src/lib") else os.path.relpath(inc, "src")
            if t not in ALLOWED.get(m, set()) and rel not in ALLOWED.get(m, set()):
                bad.append(f"{f}: includes {rel}: {m}/ may not depend on {t}/")

    # unit-level circles: x.c/x.h is one unit; a header with no .c is transparent
    def unit(p):
        stem = os.path.splitext(p)[0]
        return stem if os.path.isfile(stem + ".c") else None

    def deps(f, seen):
        for inc in includes.get(f, []):
            if inc in seen:
                continue
            seen.add(inc)
            u = unit(inc)
            if u is not None:
                yield u
            else:
                yield from deps(inc, seen)

    edges = {}
    for f in files:
        u = unit(f)
        if u is not None:
            edges.setdefault(u, set()).update(d for d in deps(f, {f}) if d != u)
    index, low, stack, on, n = {}, {}, [], set(), [0]

    def visit(v):
        index[v] = low[v] = n[0]
        n[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                bad.append("include circle: " + " <-> ".join(sorted(comp)))

    sys.setrecursionlimit(10000)
    for v in sorted(edges):
        if v not in index:
            visit(v)
    for b in bad:
        print(b)
    summary = f"{len(files)} files, {sum(map(len, includes.values()))} includes, {len(bad)} violations"
    print(summary)
    return 1 if bad else 0


if __name__ == "__main__":
    # layering.py [TOP [STAMP]]: STAMP is written when the tree follows the rules (meson's build step)
    top = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".")
    stamp = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else None
    rc = main(top)
    if rc == 0 and stamp:
        open(stamp, "w").write("ok\n")
    sys.exit(rc)
