"""Malformed configs and failing creates: exit 1, exact messages (brick), no debris."""
import json

import pytest

from conftest import IS_BRICK, brick_only, new_id, probe_line


def setp(path, value):
    """Mutation: set a dotted path ("a.b[0].c") in the config."""
    def mut(cfg):
        obj, key = _walk(cfg, path)
        obj[key] = value
    return mut


def delp(path):
    def mut(cfg):
        obj, key = _walk(cfg, path)
        del obj[key]
    return mut


def _walk(cfg, path):
    toks = []
    for part in path.split("."):
        while "[" in part:
            name, rest = part.split("[", 1)
            if name:
                toks.append(name)
            idx, part = rest.split("]", 1)
            toks.append(int(idx))
        if part:
            toks.append(part)
    obj = cfg
    for t in toks[:-1]:
        obj = obj[t]
    return obj, toks[-1]


def seq(*muts):
    def mut(cfg):
        for m in muts:
            m(cfg)
    return mut


HOOK = {"path": "/bin/true"}
# (id, mutation, expected text after "config.json: ", runc also rejects it)
CASES = [
    ("ociVersion-type", setp("ociVersion", 5), "ociVersion: expected a string", True),
    ("ociVersion-2", setp("ociVersion", "2.0.0"), 'ociVersion: unsupported ociVersion "2.0.0"', False),
    ("ociVersion-abc", setp("ociVersion", "abc"), 'ociVersion: invalid ociVersion "abc": expected MAJOR.MINOR.PATCH', False),
    ("ociVersion-missing", delp("ociVersion"), "ociVersion: is required", False),
    ("args-empty", setp("process.args", []), "process.args: must not be empty", True),
    ("args-string", setp("process.args", "ls"), "process.args: expected an array", True),
    ("args-int-item", setp("process.args", [1]), "process.args[0]: expected a string", True),
    ("cwd-relative", setp("process.cwd", "tmp"), "process.cwd: must be an absolute path", True),
    ("cwd-int", setp("process.cwd", 5), "process.cwd: expected a string", True),
    ("uid-negative", setp("process.user.uid", -1), "process.user.uid: expected an unsigned integer", True),
    ("uid-string", setp("process.user.uid", "0"), "process.user.uid: expected an unsigned integer", True),
    ("uid-too-big", setp("process.user.uid", 4294967296), "process.user.uid: value out of range", True),
    ("gid-float", setp("process.user.gid", 1.5), "process.user.gid: expected an unsigned integer", True),
    ("umask-string", setp("process.user.umask", "022"), "process.user.umask: expected an unsigned integer", True),
    ("terminal-string", setp("process.terminal", "yes"), "process.terminal: expected a boolean", True),
    ("env-string", setp("process.env", "A=1"), "process.env: expected an array", True),
    ("env-int-item", setp("process.env", [5]), "process.env[0]: expected a string", True),
    ("process-string", setp("process", "x"), "process: expected an object", True),
    ("root-path-missing", delp("root.path"), "root.path: is required", False),
    ("root-readonly-string", setp("root.readonly", "true"), "root.readonly: expected a boolean", True),
    ("rlimit-unknown", setp("process.rlimits[0].type", "RLIMIT_FOO"),
     'process.rlimits[0].type: unknown rlimit "RLIMIT_FOO"', True),
    ("rlimit-negative", setp("process.rlimits[0].hard", -1),
     "process.rlimits[0].hard: expected an unsigned integer", True),
    ("rlimit-too-big", setp("process.rlimits[0].hard", 18446744073709551616),
     "process.rlimits[0].hard: value out of range", True),
    ("cap-unknown", setp("process.capabilities.bounding", ["CAP_KILL", "CAP_FOO"]),
     'process.capabilities.bounding[1]: unknown capability "CAP_FOO"', False),
    ("cap-ambient-string", setp("process.capabilities.ambient", "CAP_KILL"),
     "process.capabilities.ambient: expected an array", True),
    ("ns-unknown", setp("linux.namespaces[0].type", "foo"), 'linux.namespaces[0].type: unknown namespace type "foo"', True),
    ("ns-duplicate", setp("linux.namespaces", [{"type": "pid"}, {"type": "mount"}, {"type": "pid"}]),
     'linux.namespaces[2].type: duplicate namespace type "pid"', True),
    ("ns-path-relative", setp("linux.namespaces[1]", {"type": "network", "path": "proc/1/ns/net"}),
     "linux.namespaces[1].path: must be an absolute path", True),
    ("mount-dest-relative", setp("mounts[0].destination", "proc"), "mounts[0].destination: must be an absolute path", False),
    ("mounts-string", setp("mounts", "x"), "mounts: expected an array", True),
    ("mount-int", setp("mounts[1]", 5), "mounts[1]: expected an object", True),
    ("mount-options-string", setp("mounts[1].options", "ro"), "mounts[1].options: expected an array", True),
    ("hostname-int", setp("hostname", 5), "hostname: expected a string", True),
    ("linux-string", setp("linux", "x"), "linux: expected an object", True),
    ("uidmap-negative", seq(setp("linux.uidMappings", [{"containerID": 0, "hostID": -5, "size": 1}]),
                            setp("linux.gidMappings", [{"containerID": 0, "hostID": 0, "size": 1}])),
     "linux.uidMappings[0].hostID: expected an unsigned integer", True),
    # id-mapped mounts: bind mounts only, both maps; never mounted without their mapping (runc 1.1
    # ignores the field)
    ("mount-idmapped", setp("mounts[1].uidMappings", [{"containerID": 0, "hostID": 1000, "size": 1}]),
     "mounts[1].uidMappings: id-mapped mounts are bind mounts here", False),
    ("mount-idmapped-gid", setp("mounts[1].gidMappings", [{"containerID": 0, "hostID": 1000, "size": 1}]),
     "mounts[1].gidMappings: id-mapped mounts are bind mounts here", False),
    ("oom-string", setp("process.oomScoreAdj", "x"), "process.oomScoreAdj: expected an integer", True),
    ("oom-float", setp("process.oomScoreAdj", 1.5), "process.oomScoreAdj: expected an integer", True),
    ("oom-too-big", setp("process.oomScoreAdj", 2**63), "process.oomScoreAdj: value out of range", True),
    ("hook-path-relative", setp("hooks", {"prestart": [{"path": "bin/true"}]}),
     "hooks.prestart[0].path: must be an absolute path", False),
    ("hook-path-missing", setp("hooks", {"poststart": [{"args": ["x"]}]}), "hooks.poststart[0].path: is required", False),
    ("hook-timeout-string", setp("hooks", {"prestart": [{"path": "/bin/true", "timeout": "5"}]}),
     "hooks.prestart[0].timeout: expected an integer", True),
    ("hooks-array", setp("hooks", [HOOK]), "hooks: expected an object", True),
    ("sysctl-int", setp("linux.sysctl", {"kernel.shmmax": 5}), 'linux.sysctl["kernel.shmmax"]: expected a string', True),
    ("annotations-int", setp("annotations", {"a": 1}), "annotations.a: expected a string", True),
    ("nnp-string", setp("process.noNewPrivileges", "true"), "process.noNewPrivileges: expected a boolean", True),
]


