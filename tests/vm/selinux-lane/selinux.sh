# selinux.sh — SELinux for real: Debian's reference policy (selinux-policy-default) loaded in a kernel
# booted with SELinux as its major LSM instead of AppArmor (run-vm.sh --selinux), permissive;
# process.selinuxLabel (init, what it execs, brick exec) and linux.mountLabel applied by the kernel.
# Not enforcing: the image's files live on a tmpfs without labels, so any confined domain is denied
# its own libraries (docs/SECURITY.md, "SELinux").
# packages: systemd systemd-sysv dbus procps busybox selinux-policy-default selinux-utils policycoreutils
# modules:

LANE_TESTS="$LANE_TESTS selinux_enabled selinux_process_label selinux_exec_label selinux_mount_label"
IDS_selinux_process_label=sel1
IDS_selinux_exec_label=sel2
IDS_selinux_mount_label=sel3

# systemd did not load the policy at boot here (the root is a tmpfs copy of the image): load it now,
# permissive, before any scenario (load_policy reads /etc/selinux/config)
if [ -e /sys/fs/selinux/enforce ] && [ ! -e /sys/fs/selinux/class/process ]; then
	out=$(load_policy 2>&1) || diag "load_policy: $out"
fi

# Debian 12's reference policy has no container module (no container_t): its confined guest domain
# is libvirt's svirt_t, with svirt_image_t for the guest's files
SE_LABEL=system_u:system_r:svirt_t:s0:c11,c22
SE_FILE=system_u:object_r:svirt_image_t:s0:c11,c22

# mkbundle, then: the process label, the mount label
se_bundle() {
	mkbundle "$1" "$2" '{}' '' "\"mountLabel\": \"$SE_FILE\""
	sed -i "s|\"noNewPrivileges\": true|\"noNewPrivileges\": true, \"selinuxLabel\": \"$SE_LABEL\"|" "$WORK/$1/config.json"
}

t_selinux_enabled() {
	[ -e /sys/fs/selinux/enforce ] || fail "no selinuxfs: $(cat /sys/kernel/security/lsm 2>&1)" || return 1
	[ -n "$(cat /sys/fs/selinux/policyvers)" ] && [ -e /sys/fs/selinux/class/process ] || fail "no policy loaded" || return 1
	for c in "$SE_LABEL" "$SE_FILE"; do   # selinuxfs's context node validates a context
		printf '%s' "$c" > /sys/fs/selinux/context 2> /dev/null || fail "the policy has no $c" || return 1
	done
	m=$(getenforce 2>&1)
	[ "$m" = Permissive ] || fail "getenforce: $m" || return 1
	diag "lsm: $(cat /sys/kernel/security/lsm); policy version $(cat /sys/fs/selinux/policyvers); suite runs as $(cat /proc/self/attr/current | tr -d '\0')"
}

# the init and what it execs carry process.selinuxLabel (/proc/self/attr/current)
t_selinux_process_label() {
	se_bundle sel1 'cat /proc/self/attr/current; echo; sh -c "cat /proc/self/attr/current"; echo'
	runfg sel1 || fail "run: $(tail -n 3 "$WORK/sel1/log" | tr '\n' ' ')" || return 1
	n=$(tr -d '\0' < "$WORK/sel1/log" | grep -cx "$SE_LABEL")
	[ "$n" = 2 ] || fail "labels inside: $(tr -d '\0' < "$WORK/sel1/log" | tr '\n' ' ')"
}

# brick exec into a labelled container: the exec'd process gets the container's label
t_selinux_exec_label() {
	se_bundle sel2 "$SLEEPER"
	start sel2 && wait_log sel2 READY || return 1
	out=$(rt exec sel2 cat /proc/self/attr/current 2>&1 | tr -d '\0')
	[ "$out" = "$SE_LABEL" ] || fail "exec'd process: '$out'"
}

# linux.mountLabel: the container's tmpfs mounts carry context= (their files get the label)
t_selinux_mount_label() {
	se_bundle sel3 'grep " /dev/shm " /proc/self/mounts; grep " /dev " /proc/self/mounts'
	runfg sel3 || fail "run: $(tail -n 3 "$WORK/sel3/log" | tr '\n' ' ')" || return 1
	n=$(grep -c "context=\"\{0,1\}$SE_FILE" "$WORK/sel3/log")
	[ "$n" = 2 ] || fail "mounts: $(tr '\n' ' ' < "$WORK/sel3/log")"
}
