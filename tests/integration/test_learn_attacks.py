"""Attacks on `brick do --learn` / `brick run --learn` / `--profile-file` (the
security review of i21-learn, branch attack): each test is the attack, and
passes because brick resists it (docs/PROFILES.md)."""
import contextlib
import json
import os
import signal
import subprocess
from pathlib import Path

import pytest

from conftest import brick_only, new_id, wait_for
from test_learn import _children, tracefs_instances

pytestmark = brick_only


def landlock(p):
    return json.loads(p["annotations"]["run.brick.landlock"])


def rule(p, path):
    for r in landlock(p)["fs"]:
        if r["path"] == path:
            return r["access"]
    return None


def learn_cp(brick, path, *cmd, flags=(), env=None):
    cp = brick("do", "--learn", path, *flags, "--", *cmd, env=env)
    assert cp.returncode == 0, cp.stderr
    return cp


def learn(brick, path, *cmd, flags=()):
    learn_cp(brick, path, *cmd, flags=flags)
    return json.loads(Path(path).read_text())


def leftovers(tmp):
    return [n for n in os.listdir(tmp) if n.startswith("brick-learn.")]


def _cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read()
    except OSError:
        return None


def running(brick, cid):
    cp = brick("state", cid)
    return cp.returncode == 0 and json.loads(cp.stdout)["status"] == "running"


def _supervisor(p):
    """The forked copy of brick do (brick's init wipes its own command line)."""
    return [c for c in _children(p.pid) if _cmdline(c) == _cmdline(p.pid)]


# 1. Host file deletion ---------------------------------------------------

@pytest.fixture
def small_tmpfs(workdir):
    d = workdir / "shared"
    d.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(d)], check=True)
    yield d
    subprocess.run(["umount", "-l", str(d)], check=False)


def test_failed_write_unlinks_through_a_swapped_directory(brick, workdir, small_tmpfs):
    """The container fills the shared file system (the profile's write gets
    ENOSPC) and swaps FILE's directory for a symlink to a host directory:
    brick must not remove the host file of the same name there."""
    victim_dir = workdir / "victim"
    victim_dir.mkdir()
    (victim_dir / "p.json").write_text("host file\n")
    sub = small_tmpfs / "sub"
    sub.mkdir()
    script = (f"mv {sub} {small_tmpfs}/old && ln -s {victim_dir} {sub} && "
              f"dd if=/dev/zero of={small_tmpfs}/fill bs=4k 2>/dev/null; true")
    cp = brick("do", "-v", f"{small_tmpfs}:{small_tmpfs}", "--learn", sub / "p.json", "--", "sh", "-c", script)
    assert cp.returncode != 0 and "could not be written" in cp.stderr, cp.stderr
    assert (victim_dir / "p.json").read_text() == "host file\n", ("host file removed", cp.stderr)


# 2. The bundle's own seccomp agent ---------------------------------------

def _agent_bundle(brick, workdir, bundle, listener=True):
    default = json.loads(brick.ok("do", "--print-spec", "--", "true").stdout)["linux"]["seccomp"]
    for r in default["syscalls"]:
        if r["action"] == "SCMP_ACT_ALLOW":
            r["names"] = [n for n in r["names"] if n not in ("mkdir", "mkdirat")]
    default["syscalls"].append({"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_NOTIFY"})
    if listener:
        default["listenerPath"] = str(workdir / "agent.sock")  # an agent that would say no
    b = bundle(["/bin/sh", "-c", "mkdir /tmp/made && echo made"])
    b.config["process"]["noNewPrivileges"] = True
    b.config["linux"]["seccomp"] = default
    b.write()
    return b


def test_run_learn_answers_the_bundles_agent_calls(brick, workdir, bundle):
    """A bundle routing mkdir to its own seccomp agent: `brick run --learn`
    would answer those calls CONTINUE in the agent's place (and learn them
    as ALLOW). Refused, naming the flag and the JSON path."""
    b = _agent_bundle(brick, workdir, bundle)
    cp = brick.run(b)
    assert "made" not in cp.stdout  # without the agent: refused (does not start)
    cp = brick("run", "--learn", workdir / "p.json", "--bundle", b.path, new_id())
    assert "made" not in cp.stdout, ("the agent's call ran under --learn", cp.stderr)
    assert cp.returncode != 0 and "--learn" in cp.stderr and "linux.seccomp.listenerPath" in cp.stderr, cp.stderr
    assert not (workdir / "p.json").exists() or not (workdir / "p.json").read_text().strip()


