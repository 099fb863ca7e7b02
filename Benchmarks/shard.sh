#!/usr/bin/env bash
# Time `dsprep shard DATA --gray --size 96` against the tutorials' PIL + pandas pipeline, a
# 2-process Pillow pipeline using draft(), and a decode-only TurboJPEG lower bound, on the
# 25,000 synthetic cats-vs-dogs JPEGs.
#
# Usage: Benchmarks/shard.sh [DSPREP_BINARY]      (default .build/release/dsprep)
#
# Environment:
#   RUNS=5               timed runs of dsprep, the decode bound and the draft pipeline
#   TUTORIAL_RUNS=3      timed runs of the tutorials' pipeline (about 90 s each)
#   THREADS=2            threads / processes for dsprep, the draft pipeline and the bound
#   LIMIT=n              use a subset of n images (hard links in Benchmarks/scratch/shard-subset-n/,
#                        made once) to try the script out; the section then goes to
#                        Benchmarks/scratch/RESULTS-limit-n.md unless RESULTS is set
#   RESULTS=Benchmarks/RESULTS.md   file whose "## shard" section is written or replaced
#   QUIET_WAIT=0         before timing, wait up to this many seconds (polling every 30 s) for
#   QUIET_LOAD=0.5       the 1-minute load average to drop below QUIET_LOAD; the load and the
#                        CPU time other processes used while timing are recorded either way
#
# The data folder is Benchmarks/scratch/shapes-data (data/<class>/*.jpg); if it is missing, the
# dsprep under test unpacks Benchmarks/scratch/PetImages.zip into it (and make_photos.py makes
# the zip first if that is missing too). Each timed run writes into a new, never-used folder
# (picked by hyperfine's --prepare from a counter, with a `sync` so that a run does not pay
# for the previous run's write-back): creating many files right after deleting many is
# 10-20x slower on some machines, so all output folders are deleted only after the last run.
# The images are read once beforehand so that every run finds them in the page cache. Needs
# python3 with Pillow, numpy and pandas, hyperfine, GNU time (/usr/bin/time), a C compiler
# and TurboJPEG's headers (libturbojpeg0-dev). Runs from anywhere; paths are relative to
# the repository root.
set -euo pipefail

cd "$(dirname "$0")/.."
SCRIPT=shard.sh
source Benchmarks/lib.sh   # say, die, wait_quiet, note_start_load, loadavg, cpu_start, cpu_end
ROOT=$(pwd)
DSPREP=${1:-.build/release/dsprep}
DSPREP_SHOWN=${1:-.build/release/dsprep}   # as given, for RESULTS.md (no machine paths)
case "$DSPREP_SHOWN" in
    "$ROOT"/*) DSPREP_SHOWN=${DSPREP_SHOWN#"$ROOT"/} ;;
    /*) DSPREP_SHOWN=$(basename "$DSPREP_SHOWN") ;;
esac
RUNS=${RUNS:-5}
TUTORIAL_RUNS=${TUTORIAL_RUNS:-3}
THREADS=${THREADS:-2}
LIMIT=${LIMIT:-}
QUIET_WAIT=${QUIET_WAIT:-0}
QUIET_LOAD=${QUIET_LOAD:-0.5}
WORK=Benchmarks/scratch
ZIP=$WORK/PetImages.zip
DATA=$WORK/shapes-data
SIZE=96
if [[ -n "$LIMIT" ]]; then
    RESULTS=${RESULTS:-$WORK/RESULTS-limit-$LIMIT.md}
else
    RESULTS=${RESULTS:-Benchmarks/RESULTS.md}
fi

for tool in python3 hyperfine cc /usr/bin/time; do
    command -v "$tool" >/dev/null || die "$tool not found; install it first"
done
python3 -c "import PIL, numpy" 2>/dev/null || die "Pillow or numpy not found; pip install Pillow numpy"
python3 -c "import pandas" 2>/dev/null || die "pandas not found (the tutorials' pipeline needs it); pip install pandas"
if [[ "$DSPREP" == */* ]]; then
    [[ -x "$DSPREP" ]] || die "$DSPREP is not an executable; build it first (swift build -c release --product dsprep) or pass its path"
    DSPREP=$(cd "$(dirname "$DSPREP")" && pwd)/$(basename "$DSPREP")
