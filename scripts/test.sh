#!/bin/sh
# Runs every test of the project: unit tests, Pax Exam tests in Karaf, the black-box tests that
# compare the built agent with Debian's qemu-pr-helper and connect QEMU to it, the Debian package
# installed, upgraded and purged on a fresh Debian root (packaging/deb/test.sh), the container image
# built and run with podman (packaging/container), a release made by scripts/release.sh in a
# throw-away clone (scripts/release-test.sh), and the end-to-end
# suite on real SCSI disks in a QEMU guest (e2e/run.sh). Installs the Debian packages those need
# when they are missing (as root, or through sudo). Arguments go to Maven.
set -eu
cd "$(dirname "$0")/.."

need=
command -v qemu-pr-helper >/dev/null 2>&1 || need="$need qemu-system-common"
command -v qemu-system-x86_64 >/dev/null 2>&1 || need="$need qemu-system-x86"
command -v gcc >/dev/null 2>&1 || need="$need gcc"
[ -e /usr/include/scsi/sg.h ] || need="$need libc6-dev"
# libmpathpersist and <mpath_persist.h>: the multipath backend's layout test compiles against it.
[ -e /usr/include/mpath_persist.h ] || need="$need multipath-tools"
# systemd-socket-activate: SocketActivationIT starts the agent the way a systemd socket unit does.
command -v systemd-socket-activate >/dev/null 2>&1 || need="$need systemd"
# The Debian package's test: a fresh Debian root, and Debian's package checker.
command -v debootstrap >/dev/null 2>&1 || need="$need debootstrap"
command -v lintian >/dev/null 2>&1 || need="$need lintian"
# The container image's build and test: Debian's podman, with runc (crun refuses some hosts' cgroups).
command -v podman >/dev/null 2>&1 || need="$need podman"
command -v runc >/dev/null 2>&1 || need="$need runc"
if [ -n "$need" ]; then
    echo "Installing missing packages:$need"
    if [ "$(id -u)" -eq 0 ]; then sudo=; else sudo=sudo; fi
    $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends $need
fi

mvn -B install "$@"
./packaging/deb/test.sh "$@"
./packaging/container/build.sh
./packaging/container/test.sh
./scripts/release-test.sh "$@"
exec ./e2e/run.sh
