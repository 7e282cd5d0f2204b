#!/bin/sh
# cgroup2-suite.sh — cgroup v2 resource tests for an OCI runtime, driven through its runc-compatible
# CLI. Runs under busybox sh inside the test VM (tests/vm/run-vm.sh), as root, on a cgroup2 root with
# the controllers enabled. Needs: RUNTIME (the binary), WORK (scratch dir), /suite/rootfs (busybox).
# Prints TAP between BEGIN_MARK and END_MARK. Test names are stable: tests/integration/
# test_cgroup_v2_vm.py lists them (keep both in sync).
#
# Every container gets cgroupsPath /brickvm/<id> (so the runtime must also create the parent
# and enable the controllers in it) and a private copy of the busybox rootfs; its script is
# /t.sh in the rootfs, its stdout/stderr go to <bundle>/log.

RUNTIME=${RUNTIME:?RUNTIME=/path/to/runtime}
WORK=${WORK:-/tmp/cg2}
ROOTFS=${ROOTFS:-/suite/rootfs}
BEGIN_MARK=${BEGIN_MARK:-=== BRICK-VM TAP BEGIN ===}
END_MARK=${END_MARK:-=== BRICK-VM TAP END ===}
STATE=/run/x
CG=/sys/fs/cgroup
PARENT=brickvm
T=60   # timeout of one runtime command

TESTS="memory_max memory_oom_kill memory_swap pids_max pids_fork_limit cpu_max cpu_weight
cpuset_cpus io_weight devices_deny devices_allow pause_resume update_memory update_pids events_stats
unified_memory_high own_cgroup cgroupns_root ps_pids exec_joins_cgroup delete_removes_cgroup"
# the systemd lane (run-vm.sh --systemd): systemd is pid 1 and the suite a service; its own
# scenarios are the files of tests/vm/systemd-lane/ (copied to /suite/lane), each adding its
# names to LANE_TESTS and the ids of its containers to IDS_<name>; they run first
LANE_TESTS=
if [ "${SYSTEMD_LANE:-0}" = 1 ]; then
	for f in /suite/lane/*.sh; do . "$f"; done
	TESTS="$LANE_TESTS $TESTS"
	[ "${LANE_ONLY:-0}" = 1 ] && TESTS=$LANE_TESTS
fi
# run-vm.sh's BRICK_VM_ONLY: just these (to debug one scenario)
[ -n "${ONLY:-}" ] && TESTS=$ONLY

mkdir -p "$WORK" "$STATE"

# ---------------------------------------------------------------- helpers
rt() { timeout $T "$RUNTIME" --root "$STATE" "$@"; }

REASON=
fail() { REASON="$*"; return 1; }
diag() { echo "# $*"; }

# mkbundle ID SCRIPT RESOURCES_JSON [EXTRA_NAMESPACES_JSON] [EXTRA_LINUX_MEMBERS_JSON]
mkbundle() {
	b=$WORK/$1
	rm -rf "$b"
	mkdir -p "$b"
	cp -a "$ROOTFS" "$b/rootfs"
	printf '%s\n' "$2" > "$b/rootfs/t.sh"
	cat > "$b/config.json" <<EOF
{
  "ociVersion": "1.0.2",
  "process": {
    "terminal": false,
    "user": {"uid": 0, "gid": 0},
    "args": ["/bin/sh", "/t.sh"],
    "env": ["PATH=/bin:/sbin:/usr/bin:/usr/sbin", "HOME=/root"],
    "cwd": "/",
    "capabilities": {
      "bounding": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
      "effective": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
      "permitted": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
      "inheritable": [],
      "ambient": []
    },
    "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}],
    "noNewPrivileges": true
  },
  "root": {"path": "rootfs", "readonly": false},
  "hostname": "cg2",
  "mounts": [
    {"destination": "/proc", "type": "proc", "source": "proc"},
    {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
    {"destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]},
    {"destination": "/dev/shm", "type": "tmpfs", "source": "shm", "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
    {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]}
  ],
  "linux": {
    "cgroupsPath": "/$PARENT/$1",${5:+
    $5,}
    "resources": $3,
    "namespaces": [{"type": "pid"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}${4:+, $4}],
    "maskedPaths": [],
    "readonlyPaths": []
  }
}
EOF
}

# start ID: create + start detached (stdio to <bundle>/log)
start() {
	rt create --bundle "$WORK/$1" "$1" > "$WORK/$1/log" 2>&1 < /dev/null ||
		fail "create failed: $(tail -n 3 "$WORK/$1/log" | tr '\n' ' ')" || return 1
	rt start "$1" > "$WORK/$1/start.log" 2>&1 ||
		fail "start failed: $(tail -n 3 "$WORK/$1/start.log" | tr '\n' ' ')" || return 1
}

# runfg ID: foreground run; output in <bundle>/log
runfg() {
	rt run --bundle "$WORK/$1" "$1" > "$WORK/$1/log" 2>&1 < /dev/null
}

# wait_log ID REGEX [SECS]
wait_log() {
	i=0
	while [ $i -lt $((${3:-20} * 10)) ]; do
		grep -qE "$2" "$WORK/$1/log" 2>/dev/null && return 0
		sleep 0.1; i=$((i + 1))
	done
	fail "no '$2' in the container output (got: $(tail -n 3 "$WORK/$1/log" 2>/dev/null | tr '\n' ' '))"
}

# wait_until SECS COMMAND...: poll a condition
wait_until() {
	n=$(($1 * 10)); shift
	while [ $n -gt 0 ]; do
		"$@" && return 0
		sleep 0.1; n=$((n - 1))
	done
	"$@"
}

cgd() { echo "$CG/$PARENT/$1"; }

# expect_file ID FILE VALUE: the cgroup file holds exactly VALUE
expect_file() {
	f=$(cgd "$1")/$2
	[ -e "$f" ] || fail "$f does not exist" || return 1
	v=$(cat "$f" 2>&1)
	[ "$v" = "$3" ] || fail "$2 is '$v', expected '$3'"
}

# key_value FILE KEY: the value of "KEY VALUE" in a flat-keyed file
key_value() { awk -v k="$2" '$1 == k { print $2 }' "$1" 2>/dev/null; }

state_pid() { rt state "$1" 2>/dev/null | tr -d ' \n\t' | sed -n 's/.*"pid":\([0-9][0-9]*\).*/\1/p'; }
state_status() { rt state "$1" 2>/dev/null | tr -d ' \n\t' | sed -n 's/.*"status":"\([a-z]*\)".*/\1/p'; }
is_stopped() { [ "$(state_status "$1")" = stopped ]; }

