"""Id-mapped bind mounts (mounts[].uidMappings/gidMappings, options idmap and
ridmap, MOUNT_ATTR_IDMAP), as Kubernetes' user-namespaced pods use them:
the files of a host directory keep their owners as a container with a
mapped root sees them, and what it writes lands with the host-side owner.
Compared with crun 1.8 (runc 1.1 has no id-mapped mounts), run in a mount
namespace where this hybrid host's cgroup2 mount is hidden (crun refuses
hybrid hosts)."""

import json
import os
import subprocess

import pytest

from conftest import brick_only, foreign_run, new_id

MAP = [{"containerID": 0, "hostID": 100000, "size": 65536}]
SCRIPT = "stat -c %u:%g /mnt/f /mnt/sub/g 2>/dev/null; touch /mnt/new && stat -c %u:%g /mnt/new"


@pytest.fixture
def plain(workdir):
    """A host directory owned by host root with a file of uid 1000."""
    d = workdir / "plain"
    d.mkdir()
    (d / "f").write_text("x")
    os.chown(d / "f", 1000, 1000)
    return d


@pytest.fixture
def shared(workdir):
    """A host directory owned by host root, with a file of uid 1000 and a
    submount (a tmpfs) holding a file of its own."""
    d = workdir / "shared"
    (d / "sub").mkdir(parents=True)
    (d / "f").write_text("x")
    os.chown(d / "f", 1000, 1000)
    subprocess.run(["mount", "-t", "tmpfs", "tmpfs", str(d / "sub")], check=True)
    (d / "sub" / "g").write_text("y")
    os.chown(d / "sub" / "g", 7, 7)
    yield d
    subprocess.run(["umount", "-l", str(d / "sub")])


def userns_bundle(bundle, shared, options, mount_maps=True):
    b = bundle()
    os.chmod(b.path.parent, 0o755)  # the container's root (host 100000) reaches its rootfs
    b.sh(SCRIPT)
    b.linux["namespaces"].append({"type": "user"})
    b.linux["uidMappings"] = MAP
    b.linux["gidMappings"] = MAP
    m = b.add_mount("/mnt", "bind", shared, options)
    if mount_maps:
        m["uidMappings"] = MAP
        m["gidMappings"] = MAP
    subprocess.run(["chown", "-R", "100000:100000", str(b.rootfs)], check=True)
    return b


def crun_run(b, cid):
    b.config["ociVersion"] = "1.0.2"  # crun 1.8 knows runtime-spec 1.0/1.1
    cp = foreign_run("crun", b, cid)
    if cp is not None:
        cp.stdout = cp.stdout.split("--after--\n")[0]
    return cp


def test_idmapped_bind_owners_like_crun(brick, bundle, plain):
    b = userns_bundle(bundle, plain, ["bind", "idmap"])
    cp = brick.run(b)
    assert cp.returncode == 0, cp.stderr
    # on disk 1000 is container 1000; what container root writes is host root's
    assert cp.stdout.split() == ["1000:1000", "0:0"], cp.stdout
    assert os.stat(plain / "new").st_uid == 0
    os.unlink(plain / "new")
    ref = crun_run(b, new_id())
    if ref is not None:
        assert ref.returncode == 0, ref.stderr
        assert ref.stdout.split() == cp.stdout.split()
        os.unlink(plain / "new")


def test_without_idmap_the_owners_are_unmapped(brick, bundle, shared):
    """The control: the same bind without the mapping shows nobody."""
    b = userns_bundle(bundle, shared, ["rbind"], mount_maps=False)
    b.sh("stat -c %u /mnt/f; touch /mnt/new 2>/dev/null || echo denied")
    cp = brick.run(b)
    assert cp.returncode == 0, cp.stderr
    assert cp.stdout.split() == ["65534", "denied"], cp.stdout


def test_ridmap_maps_submounts(brick, bundle, shared):
    b = userns_bundle(bundle, shared, ["rbind", "ridmap"])
    cp = brick.run(b)
    assert cp.returncode == 0, cp.stderr
    assert cp.stdout.split() == ["1000:1000", "7:7", "0:0"], cp.stdout
    os.unlink(shared / "new")
    # idmap (not ridmap) on an rbind maps the top mount only: the submount's
    # file stays unmapped
    b = userns_bundle(bundle, shared, ["rbind", "idmap"])
    b.sh("stat -c %u /mnt/f /mnt/sub/g")
    cp = brick.run(b)
    assert cp.returncode == 0, cp.stderr
    assert cp.stdout.split() == ["1000", "65534"], cp.stdout


