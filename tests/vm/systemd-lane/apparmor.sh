# apparmor.sh — AppArmor enforced for real (issue 17; sourced by cgroup2-suite.sh, see
# tests/vm/README.md). Debian's 6.1 kernel runs AppArmor as its major LSM in this lane: brick loads
# its own profile (brick-default) when a config names it and applies it, to the container's process,
# its children and `brick exec`; a profile the test loads confines a write; `brick do` uses
# brick-default by default; and runc's two AppArmor bypasses are played as attacks
# (CVE-2019-16884: /proc of the container is a plain directory or a bind; CVE-2023-28642: /proc is
# a symlink), against runc 1.1.5 too (a diagnostic line: what runc did).
# packages: apparmor runc
# modules:

LANE_TESTS="$LANE_TESTS apparmor_enabled apparmor_default apparmor_exec apparmor_custom apparmor_do apparmor_podman apparmor_cve_2019_16884 apparmor_cve_2023_28642"
IDS_apparmor_default="aadef aactl"
IDS_apparmor_exec=aaexec
IDS_apparmor_custom="aacust aamiss"
IDS_apparmor_cve_2019_16884="aa16884v aa16884d"
IDS_apparmor_cve_2023_28642=aa28642

AA_PROFILES=/sys/kernel/security/apparmor/profiles
AA_ENFORCED="brick-default (enforce)"
RUNC=/usr/sbin/runc

aa_loaded() { grep -qx "$1 (enforce)" "$AA_PROFILES"; }
aa_unload() { printf '%s' "$1" > /sys/kernel/security/apparmor/.remove 2>/dev/null; }

# In a container script: `r NAME COMMAND` prints NAME=ok, or NAME=<its error> when it fails.
AA_R='r() { out=$( (eval "$2") 2>&1 ) && echo "$1=ok" || echo "$1=${out:-failed}"; }'

# aa_bundle ID SCRIPT [PROFILE]: mkbundle's container with apparmorProfile PROFILE, in the host's pid
# namespace and holding CAP_SYS_ADMIN and CAP_SYS_PTRACE, so that what fails fails by AppArmor:
# without the profile (the control) every probe below succeeds.
aa_bundle() {
	mkbundle "$1" "$AA_R
$2" '{}'
	aa_c=$WORK/$1/config.json
	sed -i -e 's/"CAP_KILL"/"CAP_KILL", "CAP_SYS_ADMIN", "CAP_SYS_PTRACE"/g' -e 's/{"type": "pid"}, //' "$aa_c"
	[ -z "$3" ] || sed -i "s/\"noNewPrivileges\": true/\"noNewPrivileges\": true, \"apparmorProfile\": \"$3\"/" "$aa_c"
}

# val ID NAME: the value the container printed as NAME=...
val() { sed -n "s/^$2=//p" "$WORK/$1/log" | head -n 1; }
# expect ID NAME PATTERN: NAME's value matches the shell pattern
expect() {
	aa_v=$(val "$1" "$2")
	# shellcheck disable=SC2254
	case $aa_v in $3) ;; *) fail "$1: $2='$aa_v', expected '$3'"; return 1 ;; esac
}
denied() { expect "$1" "$2" '*Permission denied*'; }

AA_PROBES='echo "ATTR=$(cat /proc/self/attr/current)"
echo "CHILD=$(sh -c "cat /proc/self/attr/current")"
r SYSRQ "echo h > /proc/sysrq-trigger"
r MOUNT "mount -t tmpfs none /mnt"
r SYSCTL "echo aa > /proc/sys/kernel/hostname"
r SHM "cat /proc/sys/kernel/shmmni > /proc/sys/kernel/shmmni"
r KILL1 "kill -0 1"
r ENV1 "head -c 1 /proc/1/environ"
r CHANGE "echo changeprofile unconfined > /proc/self/attr/current"
sleep 100 & p=$!
r PEER "kill -0 $p && head -c 1 /proc/$p/environ"
kill $p
echo DONE'

t_apparmor_enabled() {
	aa_v=$(cat /sys/module/apparmor/parameters/enabled 2>&1)
	[ "$aa_v" = Y ] || fail "/sys/module/apparmor/parameters/enabled: $aa_v" || return 1
	aa_v=$(aa-enabled 2>&1)
	[ "$aa_v" = Yes ] || fail "aa-enabled: $aa_v" || return 1
	grep -q apparmor /sys/kernel/security/lsm || fail "lsm: $(cat /sys/kernel/security/lsm)" || return 1
	[ -r "$AA_PROFILES" ] || fail "$AA_PROFILES is not readable" || return 1
	diag "$(grep -c . "$AA_PROFILES") profiles loaded at boot; the suite runs $(cat /proc/self/attr/current)"
	! grep -q '^brick-default ' "$AA_PROFILES" || fail "brick-default is loaded before brick ran"
}

