"""list, state, spec, --version, help, unknown flags, --log."""
import json
import os
import re
import subprocess
from datetime import datetime

import pytest

from conftest import BRICK, IS_BRICK, brick_only, new_id, run_cmd

NAME = os.path.basename(BRICK)
STATE_KEYS = {"ociVersion", "id", "pid", "status", "bundle", "created", "owner"}


def parse_time(s):
    # RFC 3339; Python 3.11 fromisoformat accepts "Z" and fractional seconds
    return datetime.fromisoformat(s.replace("Z", "+00:00"))


def test_state_json_keys(brick, bundle):
    b = bundle(["/bin/brick-probe", "sleep-forever"])
    b.config["annotations"] = {"org.example.key": "value"}
    cid = brick.create(b)
    st = brick.state(cid)
    assert STATE_KEYS <= set(st), st
    assert st["id"] == cid
    assert st["status"] == "created"
    assert st["bundle"] == str(b.path)
    assert st["owner"] in ("", "root")
    assert re.match(r"^1\.\d+\.\d+", st["ociVersion"])
    parse_time(st["created"])
    if IS_BRICK:
        # runc 1.1 prints rootfs and annotations only in list/ps; brick puts them in state
        assert st["rootfs"] == str(b.rootfs)
        assert st["annotations"] == {"org.example.key": "value"}
    brick.delete(cid, force=True)


def test_list_table_json_quiet(brick, bundle):
    b = bundle(["/bin/brick-probe", "sleep-forever"])
    c1 = brick.create(b)
    c2 = brick.create(b)
    brick.ok("start", c2)
    pid1, pid2 = brick.state(c1)["pid"], brick.state(c2)["pid"]

    table = brick.ok("list").stdout.splitlines()
    assert re.match(r"^ID\s+PID\s+STATUS\s+BUNDLE\s+CREATED\s+OWNER\s*$", table[0]), table[0]
    rows = {line.split()[0]: line.split() for line in table[1:] if line.strip()}
    assert set(rows) == {c1, c2}
    assert rows[c1][1:4] == [str(pid1), "created", str(b.path)]
    assert rows[c2][1:4] == [str(pid2), "running", str(b.path)]

    for flag in (["--format", "json"], ["-f", "json"]):
        data = json.loads(brick.ok("list", *flag).stdout)
        assert isinstance(data, list)
        by_id = {d["id"]: d for d in data}
        assert set(by_id) == {c1, c2}
        for cid, pid, status in ((c1, pid1, "created"), (c2, pid2, "running")):
            d = by_id[cid]
            assert {"id", "pid", "status", "bundle", "created", "owner"} <= set(d), d
            assert (d["pid"], d["status"], d["bundle"]) == (pid, status, str(b.path))
            parse_time(d["created"])

    for flag in ("-q", "--quiet"):
        assert sorted(brick.ok("list", flag).stdout.split()) == sorted([c1, c2])
    brick.delete(c1, force=True)
    brick.delete(c2, force=True)
    assert brick.ok("list", "-q").stdout.strip() == ""


@brick_only
def test_list_empty_json_is_empty_array(brick):
    # runc prints "null" here; brick prints a real empty array
    assert json.loads(brick.ok("list", "--format", "json").stdout) == []


def test_list_bad_format(brick):
    cp = brick("list", "--format", "yaml")
    assert cp.returncode != 0


def test_spec_then_run(brick, bundle):
    b = bundle()
    os.unlink(b.path / "config.json")
    cp = run_cmd([BRICK, "spec", "--bundle", str(b.path)])
    assert cp.returncode == 0, cp.stderr
    cfg = json.loads((b.path / "config.json").read_text())
    assert cfg["root"]["path"] == "rootfs"
    assert cfg["process"]["terminal"] is True
    cfg["process"]["terminal"] = False
    cfg["process"]["args"] = ["/bin/sh", "-c", "echo spec-works; hostname"]
    (b.path / "config.json").write_text(json.dumps(cfg))
    cp = brick("run", "--bundle", b.path, new_id())
    assert cp.returncode == 0, cp.stderr
    assert cp.stdout.splitlines()[0] == "spec-works"


def test_spec_in_cwd_and_refuses_overwrite(workdir):
    d = workdir / "specdir"
    d.mkdir()
    cp = subprocess.run([BRICK, "spec"], cwd=d, capture_output=True, text=True, timeout=20)
    assert cp.returncode == 0, cp.stderr
    before = (d / "config.json").read_text()
    json.loads(before)
    cp = subprocess.run([BRICK, "spec"], cwd=d, capture_output=True, text=True, timeout=20)
    assert cp.returncode != 0
    assert "exists" in cp.stderr
    assert (d / "config.json").read_text() == before


def test_spec_rootless(workdir):
    cp = run_cmd([BRICK, "spec", "--rootless", "--bundle", str(workdir)])
    assert cp.returncode == 0, cp.stderr
    cfg = json.loads((workdir / "config.json").read_text())
    kinds = [n["type"] for n in cfg["linux"]["namespaces"]]
    assert "user" in kinds
    assert "network" not in kinds
    assert cfg["linux"]["uidMappings"] and cfg["linux"]["gidMappings"]
    assert cfg["linux"]["uidMappings"][0]["hostID"] == os.getuid()
    assert cfg["linux"]["uidMappings"][0]["containerID"] == 0


def test_version():
    cp = run_cmd([BRICK, "--version"])
    assert cp.returncode == 0
    lines = cp.stdout.splitlines()
    assert lines[0].startswith(f"{NAME} version ")
    assert any(line.startswith("commit: ") for line in lines)
    assert any(line.startswith("spec: ") for line in lines)


