#!/usr/bin/env bash
# run-vm.sh — run tests/vm/cgroup2-suite.sh against an OCI runtime inside a throw-away
# Debian 6.1 kernel booted under qemu (TCG: no KVM needed) with a pure cgroup v2 hierarchy.
#
#   tests/vm/run-vm.sh [--runtime PATH] [--log FILE] [--tap FILE] [--timeout SECS] [--keep] [--systemd|--selinux]
#                      [--arch x86_64|aarch64]
#
#   --runtime PATH  runtime under test (default: $RUNTIME, else <repo>/build/brick, or
#                   <repo>/build-aarch64/brick with --arch aarch64);
#                   e.g. /usr/bin/crun or /usr/sbin/runc to validate the suite itself
#   --log FILE      keep the whole serial console output in FILE
#   --tap FILE      the TAP result block, markers stripped
#   --timeout SECS  kill qemu after SECS (default 600)
#   --keep          keep the work dir (initramfs tree) and print its path
#   --systemd       boot a Debian 12 userspace with systemd as pid 1 (an image mmdebstrap builds
#                   from the configured apt mirror, cached by its recipe) and run the suite as a
#                   systemd service: brick on the hosts people run (SYSTEMD_LANE=1 in the suite)
#   --selinux       the same userspace with SELinux as the kernel's major LSM (Debian's reference
#                   policy, permissive at boot) running only the scenarios of tests/vm/selinux-lane/
#   --arch aarch64  an arm64 guest: Debian's linux-image-arm64 under qemu-system-aarch64 -M virt
#                   -cpu max,pauth-impdef=on (TCG), console ttyAMA0, busybox-static:arm64 fetched
#                   like the kernel; the initramfs lane only. The runtime must be an arm64 build
#                   (./dev cross builds build-aarch64/brick and installs what this lane needs)
#
# Environment: BRICK_VM_CACHE (kernel cache, default ${XDG_CACHE_HOME:-/var/cache}/brick-vm),
# BRICK_VM_KERNEL (use this vmlinuz instead of Debian's), BUSYBOX (default /bin/busybox; with
# --arch aarch64 the cached busybox-static:arm64),
# BRICK_VM_ACCEL (default tcg), BRICK_VM_SMP (2), BRICK_VM_MEM (1024), BRICK_VM_ONLY (run only these
# scenarios, e.g. "user_manager_do podman_rootless_systemd": to debug one).
#
# Exit status: 0 complete result block, every test ok; 1 complete block with failures;
#              2 no complete block (boot failure, crash, timeout); 3 setup error.
# The kernel and qemu are fetched with apt (the kernel package is only unpacked into the cache,
# never installed on the host).
set -Eeuo pipefail
trap 'echo "run-vm.sh: line $LINENO: \"$BASH_COMMAND\" failed" >&2; exit 3' ERR

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
RUNTIME=${RUNTIME:-}
ARCH=$(uname -m)
LOG=
TAP=
TIMEOUT=600
KEEP=0
SYSTEMD=0
SELINUX=0
BUSYBOX=${BUSYBOX:-}
CACHE=${BRICK_VM_CACHE:-${XDG_CACHE_HOME:-/var/cache}/brick-vm}
BEGIN_MARK='=== BRICK-VM TAP BEGIN ==='
END_MARK='=== BRICK-VM TAP END ==='

die() { echo "run-vm.sh: $*" >&2; exit 3; }
log() { echo "run-vm.sh: $*" >&2; }

while [ $# -gt 0 ]; do
	case $1 in
		--runtime) RUNTIME=$2; shift 2 ;;
		--log) LOG=$2; shift 2 ;;
		--tap) TAP=$2; shift 2 ;;
		--timeout) TIMEOUT=$2; shift 2 ;;
		--keep) KEEP=1; shift ;;
		--systemd) SYSTEMD=1; shift ;;
		--selinux) SYSTEMD=1; SELINUX=1; shift ;;
		--arch) ARCH=$2; shift 2 ;;
		-h|--help) sed -n '2,31p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
		*) die "unknown argument '$1'" ;;
	esac
done