# brick-default is loaded by brick (it was not) and confines: no sysrq, mount, global sysctl,
# signal or ptrace of a host process, profile change; its own IPC sysctls and peers are fine. The
# same container without the profile (the control) does all of it.
t_apparmor_default() {
	aa_unload brick-default
	aa_bundle aadef "$AA_PROBES" brick-default
	runfg aadef || fail "run: $(tail -n 3 "$WORK/aadef/log" | tr '\n' ' ')" || return 1
	aa_loaded brick-default || fail "brick-default was not loaded: $(grep brick "$AA_PROFILES")" || return 1
	expect aadef ATTR "$AA_ENFORCED" && expect aadef CHILD "$AA_ENFORCED" || return 1
	for aa_k in SYSRQ MOUNT SYSCTL KILL1 ENV1 CHANGE; do denied aadef $aa_k || return 1; done
	expect aadef SHM ok && expect aadef PEER ok || return 1
	grep -qx DONE "$WORK/aadef/log" || fail "aadef did not finish: $(tail -n 2 "$WORK/aadef/log" | tr '\n' ' ')" || return 1
	aa_bundle aactl "$AA_PROBES"
	runfg aactl || fail "control run: $(tail -n 3 "$WORK/aactl/log" | tr '\n' ' ')" || return 1
	expect aactl ATTR unconfined || return 1
	for aa_k in SYSRQ MOUNT SYSCTL KILL1 ENV1 SHM PEER; do expect aactl $aa_k ok || return 1; done
}

# `brick exec` gets the container's profile; --apparmor overrides it; a profile the kernel lost
# while the container runs is loaded again.
t_apparmor_exec() {
	aa_bundle aaexec "$SLEEPER" brick-default
	start aaexec && wait_log aaexec READY || return 1
	aa_pid=$(state_pid aaexec)
	aa_v=$(cat "/proc/$aa_pid/attr/current")
	[ "$aa_v" = "$AA_ENFORCED" ] || fail "the init runs '$aa_v'" || return 1
	aa_v=$(rt exec aaexec cat /proc/self/attr/current 2>&1)
	[ "$aa_v" = "$AA_ENFORCED" ] || fail "exec'd process: '$aa_v'" || return 1
	aa_v=$(rt exec aaexec sh -c 'echo h > /proc/sysrq-trigger' 2>&1) && fail "exec'd process wrote sysrq-trigger" && return 1
	case $aa_v in *"Permission denied"*) ;; *) fail "exec'd sysrq write: $aa_v"; return 1 ;; esac
	aa_v=$(rt exec --apparmor unconfined aaexec cat /proc/self/attr/current 2>&1)
	[ "$aa_v" = unconfined ] || fail "exec --apparmor unconfined: '$aa_v'" || return 1
	aa_v=$(rt exec --apparmor brick-no-such-profile aaexec true 2>&1) && fail "an unknown profile was accepted" && return 1
	case $aa_v in *'AppArmor profile "brick-no-such-profile" is not loaded'*) ;; *) fail "unknown profile: $aa_v"; return 1 ;; esac
	aa_unload brick-default && ! aa_loaded brick-default || fail "cannot remove brick-default" || return 1
	aa_v=$(rt exec aaexec cat /proc/self/attr/current 2>&1)
	[ "$aa_v" = "$AA_ENFORCED" ] || fail "exec after the profile was removed: '$aa_v'" || return 1
	aa_loaded brick-default || fail "exec did not load brick-default again"
}

