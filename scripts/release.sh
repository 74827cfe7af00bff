#!/bin/bash
# scripts/release.sh VERSION NEXT [Maven arguments]: makes release VERSION of a clean checkout and
# moves it on to the development version NEXT (e.g. 0.1.0 0.2.0-SNAPSHOT), as the Maven release
# plugin would, but with nothing pushed or uploaded:
#   1. every pom says VERSION (versions-maven-plugin); commit "Release VERSION", annotated tag vVERSION;
#   2. the normal build of that commit (mvn install with the Maven arguments given): the package,
#      the KAR and the distribution carry VERSION, and -V prints it with the tag's commit;
#   3. the container image, when this runs as root with podman (packaging/container/build.sh);
#   4. every pom says NEXT; commit "Next development version NEXT".
# The Debian changelog (packaging/deb/src/deb/changelog/changelog) must already open with an entry
# for VERSION: what the release changes is written by a person, not by this script.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 VERSION NEXT [Maven arguments]" >&2; exit 2; }
VERSION=$1
NEXT=$2
shift 2
MAVEN_ARGS=("$@")
cd "$(dirname "$0")/.."
VERSIONS_PLUGIN=org.codehaus.mojo:versions-maven-plugin:2.18.0

case $VERSION in
    *SNAPSHOT*|'') echo "VERSION must be a release version, not '$VERSION'" >&2; exit 2 ;;
esac
case $NEXT in
    *-SNAPSHOT) ;;
    *) echo "NEXT must be a development version (ending in -SNAPSHOT), not '$NEXT'" >&2; exit 2 ;;
esac
if [ -n "$(git status --porcelain)" ]; then
    echo "the checkout has uncommitted changes: a release is made from a commit" >&2
    exit 2
fi
if git rev-parse -q --verify "refs/tags/v$VERSION" >/dev/null; then
    echo "tag v$VERSION exists already" >&2
    exit 2
fi
changelog=packaging/deb/src/deb/changelog/changelog
if ! head -n 1 "$changelog" | grep -q "^prhelper ($VERSION) "; then
    echo "$changelog does not open with an entry for $VERSION: write it first" >&2
    exit 2
fi

set_version() {
    mvn -B -q "$VERSIONS_PLUGIN:set" -DnewVersion="$1" -DgenerateBackupPoms=false -DprocessAllModules=true \
        "${MAVEN_ARGS[@]}"
}

echo "[release] $VERSION"
set_version "$VERSION"
git commit -q -a -m "Release $VERSION"
git tag -a "v$VERSION" -m "prhelper $VERSION"
mvn -B install "${MAVEN_ARGS[@]}"
if [ "$(id -u)" -eq 0 ] && command -v podman >/dev/null 2>&1 && command -v debootstrap >/dev/null 2>&1; then
    packaging/container/build.sh
else
    echo "[release] no container image: packaging/container/build.sh needs root, podman and debootstrap"
fi
set_version "$NEXT"
git commit -q -a -m "Next development version $NEXT"

echo "[release] v$VERSION is tagged, $NEXT committed after it; nothing was pushed. Artifacts:"
ls -1 packaging/deb/target/prhelper_"$VERSION"_amd64.deb features/target/prhelper-"$VERSION".kar \
    karaf-assembly/target/prhelper-karaf-"$VERSION".tar.gz
ls -1 packaging/container/target/prhelper-image-"$VERSION".tar 2>/dev/null || true