else
    DSPREP=$(command -v "$DSPREP") || die "$1 not found on PATH"
fi

if [[ ! -d "$DATA" ]]; then
    if [[ ! -f "$ZIP" ]]; then
        say "$ZIP is missing; generating it (a few minutes)"
        python3 Benchmarks/make_photos.py "$WORK"
    fi
    say "unpacking $ZIP into $DATA"
    "$DSPREP" unpack "$ZIP" --out "$DATA" --quiet
fi

# LIMIT: the first LIMIT/classes files of each class folder (natural order), hard-linked in
# the same class-folder layout (dsprep shard does not follow symbolic links to files), once.
if [[ -n "$LIMIT" ]]; then
    [[ "$LIMIT" =~ ^[1-9][0-9]*$ ]] || die "LIMIT must be a positive number"
    SUBSET=$WORK/shard-subset-$LIMIT
    if [[ ! -f "$SUBSET/.complete" ]]; then
        say "making the $LIMIT-image subset $SUBSET"
        rm -rf "$SUBSET"
        mapfile -t CLASSES < <(find "$DATA" -mindepth 1 -maxdepth 1 -type d -not -name '.*' -printf '%f\n' | sort)
        (( ${#CLASSES[@]} > 0 )) || die "$DATA holds no class folders"
        PER=$(( (LIMIT + ${#CLASSES[@]} - 1) / ${#CLASSES[@]} ))
        for class in "${CLASSES[@]}"; do
            mkdir -p "$SUBSET/$class"
            mapfile -t FILES < <(find "$DATA/$class" -maxdepth 1 -type f -not -name '.*' -printf '%f\n' | sort -V | head -n "$PER")
            (( ${#FILES[@]} > 0 )) || continue
            ( cd "$DATA/$class" && { ln -t "$ROOT/$SUBSET/$class" -- "${FILES[@]}" 2>/dev/null ||
                                     cp -t "$ROOT/$SUBSET/$class" -- "${FILES[@]}"; } )
        done
        touch "$SUBSET/.complete"
    fi
    DATA=$SUBSET
fi

OUT=$(mktemp -d "$ROOT/$WORK/shard-runs.XXXXXX")
cleanup() { say "deleting the output folders in ${OUT#"$ROOT"/}"; rm -rf "$OUT"; }
trap cleanup EXIT
COUNTER=$OUT/counter
echo 0 > "$COUNTER"

cc -O2 -o "$OUT/decode_bound" Benchmarks/decode_bound.c -lturbojpeg -lpthread ||
    die "cannot compile Benchmarks/decode_bound.c (needs libturbojpeg0-dev)"

# Commands run under bash (hyperfine --shell bash). $DIR is evaluated at run time and names
# the folder that the preceding prepare step picked.
q() { printf '%q' "$1"; }
NEXT="n=\$((\$(cat $(q "$COUNTER")) + 1)); echo \$n > $(q "$COUNTER")"
DIR="$(q "$OUT")/\$(cat $(q "$COUNTER"))"
ABS_DATA=$ROOT/$DATA
DSPREP_CMD="$(q "$DSPREP") shard $(q "$ABS_DATA") --gray --size $SIZE --resize stretch --threads $THREADS --out $DIR/dsprep -q"
BOUND_CMD="$(q "$OUT/decode_bound") $(q "$ABS_DATA") $SIZE $THREADS"
DRAFT_CMD="python3 $(q "$ROOT/Benchmarks/pillow_draft_pipeline.py") $(q "$ABS_DATA") $DIR/draft --workers $THREADS"
TUTORIAL_CMD="python3 $(q "$ROOT/Benchmarks/tutorial_pipeline.py") $(q "$ABS_DATA") $DIR/tutorial"
# Untimed: pick the next folder, create it, flush the previous run's dirty pages.
PREP="$NEXT; mkdir -p $DIR; sync"

read_cache() { find "$ABS_DATA" -type f -exec cat {} + > /dev/null; }
read_cache
IMAGES_MB=$(du -sLm "$ABS_DATA" | cut -f1)

# Optionally wait for other work on the machine (builds) to finish (and read the images
# again, in case the wait cost them their place in the page cache). Then record the load,
# and the machine's CPU counters so that other processes' share of the measurement can be told.
wait_quiet
read_cache
note_start_load
cpu_start

# Peak RSS, one run each; this also checks that every command succeeds and records how many
# images each one kept.
rss_run() {  # name, command; sets RSS_KB
    local log=$OUT/$1.time
    bash -c "$PREP"
    say "$1, one run under /usr/bin/time -v"
    if ! /usr/bin/time -v -o "$log" bash -c "$2" > "$OUT/$1.out" 2> "$OUT/$1.err"; then
        cat "$OUT/$1.err" >&2
        die "$1 failed: $2"
    fi
    RSS_KB=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
}
rss_run dsprep "$DSPREP_CMD"
export DSPREP_KB=$RSS_KB DSPREP_MANIFEST=$OUT/$(cat "$COUNTER")/dsprep/manifest.json
rss_run bound "$BOUND_CMD"
export BOUND_KB=$RSS_KB
rss_run draft "$DRAFT_CMD"
export DRAFT_KB=$RSS_KB
rss_run tutorial "$TUTORIAL_CMD"
export TUTORIAL_KB=$RSS_KB TUTORIAL_BYTES=$(stat -c %s "$OUT/$(cat "$COUNTER")/tutorial/data.pkl")

hyperfine --shell bash --runs "$RUNS" --export-json "$OUT/fast.json" \
    --prepare "$PREP" -n dsprep "$DSPREP_CMD" \
    --prepare "$PREP" -n decode-bound "$BOUND_CMD" \
    --prepare "$PREP" -n draft-pipeline "$DRAFT_CMD"
hyperfine --shell bash --runs "$TUTORIAL_RUNS" --export-json "$OUT/tutorial.json" \
    --prepare "$PREP" -n tutorial-pipeline "$TUTORIAL_CMD"

cpu_end
export LOAD_END=$(loadavg)
export LOAD_START QUIET_LOAD QUIET_WAIT WAITED
export DSPREP_VERSION=$("$DSPREP" --version 2>/dev/null | head -1 || true)
export TURBOJPEG_VERSION=$(dpkg-query -W -f='${Version}' libturbojpeg0 2>/dev/null || echo unknown)
export CC_VERSION=$(cc --version | head -1)
export DSPREP_SHOWN DATA LIMIT RUNS TUTORIAL_RUNS THREADS SIZE IMAGES_MB OUT

python3 - "$RESULTS" <<'EOF'
import json, os, platform, re, sys
from datetime import date

import numpy, pandas, PIL

sys.path.insert(0, "Benchmarks")  # the script runs from the repository root
import results_md

results_path = sys.argv[1]
env = os.environ
out = env["OUT"]
runs = {}
for name in ("fast.json", "tutorial.json"):
    for r in json.load(open(os.path.join(out, name)))["results"]:
        runs[r["command"]] = r

def first_int(path, pattern):
    m = re.search(pattern, open(path).read())
    if not m:
        sys.exit(f"shard.sh: cannot read the image count from {path}")
    return int(m.group(1))

manifest = json.load(open(env["DSPREP_MANIFEST"]))
images = {
    "dsprep": sum(s["count"] for s in manifest["splits"].values()),
    "decode-bound": first_int(os.path.join(out, "bound.out"), r"(\d+) decoded"),
    "draft-pipeline": first_int(os.path.join(out, "draft.out"), r"(\d+) images"),
    "tutorial-pipeline": first_int(os.path.join(out, "tutorial.out"), r"(\d+) images"),
}
rss = {name: int(env[key]) / 1024 for name, key in (
    ("dsprep", "DSPREP_KB"), ("decode-bound", "BOUND_KB"),
    ("draft-pipeline", "DRAFT_KB"), ("tutorial-pipeline", "TUTORIAL_KB"))}
skipped_dsprep = len(manifest.get("skipped", []))
bound_line = open(os.path.join(out, "bound.out")).read().strip()
draft_line = open(os.path.join(out, "draft.out")).read().strip()
tutorial_line = open(os.path.join(out, "tutorial.out")).read().strip()

med = {name: r["median"] for name, r in runs.items()}
targets = [
    ("dsprep / decode-bound (median time)", med["dsprep"] / med["decode-bound"], "<=", 1.25, "x"),
    ("tutorial-pipeline / dsprep (median time)", med["tutorial-pipeline"] / med["dsprep"], ">=", 10.0, "x"),
    ("draft-pipeline / dsprep (median time)", med["draft-pipeline"] / med["dsprep"], ">=", 1.5, "x"),
    ("dsprep peak RSS", rss["dsprep"], "<", 200.0, " MB"),
]
def met(value, op, limit):
    return {"<=": value <= limit, ">=": value >= limit, "<": value < limit}[op]

machine = results_md.machine()
today = date.today().isoformat()

# How busy the machine was with other work while timing.
wall, other, other_share, steal = results_md.other_cpu(env)  # other_share: average cores
quiet = float(env["LOAD_START"].split()[0]) < float(env["QUIET_LOAD"])
if quiet and other_share < 0.1:
    conditions = "quiet machine"
else:
    conditions = ("**the machine was busy with other work**: the timings are distorted (too\n"
                  "  slow, more so for the pipelines that use both cores)")

order = ["dsprep", "decode-bound", "draft-pipeline", "tutorial-pipeline"]
print()
for name in order:
    r = runs[name]
    print(f"{name}: median {r['median']:.3f} s (mean {r['mean']:.3f} ± {r['stddev'] or 0:.3f} s, "
          f"{len(r['times'])} runs), peak RSS {rss[name]:.1f} MB, {images[name]:,} images, "
          f"{images[name] / r['median']:,.0f} images/s")
for label, value, op, limit, unit in targets:
    print(f"{label}: {value:.2f}{unit}, {'meets' if met(value, op, limit) else 'MISSES'} the target ({op} {limit:g}{unit})")
print(f"load average at the start {env['LOAD_START']}, at the end {env['LOAD_END']}; "
      f"other processes used {other:.0f} CPU-s over {wall:.0f} s ({other_share:.2f} cores on average), steal {steal:.0f} s")

def row(name):
    r = runs[name]
    return (f"| {name} | {r['median']:.3f} | {r['mean']:.3f} ± {r['stddev'] or 0:.3f} | {len(r['times'])} | "
            f"{rss[name]:.1f} | {images[name]:,} | {images[name] / r['median']:,.0f} |")

def target_row(label, value, op, limit, unit):
    verdict = "met" if met(value, op, limit) else "**missed**"
    return f"| {label} | {value:.2f}{unit} | {op} {limit:g}{unit} | {verdict} |"

if env["LIMIT"]:
    data_line = (f"`{env['DATA']}`, a {images['decode-bound']:,}-image subset (`LIMIT={env['LIMIT']}`)\n"
                 f"  of `Benchmarks/scratch/shapes-data`")
else:
    data_line = (f"`{env['DATA']}` (`dsprep unpack Benchmarks/scratch/PetImages.zip`,\n"
                 f"  the synthetic cats-vs-dogs set of `make_photos.py`)")
threads = env["THREADS"]
reproduce = "Benchmarks/shard.sh [path/to/dsprep]"
if env["LIMIT"]:
    reproduce = f"LIMIT={env['LIMIT']} " + reproduce

section = f"""## shard

Targets: `dsprep shard --gray --size 96` (stretch) within 1.25x of a decode-only TurboJPEG
lower bound, at least 10x faster than the tutorials' pipeline and 1.5x faster than a
{threads}-process Pillow pipeline using `draft()` (median wall times); peak RSS under 200 MB.

| ratio | value | target | |
|-------|------:|-------:|-|
{chr(10).join(target_row(*t) for t in targets)}

| pipeline | median (s) | mean ± sd (s) | runs | peak RSS (MB) | images | images/s |
|----------|-----------:|--------------:|-----:|--------------:|-------:|---------:|
{chr(10).join(row(name) for name in order)}

- Date: {today}; machine: {machine}
- Conditions: {conditions}.
  The 1-minute load average was {env['LOAD_START'].split()[0]} when timing began (after waiting {env['WAITED']} s of up to {env['QUIET_WAIT']} s for it to drop below {env['QUIET_LOAD']}); other
  processes used {other:.0f} CPU-seconds during the {wall:.0f} s of measurement ({other_share:.2f} cores on
  average); steal {steal:.0f} s.
- Data: {data_line}: {images['decode-bound']:,} JPEGs, {env['IMAGES_MB']} MB.
- dsprep: `{env['DSPREP_SHOWN']}` ({env['DSPREP_VERSION'] or 'version unknown'}),
  `dsprep shard DATA --gray --size 96 --resize stretch --threads {threads} --out <new folder> -q`:
  decode, resize (filter `{manifest.get('preprocess', {}).get('filter', '?')}`), shuffle, write uint8 safetensors shards with
  manifest and index; {images['dsprep']:,} images kept, {skipped_dsprep} skipped.
- decode-bound: `Benchmarks/decode_bound.c` (`cc -O2`, libturbojpeg {env['TURBOJPEG_VERSION']}), {threads} threads,
  each file read into memory and decoded with TurboJPEG straight to gray at the smallest DCT
  scale still >= 96x96; no resize, no write ({bound_line.split(' (checksum')[0]}).
- draft-pipeline: `Benchmarks/pillow_draft_pipeline.py`, `multiprocessing.Pool({threads})`,
  `Image.open`, `draft('L', (96, 96))`, `convert('L')`, `resize((96, 96), BILINEAR)`; the parent
  writes `images.npy` (uint8) and `labels.npy` ({draft_line}). Its peak RSS is that of the
  largest process (GNU time), not the sum of the parent and the {threads} workers.
- tutorial-pipeline: `Benchmarks/tutorial_pipeline.py`, one process: `Image.open`,
  `ImageOps.grayscale`, `resize((96, 96))` (Pillow's default filter), `np.asarray(im).ravel() / 255`
  (float64) appended to a list, then one `pandas.DataFrame` and `to_pickle` ({tutorial_line};
  a {int(env['TUTORIAL_BYTES']) / 1e9:.2f} GB pickle).
- Python {platform.python_version()}, Pillow {PIL.__version__}, numpy {numpy.__version__}, pandas {pandas.__version__}.
- Timed with hyperfine ({env['RUNS']} runs each; {env['TUTORIAL_RUNS']} for the tutorials' pipeline), every run
  into a folder never used before, `sync` before each run (untimed), the images in the page
  cache (read once beforehand); peak RSS from
  `/usr/bin/time -v`, one run each. Images/s = images kept / median.
- Reproduce: `{reproduce}` (`RUNS`, `TUTORIAL_RUNS`, `THREADS` and
  `QUIET_WAIT` set the run counts, the thread count and the wait for a quiet machine)
"""

results_md.write_section(results_path, "shard", section, machine, today)
EOF