def test_run_learn_answers_notify_rules_without_a_listener(brick, workdir, bundle):
    """SCMP_ACT_NOTIFY rules alone (no listenerPath): refused too, naming the rule."""
    b = _agent_bundle(brick, workdir, bundle, listener=False)
    cp = brick("run", "--learn", workdir / "p.json", "--bundle", b.path, new_id())
    assert "made" not in cp.stdout, cp.stderr
    assert cp.returncode != 0 and "--learn" in cp.stderr and "linux.seccomp.syscalls[" in cp.stderr, cp.stderr


def test_run_profile_file_replaces_the_bundles_agent(brick, workdir, bundle):
    """--profile-file would replace the bundle's linux.seccomp (and its agent) by the file's: refused."""
    learn(brick, workdir / "l.json", "sh", "-c", "mkdir /tmp/made")
    b = _agent_bundle(brick, workdir, bundle)
    cp = brick("run", "--profile-file", workdir / "l.json", "--bundle", b.path, new_id())
    assert "made" not in cp.stdout, cp.stderr
    assert cp.returncode != 0 and "--profile-file" in cp.stderr and "listenerPath" in cp.stderr, cp.stderr


# 3. The bundle's own Landlock policy -------------------------------------

def test_profile_file_replaces_the_bundles_landlock_policy(brick, bundle, workdir):
    """`brick run --profile-file P` of a bundle with its own run.brick.landlock:
    P's (wider) policy must not replace it: refused, naming both."""
    b = bundle(["/bin/sh", "-c", "echo x > /tmp/w && echo wrote"])
    b.config.setdefault("annotations", {})["run.brick.landlock"] = json.dumps(
        {"fs": [{"path": "/", "access": ["read", "execute"]}]})
    b.write()
    cp = brick.run(b)
    assert "wrote" not in cp.stdout  # the bundle's own policy: no writes
    lp = workdir / "l.json"
    learn(brick, lp, "sh", "-c", "echo x > /tmp/w")  # a learned profile: may write /tmp
    cp = brick("run", "--profile-file", lp, "--bundle", b.path, new_id())
    assert "wrote" not in cp.stdout, cp.stdout + cp.stderr
    assert cp.returncode != 0 and "--profile-file" in cp.stderr and "run.brick.landlock" in cp.stderr, cp.stderr


# 4. Over-granted Landlock rules ------------------------------------------

def test_mkdir_p_learns_create_on_the_whole_tree(brick, workdir):
    """`mkdir -p /tmp/a/b` tries mkdir("/tmp") first (EEXIST): no `create` on "/"."""
    cp = learn_cp(brick, workdir / "p.json", "mkdir", "-p", "/tmp/a/b")
    p = json.loads((workdir / "p.json").read_text())
    assert rule(p, "/") is None, landlock(p)
    assert "create" in (rule(p, "/tmp") or []), landlock(p)  # what it did make
    assert "warning" not in cp.stderr, cp.stderr
    cp = brick("do", "--profile-file", workdir / "p.json", "--", "mkdir", "-p", "/tmp/a/b")
    assert cp.returncode == 0, cp.stderr


def test_symlink_over_an_existing_name_learns_create(brick, workdir):
    """symlink()/mknod()/link() onto a name that is there fail with EEXIST: nothing learned."""
    py = ("import os\nfor f in (lambda: os.symlink('x', '/tmp'), lambda: os.link('/etc/passwd', '/etc'),\n"
          "          lambda: os.mkfifo('/tmp')):\n try: f()\n except OSError as e: print(e.errno)\n")
    p = learn(brick, workdir / "p.json", "python3", "-c", py)
    assert rule(p, "/") is None, landlock(p)
    assert "create" not in (rule(p, "/etc") or []), landlock(p)


def test_one_failed_write_learns_write_on_all_of_usr(brick, workdir):
    """open("/usr/lib/os-release", O_RDWR) failing with EROFS: no `write` on
    /usr (and none beneath it); a read stays collapsed to /usr."""
    py = "try: open('/usr/lib/os-release', 'r+')\nexcept OSError as e: print('failed', e.errno)"
    p = learn(brick, workdir / "p.json", "python3", "-c", py)
    assert all("write" not in r["access"] for r in landlock(p)["fs"] if r["path"].startswith("/usr")), landlock(p)


def test_write_beneath_a_system_directory_stays_on_its_directory(brick, workdir):
    """A write that can succeed beneath a system directory (a writable bind on
    /opt/w) is learned on the file's directory, never on /opt."""
    d = workdir / "w"
    d.mkdir()
    (d / "f").write_text("x")
    p = learn(brick, workdir / "p.json", "sh", "-c", "echo y >> /opt/w/f", flags=("-v", f"{d}:/opt/w"))
    assert "write" not in (rule(p, "/opt") or []), landlock(p)
    assert "write" in (rule(p, "/opt/w") or []), landlock(p)


