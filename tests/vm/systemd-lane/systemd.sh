# systemd.sh — the systemd lane's base scenarios (sourced by cgroup2-suite.sh; see tests/vm/README.md).
# A file here may name the Debian packages it needs in the image and the kernel modules it needs
# loaded at boot, on lines of their own:
# packages: systemd systemd-sysv dbus iproute2 procps kmod busybox strace podman
# modules:

LANE_TESTS="$LANE_TESTS systemd_pid1 rootless_do systemd_scope systemd_no_bus podman_systemd"
IDS_systemd_pid1=sd1
IDS_systemd_scope="sdscope sdforce"
IDS_systemd_no_bus=sdnobus

t_systemd_pid1() {
	[ "$(cat /proc/1/comm)" = systemd ] || fail "pid 1 is $(cat /proc/1/comm)" || return 1
	st=$(systemctl is-system-running 2>&1)
	case $st in running|degraded|starting) ;; *) fail "systemctl is-system-running: $st"; return 1 ;; esac
	mkbundle sd1 'echo hello-from-systemd-host' '{}'
	runfg sd1 || fail "run failed: $(tail -n 3 "$WORK/sd1/log" | tr '\n' ' ')" || return 1
	grep -q hello-from-systemd-host "$WORK/sd1/log" || fail "no output: $(cat "$WORK/sd1/log")"
}

# A normal user's `brick do` from a systemd service (no cgroup is delegated at /brick: none is
# made; a limit is refused in one line).
t_rootless_do() {
	d=/tmp/rl-nobody
	rm -rf "$d"; mkdir -p "$d"; chown 65534:65534 "$d"; chmod 700 "$d"
	out=$(systemd-run --quiet --wait --pipe --uid=65534 --gid=65534 -E XDG_RUNTIME_DIR=$d \
		"$RUNTIME" do -- sh -c 'id -u; cat /proc/self/uid_map' 2>&1) || fail "rootless do failed: $out" || return 1
	set -- $out
	[ "$1" = 65534 ] && [ "$2 $3 $4" = "65534 65534 1" ] || fail "unexpected: $out" || return 1
	out=$(systemd-run --quiet --wait --pipe --uid=65534 --gid=65534 -E XDG_RUNTIME_DIR=$d \
		"$RUNTIME" do -m 64m -- true 2>&1) && fail "a limit without a delegated cgroup was accepted" && return 1
	case $out in *"not delegated"*) ;; *) fail "unexpected refusal: $out"; return 1 ;; esac
	rm -rf "$d"
}

# --systemd-cgroup with systemd as pid 1: the scope is a transient unit systemd made, the limits
# are its properties (systemctl show) and its files, update changes both, delete stops the unit.
sd_show() { systemctl show "$1" -p "$2" --value 2>/dev/null; }
t_systemd_scope() {
	u=brick-sdscope.scope
	mkbundle sdscope "$SLEEPER" '{"memory": {"limit": 67108864}, "pids": {"limit": 50}, "cpu": {"quota": 50000, "period": 100000}}'
	sed -i 's|"cgroupsPath": "[^"]*"|"cgroupsPath": "system.slice:brick:sdscope"|' "$WORK/sdscope/config.json"
	rt --systemd-cgroup create --bundle "$WORK/sdscope" sdscope > "$WORK/sdscope/log" 2>&1 < /dev/null ||
		fail "create failed: $(tail -n 3 "$WORK/sdscope/log" | tr '\n' ' ')" || return 1
	rt start sdscope > /dev/null 2>&1 || fail "start failed" || return 1
	wait_log sdscope READY || return 1
	pid=$(state_pid sdscope)
	c=$(cat "/proc/$pid/cgroup")
	[ "$c" = "0::/system.slice/$u" ] || fail "init in '$c', expected 0::/system.slice/$u" || return 1
	[ "$(systemctl is-active $u)" = active ] || fail "$u is $(systemctl is-active $u)" || return 1
	[ "$(sd_show $u MemoryMax)" = 67108864 ] || fail "MemoryMax=$(sd_show $u MemoryMax)" || return 1
	[ "$(sd_show $u TasksMax)" = 50 ] || fail "TasksMax=$(sd_show $u TasksMax)" || return 1
	[ "$(sd_show $u CPUQuotaPerSecUSec)" = 500ms ] || fail "CPUQuotaPerSecUSec=$(sd_show $u CPUQuotaPerSecUSec)" || return 1
	[ "$(sd_show $u Delegate)" = yes ] || fail "Delegate=$(sd_show $u Delegate)" || return 1
	d=/sys/fs/cgroup/system.slice/$u
	[ "$(cat $d/memory.max)" = 67108864 ] || fail "memory.max $(cat $d/memory.max)" || return 1
	[ "$(cat $d/pids.max)" = 50 ] || fail "pids.max $(cat $d/pids.max)" || return 1
	rt update --memory 134217728 sdscope > "$WORK/sdscope.out" 2>&1 || fail "update: $(cat "$WORK/sdscope.out")" || return 1
	[ "$(sd_show $u MemoryMax)" = 134217728 ] || fail "after update MemoryMax=$(sd_show $u MemoryMax)" || return 1
	[ "$(cat $d/memory.max)" = 134217728 ] || fail "after update memory.max $(cat $d/memory.max)" || return 1
	rt pause sdscope && rt resume sdscope || fail "pause/resume failed" || return 1
	rt kill sdscope KILL > /dev/null 2>&1
	wait_until 10 is_stopped sdscope || fail "did not stop after SIGKILL" || return 1
	rt delete sdscope > "$WORK/sdscope.out" 2>&1 || fail "delete: $(cat "$WORK/sdscope.out")" || return 1
	wait_until 5 sh -c "[ ! -d $d ]" || fail "$d still exists after delete" || return 1
	st=$(systemctl is-active $u 2>&1)
	[ "$st" = inactive ] || [ "$st" = unknown ] || fail "$u is '$st' after delete" || return 1
	# delete --force of a running one
	mkbundle sdforce "$SLEEPER" '{"pids": {"limit": 50}}'
	sed -i 's|"cgroupsPath": "[^"]*"|"cgroupsPath": "system.slice:brick:sdforce"|' "$WORK/sdforce/config.json"
	rt --systemd-cgroup create --bundle "$WORK/sdforce" sdforce > "$WORK/sdforce/log" 2>&1 < /dev/null ||
		fail "create failed: $(tail -n 3 "$WORK/sdforce/log" | tr '\n' ' ')" || return 1
	rt start sdforce > /dev/null 2>&1 && wait_log sdforce READY || return 1
	rt delete --force sdforce > "$WORK/sdforce.out" 2>&1 || fail "delete --force: $(cat "$WORK/sdforce.out")" || return 1
	[ ! -d /sys/fs/cgroup/system.slice/brick-sdforce.scope ] || fail "the forced scope is left" || return 1
	st=$(systemctl is-active brick-sdforce.scope 2>&1)
	[ "$st" = inactive ] || [ "$st" = unknown ] || fail "brick-sdforce.scope is '$st' after delete --force"
}

