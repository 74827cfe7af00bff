# agent-cpu-profile.sh - where each helper's CPU goes per request in the TCG lab guest (issues 16
# and 19: ours spends 2-4x qemu-pr-helper's CPU per request there, about 1x on the host). SAN lab,
# 2 ms, READ KEYS on the plain paths, connection i on LUN i % 8; for qemu-pr-helper and ours:
#   - CPU per request by thread (utime+stime of /proc/PID/task/*, grouped by thread name), at 1, 8
#     and 32 connections;
#   - system calls per request (strace -c -f) at 8 connections;
#   - a perf profile (perf record -g, our JIT code named through jcmd's Compiler.perfmap) at 8;
#   - where our Java code spends it: JFR's execution samples at 8 connections, by method, self and
#     inclusive (perf gets few samples under TCG; JFR samples the Java threads itself).
#
#   mvn -B -q install -DskipTests
#   gcc -O2 -Wall -pthread -o $LAB_DIR/prbench bench/prbench.c
#   e2e/lab/boot.sh -l 1 -t 1500 -f e2e/lab/examples/agent-cpu-profile.sh     # ~12 min
# Environment: PROFILE_SECONDS (5) per run, PROFILE_ASSEMBLY (karaf-assembly/target/assembly),
# PROFILE_JAVA_OPTS (extra JVM options of ours, e.g. to try one), PROFILE_QUICK=1 (the CPU by thread
# at 1 and 8 connections only; with PROFILE_JFR=1 also the JFR samples). To try a configuration, a wrapper script can edit
# $PROFILE_ASSEMBLY/etc/*.cfg (the guest's overlay takes the change) and then source this one.
set -u
E2E_HOME=$(cd "$LAB_HOME/.." && pwd)
. "$E2E_HOME/guest/common.sh"
: > "$CHECKS"
. "$E2E_HOME/guest/san-lab.sh"
SECS=${PROFILE_SECONDS:-5}
ASSEMBLY=${PROFILE_ASSEMBLY:-$(dirname "$E2E_HOME")/karaf-assembly/target/assembly}
PRBENCH=$LAB_DIR/prbench
OURS_SOCK=/tmp/ours.sock REF_SOCK=/tmp/ref.sock

PRHELPER_DATA=/tmp/prhelper-data PRHELPER_JAVA_OPTS="${PROFILE_JAVA_OPTS:-}" \
    "$ASSEMBLY/bin/qemu-pr-helper" -k "$OURS_SOCK" > /tmp/ours.log 2>&1 &
OURS=$!
san_lab_setup || { echo "SAN lab setup failed"; exit 1; }
qemu-pr-helper -k "$REF_SOCK" > /tmp/ref.log 2>&1 &
REF=$!
await_serving "$AGENT_START_TIMEOUT" "our agent" "$OURS_SOCK" "$OURS" || { cat /tmp/ours.log; exit 1; }
# Our agent runs in the launcher's process (exec), so $OURS is the JVM.
devs=$(for j in $(seq 0 $((SAN_LUNS - 1))); do eval echo "\$SAN_LUN${j}_PATH0"; done | paste -sd,)
run() { "$PRBENCH" -g -c readkeys -k "$SAN_KEY" "$1" "$devs" "$2" "$3" | tail -n 1; }
echo "profile: warm-up (C1 compiles our request path)"
run "$OURS_SOCK" 8 10 > /dev/null
run "$REF_SOCK" 8 3 > /dev/null

# threads PID: "tid name ticks" for every thread of PID
threads() {
    for t in /proc/$1/task/*; do
        awk -v tid="${t##*/}" '{ s = $0; sub(/^[^(]*\(/, "", s); name = s; sub(/\).*$/, "", name)
            sub(/^.*\) /, "", s); split(s, f, " "); print tid, name, f[12] + f[13] }' "$t/stat" 2>/dev/null
    done
}
# by_thread SIDE PID CONNS: one run, then the CPU per request of each thread group
by_thread() {
    local side=$1 pid=$2 n=$3 line
    threads "$pid" > /tmp/before
    line=$(run "$([ "$side" = ours ] && echo "$OURS_SOCK" || echo "$REF_SOCK")" "$n" "$SECS")
    threads "$pid" > /tmp/after
    echo "profile: $side, $n connection(s): $line"
    python3 - "$line" "$(getconf CLK_TCK)" <<'EOF'
import re, sys, collections
line, hz = sys.argv[1], int(sys.argv[2])
req = int(re.search(r"requests=(\d+)", line).group(1))
def load(path):
    out = {}
    for l in open(path):
        parts = l.split()
        if len(parts) >= 3:
            out[parts[0]] = (" ".join(parts[1:-1]), int(parts[-1]))
    return out
before, after = load("/tmp/before"), load("/tmp/after")
groups = collections.Counter()
for tid, (name, ticks) in after.items():
    groups[re.sub(r"[0-9#]+$", "", name)] += ticks - before.get(tid, (name, 0))[1]
total = sum(groups.values())
print(f"  all threads: {total / hz * 1e6 / max(req, 1):8.0f} us CPU per request ({total} ticks, {req} requests)")
for name, ticks in groups.most_common():
    if ticks:
        print(f"  {name:24s} {ticks / hz * 1e6 / max(req, 1):8.0f} us/req  {100 * ticks / total:5.1f} %")
EOF
}
for n in 1 8 $([ -z "${PROFILE_QUICK:-}" ] && echo 32); do
    by_thread ref "$REF" "$n"
    by_thread ours "$OURS" "$n"
