#!/bin/bash
# scripts/release-test.sh [Maven arguments]: the next release made by scripts/release.sh, in a
# throw-away clone of this checkout's HEAD, with the changelog entry a release manager would write;
# then the release version is checked where a user sees it: the package's version, the KAR's name
# and features, the distribution's name and -V of both programs (with the commit the tag names),
# and the container image's tag when the image could be built (root, podman). The build's tests
# are skipped: they ran on these sources already. Results: target/release-test/results.txt.
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/prhelper-release.XXXXXX)
image=
cleanup() {
    [ -z "$image" ] || podman rmi -f "$image" >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT
OUT=$HERE/target/release-test
mkdir -p "$OUT"
TAG=release
RESULTS=$OUT/results.txt
CHECK_LOG=$OUT/check.log
. "$HERE/packaging/common.sh"
: >"$RESULTS"
: >"$CHECK_LOG"

git clone -q "$HERE" "$WORK/src"
cd "$WORK/src"
git config user.name "prhelper release test"
git config user.email "release-test@localhost"
current=$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' pom.xml | head -n 1)
VERSION=${current%-SNAPSHOT}
IFS=. read -r major minor _ <<<"$VERSION"
NEXT=$major.$((minor + 1)).0-SNAPSHOT
changelog=packaging/deb/src/deb/changelog/changelog
if ! head -n 1 "$changelog" | grep -q "^prhelper ($VERSION) "; then
    { printf 'prhelper (%s) unstable; urgency=medium\n\n  * Release %s.\n\n -- %s <%s>  %s\n\n' \
        "$VERSION" "$VERSION" "$(git config user.name)" "$(git config user.email)" "$(date -R)"
      cat "$changelog"; } >"$WORK/changelog"
    mv "$WORK/changelog" "$changelog"
    git commit -q -a -m "Changelog for $VERSION"
fi

say "scripts/release.sh $VERSION $NEXT (from $current)"
scripts/release.sh "$VERSION" "$NEXT" -DskipTests "$@" >"$OUT/release.log" 2>&1 \
    || { tail -40 "$OUT/release.log" >&2; exit 2; }
tagged=$(git rev-parse "v$VERSION^{commit}")
short=$(git rev-parse --short=12 "$tagged")

check "tag v$VERSION names the commit 'Release $VERSION'" \
    test "$(git log -1 --format=%s "$tagged")" = "Release $VERSION"
check "the commit after it says $NEXT in every pom" sh -c \
    "[ \"\$(git log -1 --format=%s)\" = 'Next development version $NEXT' ] \
     && [ -z \"\$(git grep -l -e '$VERSION</version>' -e '$current</version>' -- '*pom.xml')\" ]"
deb=packaging/deb/target/prhelper_${VERSION}_amd64.deb
check "the package is $(basename "$deb"), version $VERSION" \
    test "$(dpkg-deb -f "$deb" Version)" = "$VERSION"
for snapshot in "$HERE"/packaging/deb/target/prhelper_*~*_amd64.deb; do
    [ -e "$snapshot" ] || continue
    development=$(dpkg-deb -f "$snapshot" Version)
    check "this checkout's development package $development is older than the release" \
        dpkg --compare-versions "$development" lt "$VERSION"
done
check "its changelog opens with the $VERSION entry" sh -c \
    "dpkg-deb --fsys-tarfile '$deb' | tar -xO ./usr/share/doc/prhelper/changelog.gz | gzip -dc | head -n 1 | grep -q '^prhelper ($VERSION) '"
kar=features/target/prhelper-$VERSION.kar
check "the KAR is $(basename "$kar"), its feature prhelper/$VERSION" sh -c \
    "unzip -p '$kar' 'repository/org/prhelper/prhelper-features/$VERSION/prhelper-features-$VERSION-features.xml' \
     | grep -q '<feature name=\"prhelper\" version=\"$VERSION\"'"
check "the distribution is prhelper-karaf-$VERSION.tar.gz" test -s "karaf-assembly/target/prhelper-karaf-$VERSION.tar.gz"
for program in qemu-pr-helper prhelper-vm; do
    out=$(karaf-assembly/target/assembly/bin/$program -V 2>&1 | head -n 1 || true)
    check "$program -V: '$out' names $VERSION and the tag's commit $short" \
        test "${out%%$VERSION (commit $short)}" != "$out" -a "${out#*$VERSION (commit $short)}" = ""
done
if [ -e "packaging/container/target/prhelper-image-$VERSION.tar" ]; then
    image=localhost/prhelper:$VERSION
    check "the image is $image" podman image exists "$image"
else
    say "SKIP the image: packaging/container/build.sh needs root, podman and debootstrap"
fi

say "$passed passed, $failed failed (target/release-test/results.txt)"
[ "$failed" -eq 0 ]
