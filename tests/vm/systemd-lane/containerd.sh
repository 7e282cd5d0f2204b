# containerd.sh — a Kubernetes node as kubeadm sets it up: containerd's CRI plugin with the runc v2
# shim, `SystemdCgroup = true` and brick as its BinaryName, driven by crictl (../shared/tools) as a
# kubelet would, pods in kubelet's slices, on the CNI bridge with the overlayfs snapshotter.
# packages: containerd containernetworking-plugins
# modules: overlay veth bridge

LANE_TESTS="$LANE_TESTS containerd_systemd"

CD=/run/bkcd
crictl() { timeout 60 /suite/assets/crictl --runtime-endpoint "unix://$CD/containerd.sock" --timeout 30s "$@"; }

cd_start() {
	rm -rf "$CD" /var/lib/bkcd && mkdir -p "$CD/cni"
	cat > "$CD/cni/10-bk.conflist" <<-EOF
	{"cniVersion": "0.4.0", "name": "bk-vm", "plugins": [
	  {"type": "bridge", "bridge": "bkvm0", "isGateway": true, "ipMasq": false,
	   "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.89.0.0/16"}]], "dataDir": "$CD/ipam"}},
	  {"type": "loopback"}]}
	EOF
	cat > "$CD/config.toml" <<-EOF
	version = 2
	root = "/var/lib/bkcd"
	state = "$CD/state"
	[grpc]
	  address = "$CD/containerd.sock"
	[ttrpc]
	  address = "$CD/containerd.sock.ttrpc"
	[plugins."io.containerd.grpc.v1.cri"]
	  sandbox_image = "localhost/pause:vm"
	  stream_server_address = "127.0.0.1"
	  stream_server_port = "0"
	[plugins."io.containerd.grpc.v1.cri".cni]
	  bin_dir = "/usr/lib/cni"
	  conf_dir = "$CD/cni"
	[plugins."io.containerd.grpc.v1.cri".containerd]
	  snapshotter = "overlayfs"
	  default_runtime_name = "brick"
	[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.brick]
	  runtime_type = "io.containerd.runc.v2"
	[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.brick.options]
	  BinaryName = "$RUNTIME"
	  Root = "$CD/brick-state"
	  SystemdCgroup = true
	EOF
	containerd --config "$CD/config.toml" > "$CD/log" 2>&1 &
	CD_PID=$!
	wait_until 60 crictl version > /dev/null 2>&1 || fail "containerd did not start: $(tail -n 5 "$CD/log" | tr '\n' ' ')" || return 1
	for i in busybox pause; do
		ctr --address "$CD/containerd.sock" -n k8s.io images import "/suite/assets/$i-oci.tar" > "$CD/import.out" 2>&1 ||
			fail "ctr import $i: $(tail -n 3 "$CD/import.out" | tr '\n' ' ')" || return 1
	done
}

cd_stop() {
	crictl rmp -fa > /dev/null 2>&1
	kill "$CD_PID" 2>/dev/null
	wait "$CD_PID" 2>/dev/null
	# the shims outlive containerd by design: end this test's (their socket dir names it)
	for p in $(pgrep -f "containerd-shim-runc-v2 .*-address $CD/containerd.sock"); do kill -9 "$p" 2>/dev/null; done
}