# the guest: Debian's architecture name (kernel and busybox packages), qemu, machine, console
case $ARCH in
	x86_64|amd64)
		ARCH=x86_64 DEB_ARCH=amd64 QEMU=qemu-system-x86_64 QEMU_PKG=qemu-system-x86
		QEMU_MACHINE=() TTY=ttyS0 ELF_MACHINE='X86-64'
		RUNTIME=${RUNTIME:-$REPO/build/brick} ;;
	aarch64|arm64)
		ARCH=aarch64 DEB_ARCH=arm64 QEMU=qemu-system-aarch64 QEMU_PKG=qemu-system-arm
		# pauth-impdef: the architected QARMA pointer-authentication cipher is slow under TCG
		QEMU_MACHINE=(-M virt -cpu max,pauth-impdef=on) TTY=ttyAMA0 ELF_MACHINE='AArch64'
		RUNTIME=${RUNTIME:-$REPO/build-aarch64/brick} ;;
	*) die "unknown --arch '$ARCH' (x86_64 or aarch64)" ;;
esac
HOST_DEB_ARCH=$(dpkg --print-architecture)
[ "$SYSTEMD" = 0 ] || [ "$ARCH" = x86_64 ] || die "--systemd/--selinux: x86_64 only (--arch $ARCH runs the initramfs lane)"

[ "$(id -u)" = 0 ] || die "must run as root (apt, mknod)"
RUNTIME=$(readlink -f "$RUNTIME") || die "runtime not found"
[ -x "$RUNTIME" ] || die "runtime $RUNTIME is not executable (build it: ./dev build, or ./dev cross for aarch64)"
# a runtime of another architecture would only fail inside the VM, as 'exec format error'
LC_ALL=C readelf -h "$RUNTIME" 2>/dev/null | grep -q "Machine:.*$ELF_MACHINE" ||
	die "runtime $RUNTIME is not an $ARCH binary ($(LC_ALL=C readelf -h "$RUNTIME" 2>/dev/null | sed -n 's/^ *Machine: *//p'))"
if [ "$DEB_ARCH" != "$HOST_DEB_ARCH" ]; then
	dpkg --print-foreign-architectures | grep -qx "$DEB_ARCH" ||
		die "--arch $ARCH needs the $DEB_ARCH packages: dpkg --add-architecture $DEB_ARCH && apt-get update (./dev cross does it)"
else
	BUSYBOX=${BUSYBOX:-/bin/busybox}
	[ -x "$BUSYBOX" ] || die "$BUSYBOX missing (apt-get install busybox-static)"
fi

apt_install() {
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -q --no-install-recommends "$@" >&2 ||
		{ apt-get update -q >&2 && apt-get install -y -q --no-install-recommends "$@" >&2; }
}

# ---------------------------------------------------------------- qemu + kernel
command -v "$QEMU" >/dev/null || { log "installing $QEMU_PKG"; apt_install "$QEMU_PKG"; }
command -v cpio >/dev/null || { log "installing cpio"; apt_install cpio; }
[ "$SYSTEMD" = 0 ] || command -v depmod >/dev/null || { log "installing kmod"; apt_install kmod; }

kernel_pkg() {
	# linux-image-amd64 depends on exactly one linux-image-<abi>-amd64 (arm64 alike)
	apt-cache depends "linux-image-$DEB_ARCH:$DEB_ARCH" 2>/dev/null |
		sed -n "s/^ *Depends: \\(linux-image-[0-9][^ :]*-$DEB_ARCH\\)\\(:$DEB_ARCH\\)\\{0,1\\}\$/\\1/p" | head -n1
}

