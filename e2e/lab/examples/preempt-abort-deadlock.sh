#!/bin/bash
# A successful PREEMPT AND ABORT deadlocks LIO + tcm_loop on Debian's 6.1 kernel, with no PR helper
# involved. Run: e2e/lab/boot.sh -t 120 -f e2e/lab/examples/preempt-abort-deadlock.sh
# Shows sg_persist stuck in D state and the kworker's stack (flush_work <- core_tmr_lun_reset <-
# core_scsi3_pro_preempt): the command's own submission work item flushes itself.
A=$LAB_PATH0 B=$LAB_PATH1
pidof multipathd >/dev/null && multipathd shutdown
sg_persist --out --register --param-sark=0xa1 "$A"
sg_persist --out --register --param-sark=0xb1 "$B"
echo "+ sg_persist --out --preempt-abort --param-rk=0xa1 --param-sark=0xb1 --prout-type=1 $A (in the background)"
sg_persist --out --preempt-abort --param-rk=0xa1 --param-sark=0xb1 --prout-type=1 "$A" &
P=$!
sleep 15
echo "after 15 s: sg_persist $(kill -0 $P 2>/dev/null && echo 'still running' || echo exited), state $(awk '{print $3}' /proc/$P/stat 2>/dev/null)"
echo w > /proc/sysrq-trigger
sleep 1
dmesg | sed -n '/sysrq: Show Blocked State/,$p' | grep -E 'task:|flush_work|core_tmr|core_scsi3|blk_execute_rq|sg_io' 
