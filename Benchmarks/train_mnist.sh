#!/usr/bin/env bash
# Train benchmark: the real MNIST through dsprep's whole pipeline, the `cnn` preset against the
# same model in Keras on the same shards and threads; and the `mlp` preset on the photo set at
# full and half size (epoch time, peak memory).
#
# Usage: Benchmarks/train_mnist.sh [DSPREP_BINARY]      (default .build/release/dsprep)
#
# Environment:
#   THREADS=2          dsprep's --threads and Keras's intra-op threads (inter-op 1)
#   EPOCHS=10          cnn epochs (dsprep and Keras);  BATCH=32  batch size
#   MLP_EPOCHS=2       mlp epochs on the photo set
#   MNIST_ONLY=1       only the MNIST comparison;  MLP_ONLY=1  only the mlp runs
#   QUIET_WAIT=0       first wait up to this many seconds for the 1-minute load average to
#   QUIET_LOAD=1.0     drop below QUIET_LOAD (polled every 30 s), before each timed part
#   KEEP=1             keep the work folder (Benchmarks/scratch/train-runs.XXXXXX) afterwards
#   OPENBLAS_NATIVE=1  run dsprep with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset too, so
#                      OpenBLAS picks its kernel for this CPU (by default dsprep keeps the
#                      machine's settings; Keras runs without them either way); its MNIST
#                      result goes to a subsection of its own beside the default one
#   RESULTS=Benchmarks/RESULTS.md   file whose "## train" section is written or replaced
#                      (each part replaces only its own "### " subsection of it)
#
# MNIST: Benchmarks/scratch/mnist_png_full.zip (made by make_mnist_zip.py from ../shared/data/mnist
# if missing) -> dsprep unpack -> split --ratios 90/10 (the archive's test split is kept;
# validation is carved from training) -> shard --gray --size 28 -> train --model cnn under
# /usr/bin/time -v -> eval --split test --json; then Benchmarks/keras_mnist.py on the same
# shards under /usr/bin/time -v. The photo set: Benchmarks/scratch/shapes-data (unpacked from
# PetImages.zip if missing) and a half-size subset of it (Benchmarks/scratch/train-subset-half,
# hard links, made once), each split 80/10/10 and sharded --gray --size 96 into the work folder,
# then train --model mlp. Every timed run also samples /proc/PID/status (peak anonymous and
# file-backed resident memory) and records the load and the CPU time other processes used.
#
# Needs python3 with numpy, Pillow, safetensors and tensorflow-cpu (pip install tensorflow-cpu;
# or keras + jax with KERAS_BACKEND=jax) and GNU time. Runs from anywhere; paths are relative
# to the repository root.
set -euo pipefail

cd "$(dirname "$0")/.."
SCRIPT=train_mnist.sh
source Benchmarks/lib.sh   # say, die, wait_quiet, loadavg, cpu_jiffies
ROOT=$(pwd)
DSPREP=${1:-.build/release/dsprep}
DSPREP_SHOWN=${1:-.build/release/dsprep}   # as given, for RESULTS.md (no machine paths)
THREADS=${THREADS:-2}
EPOCHS=${EPOCHS:-10}
BATCH=${BATCH:-32}
MLP_EPOCHS=${MLP_EPOCHS:-2}
MNIST_ONLY=${MNIST_ONLY:-}
MLP_ONLY=${MLP_ONLY:-}
QUIET_WAIT=${QUIET_WAIT:-0}
QUIET_LOAD=${QUIET_LOAD:-1.0}
KEEP=${KEEP:-}
OPENBLAS_NATIVE=${OPENBLAS_NATIVE:-}
RESULTS=${RESULTS:-Benchmarks/RESULTS.md}
WORK=Benchmarks/scratch
MNIST_ZIP=$WORK/mnist_png_full.zip
PHOTO_ZIP=$WORK/PetImages.zip
SHAPES=$WORK/shapes-data
HALF=$WORK/train-subset-half

