# packaging/common.sh, sourced by the packaging scripts (bash).
# say and check write one line per result to $RESULTS and the terminal, led by [$TAG]; check's
# command output goes to $CHECK_LOG; $passed and $failed count the checks.
# in_root ROOT COMMAND...: a command in a Debian root (debian-root.sh), in a mount and pid
# namespace of its own with /proc mounted, with a clean environment.
passed=0
failed=0
say() { echo "[$TAG] $*" | tee -a "$RESULTS"; }
check() {   # check DESCRIPTION COMMAND...: PASS when the command succeeds
    local what=$1
    shift
    if "$@" >>"$CHECK_LOG" 2>&1; then
        say "PASS $what"
        passed=$((passed + 1))
    else
        say "FAIL $what (see $CHECK_LOG)"
        failed=$((failed + 1))
    fi
}
in_root() {
    local root=$1
    shift
    unshare --mount --pid --fork --mount-proc="$root/proc" chroot "$root" /usr/bin/env -i \
        PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}