def expect_rejected(brick, b, expected=None):
    cid = new_id()
    cp = brick("create", "--bundle", b.path, cid)
    assert cp.returncode != 0, f"accepted: {cp.stdout} {cp.stderr}"
    if IS_BRICK:
        assert cp.returncode == 1
        assert len(cp.stderr.strip().splitlines()) == 1, cp.stderr
        assert cp.stderr.startswith("brick: "), cp.stderr
        if expected:
            assert expected in cp.stderr, cp.stderr
    assert brick("state", cid).returncode != 0
    return cp


@pytest.mark.parametrize("name,mutate,message,runc_rejects", CASES, ids=[c[0] for c in CASES])
def test_malformed_config(brick, bundle, name, mutate, message, runc_rejects):
    if not IS_BRICK and not runc_rejects:
        pytest.skip("runc 1.1 accepts this; brick-only validation")
    b = bundle(["/bin/true"])
    cfg = json.loads(json.dumps(b.config))
    mutate(cfg)
    b.config = cfg
    b.tag = False
    b.write()
    expect_rejected(brick, b, "config.json: " + message)


@pytest.mark.parametrize("raw", ['{"ociVersion": "1.0.2",\n  "process": {', "not json at all", "", '{"a": 1,,}'])
def test_invalid_json(brick, bundle, raw):
    b = bundle()
    b.write(raw=raw)
    cp = expect_rejected(brick, b, "config.json")
    if IS_BRICK and raw:
        assert "line" in cp.stderr and "column" in cp.stderr, cp.stderr