def test_directory_opened_for_fsync_learns_read_on_the_parent(brick, workdir):
    """open(dir, O_RDONLY) without O_DIRECTORY: read-dir on the directory,
    not read-file on its parent; the profile runs the program again."""
    py = ("import os; os.makedirs('/tmp/d/e', exist_ok=True); fd = os.open('/tmp/d/e', os.O_RDONLY); "
          "os.fsync(fd); print('ok')")
    p = learn(brick, workdir / "p.json", "python3", "-c", py)
    assert "read-file" not in (rule(p, "/tmp/d") or []), landlock(p)
    assert "read-file" not in (rule(p, "/tmp") or []), landlock(p)
    cp = brick("do", "--profile-file", workdir / "p.json", "--", "python3", "-c", py)
    assert cp.returncode == 0 and "ok" in cp.stdout, cp.stderr


def test_existing_directory_opened_learns_read_dir_on_itself(brick, workdir):
    """os.open('/etc', O_RDONLY) (no O_DIRECTORY): read-dir on /etc, and no read-dir on /."""
    p = learn(brick, workdir / "p.json", "python3", "-c", "import os; os.open('/srv', os.O_RDONLY)")
    assert "read-dir" in (rule(p, "/srv") or []), landlock(p)
    assert "read-dir" not in (rule(p, "/") or []), landlock(p)


def test_rule_on_root_is_learned_silently(brick, workdir):
    """A learned rule on "/" (here: `ls /`) covers everything: brick says so on stderr."""
    cp = learn_cp(brick, workdir / "p.json", "ls", "/")
    p = json.loads((workdir / "p.json").read_text())
    assert rule(p, "/") is not None, landlock(p)
    assert "warning" in cp.stderr and "on / (read-dir" in cp.stderr, cp.stderr


# 5. Socket family flood ----------------------------------------------------

def test_bogus_socket_families_bloat_the_learned_profile(brick, workdir):
    """2000 failing socket(1000+i): no rule for a family >= AF_MAX; a real family is still learned."""
    py = ("import socket\nfor i in range(2000):\n try: socket.socket(1000 + i, 1, 0)\n except OSError: pass\n"
          "socket.socket(socket.AF_UNIX, socket.SOCK_STREAM).close()\n")
    p = learn(brick, workdir / "p.json", "python3", "-c", py)
    fams = [r["args"][0]["value"] for r in p["syscalls"] if r["names"] == ["socket"] and r.get("args")]
    assert all(f < 64 for f in fams), f"{len(fams)} socket rules, e.g. {fams[-3:]}"
    assert 1 in fams, fams


# 6. The supervisor killed, brick do killed ---------------------------------

@contextlib.contextmanager
def learning(brick, workdir, *cmd):
    """brick do --learn in the background, with a $TMPDIR of its own: (process, tmp, id)."""
    tmp = workdir / "tmp"
    tmp.mkdir()
    cid = new_id()
    p = brick.popen("do", "--name", cid, "--learn", workdir / "k.json", "--", *cmd,
                    env={**os.environ, "TMPDIR": str(tmp)})
    try:
        yield p, tmp, cid
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        brick("delete", "-f", cid)


def ends(p, timeout):
    try:
        _, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        pytest.fail("brick do still running after its command ended")
    return err


def test_supervisor_killed_leaves_a_spinning_init_and_a_tracefs_instance(brick, workdir):
    """SIGKILL of the supervisor: brick do still ends, and neither its tracefs
    instance nor its $TMPDIR/brick-learn.* directory is left."""
    with learning(brick, workdir, "sleep", "2") as (p, tmp, cid):
        # the run under way (the notify fd handed over: the init's own copy closed)
        assert wait_for(lambda: _supervisor(p) and leftovers(tmp) and running(brick, cid), timeout=10)
        sup = _supervisor(p)[0]
        assert f"brick-learn-{sup}" in tracefs_instances()
        os.kill(sup, signal.SIGKILL)
        ends(p, 15)
        assert f"brick-learn-{sup}" not in tracefs_instances(), "tracefs instance left behind"
        assert not leftovers(tmp), leftovers(tmp)


@pytest.mark.parametrize("attempt", range(3))
def test_supervisor_killed_before_the_hand_off_hangs_the_run(brick, workdir, attempt):
    """SIGKILL of the supervisor as soon as it is forked, before the init
    handed it the notify fd: brick do ends with an error, and leaves
    nothing in $TMPDIR."""
    with learning(brick, workdir, "true") as (p, tmp, cid):
        assert wait_for(lambda: _supervisor(p) and leftovers(tmp), timeout=10, interval=0.002)
        os.kill(min(_supervisor(p)), signal.SIGKILL)  # the first child: the supervisor
        err = ends(p, 20)
        assert p.returncode != 0, err
        assert not leftovers(tmp), leftovers(tmp)


