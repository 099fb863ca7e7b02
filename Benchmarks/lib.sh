# Shell functions shared by the benchmark scripts (shapes.sh, shard.sh, unpack.sh,
# train_mnist.sh). Not run on its own: a script sets SCRIPT (its name, which starts every
# message) and sources this file from the repository root:
#
#     SCRIPT=shapes.sh
#     source Benchmarks/lib.sh
#
# wait_quiet reads QUIET_WAIT and QUIET_LOAD (each script keeps its own defaults); own_cpu,
# cpu_start and cpu_end write a scratch file into $OUT, the script's work folder.

say() { echo "$SCRIPT: $*" >&2; }         # a message on stderr, naming the script
die() { say "$@"; exit 1; }               # the same, then stop

# ---------------------------------------------------------------- a quiet machine
# Timings need a quiet machine: other work (builds, tests) slows the timed commands, and
# more so those that use every core.

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }    # the 1-, 5- and 15-minute load averages
load1() { cut -d' ' -f1 /proc/loadavg; }        # the 1-minute load average
# below A B: whether A < B, as decimals (bash compares integers only)
below() { python3 -c "import sys; sys.exit(0 if float('$1') < float('$2') else 1)"; }

WAITED=0  # seconds wait_quiet has waited so far, over all its calls (recorded in RESULTS.md)
wait_quiet() {  # wait up to QUIET_WAIT seconds, polling every 30 s, for load1 < QUIET_LOAD
    local waited=0
    while ! below "$(load1)" "$QUIET_LOAD" && (( waited < QUIET_WAIT )); do
        say "load average $(load1) >= $QUIET_LOAD; waiting (${waited}s of ${QUIET_WAIT}s)"
        sleep 30
        waited=$((waited + 30))
    done
    WAITED=$((WAITED + waited))
}

note_start_load() {  # sets LOAD_START to the load averages as timing begins, and says them
    LOAD_START=$(loadavg)
    say "load average at the start: $LOAD_START"
}

# ---------------------------------------------------------------- CPU accounting
# Other processes' CPU time during a measurement = the whole machine's busy time (/proc/stat)
# minus the CPU time of this script's own children (the timed commands, from bash's `times`).

cpu_jiffies() {  # busy (user nice system irq softirq) and steal jiffies of the whole machine
    awk '/^cpu / {print $2 + $3 + $4 + $7 + $8, $9}' /proc/stat
}
own_cpu() {  # VAR: sets VAR to the CPU seconds used by this script's finished children
    # (bash's `times` must run in this shell, not in a subshell, whose counters start at
    # zero: hence the file rather than a command substitution)
    times > "$OUT/times"
    local seconds
    seconds=$(tail -1 "$OUT/times" | python3 -c "
import re, sys
print(sum(int(m) * 60 + float(s) for m, s in re.findall(r'(\d+)m([\d.]+)s', sys.stdin.read())))")
    printf -v "$1" '%s' "$seconds"
}

cpu_start() {  # as timing begins: BUSY0 STEAL0 (the machine's jiffies), OWN0 (own_cpu), T0
    read -r BUSY0 STEAL0 < <(cpu_jiffies)
    own_cpu OWN0
    T0=$(date +%s.%N)
}
cpu_end() {  # as timing ends: T1 BUSY1 STEAL1 OWN1; exports both ends and CLK_TCK for the Python
    T1=$(date +%s.%N)
    read -r BUSY1 STEAL1 < <(cpu_jiffies)
    own_cpu OWN1
    CLK_TCK=$(getconf CLK_TCK)
    export T0 T1 BUSY0 BUSY1 STEAL0 STEAL1 OWN0 OWN1 CLK_TCK
}
