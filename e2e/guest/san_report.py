#!/usr/bin/env python3
"""san_report.py RAW SECONDS: the markdown tables of the SAN-latency benchmark (guest/san.sh).

RAW has one line per run: "delay=D cmd=C set=S [slow=...] side=direct|ref|ours conns=N requests=..
errors=.. ops/s=.. p50_us=.. p99_us=.. p999_us=.. max_us=.. [stuck=N]". Per table (delay, command,
device set) one row per connection count, side by side: direct SG_IO, Debian's qemu-pr-helper,
ours, and the ratios ours/reference (ops/s, p99) and ours/direct (p50, p99)."""
import sys

CMD = {"readkeys": "PR IN READ KEYS", "regignore": "PR OUT REGISTER AND IGNORE EXISTING KEY (same key)"}
SET = {"plain": "plain paths (path 0 of LUN i % 8)", "mpath": "dm-multipath maps (map of LUN i % 8)"}


def parse(path):
    runs = []
    for line in open(path):
        kv = dict(f.split("=", 1) for f in line.split() if "=" in f)
        if "side" in kv and "conns" in kv:
            runs.append(kv)
    return runs


def ms(us):
    return f"{int(us) / 1000:.1f}"


def cells(r):
    if r is None:
        return ["-"] * 5
    err = r["errors"] + (f" ({r['stuck']} stuck)" if "stuck" in r else "")
    return [f"{float(r['ops/s']):,.0f}", ms(r["p50_us"]), ms(r["p99_us"]), ms(r["max_us"]), err]


def ratio(a, b):
    try:
        return f"{float(a) / float(b):.2f}" if float(b) else "-"
    except (TypeError, ValueError):
        return "-"


def cpu(r):
    return f"{int(r['cpu_us_per_req']) / 1000:.2f}" if r and "cpu_us_per_req" in r else "-"


def row(first, d, ref, ours):
    g = lambda r, k: r[k] if r else None
    return ("| " + " | ".join([first] + cells(d) + cells(ref) + cells(ours) + [
        ratio(g(ours, "ops/s"), g(ref, "ops/s")), ratio(g(ours, "p99_us"), g(ref, "p99_us")),
        ratio(g(ours, "p50_us"), g(d, "p50_us")), ratio(g(ours, "p99_us"), g(d, "p99_us")), cpu(ref), cpu(ours)]) + " |")


HEAD = ("| {} | direct ops/s | p50 ms | p99 ms | max ms | err | qemu-pr-helper ops/s | p50 ms | p99 ms | max ms | err "
        "| ours ops/s | p50 ms | p99 ms | max ms | err | ours/ref ops/s | ours/ref p99 | ours/direct p50 | ours/direct p99 "
        "| ref CPU ms/req | ours CPU ms/req |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")


def main():
    runs, secs = parse(sys.argv[1]), sys.argv[2]
    out = ["## SAN-latency lab: LIO ramdisk LUNs over iSCSI on the guest's loopback (e2e/guest/san.sh)", "",
           f"Closed loop, {secs} s per run, connection i on LUN i % 8; the delay is netem's on `lo`, each way "
           "(a command's round trip gains about twice that). direct = bench/sgio-direct.c (SG_IO from the "
           "client's own threads), qemu-pr-helper = Debian's, ours = our agent with its default policy; "
           "both helpers driven by bench/prbench.c. Latencies in ms; err = requests that failed or were not GOOD; "
           "CPU ms/req = the helper process's own user + system CPU time in the run per request (guest CPU, TCG).", ""]
    keys = []
    for r in runs:
        k = (r["delay"], r["cmd"], r["set"])
        if "slow" not in r and k not in keys:
            keys.append(k)
    for k in keys:
        out += [f"### {k[0]} ms, {CMD.get(k[1], k[1])}, {SET.get(k[2], k[2])}", "", HEAD.format("conns")]
        for n in sorted({int(r["conns"]) for r in runs if (r["delay"], r["cmd"], r["set"]) == k and "slow" not in r}):
            pick = lambda side: next((r for r in runs if (r["delay"], r["cmd"], r["set"]) == k and "slow" not in r
                                      and r["side"] == side and int(r["conns"]) == n), None)
            out.append(row(str(n), pick("direct"), pick("ref"), pick("ours")))
        out.append("")
    slow = [r for r in runs if "slow" in r]
    if slow:
        d = slow[0]["delay"]
        load = {r["side"]: r for r in slow if r["slow"] == "load"}
        n = next((r["conns"] for r in slow if r["slow"] == "without"), "?")
        out += [f"### Slow LUN, {d} ms: READ KEYS on the 8 other LUNs' plain paths, {n} connections, without and with "
                "a slow LUN busy", "",
                "The slow LUN is its own target on portal 127.0.0.2, whose packets netem delays more; the load on "
                "it is the same kind of client as the row's (direct threads, or connections to the same helper).", "",
                HEAD.format("8 LUNs")]
        for case in ("without", "with"):
            pick = lambda side: next((r for r in slow if r["slow"] == case and r["side"] == side), None)
            out.append(row(f"{case} slow LUN", pick("direct"), pick("ref"), pick("ours")))
        out.append("")
        out.append("The slow LUN's own load meanwhile: " + "; ".join(
            f"{s}: {load[s]['conns']} conns, {float(load[s]['ops/s']):,.1f} ops/s, p50 {ms(load[s]['p50_us'])} ms, "
            f"max {ms(load[s]['max_us'])} ms, {load[s]['errors']} errors" for s in ("direct", "ref", "ours") if s in load))
        out.append("")
    print("\n".join(out))


if __name__ == "__main__":
    main()