# Podman with its defaults (cgroup_manager = systemd) and brick as its runtime: `--memory 64m`
# becomes the scope's MemoryMax (systemctl show) and its memory.max. vfs storage, no network: no
# kernel module is needed.
t_podman_systemd() {
	command -v podman > /dev/null || fail "podman is not in the image" || return 1
	mkdir -p /etc/containers
	printf '[storage]\ndriver = "vfs"\nrunroot = "/run/containers/storage"\ngraphroot = "/var/lib/containers/storage"\n' \
		> /etc/containers/storage.conf
	pm="podman --runtime $RUNTIME --events-backend file"
	(cd "$ROOTFS" && tar -cf /tmp/bb.tar .) && $pm import -q /tmp/bb.tar localhost/bb > "$WORK/pm.out" 2>&1 ||
		fail "podman import: $(tail -n 3 "$WORK/pm.out" | tr '\n' ' ')" || return 1
	$pm run -d --name pm1 --network none --memory 64m localhost/bb sleep 1000 > "$WORK/pm.out" 2>&1 ||
		fail "podman run: $(tail -n 3 "$WORK/pm.out" | tr '\n' ' ')" || return 1
	id=$($pm inspect --format '{{.Id}}' pm1)
	u=libpod-$id.scope
	mm=$(systemctl show "$u" -p MemoryMax --value 2>&1)
	v=$($pm exec pm1 cat /sys/fs/cgroup/memory.max 2>&1)
	$pm rm -f -t 0 pm1 > /dev/null 2>&1
	[ "$mm" = 67108864 ] || fail "systemctl show $u: MemoryMax=$mm" || return 1
	[ "$v" = 67108864 ] || fail "memory.max in the container: $v" || return 1
	st=$(systemctl is-active "$u" 2>&1)
	[ "$st" = inactive ] || [ "$st" = unknown ] || fail "$u is '$st' after podman rm"
}


# Without the bus daemon (its socket hidden in a mount namespace of the runtime's own), as runc:
# --systemd-cgroup fails in one line naming the bus, and leaves no scope and no container behind.
t_systemd_no_bus() {
	mkbundle sdnobus "$SLEEPER" '{"memory": {"limit": 67108864}}'
	sed -i 's|"cgroupsPath": "[^"]*"|"cgroupsPath": "system.slice:brick:sdnobus"|' "$WORK/sdnobus/config.json"
	unshare -m sh -c 'mount -t tmpfs tmpfs /run/dbus && exec "$@"' sh timeout $T "$RUNTIME" --root "$STATE" \
		--systemd-cgroup create --bundle "$WORK/sdnobus" sdnobus > "$WORK/sdnobus/log" 2>&1 < /dev/null &&
		fail "create without a bus succeeded" && return 1
	grep -q "cannot reach the system bus at /run/dbus/system_bus_socket" "$WORK/sdnobus/log" ||
		fail "error: $(tr '\n' ' ' < "$WORK/sdnobus/log")" || return 1
	st=$(systemctl is-active brick-sdnobus.scope 2>&1)
	[ "$st" = inactive ] || [ "$st" = unknown ] || fail "brick-sdnobus.scope is '$st'" || return 1
	[ ! -d /sys/fs/cgroup/system.slice/brick-sdnobus.scope ] || fail "its cgroup is left" || return 1
	if out=$(rt state sdnobus 2>&1); then fail "a container is left: $out"; return 1; fi
}