fetch_kernel() {
	local pkg dir tmp
	pkg=$(kernel_pkg)
	if [ -z "$pkg" ]; then
		apt-get update -q >&2 || true
		pkg=$(kernel_pkg)
	fi
	if [ -z "$pkg" ]; then
		# offline: fall back to whatever was cached before
		KERNEL=$(ls -1 "$CACHE"/linux-image-*-"$DEB_ARCH"/vmlinuz 2>/dev/null | sort -V | tail -n1)
		[ -n "$KERNEL" ] || die "cannot resolve linux-image-$DEB_ARCH and no cached kernel in $CACHE"
		MODULES=$(dirname "$KERNEL")/modules
		return
	fi
	dir=$CACHE/$pkg
	KERNEL=$dir/vmlinuz
	MODULES=$dir/modules
	[ -s "$KERNEL" ] && [ -d "$MODULES/lib/modules" ] && return
	log "fetching $pkg into $dir (apt-get download + dpkg-deb -x, not installed)"
	mkdir -p "$CACHE"
	tmp=$(mktemp -d "$CACHE/.dl.XXXXXX")
	# _apt cannot write into a root-owned mktemp dir; download unsandboxed there
	(cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root "$pkg:$DEB_ARCH" >&2) || { rm -rf "$tmp"; die "apt-get download $pkg failed"; }
	dpkg-deb -x "$tmp"/*.deb "$tmp/x"
	mkdir -p "$dir"
	cp "$tmp"/x/boot/vmlinuz-* "$dir/vmlinuz.part"
	cp "$tmp"/x/boot/config-* "$dir/config"
	# the module tree of the same package, for the systemd lane (overlay, veth, bridge...)
	rm -rf "$MODULES" && mkdir -p "$MODULES/lib" && mv "$tmp/x/lib/modules" "$MODULES/lib/"
	mv "$dir/vmlinuz.part" "$KERNEL"
	rm -rf "$tmp"
}

MODULES=
if [ -n "${BRICK_VM_KERNEL:-}" ]; then
	KERNEL=$BRICK_VM_KERNEL
else
	fetch_kernel
fi
[ -s "$KERNEL" ] || die "kernel $KERNEL missing"

# another architecture's busybox: Debian's busybox-static:<arch>, unpacked into the cache like the kernel
fetch_busybox() {
	local ver dir tmp
	ver=$(apt-cache show --no-all-versions "busybox-static:$DEB_ARCH" 2>/dev/null | sed -n 's/^Version: //p' | head -n1)
	if [ -z "$ver" ]; then
		BUSYBOX=$(ls -1 "$CACHE"/busybox-static-"$DEB_ARCH"-*/busybox 2>/dev/null | sort -V | tail -n1)
		[ -n "$BUSYBOX" ] || die "cannot resolve busybox-static:$DEB_ARCH and none cached in $CACHE"
		return
	fi
	dir=$CACHE/busybox-static-$DEB_ARCH-${ver//:/_}
	BUSYBOX=$dir/busybox
	[ -s "$BUSYBOX" ] && return
	log "fetching busybox-static:$DEB_ARCH $ver into $dir (not installed)"
	mkdir -p "$CACHE"
	tmp=$(mktemp -d "$CACHE/.dl.XXXXXX")
	(cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root "busybox-static:$DEB_ARCH=$ver" >&2) ||
		{ rm -rf "$tmp"; die "apt-get download busybox-static:$DEB_ARCH failed"; }
	dpkg-deb -x "$tmp"/*.deb "$tmp/x"
	mkdir -p "$dir"
	install -m 0755 "$tmp/x/bin/busybox" "$BUSYBOX.part"
	mv "$BUSYBOX.part" "$BUSYBOX"
	rm -rf "$tmp"
}
[ -n "$BUSYBOX" ] || fetch_busybox

# ---------------------------------------------------------------- systemd image (--systemd)
# A Debian 12 userspace with systemd, built once per recipe: the suite, the packages and the
# architecture are the recipe, its hash names the cached tar (about 230 MB, 60 s to build here).
# The packages and kernel modules are what the scenario files of tests/vm/systemd-lane/ ask for
# on their "# packages:" and "# modules:" lines.
LANE_DIR=$HERE/systemd-lane
IMAGE_NAME=systemd
[ "$SELINUX" = 1 ] && LANE_DIR=$HERE/selinux-lane IMAGE_NAME=selinux
lane_field() {
	sed -n "s/^# $1: *//p" "$LANE_DIR"/*.sh | tr ' ' '\n' | sed '/^$/d' | sort -u | tr '\n' ' '
}
SD_PACKAGES=$(lane_field packages | sed 's/ *$//; s/ /,/g')
SD_MODULES=$(lane_field modules)
systemd_image() {
	local suite hash tar tmp
	command -v mmdebstrap >/dev/null || { log "installing mmdebstrap"; apt_install mmdebstrap; }
	suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
	hash=$(printf '%s|%s|%s' "$suite" "$SD_PACKAGES" "$(uname -m)" | sha256sum | cut -c1-16)
	tar=$CACHE/$IMAGE_NAME-$suite-$hash.tar
	if [ ! -s "$tar" ]; then
		mkdir -p "$CACHE"
		log "building the systemd image ($suite: $SD_PACKAGES) with mmdebstrap into $tar"
		tmp=$CACHE/.part-$(basename "$tar")   # mmdebstrap picks the format from the ".tar" ending
		mmdebstrap --variant=minbase --include="$SD_PACKAGES" "$suite" "$tmp" >&2 ||
			die "mmdebstrap failed"
		mv "$tmp" "$tar"
		# older recipes' images of this suite go
		find "$CACHE" -maxdepth 1 -name "$IMAGE_NAME-$suite-*.tar" ! -name "$(basename "$tar")" -delete
	fi
	SD_TAR=$tar
}
[ "$SYSTEMD" = 1 ] && systemd_image