def test_idmap_option_uses_the_containers_mappings(brick, bundle, plain):
    b = userns_bundle(bundle, plain, ["bind", "idmap"], mount_maps=False)
    cp = brick.run(b)
    assert cp.returncode == 0, cp.stderr
    assert cp.stdout.split() == ["1000:1000", "0:0"], cp.stdout
    os.unlink(plain / "new")


def test_idmapped_mounts_keep_the_hosts_locks(brick, bundle, shared, workdir):
    """The attack (found in review of an earlier version, which id-mapped a
    clone made in the host's mount namespace): container root, holding
    CAP_SYS_ADMIN in its user namespace, unmounts a submount of an id-mapped
    rbind to see what it covers, and remounts a read-only host mount
    read-write through an id-mapped bind of it. The trees are cloned in the
    container's mount namespace, where the kernel locked the host's mounts:
    both fail, as with a plain bind. A plain `bind` of a directory with
    submounts is refused, as the kernel refuses it in a user namespace."""
    (shared / "sub" / "g").unlink()
    subprocess.run(["umount", str(shared / "sub")], check=True)
    (shared / "sub" / "covered").write_text("hidden by the submount\n")
    subprocess.run(["mount", "-t", "tmpfs", "tmpfs", str(shared / "sub")], check=True)
    ro = workdir / "ro"
    ro.mkdir()
    subprocess.run(["mount", "--bind", str(ro), str(ro)], check=True)
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(ro)], check=True)
        b = userns_bundle(bundle, shared, ["rbind", "ridmap"])
        m = b.add_mount("/ro", "bind", ro, ["bind", "idmap"])
        m["uidMappings"] = MAP
        m["gidMappings"] = MAP
        for k in ("bounding", "effective", "permitted"):
            b.process["capabilities"][k].append("CAP_SYS_ADMIN")
        b.process["noNewPrivileges"] = False
        b.sh("umount /mnt/sub 2>&1 && cat /mnt/sub/covered; "
             "mount -o remount,bind,rw /ro 2>&1 && touch /ro/pwned; "
             "mount -o remount,bind,ro /mnt 2>&1 && echo control-ok")
        cp = brick.run(b)
        assert cp.returncode == 0, cp.stderr
        # the tools ran and the kernel said no; the control (a flag of the
        # container's own mount) shows CAP_SYS_ADMIN is really held
        assert "hidden" not in cp.stdout and "control-ok" in cp.stdout, cp.stdout
        assert cp.stdout.count("Invalid argument") + cp.stdout.count("permission denied") >= 2, cp.stdout
        assert not (ro / "pwned").exists()
        b = userns_bundle(bundle, shared, ["bind", "idmap"])
        cp = brick.run(b)
        assert cp.returncode != 0 and "use rbind" in cp.stderr, cp.stderr
    finally:
        subprocess.run(["umount", "-l", str(ro)])


@brick_only
def test_idmap_errors_name_the_path(brick, bundle, shared):
    b = userns_bundle(bundle, shared, ["bind"])
    del b.config["mounts"][-1]["gidMappings"]
    cp = brick.run(b)
    assert cp.returncode != 0
    assert "mounts[" in cp.stderr and "uidMappings and gidMappings go together" in cp.stderr, cp.stderr
    b = bundle()
    b.add_mount("/mnt", "tmpfs", "tmpfs", ["idmap"])
    cp = brick.run(b)
    assert cp.returncode != 0 and "id-mapped mounts are bind mounts here" in cp.stderr, cp.stderr


@brick_only
def test_idmap_refused_rootless(ubrick, base_rootfs, shared):
    from test_rootless import user_bundle
    os.chmod(shared, 0o755)
    b, cfg = user_bundle(ubrick, base_rootfs, ["true"])
    cfg["mounts"].append({"destination": "/mnt", "type": "bind", "source": str(shared), "options": ["bind", "idmap"],
                          "uidMappings": MAP, "gidMappings": MAP})
    (b / "config.json").write_text(json.dumps(cfg))
    cp = ubrick("run", "--bundle", b, new_id())
    assert cp.returncode != 0
    lines = cp.stderr.strip().splitlines()
    assert len(lines) == 1 and "rootless, an id-mapped mount needs CAP_SYS_ADMIN" in lines[0], cp.stderr
