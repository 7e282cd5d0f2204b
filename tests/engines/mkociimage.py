#!/usr/bin/python3
"""mkociimage.py ROOTFS OUT.tar [NAME [CMD-JSON]] -- write a one-layer OCI image archive by hand.

No registry and no image tool: the layer is a tar.gz of ROOTFS, the config
names its diff_id, the manifest names both, and index.json names the
manifest with the annotations `ctr image import` and `podman load` read
(io.containerd.image.name for the full reference, org.opencontainers.image.
ref.name for the tag). The layout (oci-layout, index.json, blobs/sha256/*)
is written straight into the output tar. Deterministic: file order is
sorted and mtimes are fixed, so the same rootfs gives the same digests.
"""
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile

MEDIA = {
    "layer": "application/vnd.oci.image.layer.v1.tar+gzip",
    "config": "application/vnd.oci.image.config.v1+json",
    "manifest": "application/vnd.oci.image.manifest.v1+json",
    "index": "application/vnd.oci.image.index.v1+json",
}


def layer_tar(rootfs):
    """Uncompressed tar of rootfs (root-relative names, sorted, mtime 0)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for top, dirs, files in os.walk(rootfs):
            dirs.sort()
            for name in sorted(dirs) + sorted(files):
                path = os.path.join(top, name)
                arc = os.path.relpath(path, rootfs)
                if arc == ".brick-rootfs-stamp":
                    continue
                ti = tf.gettarinfo(path, arcname=arc)
                ti.mtime = 0
                if ti.isreg():
                    with open(path, "rb") as f:
                        tf.addfile(ti, f)
                else:
                    tf.addfile(ti)
    return buf.getvalue()


def blob(data):
    return "sha256:" + hashlib.sha256(data).hexdigest(), data


def build(rootfs, out, name="docker.io/library/busybox:latest", cmd='["/bin/sh"]'):
    raw = layer_tar(rootfs)
    diff_id = "sha256:" + hashlib.sha256(raw).hexdigest()
    layer_digest, layer = blob(gzip.compress(raw, mtime=0))
    config = {
        "architecture": "amd64",
        "os": "linux",
        "config": {"Env": ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"], "Cmd": json.loads(cmd), "WorkingDir": "/"},
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        "history": [{"created_by": "tests/engines/mkociimage.py"}],
    }
    config_digest, config_blob = blob(json.dumps(config, sort_keys=True).encode())
    manifest = {
        "schemaVersion": 2,
        "mediaType": MEDIA["manifest"],
        "config": {"mediaType": MEDIA["config"], "digest": config_digest, "size": len(config_blob)},
        "layers": [{"mediaType": MEDIA["layer"], "digest": layer_digest, "size": len(layer)}],
    }
    manifest_digest, manifest_blob = blob(json.dumps(manifest, sort_keys=True).encode())
    tag = name.rsplit(":", 1)[1] if ":" in name.rsplit("/", 1)[-1] else "latest"
    index = {
        "schemaVersion": 2,
        "mediaType": MEDIA["index"],
        "manifests": [{
            "mediaType": MEDIA["manifest"], "digest": manifest_digest, "size": len(manifest_blob),
            "platform": {"architecture": "amd64", "os": "linux"},
            "annotations": {"io.containerd.image.name": name, "org.opencontainers.image.ref.name": tag},
        }],
    }
    files = [
        ("oci-layout", json.dumps({"imageLayoutVersion": "1.0.0"}).encode()),
        ("index.json", json.dumps(index, sort_keys=True).encode()),
    ]
    for digest, data in ((layer_digest, layer), (config_digest, config_blob), (manifest_digest, manifest_blob)):
        files.append(("blobs/sha256/" + digest.split(":", 1)[1], data))
    with tarfile.open(out, "w") as tf:
        for d in ("blobs", "blobs/sha256"):
            ti = tarfile.TarInfo(d)
            ti.type = tarfile.DIRTYPE
            ti.mode = 0o755
            tf.addfile(ti)
        for arc, data in files:
            ti = tarfile.TarInfo(arc)
            ti.size = len(data)
            ti.mode = 0o644
            tf.addfile(ti, io.BytesIO(data))
    return manifest_digest


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4, 5):
        sys.exit(__doc__.splitlines()[0])
    print(build(*sys.argv[1:]))