destroy() {
	rt kill "$1" KILL > /dev/null 2>&1
	rt delete --force "$1" > /dev/null 2>&1
	rt delete "$1" > /dev/null 2>&1
	rm -rf "${WORK:?}/${1:?}"
}

SLEEPER='echo READY; exec sleep 1000'

# ---------------------------------------------------------------- tests
t_memory_max() {
	mkbundle memmax "$SLEEPER" '{"memory": {"limit": 33554432}}'
	start memmax && wait_log memmax READY && expect_file memmax memory.max 33554432
}

t_memory_oom_kill() {
	# dd's 64 MiB buffer is touched when /dev/zero is read into it: more than the 32 MiB limit
	mkbundle memoom 'dd if=/dev/zero of=/dev/null bs=64M count=1 2>/dev/null; echo "DD_STATUS=$?"; exec sleep 1000' \
		'{"memory": {"limit": 33554432, "swap": 33554432}}'
	start memoom && wait_log memoom 'DD_STATUS=' 60 || return 1
	st=$(sed -n 's/^DD_STATUS=//p' "$WORK/memoom/log")
	[ "$st" = 137 ] || fail "the memory hog was not SIGKILLed (exit status $st)" || return 1
	k=$(key_value "$(cgd memoom)/memory.events" oom_kill)
	[ "${k:-0}" -ge 1 ] || fail "memory.events oom_kill is '$k'"
}

t_memory_swap() {
	# OCI swap is memory+swap; cgroup v2 memory.swap.max is swap alone
	mkbundle memswap "$SLEEPER" '{"memory": {"limit": 33554432, "swap": 100663296}}'
	start memswap && wait_log memswap READY &&
		expect_file memswap memory.max 33554432 && expect_file memswap memory.swap.max 67108864
}

t_pids_max() {
	mkbundle pidsmax "$SLEEPER" '{"pids": {"limit": 20}}'
	start pidsmax && wait_log pidsmax READY && expect_file pidsmax pids.max 20
}

t_pids_fork_limit() {
	# a subshell forks 40 sleepers; forks beyond the limit fail and the subshell gives up
	mkbundle pidsfork '( for i in $(seq 1 40); do sleep 1000 & done ) 2>/dev/null; echo FORKED; exec sleep 1000' \
		'{"pids": {"limit": 10}}'
	start pidsfork && wait_log pidsfork FORKED 60 || return 1
	d=$(cgd pidsfork)
	cur=$(cat "$d/pids.current")
	mx=$(key_value "$d/pids.events" max)
	[ "$cur" -le 10 ] || fail "pids.current $cur exceeds the limit 10" || return 1
	[ "${mx:-0}" -ge 1 ] || fail "pids.events max is '$mx' (no fork was refused)"
}

