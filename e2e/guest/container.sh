#!/bin/bash
# container.sh - guest side of e2e boot 6: the pr-helper container image (packaging/container) on
# real disks.
#
# Needs: E2E_HOME, E2E_IMAGE_ARCHIVE (the image's OCI archive, packaging/container/build.sh) and the
# lab's 2 LUNs x 2 paths (+ multipath maps).
#   1. podman (Debian's) loads the archive and runs the image as virt-handler runs its pr-helper
#      container: privileged, the guest's /dev mounted, a folder mounted at
#      /var/run/kubevirt/daemons/pr, "-k /var/run/kubevirt/daemons/pr/pr-helper.sock";
#   2. the byte-for-byte suite (suite.py, as in boot 1) compares the container's answers and the
#      LUN's state with Debian's qemu-pr-helper on the other LUN, the requests carrying descriptors
#      of the guest's disks into the container;
#   3. podman stop: the agent exits with status 0, removes its socket, and logged no ERROR.
set -u
. "$E2E_HOME/guest/common.sh"
: > "$CHECKS"
REF_SOCK=/tmp/ref.sock
NODE_DIR=/tmp/kubevirt-pr          # the node's /var/run/kubevirt/daemons/pr
SOCK=$NODE_DIR/pr-helper.sock
NAME=pr-helper

if [ ! -f "${E2E_IMAGE_ARCHIVE:-}" ]; then
    fail "container: the image archive is there" "E2E_IMAGE_ARCHIVE='${E2E_IMAGE_ARCHIVE:-}' (packaging/container/build.sh)"
    exit 1
fi
check_suite_lab

# podman's storage in RAM of its own: the guest's root is an overlay, on which podman's overlay
# storage cannot sit. The guest has no init to mount the cgroup tree podman's runtime (crun) needs.
mkdir -p /var/lib/containers /run/containers "$NODE_DIR"
mount -t tmpfs -o size=1600m tmpfs /var/lib/containers
mount -t tmpfs tmpfs /run/containers
mountpoint -q /sys/fs/cgroup || mount -t cgroup2 cgroup2 /sys/fs/cgroup

rm -f "$REF_SOCK"
qemu-pr-helper -k "$REF_SOCK" > /share/reference.log 2>&1 &
REF_PID=$!
await_serving 30 "Debian's qemu-pr-helper to serve $REF_SOCK" "$REF_SOCK" "$REF_PID" \
    || { fail "reference: qemu-pr-helper accepts on $REF_SOCK" "no socket within 30s"; exit 1; }

waiting "podman load of $E2E_IMAGE_ARCHIVE"
t0=$(now_ms)
loaded=$(podman load -q -i "$E2E_IMAGE_ARCHIVE" 2>/share/podman-load.log | sed -n 's/^Loaded image[s]*: *//p' | head -n 1)
check "container: podman loads the image archive ($loaded, $(( ($(now_ms) - t0) / 1000 )) s)" test -n "$loaded"
[ -n "$loaded" ] || exit 1

t0=$(now_ms)
podman run -d --name "$NAME" --privileged --network=none \
    -v /dev:/dev -v "$NODE_DIR:/var/run/kubevirt/daemons/pr" \
    "$loaded" -k /var/run/kubevirt/daemons/pr/pr-helper.sock > /share/podman-run.log 2>&1
check "container: podman runs it ($(tr '\n' ' ' < /share/podman-run.log | cut -c1-120))" \
    test "$(podman inspect -f '{{.State.Running}}' "$NAME" 2>/dev/null)" = true
pid=$(podman inspect -f '{{.State.Pid}}' "$NAME" 2>/dev/null)
if ! await_serving 300 "the container's agent (pid ${pid:-?}) to serve $SOCK" "$SOCK" "${pid:-1}"; then
    fail "container: the agent serves $SOCK in the mounted folder" "not within 300 s"
    podman logs "$NAME" > /share/container.log 2>&1
    exit 1
fi
pass "container: the agent serves $SOCK in the mounted folder ($(( ($(now_ms) - t0) / 1000 )) s after podman run)"

waiting "suite.py to start"
python3 "$E2E_HOME/guest/suite.py" --ref "$REF_SOCK" --ours "$SOCK" \
    --results /share/results.json --checks "$CHECKS"
suite_rc=$?
check "container: suite.py ran to the end (exit status $suite_rc, 0 or 1)" test "$suite_rc" -le 1

waiting "podman stop (up to 60s)"
podman stop -t 60 "$NAME" > /dev/null 2>&1
status=$(podman inspect -f '{{.State.ExitCode}}' "$NAME" 2>/dev/null)
check "container: podman stop (SIGTERM) ends the agent with status 0 (got ${status:-?})" test "${status:-}" = 0
check "container: the socket is removed at exit" test ! -e "$SOCK"
podman logs "$NAME" > /share/container.log 2>&1
errors=$(grep -E -c ' ERROR |Exception' /share/container.log)
check "container: no ERROR or exception in its log (${errors} found)" test "$errors" = 0
stop_pid "$REF_PID" "qemu-pr-helper" 30
grep -q $'^FAIL\t' "$CHECKS" && exit 1
exit 0
