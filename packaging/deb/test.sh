#!/bin/bash
# The Debian package, installed as a user installs it, on a fresh Debian root made by debootstrap
# from Debian's own packages:
#   1. apt-get installs it with the dependencies it declares (nothing else on the root);
#   2. the agent, run as prhelper.service runs it on prhelper.socket (socket activation, the
#      unit's environment, the file system read-only but for the unit's writable folders), answers
#      a request on /run/qemu-pr-helper.sock byte for byte as Debian's qemu-pr-helper does;
#   3. an edited configuration file survives the upgrade to a newer build, which serves again;
#   4. remove keeps the configuration, purge leaves nothing of ours on the root;
#   5. lintian reports no errors.
# Needs root, debootstrap, lintian, python3, systemd-socket-activate and Debian's qemu-pr-helper
# (scripts/test.sh installs them) and a built package (mvn install). Arguments go to the Maven run
# that builds the newer package. Results: packaging/deb/target/test-results.txt.
set -euo pipefail
cd "$(dirname "$0")/../.."
HERE=packaging/deb
# A folder of its own: two runs at once (a CI clone and a working copy) must not share one.
WORK=${DEB_TEST_DIR:-$(mktemp -d /tmp/prhelper-deb-test.XXXXXX)}
ROOT=$WORK/root
RESULTS=$HERE/target/test-results.txt
SOCKET=/run/qemu-pr-helper.sock
TAG=deb
CHECK_LOG=$WORK/check.log
. packaging/common.sh
# Every path on the root but the package manager's own records, caches and logs.
tree() {
    find "$ROOT" -xdev \( -path "$ROOT/proc" -o -path "$ROOT/tmp" -o -path "$ROOT/var/lib/apt" \
        -o -path "$ROOT/var/cache" -o -path "$ROOT/var/log/apt" -o -path "$ROOT/var/log/dpkg.log" \
        -o -path "$ROOT/var/lib/dpkg" -o -path "$ROOT/root" \) -prune -o -print | sed "s|^$ROOT||" | sort
}
unit_value() {   # unit_value UNIT KEY: every value of KEY= in the installed unit, one per line
    sed -n "s/^$2=//p" "$ROOT/lib/systemd/system/$1"
}

