"""The compiled-filter cache under the state root (src/lib/security/seccomp_cache.c):
a hit gives the same filter as a fresh compile, a different profile never
reuses another's program, and a damaged cache file is a miss, not an error.
Functional checks only: no timing assertions."""

import json

from conftest import brick_only


def _allow_all(*extra):
    return {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": list(extra)}


def _deny_mkdir(errno_ret):
    return _allow_all({"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": errno_ret})


def _cache_files(brick):
    d = brick.root / ".seccomp@cache"
    return sorted(p for p in d.iterdir() if not p.name.startswith(".")) if d.is_dir() else []


@brick_only
def test_cache_hit_same_filter(brick, bundle):
    b = bundle()
    b.linux["seccomp"] = _deny_mkdir(122)
    b.sh("mkdir /tmp/x 2>&1; echo rc=$?")
    for _ in range(3):  # miss (compile + store), then hits
        cp = brick.run(b)
        assert "Disk quota exceeded" in cp.stdout and "rc=1" in cp.stdout, cp.stdout + cp.stderr
    assert len(_cache_files(brick)) == 1


@brick_only
def test_cache_distinct_profiles(brick, bundle):
    b = bundle()
    b.sh("mkdir /tmp/x 2>&1; echo rc=$?")
    for errno_ret, text in ((122, "Disk quota exceeded"), (28, "No space left on device"),
                            (122, "Disk quota exceeded")):
        b.linux["seccomp"] = _deny_mkdir(errno_ret)
        cp = brick.run(b)
        assert text in cp.stdout, cp.stdout + cp.stderr
    assert len(_cache_files(brick)) == 2


@brick_only
def test_cache_damaged_file_is_a_miss(brick, bundle):
    b = bundle()
    b.linux["seccomp"] = _deny_mkdir(122)
    b.sh("mkdir /tmp/x 2>&1; echo rc=$?")
    brick.run(b)
    (f,) = _cache_files(brick)
    data = bytearray(f.read_bytes())
    for damage in (lambda d: d[:40], lambda d: d[:-8], lambda d: d[:200] + b"x" * 8 + d[208:],
                   lambda d: d[:-8] + bytes(8)):  # header, length, key, program body
        f.write_bytes(bytes(damage(bytes(data))))
        cp = brick.run(b)
        assert "Disk quota exceeded" in cp.stdout and "rc=1" in cp.stdout, cp.stdout + cp.stderr
    assert f.read_bytes() == bytes(data)  # rewritten by the recompile


@brick_only
def test_no_seccomp_no_cache(brick, bundle):
    b = bundle(["/bin/true"])
    b.linux.pop("seccomp", None)
    brick.run(b)
    assert not (brick.root / ".seccomp@cache").exists()


@brick_only
def test_cache_is_bounded_oldest_out(brick, bundle):
    """Every brick build and kernel makes new keys: the cache keeps the newest
    64 entries, dropping the oldest when a new filter is stored."""
    import os
    d = brick.root / ".seccomp@cache"
    d.mkdir(parents=True, exist_ok=True)
    fake = ["%016x" % i for i in range(70)]
    for i, name in enumerate(fake):
        p = d / name
        p.write_bytes(b"stale")
        os.utime(p, (1000 + i, 1000 + i))
    (d / ".tmpfile.1").write_bytes(b"")  # not an entry: left alone
    b = bundle()
    b.linux["seccomp"] = _deny_mkdir(122)
    b.sh("mkdir /tmp/x 2>&1; echo rc=$?")
    cp = brick.run(b)
    assert "Disk quota exceeded" in cp.stdout, cp.stdout + cp.stderr
    names = {p.name for p in _cache_files(brick)}
    assert len(names) == 64, len(names)
    assert not ({fake[i] for i in range(7)} & names)  # the seven oldest went
    assert fake[-1] in names and (d / ".tmpfile.1").exists()
    cp = brick.run(b)  # the new entry stayed: a hit
    assert "Disk quota exceeded" in cp.stdout