[[ -n "$MNIST_ONLY" && -n "$MLP_ONLY" ]] && die "MNIST_ONLY and MLP_ONLY exclude each other"
RUN_MNIST=1; RUN_MLP=1
[[ -n "$MLP_ONLY" ]] && RUN_MNIST=
[[ -n "$MNIST_ONLY" ]] && RUN_MLP=

for tool in python3 /usr/bin/time; do
    command -v "$tool" >/dev/null || die "$tool not found; install it first"
done
python3 -c "import PIL, numpy" 2>/dev/null || die "Pillow or numpy not found; pip install Pillow numpy"
if [[ -n "$RUN_MNIST" ]]; then
    python3 -c "import safetensors" 2>/dev/null || die "safetensors not found; pip install safetensors"
    if [[ "${KERAS_BACKEND:-tensorflow}" == tensorflow ]]; then
        python3 -c "import tensorflow" 2>/dev/null ||
            die "tensorflow not found; pip install tensorflow-cpu (or keras jax jaxlib and KERAS_BACKEND=jax)"
    else
        python3 -c "import keras" 2>/dev/null || die "keras not found; pip install keras"
    fi
fi
if [[ "$DSPREP" == */* ]]; then
    [[ -x "$DSPREP" ]] || die "$DSPREP is not an executable; build it first (swift build -c release --product dsprep) or pass its path"
    DSPREP=$(cd "$(dirname "$DSPREP")" && pwd)/$(basename "$DSPREP")
else
    DSPREP=$(command -v "$DSPREP") || die "$1 not found on PATH"
fi
# (an unknown subcommand with --help prints the top-level help and exits 0: look for its usage)
for command in train eval; do
    help=$("$DSPREP" "$command" --help 2>&1 || true)
    [[ "$help" == *"USAGE: dsprep $command"* ]] || die "$DSPREP has no '$command' command; build a newer one"
done

OUT=$(mktemp -d "$ROOT/$WORK/train-runs.XXXXXX")
cleanup() {
    if [[ -n "$KEEP" ]]; then
        say "kept the work folder ${OUT#"$ROOT"/}"
    else
        say "deleting the work folder ${OUT#"$ROOT"/}"
        rm -rf "$OUT"
    fi
}
trap cleanup EXIT

# Samples the command's /proc/PID/status every 0.1 s while it runs: peak RssAnon, RssFile,
# and VmHWM (the kernel's own peak, the same figure GNU time reports).
SAMPLER='
import json, os, sys, time
parent = int(sys.argv[1])
pid = None
for _ in range(200):  # GNU time forks the command; find its child
    try:
        with open(f"/proc/{parent}/task/{parent}/children") as f:
            kids = f.read().split()
    except OSError:
        break
    if kids:
        pid = int(kids[0])
        break
    time.sleep(0.01)
peak = {"RssAnon": 0, "RssFile": 0, "RssShmem": 0, "VmHWM": 0, "VmRSS": 0}
while pid is not None:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key in peak:
                    peak[key] = max(peak[key], int(value.split()[0]))
    except (OSError, ValueError, IndexError):
        break
    time.sleep(0.1)
print(json.dumps(peak))
'

# timed_run NAME COMMAND...: runs it under /usr/bin/time -v (output in $OUT/NAME.out/.err,
# GNU time's report in $OUT/NAME.time), samples its memory ($OUT/NAME.mem) and records the
# load and other processes' CPU time ($OUT/NAME.meta).
timed_run() {
    local name=$1; shift
    local load_start load_end t0 t1 busy0 steal0 busy1 steal1 tpid spid
    load_start=$(loadavg)
    read -r busy0 steal0 < <(cpu_jiffies)
    t0=$(date +%s.%N)
    say "$name: running (load average $load_start)"
    /usr/bin/time -v -o "$OUT/$name.time" "$@" > "$OUT/$name.out" 2> "$OUT/$name.err" &
    tpid=$!
    python3 -c "$SAMPLER" "$tpid" > "$OUT/$name.mem" &
    spid=$!
    if ! wait "$tpid"; then
        tail -20 "$OUT/$name.err" >&2
        die "$name failed: $*"
    fi
    wait "$spid" || true
    t1=$(date +%s.%N)
    read -r busy1 steal1 < <(cpu_jiffies)
    load_end=$(loadavg)
    printf '{"load_start": "%s", "load_end": "%s", "t0": %s, "t1": %s, "busy0": %s, "busy1": %s, "steal0": %s, "steal1": %s}\n' \
        "$load_start" "$load_end" "$t0" "$t1" "$busy0" "$busy1" "$steal0" "$steal1" > "$OUT/$name.meta"
    say "$name: done in $(python3 -c "print(f'{$t1 - $t0:.1f}')") s, peak RSS $(awk -F': ' '/Maximum resident/ {printf "%.0f MB", $2 / 1024}' "$OUT/$name.time")"
}

# How dsprep runs: with the machine's OpenBLAS settings, or (OPENBLAS_NATIVE=1) without them.
if [[ -n "$OPENBLAS_NATIVE" ]]; then
    RUN_DSPREP=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$DSPREP")
else
    RUN_DSPREP=("$DSPREP")
fi
# The OpenBLAS kernel dsprep gets that way (openblas_get_corename of the system library).
OPENBLAS_KERNEL=$("${RUN_DSPREP[@]:0:${#RUN_DSPREP[@]}-1}" python3 -c "
import ctypes
lib = ctypes.CDLL('libopenblas.so.0')
lib.openblas_get_corename.restype = ctypes.c_char_p
print(lib.openblas_get_corename().decode())" 2>/dev/null || echo unknown)
OPENBLAS_SETTINGS="OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}, OPENBLAS_L2_SIZE=${OPENBLAS_L2_SIZE:-unset}"
[[ -n "$OPENBLAS_NATIVE" ]] && OPENBLAS_SETTINGS="OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset (OPENBLAS_NATIVE=1)"
export OPENBLAS_KERNEL OPENBLAS_SETTINGS

# ---------------------------------------------------------------- MNIST: cnn against Keras
if [[ -n "$RUN_MNIST" ]]; then
    if [[ ! -f "$MNIST_ZIP" ]]; then
        say "$MNIST_ZIP is missing; making it from ../shared/data/mnist (about 10 s)"
        python3 Benchmarks/make_mnist_zip.py --out "$MNIST_ZIP"
    fi
    M=$OUT/mnist
    mkdir -p "$M"
    say "MNIST: unpack, split, shard"
    "$DSPREP" unpack "$ROOT/$MNIST_ZIP" --out "$M/data" --quiet
    "$DSPREP" split "$M/data" --ratios 90/10 --quiet
    "$DSPREP" shard "$M/data" --gray --size 28 --out "$M/shards" --quiet
    cat "$M"/shards/*.safetensors > /dev/null   # in the page cache for both trainers

    wait_quiet
    timed_run cnn "${RUN_DSPREP[@]}" train "$M/shards" --model cnn --epochs "$EPOCHS" --batch-size "$BATCH" \
        --threads "$THREADS" --seed 1337 --out "$M/runs/cnn"
    "${RUN_DSPREP[@]}" eval "$M/runs/cnn" "$M/shards" --split test --json > "$OUT/eval.json" 2> "$OUT/eval.err" ||
        { cat "$OUT/eval.err" >&2; die "dsprep eval failed"; }
    # OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE are unset for Keras alone: they can slow a current numpy
    # (TensorFlow itself computes with oneDNN/Eigen, not OpenBLAS); dsprep keeps the machine's.
    timed_run keras env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python3 "$ROOT/Benchmarks/keras_mnist.py" \
        "$M/shards" --threads "$THREADS" --epochs "$EPOCHS" --batch-size "$BATCH" --run "$M/runs/cnn" \
        --json "$OUT/keras.json"
    cat "$OUT/keras.out"
fi

# ---------------------------------------------------------------- mlp on the photo set
if [[ -n "$RUN_MLP" ]]; then
    if [[ ! -d "$SHAPES" ]]; then
        if [[ ! -f "$PHOTO_ZIP" ]]; then
            say "$PHOTO_ZIP is missing; generating it (a few minutes)"
            python3 Benchmarks/make_photos.py "$WORK"
        fi
        say "unpacking $PHOTO_ZIP into $SHAPES"
        "$DSPREP" unpack "$ROOT/$PHOTO_ZIP" --out "$SHAPES" --quiet
    fi
    # The half-size set: the first half (natural order) of each class folder, hard-linked.
    if [[ ! -f "$HALF/.complete" ]]; then
        say "making the half-size subset $HALF"
        rm -rf "$HALF"
        mapfile -t CLASSES < <(find "$SHAPES" -mindepth 1 -maxdepth 1 -type d -not -name '.*' -printf '%f\n' | sort)
        (( ${#CLASSES[@]} > 0 )) || die "$SHAPES holds no class folders"
        for class in "${CLASSES[@]}"; do
            mkdir -p "$HALF/$class"
            mapfile -t FILES < <(find "$SHAPES/$class" -maxdepth 1 -type f -not -name '.*' -printf '%f\n' | sort -V)
            KEEP_N=$(( (${#FILES[@]} + 1) / 2 ))
            (( KEEP_N > 0 )) || continue
            ( cd "$SHAPES/$class" && { ln -t "$ROOT/$HALF/$class" -- "${FILES[@]:0:KEEP_N}" 2>/dev/null ||
                                       cp -t "$ROOT/$HALF/$class" -- "${FILES[@]:0:KEEP_N}"; } )
        done
        touch "$HALF/.complete"
    fi
    for set in full half; do
        src=$SHAPES; [[ $set == half ]] && src=$HALF
        say "photo set ($set): split, shard --gray --size 96"
        "$DSPREP" split "$ROOT/$src" --mode hardlink --out "$OUT/mlp-$set/data" --quiet
        "$DSPREP" shard "$OUT/mlp-$set/data" --gray --size 96 --threads "$THREADS" --out "$OUT/mlp-$set/shards" --quiet
    done
    wait_quiet
    for set in full half; do
        cat "$OUT/mlp-$set"/shards/*.safetensors > /dev/null
        timed_run "mlp-$set" "${RUN_DSPREP[@]}" train "$OUT/mlp-$set/shards" --model mlp --epochs "$MLP_EPOCHS" \
            --batch-size "$BATCH" --threads "$THREADS" --seed 1337 --out "$OUT/mlp-$set/runs/mlp"
    done
fi

export DSPREP_SHOWN THREADS EPOCHS BATCH MLP_EPOCHS OUT RUN_MNIST RUN_MLP QUIET_LOAD QUIET_WAIT WAITED
export CLK_TCK=$(getconf CLK_TCK)
export DSPREP_VERSION=$("$DSPREP" --version 2>/dev/null | head -1 || true)
OPENBLAS_VERSION=$(dpkg-query -W -f='${Status}|${Package} ${Version}\n' 'libopenblas0-*' 2>/dev/null |
                   awk -F'|' '$1 == "install ok installed" {print $2; exit}' || true)
export OPENBLAS_VERSION=${OPENBLAS_VERSION:-OpenBLAS version unknown}

python3 - "$RESULTS" <<'EOF'
import csv, json, os, re, statistics, sys
from datetime import date

sys.path.insert(0, "Benchmarks")  # the script runs from the repository root
import results_md

results_path = sys.argv[1]
env = os.environ
# The MNIST comparison is kept in two subsections: with the machine's OpenBLAS settings, and
# (OPENBLAS_NATIVE=1) with OpenBLAS's own kernel choice; a run replaces only its own.
MNIST_HEADING = "### MNIST: the `cnn` preset against Keras"
NATIVE_HEADING = ("### MNIST: the `cnn` preset against Keras, OpenBLAS choosing its own kernel "
                  "(`OPENBLAS_NATIVE=1`)")
out = env["OUT"]
tck = int(env["CLK_TCK"])


def die(message):
    sys.exit(f"train_mnist.sh: {message}")


def gnu_time(name):
    text = open(os.path.join(out, f"{name}.time")).read()
    def field(label):
        m = re.search(rf"{re.escape(label)}: (.+)", text)
        return m.group(1).strip() if m else None
    wall = field("Elapsed (wall clock) time (h:mm:ss or m:ss)")
    seconds = 0.0
    for part in wall.split(":"):
        seconds = seconds * 60 + float(part)
    return {"rss_mb": int(field("Maximum resident set size (kbytes)")) / 1024, "wall": seconds,
            "cpu": float(field("User time (seconds)")) + float(field("System time (seconds)")),
            "percent": field("Percent of CPU this job got")}


def run_info(name):
    info = gnu_time(name)
    mem = json.load(open(os.path.join(out, f"{name}.mem")))
    meta = json.load(open(os.path.join(out, f"{name}.meta")))
    wall = meta["t1"] - meta["t0"]
    busy = (meta["busy1"] - meta["busy0"]) / tck
    info.update({
        "anon_mb": mem["RssAnon"] / 1024, "file_mb": mem["RssFile"] / 1024, "hwm_mb": mem["VmHWM"] / 1024,
        "load_start": meta["load_start"], "load_end": meta["load_end"],
        "other_cores": max(0.0, busy - info["cpu"]) / wall if wall > 0 else 0.0,
        "steal": (meta["steal1"] - meta["steal0"]) / tck,
    })
    return info


def history(run_dir):
    """Per-epoch rows of dsprep's history.csv, and the name of its time column."""
    with open(os.path.join(run_dir, "history.csv")) as f:
        rows = list(csv.DictReader(f))
    if not rows:
        die(f"{run_dir}/history.csv has no epochs")
    columns = list(rows[0].keys())
    time_column = next((c for c in columns if re.search(r"time|seconds|duration|elapsed", c, re.I)), None)
    if time_column is None:
        die(f"{run_dir}/history.csv has no time column (columns: {', '.join(columns)})")
    return rows, time_column


def find_key(value, key):
    """The first value of `key` in nested JSON, breadth first."""
    queue = [value]
    while queue:
        item = queue.pop(0)
        if isinstance(item, dict):
            if key in item and isinstance(item[key], (int, float)):
                return item[key]
            queue.extend(item.values())
        elif isinstance(item, list):
            queue.extend(item)
    return None


def fnum(row, *names):
    for name in names:
        for key, value in row.items():
            if key.strip().lower() == name and value not in (None, ""):
                return float(value)
    return None


machine = results_md.machine()
today = date.today().isoformat()
threads, epochs, batch = env["THREADS"], env["EPOCHS"], env["BATCH"]
dsprep_line = (f"`{env['DSPREP_SHOWN']}` ({env['DSPREP_VERSION'] or 'version unknown'};\n  {env['OPENBLAS_VERSION']}, "
               f"kernel {env['OPENBLAS_KERNEL']}: {env['OPENBLAS_SETTINGS']})")


def conditions(infos):
    loads = ", ".join(f"{name} {i['load_start'].split()[0]}" for name, i in infos)
    others = ", ".join(f"{name} {i['other_cores']:.2f}" for name, i in infos)
    # The first run's load tells whether the machine was quiet; later runs' load averages
    # still carry the earlier runs' own work, so for them only other processes' CPU counts.
    busy = (float(infos[0][1]["load_start"].split()[0]) >= float(env["QUIET_LOAD"])
            or any(i["other_cores"] >= 0.15 for _, i in infos))
    verdict = ("**the machine was busy with other work**: the times are distorted (too slow)" if busy
               else "quiet machine")
    return (f"{verdict}. 1-minute load average when each run began: {loads} (the first run waited\n"
            f"  {env['WAITED']} s of up to {env['QUIET_WAIT']} s for it to drop below {env['QUIET_LOAD']}; later runs' load includes the runs\n"
            f"  before them); other processes' CPU during each run, in cores on average: {others}")


sections = {}

if env["RUN_MNIST"]:
    cnn = run_info("cnn")
    keras_run = run_info("keras")
    kj = json.load(open(os.path.join(out, "keras.json")))
    ev = json.load(open(os.path.join(out, "eval.json")))
    rows, time_column = history(os.path.join(out, "mnist", "runs", "cnn"))
    d_times = [float(r[time_column]) for r in rows]
    k_times = kj["epoch_seconds"]
    d_acc = find_key(ev, "accuracy")
    if d_acc is None:
        die("no 'accuracy' in dsprep eval --json")
    d_acc = d_acc * 100 if d_acc <= 1 else d_acc
    k_acc = kj["test_accuracy"] * 100
    d_med, k_med = statistics.median(d_times), statistics.median(k_times)
    time_ratio = d_med / k_med
    rss_ratio = cnn["rss_mb"] / keras_run["rss_mb"]
    d_val = fnum(rows[-1], "val_accuracy")
    k_val = kj["history"][-1].get("val_accuracy")
    manifest = json.load(open(os.path.join(out, "mnist", "shards", "manifest.json")))
    counts = {s: v["count"] for s, v in manifest["splits"].items()}
    v = kj["versions"]
    keras_versions = (f"Keras {v['keras']} on " + (f"TensorFlow {v['tensorflow']} (tensorflow-cpu)" if v.get("tensorflow")
                                                     else v["backend"]) + f", Python {v['python']}, numpy {v['numpy']}")
    targets = [
        ("dsprep test accuracy", f"{d_acc:.2f}%", ">= 99.0%", d_acc >= 99.0),
        ("epoch time dsprep / Keras (medians)", f"{time_ratio:.2f}x", "<= 0.5x", time_ratio <= 0.5),
        ("peak RSS dsprep / Keras", f"{rss_ratio:.2f}x", "<= 0.5x", rss_ratio <= 0.5),
    ]
    print()
    print(f"dsprep cnn: test accuracy {d_acc:.2f}%, median epoch {d_med:.2f} s "
          f"(epochs {', '.join(f'{t:.1f}' for t in d_times)}), peak RSS {cnn['rss_mb']:.0f} MB")
    print(f"Keras:      test accuracy {k_acc:.2f}%, median epoch {k_med:.2f} s "
          f"(epochs {', '.join(f'{t:.1f}' for t in k_times)}), peak RSS {keras_run['rss_mb']:.0f} MB")
    for label, value, target, ok in targets:
        print(f"{label}: {value}, {'meets' if ok else 'MISSES'} the target ({target})")
    print(f"load at the start: dsprep {cnn['load_start']}, Keras {keras_run['load_start']}; other processes "
          f"used {cnn['other_cores']:.2f} / {keras_run['other_cores']:.2f} cores on average")

    def pct(x):
        return "-" if x is None else f"{x * 100:.2f}%"

    native = bool(env.get("OPENBLAS_NATIVE"))
    sections["native" if native else "mnist"] = (NATIVE_HEADING if native else MNIST_HEADING) + f"""

Targets: `dsprep train --model cnn` reaches >= 99.0% test accuracy on MNIST (the tutorial
reports 99.09%), in <= 0.5x Keras's time per epoch and <= 0.5x its peak memory, same model,
data, batch size, epochs and threads.

| target | value | target | |
|--------|------:|-------:|-|
{chr(10).join(f"| {label} | {value} | {target} | {'met' if ok else '**missed**'} |" for label, value, target, ok in targets)}

| | dsprep | Keras |
|-|-------:|------:|
| test accuracy ({counts.get('test', 0):,} images) | {d_acc:.2f}% | {k_acc:.2f}% |
| validation accuracy, last epoch | {pct(d_val)} | {pct(k_val)} |
| median epoch time (s) | {d_med:.2f} | {k_med:.2f} |
| first epoch (s) | {d_times[0]:.2f} | {k_times[0]:.2f} |
| whole run, wall (s) | {cnn['wall']:.1f} | {keras_run['wall']:.1f} |
| CPU used (GNU time) | {cnn['percent']} | {keras_run['percent']} |
| peak RSS (MB, GNU time) | {cnn['rss_mb']:.0f} | {keras_run['rss_mb']:.0f} |
| of which anonymous / file-backed at their peaks (MB, sampled) | {cnn['anon_mb']:.0f} / {cnn['file_mb']:.0f} | {keras_run['anon_mb']:.0f} / {keras_run['file_mb']:.0f} |

Epoch times (s), dsprep: {', '.join(f'{t:.2f}' for t in d_times)};
Keras: {', '.join(f'{t:.2f}' for t in k_times)}.

- Date: {today}; machine: {machine}
- Conditions: {conditions([('dsprep', cnn), ('Keras', keras_run)])}.
- Data: the real MNIST (`../shared/data/mnist`, 60,000 + 10,000 digits) as PNGs
  (`Benchmarks/make_mnist_zip.py` -> `Benchmarks/scratch/mnist_png_full.zip`), then
  `dsprep unpack`, `dsprep split --ratios 90/10` (the archive's test split kept, validation
  carved from training) and `dsprep shard --gray --size 28`: train {counts.get('train', 0):,},
  validation {counts.get('validation', 0):,}, test {counts.get('test', 0):,}.
- dsprep: {dsprep_line}, `dsprep train shards --model cnn --epochs {epochs} --batch-size {batch}
  --threads {threads} --seed 1337`, then `dsprep eval RUN shards --split test --json`; epoch time
  from `history.csv` (`{time_column}`).
- Keras: `Benchmarks/keras_mnist.py` ({keras_versions}):\n  the tutorial's model, Adam
  (lr 1e-3), batch {batch}, {epochs} epochs, the same shards read with `safetensors.numpy`,
  normalised as dsprep's run was (`{kj['normalization']}`, the manifest's scale, mean and std),
  validation after every epoch as dsprep; {threads} intra-op threads, 1 inter-op
  (`tf.config.threading` and `OMP_NUM_THREADS`/`TF_NUM_*`); `OPENBLAS_CORETYPE`/`OPENBLAS_L2_SIZE`
  unset for it alone. Epoch time: wall time from a callback's `on_epoch_begin` to `on_epoch_end`
  (training and the validation pass).
- Both under `/usr/bin/time -v`, one after the other, shards in the page cache; the peak RSS
  is GNU time's; `/proc/PID/status` was also sampled every 0.1 s for RssAnon and RssFile.
- Reproduce: `MNIST_ONLY=1 Benchmarks/train_mnist.sh [path/to/dsprep]` (`THREADS`, `EPOCHS`,
  `QUIET_WAIT` as in `Benchmarks/README.md`)
"""

if env["RUN_MLP"]:
    table, infos = [], []
    for set_name, label in (("full", "full"), ("half", "half")):
        info = run_info(f"mlp-{set_name}")
        manifest = json.load(open(os.path.join(out, f"mlp-{set_name}", "shards", "manifest.json")))
        counts = {s: v["count"] for s, v in manifest["splits"].items()}
        rows, time_column = history(os.path.join(out, f"mlp-{set_name}", "runs", "mlp"))
        times = [float(r[time_column]) for r in rows]
        val = fnum(rows[-1], "val_accuracy")
        shard_mb = sum(os.path.getsize(os.path.join(out, f"mlp-{set_name}", "shards", f))
                       for f in os.listdir(os.path.join(out, f"mlp-{set_name}", "shards")) if f.endswith(".safetensors")) / 1e6
        infos.append((label, info))
        table.append((label, counts, shard_mb, times, val, info))
        print(f"mlp {label}: {counts.get('train', 0):,} training images, epochs "
              f"{', '.join(f'{t:.1f}' for t in times)} s, peak RSS {info['rss_mb']:.0f} MB "
              f"(anonymous {info['anon_mb']:.0f}, file-backed {info['file_mb']:.0f})")
    full, half = table[0], table[1]
    growth = full[5]["rss_mb"] / half[5]["rss_mb"]
    anon_growth = full[5]["anon_mb"] / half[5]["anon_mb"] if half[5]["anon_mb"] else float("nan")
    print(f"mlp: peak RSS full/half {growth:.2f}x, anonymous {anon_growth:.2f}x, for "
          f"{full[1].get('train', 0) / max(1, half[1].get('train', 0)):.2f}x the images")

    def mlp_row(label, counts, shard_mb, times, val, info):
        return (f"| {label} | {counts.get('train', 0):,} / {counts.get('validation', 0):,} | {shard_mb:.0f} | "
                f"{statistics.median(times):.2f} | {', '.join(f'{t:.2f}' for t in times)} | "
                f"{'-' if val is None else f'{val * 100:.1f}%'} | {info['rss_mb']:.0f} | {info['anon_mb']:.0f} | "
                f"{info['file_mb']:.0f} |")

    sections["mlp"] = f"""### The `mlp` preset on the photo set: memory as the data set grows

`dsprep train --model mlp --epochs {env['MLP_EPOCHS']}` on the 25,000-photo benchmark set (96x96 gray) and on
its first half: time per epoch and peak memory. Streaming training should keep memory about
flat as the data set doubles.

| data set | train / validation images | shards (MB) | median epoch (s) | epochs (s) | val. accuracy, last epoch | peak RSS (MB) | anonymous (MB) | file-backed (MB) |
|----------|-----------:|------:|------:|------|------:|------:|------:|------:|
{mlp_row(*full)}
{mlp_row(*half)}

Peak RSS full / half: **{growth:.2f}x** (anonymous memory {anon_growth:.2f}x) for
{full[1].get('train', 0) / max(1, half[1].get('train', 0)):.2f}x the training images. Peak RSS is GNU time's and counts the
shard pages a memory-mapped reader touched (file-backed, reclaimable); "anonymous" and
"file-backed" are the peaks of RssAnon and RssFile in `/proc/PID/status`, sampled every 0.1 s.

- Date: {today}; machine: {machine}
- Conditions: {conditions(infos)}.
- Data: `Benchmarks/scratch/shapes-data` (`dsprep unpack Benchmarks/scratch/PetImages.zip`, the
  synthetic cats-vs-dogs set of `make_photos.py`) and `Benchmarks/scratch/train-subset-half` (the
  first half of each class folder, hard links); each `dsprep split` (80/10/10, hard links) and
  `dsprep shard --gray --size 96` into a temporary folder.
- dsprep: {dsprep_line}, `dsprep train shards --model mlp --epochs {env['MLP_EPOCHS']} --batch-size {batch}
  --threads {threads} --seed 1337` under `/usr/bin/time -v`, shards in the page cache; epoch time
  from `history.csv`.
- Reproduce: `MLP_ONLY=1 Benchmarks/train_mnist.sh [path/to/dsprep]`
"""

header = """## train

`Benchmarks/train_mnist.sh`: the real MNIST through dsprep's whole pipeline, the `cnn` preset
against the same model in Keras; and the `mlp` preset on the photo set. Reproduce both:
`Benchmarks/train_mnist.sh [path/to/dsprep]`.
"""

# Keep the subsections this run did not produce.
old = results_md.section(results_path, "train")
for key, title in (("mnist", MNIST_HEADING), ("native", NATIVE_HEADING),
                   ("mlp", "### The `mlp` preset on the photo set: memory as the data set grows")):
    if key not in sections:
        sub = results_md.subsection(old, title)
        if sub:
            sections[key] = sub
section = header + "".join("\n" + sections[k] for k in ("mnist", "native", "mlp") if k in sections)
results_md.write_section(results_path, "train", section, machine, today)
EOF