t_cpu_max() {
	mkbundle cpumax "$SLEEPER" '{"cpu": {"quota": 50000, "period": 100000}}'
	start cpumax && wait_log cpumax READY && expect_file cpumax cpu.max "50000 100000"
}

t_cpu_weight() {
	# runc and crun: weight = 1 + ((shares - 2) * 9999) / 262142  -> 1024 gives 39
	mkbundle cpuweight "$SLEEPER" '{"cpu": {"shares": 1024}}'
	start cpuweight && wait_log cpuweight READY && expect_file cpuweight cpu.weight 39
}

t_cpuset_cpus() {
	mkbundle cpuset "$SLEEPER" '{"cpu": {"cpus": "1", "mems": "0"}}'
	start cpuset && wait_log cpuset READY &&
		expect_file cpuset cpuset.cpus 1 && expect_file cpuset cpuset.mems 0
}

t_io_weight() {
	# io.bfq.weight takes the OCI weight as is; without BFQ (Debian builds it as a module)
	# runc writes io.weight converted: 1 + (w - 10) * 9999 / 990 -> 500 gives 4950
	mkbundle ioweight "$SLEEPER" '{"blockIO": {"weight": 500}}'
	start ioweight && wait_log ioweight READY || return 1
	d=$(cgd ioweight)
	if [ -e "$d/io.bfq.weight" ]; then
		v=$(key_value "$d/io.bfq.weight" default)
		[ "$v" = 500 ] || fail "io.bfq.weight default is '$v', expected 500"
	elif [ -e "$d/io.weight" ]; then
		v=$(key_value "$d/io.weight" default)
		[ "$v" = 4950 ] || fail "io.weight default is '$v', expected 4950 (what runc and crun write)"
	else
		fail "neither io.bfq.weight nor io.weight exists in $d"
	fi
}

# Both runc and crun append their default device rules (null, zero, full, random, urandom, tty,
# console, ptmx, pts, tun) after the spec's rules, so a spec rule cannot deny /dev/null; deny a
# device outside that set instead: /dev/kmsg (c 1:11, writable without capabilities), made by
# linux.devices.
KMSG_DEV='"devices": [{"path": "/dev/kmsg", "type": "c", "major": 1, "minor": 11, "fileMode": 420, "uid": 0, "gid": 0}]'
DEV_SCRIPT='
if (echo brick-vm-devices-test > /dev/kmsg) 2>/dev/null; then echo KMSG_OPENED; else echo KMSG_DENIED; fi
if [ "$(head -c 4 /dev/zero | wc -c)" = 4 ]; then echo ZERO_OK; else echo ZERO_DENIED; fi
if (: > /dev/null) 2>/dev/null; then echo NULL_OK; else echo NULL_DENIED; fi'

t_devices_deny() {
	mkbundle devices "$DEV_SCRIPT" \
		'{"devices": [{"allow": false, "access": "rwm"},
		              {"allow": true, "type": "c", "major": 1, "minor": 11, "access": "rwm"},
		              {"allow": false, "type": "c", "major": 1, "minor": 11, "access": "w"}]}' '' "$KMSG_DEV"
	runfg devices || fail "run failed: $(tail -n 3 "$WORK/devices/log" | tr '\n' ' ')" || return 1
	out=$(tr '\n' ' ' < "$WORK/devices/log")
	case $out in
		*KMSG_DENIED*ZERO_OK*) ;;
		*) fail "expected the write to /dev/kmsg denied and /dev/zero readable: $out" ;;
	esac
}

t_devices_allow() {
	# the same node, allowed: proves devices_deny's failure came from the device rules
	mkbundle devallow "$DEV_SCRIPT" \
		'{"devices": [{"allow": false, "access": "rwm"},
		              {"allow": true, "type": "c", "major": 1, "minor": 11, "access": "w"}]}' '' "$KMSG_DEV"
	runfg devallow || fail "run failed: $(tail -n 3 "$WORK/devallow/log" | tr '\n' ' ')" || return 1
	out=$(tr '\n' ' ' < "$WORK/devallow/log")
	case $out in
		*KMSG_OPENED*ZERO_OK*NULL_OK*) ;;
		*) fail "expected /dev/kmsg writable and /dev/zero, /dev/null usable: $out" ;;
	esac
}