# ---------------------------------------------------------------- initramfs
WORK=$(mktemp -d /tmp/brick-vm.XXXXXX)
cleanup() {
	if [ "$KEEP" = 1 ]; then log "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
IRD=$WORK/initramfs
T0=$(date +%s.%N)

# the initramfs is itself a busybox rootfs (mkrootfs.sh lays out bin/ with every applet)
# (the same tree is also the test rootfs the containers get, copied per bundle by the suite)
"$REPO/tests/helpers/mkrootfs.sh" "$WORK/rootfs" >/dev/null
rm -f "$WORK/rootfs/.brick-rootfs-stamp"
if [ "$DEB_ARCH" != "$HOST_DEB_ARCH" ]; then
	# mkrootfs.sh asks the busybox it copies for its applets, which a foreign one cannot answer
	# here: lay the tree out with the host's (the same Debian source, the same applets), then swap
	# in the guest's binary
	[ -x /bin/busybox ] || die "/bin/busybox missing (apt-get install busybox-static): it lists the applets"
	BUSYBOX=/bin/busybox "$REPO/tests/helpers/mkrootfs.sh" "$WORK/rootfs.host" >/dev/null
	rm -rf "$WORK/rootfs" && mv "$WORK/rootfs.host" "$WORK/rootfs"
	install -m 0755 "$BUSYBOX" "$WORK/rootfs/bin/busybox"
	rm -f "$WORK/rootfs/.brick-rootfs-stamp"
fi
if [ "$SYSTEMD" = 1 ]; then
	mkdir -p "$IRD"
	tar -C "$IRD" -xf "$SD_TAR"
else
	cp -a "$WORK/rootfs" "$IRD"
fi
mkdir -p "$IRD/newroot" "$IRD/suite" "$IRD/usr/local/bin" "$IRD/sys/fs/cgroup"
mv "$WORK/rootfs" "$IRD/suite/rootfs"
rm -f "$IRD/dev/console" "$IRD/dev/null"
mknod -m 600 "$IRD/dev/console" c 5 1
mknod -m 666 "$IRD/dev/null" c 1 3

# copy_foreign_libs BIN: for a binary of the guest's architecture, which the host's ldd cannot
# load: its interpreter and its DT_NEEDED libraries (recursively) from the multiarch directories
copy_foreign_libs() {
	local bin=$1 interp lib d found
	interp=$(LC_ALL=C readelf -l "$bin" | sed -n 's/.*Requesting program interpreter: \(.*\)]$/\1/p')
	[ -n "$interp" ] || return 0   # static (the release build is a static PIE)
	[ -e "$IRD$interp" ] || install -D -m 0755 "$(readlink -f "$interp")" "$IRD$interp"
	for lib in $(LC_ALL=C readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'); do
		found=
		for d in /lib/$ARCH-linux-gnu /usr/lib/$ARCH-linux-gnu; do
			[ -e "$d/$lib" ] && { found=$d/$lib; break; }
		done
		[ -n "$found" ] || die "$bin needs $lib: not in /usr/lib/$ARCH-linux-gnu (apt-get install the :$DEB_ARCH package)"
		[ -e "$IRD$found" ] && continue
		install -D -m 0755 "$(readlink -f "$found")" "$IRD$found"
		copy_foreign_libs "$found"
	done
}

# copy_with_libs BIN DEST: the binary plus every shared library ldd names, at the same paths
copy_with_libs() {
	local bin=$1 dest=$2 lib out
	install -D -m 0755 "$bin" "$IRD$dest"
	if [ "$DEB_ARCH" != "$HOST_DEB_ARCH" ]; then
		copy_foreign_libs "$bin"
		return 0
	fi
	if ! out=$(ldd "$bin" 2>&1); then
		case $out in *"not a dynamic executable"*) return 0 ;; esac
		die "ldd $bin: $out"
	fi
	case $out in *"not found"*) die "ldd $bin: a library is missing: $out" ;; esac
	for lib in $(printf '%s\n' "$out" | awk '/=> \//{print $3} /^\t\/[^ ]+ \(0x/{print $1}' | sort -u); do
		[ -e "$IRD$lib" ] || install -D -m 0755 "$(readlink -f "$lib")" "$IRD$lib"
	done
}
RT_NAME=$(basename "$RUNTIME")
copy_with_libs "$RUNTIME" "/usr/local/bin/$RT_NAME"
install -m 0755 "$HERE/cgroup2-suite.sh" "$IRD/suite/cgroup2-suite.sh"