def test_missing_config_json(brick, bundle):
    b = bundle()
    (b.path / "config.json").unlink()
    expect_rejected(brick, b, "config.json")


@pytest.mark.parametrize("version", ["1.0.0", "1.0.2-dev", "1.1.0", "1.2.0", "1.2.1", "1.3.0"])
def test_accepted_oci_versions(brick, bundle, version):
    b = bundle(["/bin/true"])
    b.config["ociVersion"] = version
    cp = brick.run(b)
    assert cp.returncode == 0, cp.stderr


def test_uint64_max_accepted(brick, bundle):
    b = bundle(["/bin/brick-probe", "rlimits"])
    b.process["rlimits"] = [{"type": "RLIMIT_CPU", "soft": 1000, "hard": 18446744073709551615}]
    cp = brick.run(b)
    assert cp.returncode == 0, cp.stderr
    assert probe_line(cp, "rlimits")["CPU"] == "1000:unlimited"


def test_missing_executable(brick, bundle):
    b = bundle(["/bin/nope"])
    b.write()
    cp = expect_rejected(brick, b)
    if IS_BRICK:
        assert cp.stderr.strip().endswith('exec "/bin/nope": no such file or directory'), cp.stderr


def test_missing_executable_run(brick, bundle):
    b = bundle(["/bin/nope"])
    cid = new_id()
    cp = brick.run(b, cid)
    assert cp.returncode != 0
    assert brick("state", cid).returncode != 0


def test_bad_bind_mount_source(brick, bundle, workdir):
    b = bundle(["/bin/true"])
    b.add_mount("/mnt/data", "bind", workdir / "does-not-exist", ["rbind", "ro"])
    b.write()
    cp = expect_rejected(brick, b)
    if IS_BRICK:
        assert "/mnt/data" in cp.stderr, cp.stderr


def test_bad_mount_type(brick, bundle):
    b = bundle(["/bin/true"])
    b.add_mount("/mnt/x", "nosuchfs", "none", [])
    b.write()
    cp = expect_rejected(brick, b)
    if IS_BRICK:
        assert "/mnt/x" in cp.stderr, cp.stderr


def test_bundle_missing(brick, workdir):
    cid = new_id()
    cp = brick("create", "--bundle", workdir / "nonexistent", cid)
    assert cp.returncode != 0
    assert brick("state", cid).returncode != 0


def test_rootfs_missing(brick, bundle):
    b = bundle(["/bin/true"])
    b.config["root"]["path"] = "no-such-rootfs"
    b.write()
    expect_rejected(brick, b)


@pytest.mark.parametrize("cid", ["../escape", "a/b", "", ".."])
def test_invalid_container_ids(brick, bundle, cid):
    b = bundle(["/bin/true"])
    cp = brick("create", "--bundle", b.path, cid)
    assert cp.returncode != 0
    assert not (brick.root.parent / "escape").exists()


@brick_only
def test_one_line_per_error_kernel_log(brick, bundle):
    """The kernel explains a bad mount option in the fs context's log, with a
    trailing newline: the error stays one line."""
    b = bundle(["/bin/true"])
    b.add_mount("/mnt", "tmpfs", "tmpfs", ["size=abc"])
    cp = brick.run(b)
    assert cp.returncode != 0
    assert "size" in cp.stderr and cp.stderr.count("\n") == 1, repr(cp.stderr)


@brick_only
@pytest.mark.parametrize("bad", ["evil\nbrick: container started", "x\x1b[2J\x1b[31mred", "tab\there"])
def test_control_characters_never_reach_the_terminal(brick, bad):
    """An invalid id is echoed in the error: escaped, on one line."""
    for verb in (["state"], ["delete", "-f"], ["kill"]):
        cp = brick(*verb, bad)
        assert cp.returncode != 0
        assert cp.stderr.count("\n") == 1 and "\x1b" not in cp.stderr and "\t" not in cp.stderr, repr(cp.stderr)