t_pause_resume() {
	mkbundle pause 'while :; do echo tick; sleep 0.2; done' '{}'
	start pause && wait_log pause tick || return 1
	d=$(cgd pause)
	rt pause pause > "$WORK/pause.out" 2>&1 || fail "pause failed: $(cat "$WORK/pause.out")" || return 1
	[ "$(cat "$d/cgroup.freeze")" = 1 ] || fail "cgroup.freeze is not 1 after pause" || return 1
	wait_until 10 sh -c "grep -qx 'frozen 1' $d/cgroup.events" || fail "cgroup.events never said frozen 1" || return 1
	[ "$(state_status pause)" = paused ] || fail "state is '$(state_status pause)', expected paused" || return 1
	n1=$(wc -l < "$WORK/pause/log"); sleep 1.5; n2=$(wc -l < "$WORK/pause/log")
	[ "$n1" = "$n2" ] || fail "the counter moved while paused ($n1 -> $n2)" || return 1
	rt resume pause > "$WORK/pause.out" 2>&1 || fail "resume failed: $(cat "$WORK/pause.out")" || return 1
	[ "$(cat "$d/cgroup.freeze")" = 0 ] || fail "cgroup.freeze is not 0 after resume" || return 1
	wait_until 10 sh -c "[ \$(wc -l < $WORK/pause/log) -gt $n2 ]" || fail "the counter did not resume" || return 1
	[ "$(state_status pause)" = running ] || fail "state is '$(state_status pause)' after resume"
}

UPD_STARTED=
upd_start() {
	[ -n "$UPD_STARTED" ] && return 0
	mkbundle upd "$SLEEPER" '{"memory": {"limit": 33554432}, "pids": {"limit": 20}}'
	start upd && wait_log upd READY && expect_file upd memory.max 33554432 && expect_file upd pids.max 20 &&
		UPD_STARTED=1
}

t_update_memory() {
	upd_start || return 1
	rt update --memory 67108864 upd > "$WORK/upd.out" 2>&1 || fail "update --memory failed: $(cat "$WORK/upd.out")" || return 1
	expect_file upd memory.max 67108864
}

t_update_pids() {
	upd_start || return 1
	rt update --pids-limit 30 upd > "$WORK/upd.out" 2>&1 || fail "update --pids-limit failed: $(cat "$WORK/upd.out")" || return 1
	expect_file upd pids.max 30 && expect_file upd memory.max 67108864
}

t_events_stats() {
	mkbundle events "$SLEEPER" '{"memory": {"limit": 67108864}}'
	start events && wait_log events READY 60 || return 1
	rt events --stats events > "$WORK/events.out" 2> "$WORK/events.err" ||
		fail "events --stats failed: $(head -c 300 "$WORK/events.err")" || return 1
	# runc: {"type":"stats","id":..,"data":{..,"memory":{..,"usage":{"limit":..,"usage":N,..
	tr -d ' \n\t' < "$WORK/events.out" | grep -qE '"memory":\{([^{}]*,)?"usage":\{([^{}]*,)?"usage":[1-9]' ||
		fail "no non-zero memory usage in: $(head -c 300 "$WORK/events.out")"
}

t_unified_memory_high() {
	mkbundle unified "$SLEEPER" '{"unified": {"memory.high": "50331648", "pids.max": "33"}}'
	start unified && wait_log unified READY &&
		expect_file unified memory.high 50331648 && expect_file unified pids.max 33
}

t_own_cgroup() {
	mkbundle own "$SLEEPER" '{}'
	start own && wait_log own READY || return 1
	pid=$(state_pid own)
	[ -n "$pid" ] || fail "no pid in state" || return 1
	c=$(cat "/proc/$pid/cgroup")
	[ "$c" = "0::/$PARENT/own" ] || fail "/proc/$pid/cgroup is '$c', expected 0::/$PARENT/own" || return 1
	grep -qx "$pid" "$(cgd own)/cgroup.procs" || fail "$pid not in cgroup.procs"
}

t_cgroupns_root() {
	mkbundle cgns 'cat /proc/self/cgroup; ls /sys/fs/cgroup >/dev/null' '{}' '{"type": "cgroup"}'
	runfg cgns || fail "run failed: $(tail -n 3 "$WORK/cgns/log" | tr '\n' ' ')" || return 1
	c=$(cat "$WORK/cgns/log")
	[ "$c" = "0::/" ] || fail "inside the container /proc/self/cgroup is '$c', expected 0::/"
}