rm -rf "$WORK"
mkdir -p "$WORK" "$HERE/target"
: >"$RESULTS"
shopt -s nullglob
built=("$HERE"/target/prhelper_*_amd64.deb)
[ ${#built[@]} -eq 1 ] || { echo "expected one package in $HERE/target, found ${#built[@]}: run mvn install first" >&2; exit 2; }
OLD=$WORK/$(basename "${built[0]}")
cp "${built[0]}" "$OLD"

say "lintian $(lintian --version | cut -d' ' -f2)"
lintian "$OLD" >"$WORK/lintian.txt" 2>&1 || true
check "lintian: no errors ($(grep -c '^W:' "$WORK/lintian.txt" || true) warnings: $(sed -n 's/^W: prhelper: \([^ ]*\).*/\1/p' "$WORK/lintian.txt" | sort -u | tr '\n' ' '))" \
    sh -c "! grep -q '^E:' '$WORK/lintian.txt'"

say "debootstrap --variant=minbase ${DEB_SUITE:-bookworm} from ${DEB_MIRROR:-http://deb.debian.org/debian}"
start=$(date +%s)
packaging/debian-root.sh "$ROOT" "$WORK/debootstrap.log"
say "fresh root in $(($(date +%s) - start)) s"

# The dependencies first, as declared (and only those), so that purge can be compared with this.
depends=$(dpkg-deb -f "$OLD" Depends)
check "the declared dependencies install from Debian: $depends" \
    in_root "$ROOT" apt-get satisfy -y -q --no-install-recommends "$depends"
tree >"$WORK/before.txt"

cp "$OLD" "$ROOT/tmp/"
in_root "$ROOT" apt-get install -y -q --no-install-recommends "/tmp/$(basename "$OLD")" >"$WORK/install.log" 2>&1 \
    && installed=true || installed=false
check "apt-get installs $(basename "$OLD") and nothing else" sh -c \
    "$installed && grep -q '^0 upgraded, 1 newly installed' '$WORK/install.log'"
check "conffiles: every file in /etc/prhelper" sh -c \
    "[ \"\$(grep -c '^/etc/prhelper/' '$ROOT/var/lib/dpkg/info/prhelper.conffiles')\" -eq \"\$(find '$ROOT/etc/prhelper' -type f | wc -l)\" ]"
check "prhelper.socket and prhelper.service enabled (deb-systemd-helper)" \
    test -L "$ROOT/etc/systemd/system/sockets.target.wants/prhelper.socket" -a \
    -L "$ROOT/etc/systemd/system/multi-user.target.wants/prhelper.service"

# The reference's answer to READ KEYS with a descriptor of /dev/null (SG_IO fails: ABORTED COMMAND).
request() { packaging/read-keys.py "$1"; }
qemu-pr-helper -k "$WORK/reference.sock" >"$WORK/reference.log" 2>&1 &
ref=$!
for _ in $(seq 100); do [ -S "$WORK/reference.sock" ] && break; sleep 0.1; done
expected=$(request "$WORK/reference.sock")
kill "$ref"
wait "$ref" 2>/dev/null || true
say "qemu-pr-helper answers: ${expected:0:10} (status, sense key/ASC/ASCQ)"

# prhelper.service as systemd runs it: its environment, its folders (StateDirectory, LogsDirectory,
# RuntimeDirectory), ProtectSystem=strict (everything read-only but those) and PrivateTmp, started
# by the first connection to prhelper.socket's ListenStream (systemd-socket-activate).
serve() {   # serve NAME: starts the agent in the background, sets $agent
    local listen exec env
    listen=$(unit_value prhelper.socket ListenStream)
    exec=$(unit_value prhelper.service ExecStart)
    env=$(unit_value prhelper.service Environment | tr '\n' ' ')
    mkdir -p "$ROOT/run/prhelper"
    rm -f "$ROOT$listen"
    mkdir -p "$WORK/view"
    # shellcheck disable=SC2016 # expanded by the inner shell
    unshare --mount --pid --fork --kill-child=SIGTERM bash -c '
        set -e
        R=$1; V=$2; listen=$3; exec=$4; env=$5
        mount --make-rprivate /
        mount --bind "$R" "$V"
        mount -o remount,bind,ro "$V"
        mount -t proc proc "$V/proc"
        for d in tmp var/tmp; do mount -t tmpfs tmpfs "$V/$d"; done
        for d in var/lib/prhelper var/log/prhelper run/prhelper; do mount --bind "$R/$d" "$V/$d"; done
        # The socket is systemd'\''s, bound on the writable root before the service starts; the
        # service sees the root read-only.
        # systemd-socket-activate passes on only what -E names.
        setenv=
        for e in PATH=/usr/sbin:/usr/bin:/sbin:/bin $env; do setenv="$setenv -E $e"; done
        # shellcheck disable=SC2086 # $setenv is a list of options
        exec systemd-socket-activate -l "$R$listen" $setenv -- \
            chroot "$V" sh -c "cd /var/lib/prhelper && exec $exec"
    ' serve "$ROOT" "$WORK/view" "$listen" "$exec" "$env" >"$WORK/$1.log" 2>&1 &
    agent=$!
    for _ in $(seq 100); do [ -S "$ROOT$listen" ] && break; sleep 0.1; done
}
stop() {   # SIGTERM to the agent, as systemd stops a service; unshare exits with it
    local pid
    pid=$(pgrep -P "$agent" | head -n 1)
    kill -TERM "${pid:-$agent}" 2>/dev/null || true
    for _ in $(seq 300); do kill -0 "$agent" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$agent" 2>/dev/null || true
    wait "$agent" 2>/dev/null || true
    rm -rf "$ROOT/run/prhelper"   # RuntimeDirectory: systemd removes it when the service stops
}
errors_in_log() {   # ERROR lines of the agent's log, or the reason there is none
    local log=$ROOT/var/log/prhelper/karaf.log
    [ -f "$log" ] || { echo "no $log"; return; }
    grep '| ERROR |' "$log" || true
}

serve first
answer=$(request "$ROOT$SOCKET" 2>"$WORK/request.log" || true)
check "installed: the agent answers on $SOCKET as qemu-pr-helper does (${answer:0:10})" test "$answer" = "$expected"
stop
check "its log is /var/log/prhelper/karaf.log, with no ERROR line" sh -c \
    "[ -s '$ROOT/var/log/prhelper/karaf.log' ] && [ -z \"\$(grep '| ERROR |' '$ROOT/var/log/prhelper/karaf.log')\" ]"
check "its log lines also go to standard error (the journal, under systemd)" \
    grep -q "Serving pr-helper protocol on $SOCKET" "$WORK/first.log"
[ "$failed" -eq 0 ] || { errors_in_log; tail -30 "$WORK/first.log" || true; } >>"$WORK/check.log"

# A newer build of the same sources, as the normal build makes it (its version has a later stamp).
sleep 1
mvn -B -q -o package -pl "$HERE" "$@" >"$WORK/rebuild.log" 2>&1 || { cat "$WORK/rebuild.log" >&2; exit 2; }
# Moved out of target/, which keeps the package mvn install made: the test can run again.
NEW=$WORK/$(basename "$(ls -t "$HERE"/target/prhelper_*_amd64.deb | head -n 1)")
mv "$(ls -t "$HERE"/target/prhelper_*_amd64.deb | head -n 1)" "$NEW"
new_version=$(dpkg-deb -f "$NEW" Version)
old_version=$(dpkg-deb -f "$OLD" Version)
check "the rebuilt package is newer: $new_version > $old_version" \
    dpkg --compare-versions "$new_version" gt "$old_version"
# The admin's edit: only SCSI disks on the default socket, so /dev/null is now refused.
cfg=/etc/prhelper/org.prhelper.socket-default.cfg
echo "allow.devices.path = /dev/sd*" >>"$ROOT$cfg"
cp "$ROOT$cfg" "$WORK/edited.cfg"
cp "$NEW" "$ROOT/tmp/"
check "apt-get upgrades to $new_version" in_root "$ROOT" apt-get install -y -q --no-install-recommends "/tmp/$(basename "$NEW")"
check "dpkg says $new_version is installed" sh -c \
    "[ \"\$(chroot '$ROOT' dpkg-query -W -f '\${Version}' prhelper)\" = '$new_version' ]"
check "the edit of $cfg is kept, with no .dpkg-new or .dpkg-dist beside it" sh -c \
    "cmp -s '$WORK/edited.cfg' '$ROOT$cfg' && [ -z \"\$(find '$ROOT/etc/prhelper' -name '*.dpkg-*')\" ]"
serve upgraded
answer=$(request "$ROOT$SOCKET" 2>>"$WORK/request.log" || true)
check "upgraded: the edited policy holds, /dev/null is refused (${answer:0:10}: ACCESS DENIED)" \
    test "${answer:0:10}" = "2 05/20/02"
stop
rm -f "$ROOT$SOCKET"   # systemd's: gone when the socket unit stops

check "apt-get remove" in_root "$ROOT" apt-get remove -y -q prhelper
check "removed: /usr/lib/prhelper and the units are gone, the configuration stays" sh -c \
    "[ ! -e '$ROOT/usr/lib/prhelper' ] && [ ! -e '$ROOT/lib/systemd/system/prhelper.service' ] && cmp -s '$WORK/edited.cfg' '$ROOT$cfg'"
check "apt-get purge" in_root "$ROOT" apt-get purge -y -q prhelper
tree >"$WORK/after.txt"
diff "$WORK/before.txt" "$WORK/after.txt" >"$WORK/left.txt" || true
check "purged: the root is as before the install ($(grep -c '^[<>]' "$WORK/left.txt" || true) paths differ)" \
    test ! -s "$WORK/left.txt"
check "dpkg no longer knows prhelper" sh -c "! chroot '$ROOT' dpkg-query -W prhelper"

say "$passed passed, $failed failed"
[ "$failed" -eq 0 ] || { say "kept for a look: $WORK"; exit 1; }
rm -rf "$WORK"   # the root and the packages: about 700 MB
