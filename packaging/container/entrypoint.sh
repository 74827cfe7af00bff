#!/bin/sh
# The image's entrypoint, for KubeVirt's pr-helper slot: virt-handler's pr-helper container runs
#   /entrypoint.sh -k /var/run/kubevirt/daemons/pr/pr-helper.sock
# privileged, with the node's /dev and /etc/multipath mounted. The options are qemu-pr-helper's.
set -eu
# multipathd's socket: newer multipath-tools (0.11 on) connect to /run/multipathd.socket, so the
# node's, seen through the node's PID 1 (the pod shares the node's PID namespace), is linked there
# as KubeVirt's own image does. Debian 12's libmpathpersist (0.9.4), the one in this image, uses
# multipathd's abstract socket instead, which the container reaches only in the node's network
# namespace (hostNetwork).
node_socket=${MULTIPATH_HOST:-/run/multipathd.socket}
if [ -S "/proc/1/root$node_socket" ] && [ ! -e /run/multipathd.socket ]; then
    ln -s "/proc/1/root$node_socket" /run/multipathd.socket
fi
# The bundle cache and the logs stay in the container (its own /var), as for the Debian package's unit.
export PRHELPER_DATA="${PRHELPER_DATA:-/var/lib/prhelper/agent}" PRHELPER_LOG="${PRHELPER_LOG:-/var/log/prhelper}"
exec /usr/lib/prhelper/bin/qemu-pr-helper "$@"