t_ps_pids() {
	mkbundle ps 'sleep 1000 & echo READY; exec sleep 1001' '{}'
	start ps && wait_log ps READY || return 1
	pid=$(state_pid ps)
	rt ps --format json ps > "$WORK/ps.out" 2>&1 || fail "ps failed: $(head -c 300 "$WORK/ps.out")" || return 1
	n=$(tr -d ' \n\t[]' < "$WORK/ps.out" | tr ',' '\n' | grep -c '^[0-9][0-9]*$')
	tr -d ' \n\t[]' < "$WORK/ps.out" | tr ',' '\n' | grep -qx "$pid" ||
		fail "init pid $pid not in ps output: $(head -c 200 "$WORK/ps.out")" || return 1
	[ "$n" = 2 ] || fail "ps lists $n pids, expected 2: $(head -c 200 "$WORK/ps.out")"
}

t_exec_joins_cgroup() {
	mkbundle exec "$SLEEPER" '{"pids": {"limit": 20}}'
	start exec && wait_log exec READY || return 1
	pid=$(state_pid exec)
	rt exec -d --pid-file "$WORK/exec.pid" exec sleep 1002 > "$WORK/exec.out" 2>&1 ||
		fail "exec failed: $(head -c 300 "$WORK/exec.out")" || return 1
	epid=$(cat "$WORK/exec.pid" 2>/dev/null)
	[ -n "$epid" ] || fail "no pid file from exec" || return 1
	c=$(cat "/proc/$epid/cgroup")
	[ "$c" = "0::/$PARENT/exec" ] || fail "exec'd /proc/$epid/cgroup is '$c', expected 0::/$PARENT/exec" || return 1
	grep -qx "$epid" "$(cgd exec)/cgroup.procs" || fail "$epid not in cgroup.procs"
}

t_delete_removes_cgroup() {
	mkbundle del "$SLEEPER" '{"pids": {"limit": 50}}'
	start del && wait_log del READY || return 1
	[ -d "$(cgd del)" ] || fail "$(cgd del) was not created" || return 1
	rt kill del KILL > "$WORK/del.out" 2>&1 || fail "kill failed: $(cat "$WORK/del.out")" || return 1
	wait_until 10 is_stopped del || fail "container did not stop after SIGKILL" || return 1
	rt delete del > "$WORK/del.out" 2>&1 || fail "delete failed: $(cat "$WORK/del.out")" || return 1
	wait_until 5 sh -c "[ ! -d $(cgd del) ]" || fail "$(cgd del) still exists after delete"
}

# ---------------------------------------------------------------- main
ids_of() {
	case $1 in
		memory_max) echo memmax ;; memory_oom_kill) echo memoom ;; memory_swap) echo memswap ;;
		pids_max) echo pidsmax ;; pids_fork_limit) echo pidsfork ;; cpu_max) echo cpumax ;;
		cpu_weight) echo cpuweight ;; cpuset_cpus) echo cpuset ;; io_weight) echo ioweight ;;
		devices_deny) echo devices ;; devices_allow) echo devallow ;; pause_resume) echo pause ;; update_pids) echo upd ;;
		events_stats) echo events ;; unified_memory_high) echo unified ;; own_cgroup) echo own ;;
		cgroupns_root) echo cgns ;; ps_pids) echo ps ;; exec_joins_cgroup) echo exec ;;
		delete_removes_cgroup) echo del ;;
		*) eval "echo \${IDS_$1:-}" ;;
	esac
}

set -- $TESTS
echo "$BEGIN_MARK"
echo "1..$#"
diag "runtime $RUNTIME: $("$RUNTIME" --version 2>&1 | head -n 1)"
tapn=0
failed=0
for t in $TESTS; do
	tapn=$((tapn + 1))
	REASON=
	s0=$(cut -d' ' -f1 /proc/uptime)
	if "t_$t"; then
		echo "ok $tapn - $t"
	else
		r=$(printf '%s' "${REASON:-failed}" | tr '\n\r' '  ' | cut -c 1-500)
		echo "not ok $tapn - $t # $r"
		failed=$((failed + 1))
	fi
	for id in $(ids_of "$t"); do destroy "$id"; done
	diag "$t took $(awk -v a="$s0" -v b="$(cut -d' ' -f1 /proc/uptime)" 'BEGIN { printf "%.1f", b - a }')s"
done
rmdir "$CG/$PARENT" 2>/dev/null
echo "$END_MARK"
exit $((failed > 0))