@brick_only
def test_version_brick_lines():
    lines = run_cmd([BRICK, "--version"]).stdout.splitlines()
    assert re.match(r"^brick version \d+\.\d+\.\d+", lines[0])
    assert re.match(r"^commit: \S+$", lines[1])
    assert re.match(r"^spec: 1\.2\.\d+$", lines[2])


@pytest.mark.parametrize("argv", [["help"], ["--help"], ["-h"], ["create", "--help"], ["run", "--help"],
                                  ["kill", "--help"], ["delete", "--help"], ["list", "--help"],
                                  ["spec", "--help"], ["state", "--help"], ["start", "--help"]])
def test_help_exits_zero(argv):
    cp = run_cmd([BRICK, *argv])
    assert cp.returncode == 0, cp.stderr
    assert cp.stdout.strip()


@pytest.mark.parametrize("argv", [["--bogus-flag", "list"], ["list", "--bogus-flag"],
                                  ["run", "--bogus-flag", "x"], ["nosuchcommand"]])
def test_unknown_flag_or_command(brick, argv):
    cp = brick(*argv)
    assert cp.returncode != 0
    assert cp.stderr.strip()
    if IS_BRICK:
        assert cp.returncode == 1
        assert cp.stderr.startswith("brick: ")


@brick_only
@pytest.mark.parametrize("argv", [["--criu", "/usr/sbin/criu", "list"]])
def test_unsupported_runc_flags(brick, argv):
    cp = brick(*argv)
    assert cp.returncode == 1
    assert cp.stderr.startswith("brick: ")
    assert argv[0].lstrip("-") in cp.stderr or argv[1].lstrip("-") in cp.stderr


def test_systemd_cgroup_flag_accepted(brick):
    """containerd (SystemdCgroup = true) and Podman (cgroup_manager = "systemd")
    pass --systemd-cgroup before every command, not only create and run
    (test_systemd_cgroup.py covers what it does)."""
    for argv in (["list"], ["state", "nosuch"], ["delete", "--force", "nosuch"]):
        cp = brick("--systemd-cgroup", *argv)
        assert "systemd" not in cp.stderr, (argv, cp.stderr)
    assert brick("--systemd-cgroup", "list").returncode == 0
    if IS_BRICK:
        assert "--systemd-cgroup" in brick("--help").stdout


def test_missing_container_id(brick):
    for cmd in ("start", "state", "delete", "kill", "create"):
        cp = brick(cmd)
        assert cp.returncode != 0, cmd


@pytest.mark.parametrize("cmd", [["start"], ["state"], ["kill"], ["delete"]])
def test_commands_on_missing_container(brick, cmd):
    cp = brick(*cmd, "nosuch")
    assert cp.returncode != 0
    if cmd != ["delete"] or IS_BRICK:
        assert "does not exist" in cp.stderr
    if IS_BRICK:
        assert cp.returncode == 1
        assert cp.stderr.strip() == 'brick: container "nosuch" does not exist'


def test_log_json_on_error(brick, workdir):
    logf = workdir / "log.json"
    cp = brick("state", "nosuch", global_args=["--log", str(logf), "--log-format", "json"])
    assert cp.returncode != 0
    records = [json.loads(line) for line in logf.read_text().splitlines() if line.strip()]
    errs = [r for r in records if r.get("level") == "error"]
    assert errs, records
    assert {"level", "msg", "time"} <= set(errs[-1])
    assert "does not exist" in errs[-1]["msg"]
    parse_time(errs[-1]["time"])


@brick_only
def test_log_json_same_message_as_stderr(brick, workdir, bundle):
    logf = workdir / "log.json"
    b = bundle()
    b.config["process"]["args"] = []
    b.write()
    cp = brick("create", "--bundle", b.path, new_id(), global_args=["--log", str(logf), "--log-format", "json"])
    assert cp.returncode == 1
    rec = json.loads(logf.read_text().splitlines()[-1])
    assert rec["level"] == "error"
    assert cp.stderr.strip() == "brick: " + rec["msg"]
    assert "config.json: process.args: must not be empty" in rec["msg"]


def test_log_format_invalid(brick, workdir):
    cp = brick("list", global_args=["--log", str(workdir / "l"), "--log-format", "xml"])
    assert cp.returncode != 0


@brick_only
@pytest.mark.parametrize("argv,hint", [
    (["strat", "x"], "unknown command \"strat\"; did you mean 'start'?"),
    (["lsit"], "did you mean 'list'?"),
    (["list", "--formt", "json"], "option '--formt'; did you mean '--format'?"),
    (["--roott", "/tmp", "list"], "option '--roott'; did you mean '--root'?"),
    (["do", "--nett", "host", "true"], "option '--nett'; did you mean '--net'?"),
    (["update", "--memroy=1", "x"], "did you mean '--memory'?"),
    (["pod", "creat", "x"], "did you mean 'create'?"),
])
def test_did_you_mean(brick, argv, hint):
    """A near miss of a command or a long option names the one meant; the
    exit status stays runc's (1), the line stays one line."""
    cp = brick(*argv)
    assert cp.returncode == 1, cp.stderr
    assert hint in cp.stderr, cp.stderr
    assert cp.stderr.count("\n") == 1 and cp.stderr.startswith("brick: ")


@brick_only
def test_no_hint_when_nothing_is_close(brick):
    for argv in (["xyzzy"], ["list", "--bogus-flag"]):
        cp = brick(*argv)
        assert cp.returncode == 1 and "did you mean" not in cp.stderr, cp.stderr