done
# jfr_samples: JFR's execution samples of ours during one run at 8 connections, by method
jfr_samples() {
    jcmd "$OURS" JFR.start name=profile settings=profile filename=/tmp/ours.jfr > /dev/null || return
    line=$(run "$OURS_SOCK" 8 "$SECS")
    jcmd "$OURS" JFR.stop name=profile > /dev/null
    echo "profile: ours, JFR execution samples, 8 connections: $line"
    jfr print --events jdk.ExecutionSample --stack-depth 64 /tmp/ours.jfr | python3 -c '
import collections, re, sys
own, incl, thread, n, stack = collections.Counter(), collections.Counter(), collections.Counter(), 0, None
for l in sys.stdin:
    l = l.strip()
    if l.startswith("sampledThread"):
        name = re.sub(r"[0-9#]+$", "", l.split("\"")[1])
    elif l.startswith("stackTrace = ["):
        stack = []
    elif stack is not None and l.startswith("]"):
        if stack:
            n += 1
            thread[name] += 1
            own[stack[0]] += 1
            for m in set(stack):
                incl[m] += 1
        stack = None
    elif stack is not None and l and l != "...":
        stack.append(re.sub(r"\s+line:.*$", "", l))
print(f"  {n} samples; by thread: " + ", ".join(f"{t} {c}" for t, c in thread.most_common(6)))
print("  self:")
for m, c in own.most_common(25):
    print(f"  {100 * c / n:5.1f} %  {m}")
print("  inclusive (our code and the libraries it calls):")
for m, c in incl.most_common(60):
    if "org.prhelper" in m or "newsclub" in m or "jna" in m:
        print(f"  {100 * c / n:5.1f} %  {m}")
'
}
if [ -n "${PROFILE_QUICK:-}" ]; then
    [ -n "${PROFILE_JFR:-}" ] && jfr_samples
    kill "$OURS" "$REF" 2>/dev/null
    wait
    exit 0
fi

# System calls per request: strace -c on the whole process during one run.
for side in ref ours; do
    pid=$([ "$side" = ours ] && echo "$OURS" || echo "$REF")
    strace -c -f -q -p "$pid" -o /tmp/strace.$side &
    st=$!
    sleep 2
    line=$(run "$([ "$side" = ours ] && echo "$OURS_SOCK" || echo "$REF_SOCK")" 8 "$SECS")
    kill -INT "$st"; wait "$st" 2>/dev/null
    req=$(echo "$line" | sed -n 's/.*requests=\([0-9]*\).*/\1/p')
    echo "profile: $side, strace -c, 8 connections (slowed by strace: counts only): $line"
    awk -v r="$req" '$NF ~ /^[a-z_0-9]+$/ && $4 ~ /^[0-9]+$/ && $NF != "total" {
        printf "  %-16s %6.2f per request\n", $NF, $4 / r }' /tmp/strace.$side | sort -k2 -nr | head -15
done

# A profile of each at 8 connections; our JIT code is named through the perf map jcmd writes.
for side in ref ours; do
    pid=$([ "$side" = ours ] && echo "$OURS" || echo "$REF")
    perf record -F 499 -g -p "$pid" -o /tmp/perf.$side -- sleep "$((SECS + 1))" > /dev/null 2>&1 &
    pr=$!
    line=$(run "$([ "$side" = ours ] && echo "$OURS_SOCK" || echo "$REF_SOCK")" 8 "$SECS")
    wait "$pr"
    [ "$side" = ours ] && jcmd "$OURS" Compiler.perfmap > /dev/null 2>&1
    echo "profile: $side, perf, 8 connections: $line"
    echo "  by object:"
    perf report -i /tmp/perf.$side --no-children --sort dso --stdio 2>/dev/null | grep '%' | head -8
    echo "  by symbol:"
    perf report -i /tmp/perf.$side --no-children --sort dso,sym --stdio 2>/dev/null | grep '%' | head -40
done
jfr_samples
kill "$OURS" "$REF" 2>/dev/null
wait