# A pod in kubelet's slice for its QoS class, a container with a memory and a CPU limit: the scope
# is cri-containerd-<id>.scope under kubepods-burstable-pod<uid>.slice (made when missing), its
# MemoryMax and CPUQuota are what crictl asked, exec/logs/stop/rm work, and nothing is left.
t_containerd_systemd() {
	[ -x /suite/assets/crictl ] || fail "no crictl in /suite/assets (../shared/tools/crictl-v1.26.1-linux-amd64.xz)" || return 1
	cd_start || { cd_stop; return 1; }
	uid=vm$(date +%s)
	slice=kubepods-burstable-pod$uid.slice
	cat > "$CD/pod.json" <<-EOF
	{"metadata": {"name": "vmpod", "namespace": "bk", "uid": "$uid", "attempt": 0},
	 "log_directory": "$CD/logs", "linux": {"cgroup_parent": "$slice", "security_context": {}}}
	EOF
	cat > "$CD/ctr.json" <<-EOF
	{"metadata": {"name": "limited"}, "image": {"image": "localhost/busybox:vm"},
	 "command": ["sh", "-c", "echo hello-from-cri; trap 'exit 0' TERM; while :; do sleep 0.2; done"],
	 "log_path": "limited.log",
	 "linux": {"resources": {"memory_limit_in_bytes": 67108864, "cpu_period": 100000, "cpu_quota": 50000},
	           "security_context": {}}}
	EOF
	mkdir -p "$CD/logs"
	t_containerd_pod
	r=$?
	cd_stop
	[ $r = 0 ] || return 1
	wait_until 10 sh -c "! systemctl list-units --all --no-legend 'cri-containerd-*' | grep -q ." ||
		fail "scopes left after rmp: $(systemctl list-units --all --no-legend 'cri-containerd-*' | tr '\n' ' ')"
}

cd_logged() { crictl logs "$1" 2>&1 | grep -q hello-from-cri; }

t_containerd_pod() {
	pod=$(crictl runp "$CD/pod.json" 2> "$CD/err") || fail "runp: $(tail -n 3 "$CD/err" | tr '\n' ' ')" || return 1
	cid=$(crictl create "$pod" "$CD/ctr.json" "$CD/pod.json" 2> "$CD/err") ||
		fail "create: $(tail -n 3 "$CD/err" | tr '\n' ' ')" || return 1
	crictl start "$cid" > /dev/null 2> "$CD/err" || fail "start: $(tail -n 3 "$CD/err" | tr '\n' ' ')" || return 1
	u=cri-containerd-$cid.scope
	# kubelet's slices: kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod<uid>.slice
	d=/sys/fs/cgroup/kubepods.slice/kubepods-burstable.slice/$slice/$u
	[ "$(systemctl is-active "$u")" = active ] || fail "$u is $(systemctl is-active "$u")" || return 1
	[ -d "$d" ] || fail "no $d: $(find /sys/fs/cgroup -name "$u" | head -n 1)" || return 1
	[ "$(sd_show "$u" MemoryMax)" = 67108864 ] || fail "$u MemoryMax=$(sd_show "$u" MemoryMax)" || return 1
	[ "$(sd_show "$u" CPUQuotaPerSecUSec)" = 500ms ] || fail "$u CPUQuotaPerSecUSec=$(sd_show "$u" CPUQuotaPerSecUSec)" || return 1
	[ "$(cat "$d/memory.max")" = 67108864 ] || fail "memory.max $(cat "$d/memory.max")" || return 1
	# the pod's sandbox is a scope of its own in the same slice, on the CNI bridge
	ip=$(crictl inspectp -o go-template --template '{{.status.network.ip}}' "$pod" 2>&1)
	case $ip in 10.89.*) ;; *) fail "pod ip '$ip' (CNI bridge)"; return 1 ;; esac
	out=$(crictl exec "$cid" cat /sys/fs/cgroup/memory.max 2>&1)
	[ "$out" = 67108864 ] || fail "exec in the container: '$out'" || return 1
	wait_until 10 cd_logged "$cid" || fail "no log line: $(crictl logs "$cid" 2>&1 | tail -n 2 | tr '\n' ' ')" || return 1
	crictl stop --timeout 10 "$cid" > /dev/null 2> "$CD/err" || fail "stop: $(tail -n 3 "$CD/err" | tr '\n' ' ')" || return 1
	st=$(crictl inspect -o go-template --template '{{.status.state}} {{.status.exitCode}}' "$cid" 2>&1)
	[ "$st" = "CONTAINER_EXITED 0" ] || fail "after stop: $st" || return 1
	crictl rm "$cid" > /dev/null 2>&1 || fail "rm failed" || return 1
	crictl stopp "$pod" > /dev/null 2>&1 && crictl rmp "$pod" > /dev/null 2>&1 || fail "stopp/rmp failed" || return 1
	[ ! -d "$d" ] || fail "$d left after rm"
}