# add_modules NAME...: the modules and what they depend on, from the kernel package's tree, loaded
# at boot by systemd-modules-load
add_modules() {
	local ver m f
	[ $# -gt 0 ] || return 0
	[ -n "$MODULES" ] && [ -d "$MODULES/lib/modules" ] || die "no module tree for $KERNEL (modules asked: $*)"
	ver=$(ls "$MODULES/lib/modules" | head -n1)
	# the package ships no modules.dep (its postinst runs depmod)
	[ -s "$MODULES/lib/modules/$ver/modules.dep" ] || depmod -b "$MODULES" "$ver"
	for m in "$@"; do
		modprobe -d "$MODULES" -S "$ver" --show-depends "$m" >/dev/null 2>&1 || die "module $m is not in $ver"
		modprobe -d "$MODULES" -S "$ver" --show-depends "$m" | awk '$1 == "insmod" { print $2 }' |
			while read -r f; do install -D -m 0644 "$f" "$IRD${f#"$MODULES"}"; done
	done
	for f in modules.order modules.builtin modules.builtin.modinfo; do
		[ -e "$MODULES/lib/modules/$ver/$f" ] && cp "$MODULES/lib/modules/$ver/$f" "$IRD/lib/modules/$ver/"
	done
	depmod -b "$IRD" "$ver"
	mkdir -p "$IRD/etc/modules-load.d"
	printf '%s\n' "$@" > "$IRD/etc/modules-load.d/brick-vm.conf"
}

if [ "$SYSTEMD" = 1 ]; then
	mkdir -p "$IRD/suite/lane" "$IRD/suite/assets"
	install -m 0644 "$LANE_DIR"/*.sh "$IRD/suite/lane/"
	# shellcheck disable=SC2086
	add_modules $SD_MODULES
	# for the engines' scenarios: crictl (../shared/tools) and the busybox rootfs as an OCI image
	CRICTL_XZ=$REPO/../shared/tools/crictl-v1.26.1-linux-amd64.xz
	[ -s "$CRICTL_XZ" ] && xz -dc "$CRICTL_XZ" > "$IRD/suite/assets/crictl" && chmod 0755 "$IRD/suite/assets/crictl"
	python3 "$REPO/tests/engines/mkociimage.py" "$IRD/suite/rootfs" "$IRD/suite/assets/busybox-oci.tar" \
		localhost/busybox:vm '["/bin/sh"]' >/dev/null || die "mkociimage.py failed"
	# a pod's pause container: pid 1 of the pod, reaps, ends on TERM
	python3 "$REPO/tests/engines/mkociimage.py" "$IRD/suite/rootfs" "$IRD/suite/assets/pause-oci.tar" \
		localhost/pause:vm '["/bin/sh", "-c", "trap '"'exit 0'"' TERM INT; while :; do sleep 3600 & wait $!; done"]' \
		>/dev/null || die "mkociimage.py failed"
	# stage 1 as below, then systemd as pid 1; the suite is a service that powers the VM off
	cat > "$IRD/init" <<'INIT'
#!/bin/sh
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t tmpfs -o mode=755 tmpfs /newroot
for f in /*; do
	case $f in /newroot|/proc|/sys|/dev) ;; *) cp -a "$f" /newroot/ ;; esac
done
mkdir -p /newroot/proc /newroot/sys /newroot/dev
exec switch_root /newroot /lib/systemd/systemd
INIT
	cat > "$IRD/etc/systemd/system/brick-suite.service" <<'UNIT'
[Unit]
Description=brick VM suite
After=basic.target dbus.service
Wants=dbus.service

[Service]
Type=oneshot
ExecStart=/suite/systemd-entry.sh
StandardOutput=tty
StandardError=tty
TTYPath=/dev/ttyS0
UNIT
	mkdir -p "$IRD/etc/systemd/system/multi-user.target.wants"
	ln -sf ../brick-suite.service "$IRD/etc/systemd/system/multi-user.target.wants/brick-suite.service"
	for u in getty@tty1.service serial-getty@ttyS0.service systemd-timesyncd.service apt-daily.timer \
		apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer systemd-udevd.service \
		systemd-udev-trigger.service; do
		ln -sf /dev/null "$IRD/etc/systemd/system/$u"
	done
	echo brick-vm > "$IRD/etc/hostname"
	cat > "$IRD/suite/systemd-entry.sh" <<'ENTRY'
#!/bin/sh
export PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
echo 1 > /proc/sys/kernel/printk
echo "# kernel $(uname -r); uptime at suite start: $(cut -d' ' -f1 /proc/uptime)s"
echo "# pid 1: $(cat /proc/1/comm); cgroup.subtree_control: $(cat /sys/fs/cgroup/cgroup.subtree_control)"
. /suite/env
SYSTEMD_LANE=1 RUNTIME=/usr/local/bin/$RT_NAME WORK=/tmp/cg2 sh /suite/cgroup2-suite.sh
echo "# suite exit status $?; uptime $(cut -d' ' -f1 /proc/uptime)s"
sync
systemctl poweroff --force --force
ENTRY
	chmod 0755 "$IRD/suite/systemd-entry.sh"
	if [ "$SELINUX" = 1 ]; then
		# systemd loads the policy named here before anything else runs
		mkdir -p "$IRD/etc/selinux"
		printf 'SELINUX=permissive\nSELINUXTYPE=default\n' > "$IRD/etc/selinux/config"
	fi
else
cat > "$IRD/init" <<'INIT'
#!/bin/sh
# stage 1 (pid 1 on the initramfs): pivot_root(2) refuses to move the initramfs root, and every
# runtime pivots, so copy ourselves onto a tmpfs and switch_root into it.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin:/usr/local/bin
if [ ! -e /.stage2 ]; then
	mount -t tmpfs -o mode=755 tmpfs /newroot
	for f in /*; do
		case $f in /newroot|/proc|/sys) ;; *) cp -a "$f" /newroot/ ;; esac
	done
	mkdir -p /newroot/proc /newroot/sys
	: > /newroot/.stage2
	exec switch_root /newroot /init
fi
# stage 2
mount -t proc proc /proc
echo 1 > /proc/sys/kernel/printk
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm && mount -t devpts devpts /dev/pts && mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs -o mode=755 tmpfs /run
mount -t cgroup2 -o nsdelegate cgroup2 /sys/fs/cgroup
for c in cpu memory pids io cpuset hugetlb rdma misc; do
	echo "+$c" > /sys/fs/cgroup/cgroup.subtree_control 2>/dev/null || echo "# cannot enable controller $c"
done
echo "# kernel $(uname -r); uptime at suite start: $(cut -d' ' -f1 /proc/uptime)s"
echo "# cgroup.subtree_control: $(cat /sys/fs/cgroup/cgroup.subtree_control)"
. /suite/env
RUNTIME=/usr/local/bin/$RT_NAME WORK=/tmp/cg2 sh /suite/cgroup2-suite.sh
echo "# suite exit status $?; uptime $(cut -d' ' -f1 /proc/uptime)s"
sync
poweroff -f
INIT
fi
chmod 0755 "$IRD/init"
{
	printf 'RT_NAME=%s\nBEGIN_MARK=%s\nEND_MARK=%s\n' "$RT_NAME" "'$BEGIN_MARK'" "'$END_MARK'"
	printf 'export ONLY=%q\n' "${BRICK_VM_ONLY:-}"
	[ "$SELINUX" = 1 ] && printf 'export LANE_ONLY=1\n'   # the cgroup suite ran in the systemd lane
	# sanitizer builds: keep the host's settings inside the VM
	for v in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
		[ -n "${!v:-}" ] && printf 'export %s=%q\n' "$v" "${!v}"
	done
} > "$IRD/suite/env"

(cd "$IRD" && find . -print0 | cpio --null -o -H newc --quiet | gzip -1) > "$WORK/initramfs.gz"
T1=$(date +%s.%N)
log "initramfs $(du -h "$WORK/initramfs.gz" | cut -f1) built in $(echo "$T1 $T0" | awk '{printf "%.1f", $1-$2}')s; runtime $RUNTIME"

# ---------------------------------------------------------------- boot
MEM_DEFAULT=1024
APPEND_EXTRA=
if [ "$SYSTEMD" = 1 ]; then
	MEM_DEFAULT=2048   # the image lives in RAM twice while /init copies it to a tmpfs
	APPEND_EXTRA=" systemd.show_status=0 systemd.log_level=warning"
	# SELinux instead of AppArmor as the major LSM (Debian's CONFIG_LSM lists both; the first wins)
	[ "$SELINUX" = 1 ] && APPEND_EXTRA="$APPEND_EXTRA lsm=landlock,lockdown,yama,integrity,selinux,bpf selinux=1 enforcing=0"
fi
CONSOLE=$WORK/console.log
log "booting $KERNEL ($ARCH, accel ${BRICK_VM_ACCEL:-tcg}, timeout ${TIMEOUT}s)"
# progress: echo the suite's lines, and time the boot (qemu start to the suite's first line)
progress() {
	local line
	while IFS= read -r line; do
		case $line in
			"# kernel "*) log "booted in $(awk -v a="$T1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')s" ;;
		esac
		case $line in "# "*|"ok "*|"not ok "*) printf 'vm: %s\n' "$line" ;; esac
	done
}
rc=0
timeout -k 10 "$TIMEOUT" "$QEMU" "${QEMU_MACHINE[@]}" \
	-accel "${BRICK_VM_ACCEL:-tcg}" -m "${BRICK_VM_MEM:-$MEM_DEFAULT}" -smp "${BRICK_VM_SMP:-2}" \
	-nographic -no-reboot -nic none \
	-kernel "$KERNEL" -initrd "$WORK/initramfs.gz" \
	-append "console=$TTY panic=-1 quiet loglevel=1 systemd.unified_cgroup_hierarchy=1 cgroup_no_v1=all$APPEND_EXTRA" \
	</dev/null 2>&1 | sed -u -e 's/\r//g' -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\x1b[a-z]//g' | tee "$CONSOLE" | progress >&2 || rc=$?
T2=$(date +%s.%N)
log "qemu finished after $(echo "$T2 $T1" | awk '{printf "%.1f", $1-$2}')s (status $rc)"
[ -n "$LOG" ] && cp "$CONSOLE" "$LOG"

# ---------------------------------------------------------------- result block
# complete = BEGIN, a plan "1..N", N test lines, END (in that order)
BLOCK=$WORK/tap
awk -v b="$BEGIN_MARK" -v e="$END_MARK" '
	$0 == b { inb = 1; n = 0; delete L; next }
	$0 == e && inb { done = 1; inb = 0; next }
	inb { L[++n] = $0 }
	END { if (done) for (i = 1; i <= n; i++) print L[i] }' "$CONSOLE" > "$BLOCK"
plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\)$/\1/p' "$BLOCK" | head -n1)
ntests=$(grep -cE '^(ok|not ok) [0-9]+' "$BLOCK" || true)
nfail=$(grep -cE '^not ok [0-9]+' "$BLOCK" || true)
[ -n "$TAP" ] && cp "$BLOCK" "$TAP"
if [ -z "$plan" ] || [ "$ntests" != "$plan" ]; then
	log "no complete result block (plan '${plan:-none}', $ntests results); console tail:"
	tail -n 30 "$CONSOLE" >&2
	exit 2
fi
cat "$BLOCK"
log "$((ntests - nfail))/$ntests ok with $RT_NAME"
[ "$nfail" = 0 ] || exit 1
exit 0
