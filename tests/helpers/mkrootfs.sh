#!/usr/bin/env bash
# mkrootfs.sh DIR [PROBE] — assemble a minimal test rootfs from Debian's busybox-static.
# Idempotent: if DIR/.brick-rootfs-stamp matches the inputs, nothing is done.
set -euo pipefail

dir=${1:?usage: mkrootfs.sh DIR [PROBE]}
probe=${2:-}
busybox=${BUSYBOX:-/bin/busybox}

[ -x "$busybox" ] || { echo "mkrootfs.sh: $busybox missing (apt-get install busybox-static)" >&2; exit 1; }
if [ -n "$probe" ] && [ ! -x "$probe" ]; then
	echo "mkrootfs.sh: probe $probe is not executable" >&2
	exit 1
fi
[ -z "$probe" ] || probe=$(realpath "$probe")   # we cd into DIR below

stamp_of() { stat -c '%s:%Y' "$1"; }
want="busybox=$(stamp_of "$busybox") probe=${probe:+$(stamp_of "$probe")}"
if [ -f "$dir/.brick-rootfs-stamp" ] && [ "$(cat "$dir/.brick-rootfs-stamp")" = "$want" ]; then
	exit 0
fi

mkdir -p "$dir"
cd "$dir"
mkdir -p bin sbin usr/bin usr/sbin proc sys dev tmp etc root run var/tmp var/run home/app mnt
chmod 1777 tmp var/tmp
chmod 0700 root

cp -f "$busybox" bin/busybox
chmod 0755 bin/busybox
# one symlink per applet, all in bin/ (PATH covers bin first)
for applet in $("$busybox" --list); do
	[ "$applet" = busybox ] && continue
	ln -sfn busybox "bin/$applet"
done

if [ -n "$probe" ]; then
	cp -f "$probe" bin/brick-probe
	chmod 0755 bin/brick-probe
fi

cat > etc/passwd <<'P'
root:x:0:0:root:/root:/bin/sh
app:x:1000:1000:app:/home/app:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
P
cat > etc/group <<'G'
root:x:0:
app:x:1000:
nogroup:x:65534:
G
echo brick-test > etc/hostname
: > etc/resolv.conf
cat > etc/hosts <<'H'
127.0.0.1 localhost
H
chown 1000:1000 home/app

echo "$want" > .brick-rootfs-stamp
