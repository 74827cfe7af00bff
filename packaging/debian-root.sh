#!/bin/bash
# debian-root.sh ROOT [LOG]: a fresh Debian root in ROOT, made by debootstrap (minbase) from
# Debian's archive, ready for apt-get inside it: package lists fetched, and a policy-rc.d that keeps
# maintainer scripts from starting daemons (there is no init in it to own them). Used by the
# Debian package's test and the container image's build. Environment: DEB_MIRROR (default
# http://deb.debian.org/debian), DEB_SUITE (default bookworm).
set -euo pipefail
ROOT=$1
LOG=${2:-/dev/null}
MIRROR=${DEB_MIRROR:-http://deb.debian.org/debian}
SUITE=${DEB_SUITE:-bookworm}
. "$(dirname "$0")/common.sh"
debootstrap --variant=minbase "$SUITE" "$ROOT" "$MIRROR" >"$LOG" 2>&1 || { tail -20 "$LOG" >&2; exit 2; }
printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"
chmod 755 "$ROOT/usr/sbin/policy-rc.d"
in_root "$ROOT" apt-get update -q >>"$LOG" 2>&1
