#!/bin/bash
# packaging/container/build.sh: the container image for KubeVirt's pr-helper slot, made without an
# image registry: a Debian 12 root from Debian's archive (debootstrap), our Debian package and
# multipath-tools (libmpathpersist) installed into it with apt-get, /entrypoint.sh. The image is
# imported into the local podman storage as localhost/prhelper:TAG and saved as an OCI archive,
# packaging/container/target/prhelper-image-TAG.tar (podman load, skopeo copy or ctr import it).
# TAG is the package's version with '~' as '-'. Needs root, debootstrap and podman, and the
# package built (mvn install).
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=packaging/container/target
shopt -s nullglob
debs=(packaging/deb/target/prhelper_*_amd64.deb)
[ ${#debs[@]} -eq 1 ] || { echo "expected one package in packaging/deb/target, found ${#debs[@]}: run mvn install first" >&2; exit 2; }
DEB=${debs[0]}
VERSION=$(dpkg-deb -f "$DEB" Version)
TAG=${VERSION//\~/-}
IMAGE=localhost/prhelper:$TAG
ROOT=$OUT/rootfs
. packaging/common.sh

rm -rf "$OUT"
mkdir -p "$OUT"
echo "[image] a Debian root (debootstrap)"
packaging/debian-root.sh "$ROOT" "$OUT/debootstrap.log"
cp "$DEB" "$ROOT/tmp/"
echo "[image] apt-get install $(basename "$DEB") multipath-tools"
in_root "$ROOT" apt-get install -y -q --no-install-recommends "/tmp/$(basename "$DEB")" multipath-tools >"$OUT/apt.log" 2>&1 \
    || { tail -20 "$OUT/apt.log" >&2; exit 2; }
# What an image does not need: the package files and lists, the chroot's policy, manuals (the
# copyright files stay).
rm -f "$ROOT/tmp/$(basename "$DEB")" "$ROOT/usr/sbin/policy-rc.d"
rm -rf "$ROOT"/var/cache/apt/archives/*.deb "$ROOT"/var/lib/apt/lists/* "$ROOT"/usr/share/man/* "$ROOT"/usr/share/info/*
install -m 755 packaging/container/entrypoint.sh "$ROOT/entrypoint.sh"

echo "[image] podman import as $IMAGE"
tar -C "$ROOT" --numeric-owner -cf - . | podman import \
    --change 'ENTRYPOINT ["/entrypoint.sh"]' \
    --change 'CMD ["-k", "/var/run/kubevirt/daemons/pr/pr-helper.sock"]' \
    --change "LABEL org.opencontainers.image.title=prhelper org.opencontainers.image.version=$VERSION" \
    - "$IMAGE" >"$OUT/import.log"
podman save --format oci-archive -o "$OUT/prhelper-image-$TAG.tar" "$IMAGE" >/dev/null
echo "$IMAGE" >"$OUT/image"
echo "[image] $IMAGE, $(du -m "$OUT/prhelper-image-$TAG.tar" | cut -f1) MB: $OUT/prhelper-image-$TAG.tar"
