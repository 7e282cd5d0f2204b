"""A runtime killed at any instant (kill -9, an OOM kill) must leave nothing
that `delete -f` cannot remove: create records what it is about to make (the
state directory, the cgroup directories) before making it. The campaign:
kill -9 at random instants of create, run, exec and delete, then delete -f,
and count what is left — state, cgroup directories, processes (found by the
test tag every container process carries) — for every container. Heavy: run
once, against the release build (skipped under the sanitizer build)."""
import os
import random
import subprocess
import time
from pathlib import Path

import pytest

from conftest import brick_only, heavy, hierarchies, new_id, pid_alive, procs_where, run_cmd, wait_for

pytestmark = [brick_only, heavy]


def _cgroup_dirs(cid):
    out = []
    for h in hierarchies():
        out += [str(p) for p in h.glob(f"**/{cid}") if p.is_dir()]
    return out


def _tagged(tag):
    return procs_where("environ", lambda f: f"BRICK_TEST_TAG={tag}".encode() in f)


def _kill_at_random(argv, max_delay, env=None):
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True, env=env)
    time.sleep(random.uniform(0, max_delay))
    p.kill()  # the brick process only, by pid: its children are on their own
    p.wait()


def _leftovers(brick, cid, tag):
    left = []
    if (brick.root / cid).exists():
        left.append(f"state of {cid}")
    left += _cgroup_dirs(cid)
    procs = [p for p in _tagged(tag) if pid_alive(p)]
    if procs:
        left.append(f"processes {procs}")
    return left


def _campaign(brick, b, n, start, max_delay, workdir):
    b.write()
    tag = workdir.name
    base = [brick.binary, "--root", str(brick.root)]
    env = dict(os.environ, BRICK_TEST_TAG=tag)
    debris = []
    random.seed(int.from_bytes(os.urandom(4), "little"))
    for _ in range(n):
        cid = new_id()
        start(base, cid, env, max_delay)
        cp = run_cmd(base + ["delete", "-f", cid], timeout=30)
        assert cp.returncode in (0, 1), cp.stderr
        # the container's last processes may still be exiting after SIGKILL
        wait_for(lambda: not _leftovers(brick, cid, tag), 5)
        left = _leftovers(brick, cid, tag)
        if left:
            debris.append((cid, left))
    assert not debris, f"{len(debris)} of {n} killed commands left debris after delete -f: {debris[:5]}"


def test_kill9_during_create(brick, bundle, workdir):
    b = bundle(["/bin/sleep", "60"])
    _campaign(brick, b, 200, lambda base, cid, env, d: _kill_at_random(
        base + ["create", "--bundle", str(b.path), cid], d, env), 0.030, workdir)


def test_kill9_during_run(brick, bundle, workdir):
    b = bundle(["/bin/sleep", "60"])
    _campaign(brick, b, 60, lambda base, cid, env, d: _kill_at_random(
        base + ["run", "--bundle", str(b.path), cid], d, env), 0.040, workdir)


def test_kill9_during_exec(brick, bundle, workdir):
    b = bundle(["/bin/sleep", "60"])

    def start(base, cid, env, d):
        subprocess.run(base + ["run", "-d", "--bundle", str(b.path), cid], env=env, check=True,
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, timeout=30)
        _kill_at_random(base + ["exec", cid, "/bin/sleep", "60"], d, env)
    _campaign(brick, b, 60, start, 0.030, workdir)


def test_kill9_during_delete(brick, bundle, workdir):
    b = bundle(["/bin/sleep", "60"])

    def start(base, cid, env, d):
        subprocess.run(base + ["run", "-d", "--bundle", str(b.path), cid], env=env, check=True,
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, timeout=30)
        _kill_at_random(base + ["delete", "-f", cid], d, env)
    _campaign(brick, b, 60, start, 0.040, workdir)
