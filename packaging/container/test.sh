#!/bin/bash
# packaging/container/test.sh: the image of build.sh, run as virt-handler runs its pr-helper
# container (podman, Debian's container runtime): privileged, the node's /dev mounted, the node's
# folder /var/run/kubevirt/daemons/pr mounted at the same path, started as
# "/entrypoint.sh -k /var/run/kubevirt/daemons/pr/pr-helper.sock". Checks that the socket appears in
# the mounted folder and answers a request byte for byte as Debian's qemu-pr-helper does, that QEMU's
# pr-manager-helper connects to it (query-pr-managers), and that stopping the container (SIGTERM)
# ends the agent with status 0 and removes the socket. Results: packaging/container/target/test-results.txt.
# Needs root, podman, runc, qemu-system-x86 and qemu-pr-helper (scripts/test.sh installs them).
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=packaging/container/target
RESULTS=$OUT/test-results.txt
IMAGE=$(cat "$OUT/image")
WORK=$(mktemp -d /tmp/prhelper-image-test.XXXXXX)
NODE_DIR=$WORK/pr               # the node's /var/run/kubevirt/daemons/pr
SOCKET=$NODE_DIR/pr-helper.sock
NAME=prhelper-image-test-$$
# This machine's container runtime: crun refuses its hybrid cgroup hierarchy, and the runtime may
# not raise resource limits above what podman's own processes have, so the limits are given.
PODMAN_RUN=(podman --runtime runc run --ulimit nofile=16384:16384 --ulimit nproc=4096:4096)
TAG=image
CHECK_LOG=$WORK/check.log
. packaging/common.sh
: >"$RESULTS"
cleanup() {
    podman rm -f "$NAME" >/dev/null 2>&1 || true
    [ -n "${qemu:-}" ] && kill "$qemu" 2>/dev/null || true
}
trap cleanup EXIT

mkdir -p "$NODE_DIR"
say "$IMAGE"
qemu-pr-helper -k "$WORK/reference.sock" >"$WORK/reference.log" 2>&1 &
ref=$!
bench/await-serving "$WORK/reference.sock" 10 "$ref"
expected=$(packaging/read-keys.py "$WORK/reference.sock")
kill "$ref"
wait "$ref" 2>/dev/null || true

"${PODMAN_RUN[@]}" -d --name "$NAME" --privileged --network=none \
    -v /dev:/dev -v "$NODE_DIR:/var/run/kubevirt/daemons/pr" \
    "$IMAGE" -k /var/run/kubevirt/daemons/pr/pr-helper.sock >"$WORK/run.log" 2>&1
check "the container serves $SOCKET in the node's folder within 120 s" bench/await-serving "$SOCKET" 120
answer=$(packaging/read-keys.py "$SOCKET" 2>>"$WORK/check.log" || true)
check "it answers READ KEYS as qemu-pr-helper does (${answer:0:10})" test "$answer" = "$expected"

qemu-system-x86_64 -machine none -nodefaults -display none \
    -qmp "unix:$WORK/qmp.sock,server=on,wait=off" \
    -object "pr-manager-helper,id=pr0,path=$SOCKET" >"$WORK/qemu.log" 2>&1 &
qemu=$!
for _ in $(seq 100); do [ -S "$WORK/qmp.sock" ] && break; sleep 0.1; done
managers=$(e2e/guest/qmp.py "$WORK/qmp.sock" query-pr-managers 2>>"$WORK/check.log" || true)
check "QEMU's pr-manager-helper connects to it ($managers)" \
    sh -c "echo '$managers' | grep -q '\"connected\": true'"
kill "$qemu"
wait "$qemu" 2>/dev/null || true
qemu=

podman stop -t 30 "$NAME" >/dev/null
status=$(podman inspect -f '{{.State.ExitCode}}' "$NAME")
check "podman stop (SIGTERM) ends the agent with status 0 (got $status)" test "$status" = 0
check "the socket is gone from the node's folder" test ! -e "$SOCKET"
podman logs "$NAME" >"$WORK/container.log" 2>&1 || true
check "its log (podman logs) says what it served" grep -q "Serving pr-helper protocol on /var/run/kubevirt/daemons/pr/pr-helper.sock" "$WORK/container.log"

say "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && rm -rf "$WORK"
[ "$failed" -eq 0 ]
