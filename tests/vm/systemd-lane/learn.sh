# learn.sh — `brick do --learn` / `--profile-file` on Debian 12's own 6.1 kernel (issue 21, the
# degraded path; sourced by cgroup2-suite.sh, see tests/vm/README.md): no capability:cap_capable
# tracepoint (capabilities not learned, said once), Landlock ABI 2 (paths learned and enforced;
# ports recorded but not enforceable, said once; the ABI 4+ rights of the policy dropped).
# packages:
# modules:

LANE_TESTS="$LANE_TESTS learn_degraded"

t_learn_degraded() {
	ld_p=$WORK/learn.json
	ld_out=$(rt do --learn "$ld_p" -- sh -c 'ls / > /dev/null; touch /tmp/ok' 2>&1) ||
		fail "--learn: $ld_out" || return 1
	diag "$ld_out"
	case $ld_out in *"left out: capabilities: this kernel has no capability:cap_capable tracepoint"*) ;;
		*) fail "capabilities not said left out: $ld_out"; return 1 ;; esac
	case $ld_out in *"Landlock ports: recorded, but this kernel's Landlock (ABI < 4) cannot enforce them"*) ;;
		*) fail "ports not said unenforceable: $ld_out"; return 1 ;; esac
	[ "$(printf '%s\n' "$ld_out" | grep -c 'left out:')" = 1 ] || fail "left out said more than once" || return 1
	grep -q '"run.brick.landlock"' "$ld_p" || fail "no Landlock policy learned: $(cat "$ld_p")" || return 1
	! grep -q '"run.brick.capabilities"' "$ld_p" || fail "capabilities written without a tracepoint" || return 1
	ld_out=$(rt do --profile-file "$ld_p" -- sh -c 'ls / > /dev/null; touch /tmp/ok && echo fine' 2>&1)
	case $ld_out in *fine*) ;; *) fail "the learned run under its profile: $ld_out"; return 1 ;; esac
	# Landlock ABI 2 still enforces paths: a file made outside the learned /tmp fails
	ld_out=$(rt do --profile-file "$ld_p" -v "$WORK:/mnt" -- sh -c 'touch /mnt/evil && echo made' 2>&1)
	case $ld_out in *made*) fail "a write outside the learned paths: $ld_out"; return 1 ;; esac
	[ ! -e "$WORK/evil" ] || fail "the file was made" || return 1
	rt do -v "$WORK:/mnt" -- sh -c 'touch /mnt/evil2' > /dev/null 2>&1 && [ -e "$WORK/evil2" ] ||
		fail "the control (no profile) could not write /mnt"
}