# A profile the test loads confines a write (EACCES); a profile the kernel does not hold is refused
# at create, before anything exists.
t_apparmor_custom() {
	cat > "$WORK/aa-test.profile" <<'EOF'
profile brick-test-deny flags=(attach_disconnected,mediate_deleted) {
  file,
  capability,
  network,
  signal,
  ptrace,
  deny /denied/** w,
}
EOF
	apparmor_parser -Kr "$WORK/aa-test.profile" > "$WORK/aa.out" 2>&1 ||
		fail "apparmor_parser: $(tail -n 2 "$WORK/aa.out" | tr '\n' ' ')" || return 1
	aa_bundle aacust 'echo "ATTR=$(cat /proc/self/attr/current)"
r DENIED "echo x > /denied/f"
r ALLOWED "echo x > /allowed/f"' brick-test-deny
	mkdir -p "$WORK/aacust/rootfs/denied" "$WORK/aacust/rootfs/allowed"
	runfg aacust || fail "run: $(tail -n 3 "$WORK/aacust/log" | tr '\n' ' ')" || return 1
	expect aacust ATTR "brick-test-deny (enforce)" && denied aacust DENIED && expect aacust ALLOWED ok || return 1
	[ ! -e "$WORK/aacust/rootfs/denied/f" ] || fail "/denied/f was written" || return 1
	aa_bundle aamiss true brick-no-such-profile
	aa_v=$(rt create --bundle "$WORK/aamiss" aamiss 2>&1 < /dev/null) && fail "an unknown profile was accepted" && return 1
	case $aa_v in *'AppArmor profile "brick-no-such-profile" is not loaded'*) ;; *) fail "unknown profile: $aa_v"; return 1 ;; esac
	! rt state aamiss > /dev/null 2>&1 || fail "the refused container exists" || return 1
	[ ! -d "$(cgd aamiss)" ] || fail "the refused container's cgroup exists"
}

# brick do: brick-default by default (root loads it), apparmor=unconfined for none; a normal user
# gets it once it is loaded, and none while it is not (nobody could load it).
aa_do_nobody() {
	aa_d=/tmp/aa-nobody
	rm -rf "$aa_d"; mkdir -p "$aa_d"; chown 65534:65534 "$aa_d"; chmod 700 "$aa_d"
	systemd-run --quiet --wait --pipe --uid=65534 --gid=65534 -E XDG_RUNTIME_DIR=$aa_d \
		"$RUNTIME" do -- cat /proc/self/attr/current 2>&1
}
t_apparmor_do() {
	aa_unload brick-default
	aa_v=$(aa_do_nobody)
	[ "$aa_v" = unconfined ] || fail "a normal user's do, brick-default not loaded: '$aa_v'" || return 1
	aa_v=$(rt do -- cat /proc/self/attr/current 2>&1)
	[ "$aa_v" = "$AA_ENFORCED" ] || fail "root's do: '$aa_v'" || return 1
	aa_v=$(rt do --security-opt apparmor=unconfined -- cat /proc/self/attr/current 2>&1)
	[ "$aa_v" = unconfined ] || fail "do --security-opt apparmor=unconfined: '$aa_v'" || return 1
	aa_v=$(aa_do_nobody)
	[ "$aa_v" = "$AA_ENFORCED" ] || fail "a normal user's do, brick-default loaded: '$aa_v'" || return 1
	# (its /proc/sys and sysrq-trigger are read-only mounts: AppArmor shows on a mount)
	aa_v=$(rt do --cap-add SYS_ADMIN -- busybox mount -t tmpfs none /mnt 2>&1) && fail "do mounted with CAP_SYS_ADMIN" && return 1
	case $aa_v in *"Permission denied"*) ;; *) fail "do's mount: $aa_v"; return 1 ;; esac
	rt do --cap-add SYS_ADMIN --security-opt apparmor=unconfined -- busybox mount -t tmpfs none /mnt > "$WORK/aa.out" 2>&1 ||
		fail "the control (unconfined) could not mount: $(cat "$WORK/aa.out")"
}

# An engine's own profile: Podman loads containers-default-<version> itself and names it in the
# config; brick applies it.
t_apparmor_podman() {
	command -v podman > /dev/null || fail "podman is not in the image" || return 1
	mkdir -p /etc/containers
	[ -e /etc/containers/storage.conf ] || printf '[storage]\ndriver = "vfs"\nrunroot = "/run/containers/storage"\ngraphroot = "/var/lib/containers/storage"\n' \
		> /etc/containers/storage.conf
	aa_pm="podman --runtime $RUNTIME --events-backend file"
	(cd "$ROOTFS" && tar -cf /tmp/bb.tar .) && $aa_pm import -q /tmp/bb.tar localhost/bb > "$WORK/aa.out" 2>&1 ||
		fail "podman import: $(tail -n 3 "$WORK/aa.out" | tr '\n' ' ')" || return 1
	aa_v=$($aa_pm run --rm --network none localhost/bb cat /proc/self/attr/current 2>&1)
	case $aa_v in "containers-default-"*" (enforce)") ;; *) fail "podman run: '$aa_v'"; return 1 ;; esac
	diag "podman's container runs $aa_v"
}

# ---------------------------------------------------------------- the escapes
# aa_fake DIR: what a runtime writing the profile through the container's /proc would find there:
# attr files that are plain files ("fake"); aa_fake_left DIR: those no longer "fake"
aa_fake() {
	for aa_t in self thread-self 1; do
		mkdir -p "$1/$aa_t/attr/apparmor"
		for aa_f in exec current apparmor/exec apparmor/current; do echo fake > "$1/$aa_t/attr/$aa_f"; done
	done
}
aa_fake_left() { find "$1" -type f | while read -r aa_f; do [ "$(cat "$aa_f")" = fake ] || echo "$aa_f"; done; }

# aa_attack ID FAKE: brick either refuses the container or runs it under brick-default (read from the
# host: the container's own /proc is the attacker's), and no fake attr file was written
aa_attack() {
	if ! start "$1"; then
		diag "$1: brick refused: $REASON"
		REASON=
	else
		wait_log "$1" READY || return 1
		aa_pid=$(state_pid "$1")
		aa_v=$(cat "/proc/$aa_pid/attr/current")
		[ "$aa_v" = "$AA_ENFORCED" ] || fail "$1: the container runs '$aa_v'" || return 1
		diag "$1: brick ran it under $aa_v; it sees $(val "$1" SEES) in its /proc/self/attr/current"
	fi
	aa_left=$(aa_fake_left "$2")
	[ -z "$aa_left" ] || fail "$1: fake attr files written: $aa_left"
}

# aa_runc ID FAKE: runc 1.1.5 on the same bundle once brick's container is gone (the same cgroup),
# for comparison: a diagnostic, never a failure of brick's test
aa_runc() {
	[ -x "$RUNC" ] || { diag "$1: runc is not installed"; return 0; }
	rt delete --force "$1" > /dev/null 2>&1
	aa_rr=/run/runc-aa
	timeout 60 "$RUNC" --root "$aa_rr" run -d --bundle "$WORK/$1" "rc-$1" > "$WORK/$1/runc.log" 2>&1 < /dev/null
	if [ $? != 0 ]; then
		diag "$1: runc refused: $(tail -n 1 "$WORK/$1/runc.log" | sed 's/.*container init: //' | cut -c 1-240)"
	else
		aa_pid=$("$RUNC" --root "$aa_rr" state "rc-$1" 2>/dev/null | tr -d ' \n\t' | sed -n 's/.*"pid":\([0-9]*\).*/\1/p')
		diag "$1: runc ran it under $(cat "/proc/$aa_pid/attr/current" 2>&1); fake attr files written: $(aa_fake_left "$2" | wc -l)"
	fi
	"$RUNC" --root "$aa_rr" delete -f "rc-$1" > /dev/null 2>&1
	return 0
}

# CVE-2019-16884: a volume bound over /proc after the real proc mount (the image's own fake tree),
# and an image whose /proc is a plain directory with no proc mount at all.
t_apparmor_cve_2019_16884() {
	aa_fk=$WORK/aa-fake-16884
	rm -rf "$aa_fk"; aa_fake "$aa_fk"
	aa_bundle aa16884v 'echo "SEES=$(cat /proc/self/attr/current)"; echo READY; exec sleep 1000' brick-default
	sed -i "s|\(\"destination\": \"/sys\".*\"ro\"\]}\)|\1,\n    {\"destination\": \"/proc\", \"type\": \"bind\", \"source\": \"$aa_fk\", \"options\": [\"rbind\"]}|" \
		"$WORK/aa16884v/config.json"
	grep -q "$aa_fk" "$WORK/aa16884v/config.json" || fail "the bundle has no bind over /proc" || return 1
	aa_attack aa16884v "$aa_fk" || return 1
	aa_runc aa16884v "$aa_fk"
	aa_bundle aa16884d 'echo "SEES=$(cat /proc/self/attr/current)"; echo READY; exec sleep 1000' brick-default
	sed -i '/"destination": "\/proc", "type": "proc"/d' "$WORK/aa16884d/config.json"
	rm -rf "$WORK/aa16884d/rootfs/proc"; aa_fake "$WORK/aa16884d/rootfs/proc"
	aa_attack aa16884d "$WORK/aa16884d/rootfs/proc" || return 1
	aa_runc aa16884d "$WORK/aa16884d/rootfs/proc"
}

# CVE-2023-28642: the image's /proc is a symlink (to /tmp); procfs lands there and the bundle binds
# the fake tree over it.
t_apparmor_cve_2023_28642() {
	aa_fk=$WORK/aa-fake-28642
	rm -rf "$aa_fk"; aa_fake "$aa_fk"
	aa_bundle aa28642 'echo "SEES=$(cat /proc/self/attr/current)"; echo READY; exec sleep 1000' brick-default
	rm -rf "$WORK/aa28642/rootfs/proc"; ln -s /tmp "$WORK/aa28642/rootfs/proc"
	sed -i "s|\(\"destination\": \"/sys\".*\"ro\"\]}\)|\1,\n    {\"destination\": \"/tmp\", \"type\": \"bind\", \"source\": \"$aa_fk\", \"options\": [\"rbind\"]}|" \
		"$WORK/aa28642/config.json"
	grep -q "$aa_fk" "$WORK/aa28642/config.json" || fail "the bundle has no bind over /tmp" || return 1
	aa_attack aa28642 "$aa_fk" || return 1
	aa_runc aa28642 "$aa_fk"
}