def test_brick_do_killed_leaves_its_socket_directory(brick, workdir):
    """SIGKILL of brick do: the supervisor serves to the end, writes FILE and
    removes its $TMPDIR/brick-learn.* directory itself."""
    prof = workdir / "k.json"
    with learning(brick, workdir, "sleep", "2") as (p, tmp, cid):
        assert wait_for(lambda: _supervisor(p) and leftovers(tmp) and running(brick, cid), timeout=10)
        p.kill()
        p.wait(timeout=10)
        assert wait_for(lambda: prof.exists() and prof.stat().st_size > 0, timeout=20)
        assert wait_for(lambda: not leftovers(tmp), timeout=10), leftovers(tmp)


def test_learn_run_leaves_nothing_in_tmpdir(brick, workdir):
    """An ordinary learning run, and one that fails before its filter: nothing left in $TMPDIR."""
    tmp = workdir / "tmp"
    tmp.mkdir()
    env = {**os.environ, "TMPDIR": str(tmp)}
    learn_cp(brick, workdir / "a.json", "true", env=env)
    cp = brick("do", "--learn", workdir / "b.json", "--", "/no/such/binary", env=env)
    assert cp.returncode != 0
    assert not leftovers(tmp), leftovers(tmp)


# 7. Escaping, hostile files -------------------------------------------------

def test_profile_diff_prints_forged_lines(brick, workdir):
    """A directory name with newlines (one the container can reach: here a
    bind of a host directory), learned as a rule path, must not forge lines
    of `brick profile diff` ("- capability CAP_SYS_ADMIN")."""
    host = workdir / "h"
    (host / "ok\n- capability CAP_SYS_ADMIN\n- landlock / write").mkdir(parents=True)
    py = "import os\nd = [n for n in os.listdir('/srv/h') if n.startswith('ok')][0]\nopen('/srv/h/' + d + '/f', 'w').close()"
    learn(brick, workdir / "a.json", "true")
    p = learn(brick, workdir / "b.json", "python3", "-c", py, flags=("-v", f"{host}:/srv/h"))
    assert any("\n" in r["path"] for r in landlock(p)["fs"]), landlock(p)  # the attack is in the file
    cp = brick("profile", "diff", workdir / "a.json", workdir / "b.json")
    lines = cp.stdout.splitlines()
    assert "- capability CAP_SYS_ADMIN" not in lines and "- landlock / write" not in lines, cp.stdout
    assert all(ln[:2] in ("- ", "+ ") for ln in lines), cp.stdout
    assert "+ landlock /srv/h/ok\\n- capability CAP_SYS_ADMIN\\n- landlock  write" in lines, cp.stdout


def test_non_utf8_path_keeps_the_file_usable(brick, workdir):
    """A file name that is not UTF-8: the written profile parses (brick and json.loads)."""
    py = "import os; os.makedirs(b'/tmp/\\xff\\xfe', exist_ok=True); open(b'/tmp/\\xff\\xfe/f', 'wb').close()"
    cp = brick("do", "--learn", workdir / "p.json", "--", "python3", "-c", py)
    assert cp.returncode == 0, cp.stderr
    raw = (workdir / "p.json").read_bytes()
    json.loads(raw.decode("utf-8"))
    cp = brick("do", "--profile-file", workdir / "p.json", "--", "python3", "-c", py)
    assert cp.returncode == 0, cp.stderr


@pytest.mark.parametrize("bad", ["notjson", "huge", "cap", "relpath", "llparse", "annotype", "errno", "errno0",
                                 "errnostr"])
def test_hostile_profile_file_fails_naming_the_flag(brick, workdir, bad):
    base = {"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["execve"], "action": "SCMP_ACT_ALLOW"}]}
    f = workdir / "bad.json"
    if bad == "notjson":
        f.write_text('{"defaultAction": ')
    elif bad == "huge":
        f.write_text('{"defaultAction": "SCMP_ACT_ERRNO", "x": "' + "a" * (64 << 20) + '"}')
    else:
        ann = {"cap": {"run.brick.capabilities": "CAP_SYS_ADMIN,CAP_EVIL"},
               "relpath": {"run.brick.landlock": json.dumps({"fs": [{"path": "../..", "access": ["read"]}]})},
               "llparse": {"run.brick.landlock": '{"fs": [{'},
               "annotype": {"run.brick.landlock": ["x"]}}.get(bad, {})
        if bad.startswith("errno"):
            base["defaultErrnoRet"] = {"errno": 99999999999, "errno0": 0, "errnostr": "EPERM"}[bad]
        base["annotations"] = ann
        f.write_text(json.dumps(base))
    cp = brick("do", "--profile-file", f, "--", "true", timeout=60)
    assert cp.returncode != 0 and "--profile-file" in cp.stderr, (cp.returncode, cp.stderr[-500:])
    assert "Traceback" not in cp.stderr and cp.returncode < 128, cp.stderr
