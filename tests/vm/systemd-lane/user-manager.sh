# user-manager.sh — rootless on a systemd host: a normal user with a running user manager (lingering,
# as a logged-in desktop user has), whose scopes are delegated cgroups. `brick do` asks the user
# manager for its scope (limits work without root); rootless Podman with its defaults
# (cgroup_manager = systemd) runs through brick with `--memory`.
# packages: dbus-user-session libpam-systemd uidmap passwd
# modules:

LANE_TESTS="$LANE_TESTS user_manager_do podman_rootless_systemd"

UM_USER=brickuser
UM_UID=4242

# as the user, inside its user manager (a transient service of it, as a desktop session's programs are;
# KillMode=process: what a command leaves running outlives it, as in a login session — rootless
# Podman's pause process does)
as_user() {
	setpriv --reuid=$UM_UID --regid=$UM_UID --init-groups env XDG_RUNTIME_DIR=/run/user/$UM_UID \
		HOME=/home/$UM_USER PATH=/usr/local/bin:/usr/bin:/bin "$@"
}
in_session() { as_user systemd-run --user --quiet --wait --pipe --collect -p KillMode=process -- "$@"; }

um_setup() {
	id $UM_USER > /dev/null 2>&1 && [ -S /run/user/$UM_UID/bus ] && return 0
	useradd -m -u $UM_UID -s /bin/sh $UM_USER || fail "useradd" || return 1
	grep -q "^$UM_USER:" /etc/subuid || usermod --add-subuids 400000-465535 --add-subgids 400000-465535 $UM_USER
	loginctl enable-linger $UM_USER || fail "loginctl enable-linger" || return 1
	wait_until 60 test -S /run/user/$UM_UID/bus ||
		fail "no user manager bus: $(systemctl status user@$UM_UID.service 2>&1 | tail -n 3 | tr '\n' ' ')"
}

um_scope_show() { as_user systemctl --user show "$1" -p "$2" --value 2>/dev/null; }

# `brick do -m 64m` as the user: a scope of the user manager (systemctl --user show), delegated
# (the user owns it), the limit in its memory.max; delete stops it.
t_user_manager_do() {
	um_setup || return 1
	# (its output in a file: systemd-run's pipe shows only brick's own messages)
	in_session sh -c '"$0" do -d --name um1 -m 64m --pids-limit 40 -- sleep 1000 > /tmp/um1.out 2>&1 < /dev/null' \
		"$RUNTIME" || fail "brick do as the user: $(cat /tmp/um1.out)" || return 1
	u=brick-um1.scope
	d=/sys/fs/cgroup/user.slice/user-$UM_UID.slice/user@$UM_UID.service/user.slice/$u
	pid=$(in_session "$RUNTIME" state um1 2>/dev/null | tr -d ' \n\t' | sed -n 's/.*"pid":\([0-9][0-9]*\).*/\1/p')
	r=0
	if [ -z "$pid" ]; then
		fail "no state for um1: $(in_session "$RUNTIME" list 2>&1 | tr '\n' ' ')"; r=1
	elif [ "$(cat /proc/$pid/cgroup)" != "0::${d#/sys/fs/cgroup}" ]; then
		fail "init in $(cat /proc/$pid/cgroup), expected ${d#/sys/fs/cgroup}"; r=1
	elif [ "$(um_scope_show $u MemoryMax)" != 67108864 ] || [ "$(um_scope_show $u TasksMax)" != 40 ]; then
		fail "$u: MemoryMax=$(um_scope_show $u MemoryMax) TasksMax=$(um_scope_show $u TasksMax)"; r=1
	elif [ "$(cat $d/memory.max)" != 67108864 ] || [ "$(stat -c %u $d)" != $UM_UID ]; then
		fail "memory.max $(cat $d/memory.max), owner $(stat -c %u $d)"; r=1
	fi
	rec=$(tr -d ' \n\t' < /run/user/$UM_UID/brick/um1/state.json | grep -o '"manager":"[^"]*"')
	out=$(in_session "$RUNTIME" delete -f um1 2>&1) || { fail "delete -f: $out"; r=1; }
	[ $r = 0 ] || return 1
	wait_until 5 sh -c "[ ! -d $d ]" || fail "$d left after delete (delete said '$out'; record $rec;" \
		"$u $(um_scope_show $u ActiveState); procs $(cat $d/cgroup.procs | tr '\n' ' '); in it: $(ls $d | tr '\n' ' '))" || return 1
	st=$(um_scope_show $u ActiveState)
	[ "$st" = inactive ] || [ -z "$st" ] || fail "$u is '$st' after delete"
}

# Rootless Podman, defaults (cgroup_manager = systemd, the user's manager), brick as its runtime
# (root of Podman's user namespace: the user manager is still the user's).
t_podman_rootless_systemd() {
	um_setup || return 1
	command -v podman > /dev/null || fail "podman is not in the image" || return 1
	cfg=/home/$UM_USER/.config/containers
	mkdir -p $cfg
	printf '[storage]\ndriver = "vfs"\n' > $cfg/storage.conf
	chown -R $UM_UID:$UM_UID /home/$UM_USER/.config
	cp /tmp/bb.tar /home/$UM_USER/bb.tar 2> /dev/null || (cd "$ROOTFS" && tar -cf /home/$UM_USER/bb.tar .)
	chown $UM_UID /home/$UM_USER/bb.tar
	pm="podman --runtime $RUNTIME --events-backend file"
	out=$(in_session $pm import -q /home/$UM_USER/bb.tar localhost/bb 2>&1) || fail "podman import: $out" || return 1
	in_session sh -c "$pm run -d --name upm --network none --memory 64m localhost/bb sleep 1000 > /tmp/upm.out 2>&1 < /dev/null"
	rc=$?
	[ $rc = 0 ] || fail "podman run ($rc): $(tail -n 4 /tmp/upm.out | tr '\n' ' ')" || return 1
	id=$(in_session $pm inspect --format '{{.Id}}' upm 2>&1)
	mm=$(um_scope_show "libpod-$id.scope" MemoryMax)
	v=$(in_session $pm exec upm cat /sys/fs/cgroup/memory.max 2>&1)
	in_session $pm rm -f -t 0 upm > /dev/null 2>&1
	[ "$mm" = 67108864 ] || fail "systemctl --user show libpod-$id.scope: MemoryMax=$mm" || return 1
	[ "$v" = 67108864 ] || fail "memory.max in the container: $v"
}
