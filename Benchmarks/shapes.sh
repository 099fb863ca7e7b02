#!/usr/bin/env bash
# Time `dsprep shapes` against a Python loop of Pillow's lazy `Image.open(p).size`
# (Benchmarks/pillow_sizes.py) over the same 25,000 JPEGs.
#
# Usage: Benchmarks/shapes.sh [DSPREP_BINARY]      (default .build/release/dsprep)
#
# Environment:
#   RUNS=10                         timed runs per tool (hyperfine --runs)
#   RESULTS=Benchmarks/RESULTS.md   file whose "## shapes" section is written or replaced
#   QUIET_WAIT=0    before timing, wait up to this many seconds (polling every 30 s) for
#   QUIET_LOAD=0.5  the 1-minute load average to drop below QUIET_LOAD; the load and the CPU
#                   time other processes used while timing are recorded either way
#
# The data folder is Benchmarks/scratch/shapes-data: if it is missing, the dsprep under test
# unpacks Benchmarks/scratch/PetImages.zip into it (and make_photos.py makes the zip first if
# that is missing too). Both tools read the same files from the page cache: hyperfine's
# warm-up runs read them first, and the two commands alternate in one hyperfine run. Needs
# python3 with Pillow, hyperfine and GNU time (/usr/bin/time). Runs from anywhere; paths are
# relative to the repository root.
set -euo pipefail

cd "$(dirname "$0")/.."
SCRIPT=shapes.sh
source Benchmarks/lib.sh   # say, die, wait_quiet, note_start_load, cpu_start, cpu_end
DSPREP=${1:-.build/release/dsprep}
DSPREP_SHOWN=${1:-.build/release/dsprep}   # as given, for RESULTS.md (no machine paths)
RUNS=${RUNS:-10}
RESULTS=${RESULTS:-Benchmarks/RESULTS.md}
QUIET_WAIT=${QUIET_WAIT:-0}
QUIET_LOAD=${QUIET_LOAD:-0.5}
WORK=Benchmarks/scratch
ZIP=$WORK/PetImages.zip
DATA=$WORK/shapes-data

for tool in python3 hyperfine /usr/bin/time; do
    command -v "$tool" >/dev/null || die "$tool not found; install it first"
done
python3 -c "import PIL" 2>/dev/null || die "Pillow not found; pip install Pillow"
if [[ "$DSPREP" == */* ]]; then
    [[ -x "$DSPREP" ]] || die "$DSPREP is not an executable; build it first (swift build -c release) or pass its path"
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

OUT=$(mktemp -d "$WORK/shapes-runs.XXXXXX")
trap 'rm -rf "$OUT"' EXIT

DSPREP_CMD="$DSPREP shapes $DATA"
PILLOW_CMD="python3 Benchmarks/pillow_sizes.py $DATA"

# Optionally wait for other work on the machine (builds) to finish: dsprep uses every core,
# so other work slows it more than the one-core Python loop. Then record the load, and the
# machine's CPU counters so that other processes' share of the measurement can be told.
wait_quiet
note_start_load
cpu_start

# One run each under GNU time: peak RSS, and a check that both surveyed the same images.
rss_run() {  # name, command (no shell); sets RSS_KB
    if ! /usr/bin/time -v -o "$OUT/$1.time" $2 > "$OUT/$1.out" 2> "$OUT/$1.err"; then
        cat "$OUT/$1.err" >&2
        die "$1 failed: $2"
    fi
    RSS_KB=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$OUT/$1.time")
}
say "peak RSS and image counts, one run each"
rss_run dsprep "$DSPREP_CMD --json"
export DSPREP_KB=$RSS_KB
rss_run pillow "$PILLOW_CMD"
export PILLOW_KB=$RSS_KB

hyperfine -N --warmup 3 --runs "$RUNS" --export-json "$OUT/hyperfine.json" \
    -n dsprep "$DSPREP_CMD" \
    -n pillow "$PILLOW_CMD"

cpu_end
export LOAD_START QUIET_LOAD QUIET_WAIT WAITED

DSPREP_VERSION=$("$DSPREP" --version 2>/dev/null | head -1 || true)
PILLOW_VERSION=$(python3 -c "import PIL; print(PIL.__version__)")
PYTHON_VERSION=$(python3 -c "import platform; print(platform.python_version())")
export DSPREP_SHOWN DSPREP_VERSION PILLOW_VERSION PYTHON_VERSION DATA OUT

python3 - "$OUT/hyperfine.json" "$RESULTS" <<'EOF'
import json, os, re, sys
from datetime import date

sys.path.insert(0, "Benchmarks")  # the script runs from the repository root
import results_md

results_json, results_path = sys.argv[1], sys.argv[2]
env = os.environ
runs = {r["command"]: r for r in json.load(open(results_json))["results"]}
d, p = runs["dsprep"], runs["pillow"]
speedup = p["median"] / d["median"]
target = 10.0
verdict = "meets the target" if speedup >= target else "MISSES the target"
rss = {"dsprep": int(env["DSPREP_KB"]) / 1024, "pillow": int(env["PILLOW_KB"]) / 1024}

# The same images, the same most common sizes (no EXIF rotation in this set, so stored and
# displayed sizes agree).
report = json.load(open(os.path.join(env["OUT"], "dsprep.out")))
pillow_lines = open(os.path.join(env["OUT"], "pillow.out")).read().splitlines()
pillow_images, pillow_unreadable = (int(w) for w in re.findall(r"\d+", pillow_lines[0])[:2])
pillow_top = [tuple(int(v) for v in re.findall(r"\d+", line)) for line in pillow_lines[1:]]
dsprep_top = [(s["width"], s["height"], s["count"]) for s in report["all"]["top_sizes"][:len(pillow_top)]]
images = {"dsprep": report["all"]["images"], "pillow": pillow_images}
if images["dsprep"] != images["pillow"] or dsprep_top != pillow_top:
    sys.exit(f"shapes.sh: the tools disagree: dsprep {images['dsprep']} images, top {dsprep_top}; "
             f"Pillow {pillow_images} images, top {pillow_top}")

machine = results_md.machine()
today = date.today().isoformat()
data_mb = sum(os.path.getsize(os.path.join(folder, name))
              for folder, _, names in os.walk(env["DATA"]) for name in names) / 1e6

# How busy the machine was with other work while timing.
wall, other, other_share, steal = results_md.other_cpu(env)  # other_share: average cores
quiet = float(env["LOAD_START"].split()[0]) < float(env["QUIET_LOAD"])
if quiet and other_share < 0.1:
    conditions = "quiet machine"
else:
    conditions = ("**the machine was busy with other work**: the timings are distorted (too\n"
                  "  slow, more so for dsprep, which uses every core)")

print()
for name, r in (("dsprep", d), ("pillow", p)):
    print(f"{name}: median {r['median']:.3f} s (mean {r['mean']:.3f} ± {r['stddev'] or 0:.3f} s, "
          f"{len(r['times'])} runs), peak RSS {rss[name]:.1f} MB, {images[name]:,} images")
print(f"speed-up pillow/dsprep (medians): {speedup:.1f}x, {verdict} (>= {target:.0f}x)")
print(f"load average at the start {env['LOAD_START']}; other processes used {other:.1f} CPU-s over "
      f"{wall:.0f} s ({other_share:.2f} cores on average), steal {steal:.1f} s")

def row(name, r):
    return (f"| {name} | {r['median']:.3f} | {r['mean']:.3f} ± {r['stddev'] or 0:.3f} | "
            f"{min(r['times']):.3f} | {max(r['times']):.3f} | {rss[name]:.1f} | {images[name]:,} |")

section = f"""## shapes

Target: `dsprep shapes` at least 10x faster than a Python loop of Pillow's lazy
`Image.open(p).size` over the same files (median wall time).
Result: **{speedup:.1f}x**, {verdict}.

- Date: {today}; machine: {machine}
- Conditions: {conditions}.
  The 1-minute load average was {env['LOAD_START'].split()[0]} when timing began (after waiting {env['WAITED']} s of up
  to {env['QUIET_WAIT']} s for it to drop below {env['QUIET_LOAD']}); other processes used {other:.1f} CPU-seconds
  during the {wall:.0f} s of measurement ({other_share:.2f} cores on average); steal {steal:.1f} s.
- Data: `{env["DATA"]}`, {images["dsprep"]:,} JPEGs, {data_mb:.0f} MB (`dsprep unpack
  Benchmarks/scratch/PetImages.zip`, the synthetic cats-vs-dogs set of `make_photos.py`)
- dsprep: `{env["DSPREP_SHOWN"]}` ({env["DSPREP_VERSION"] or "version unknown"}), all cores (the default);
  Python {env["PYTHON_VERSION"]}, Pillow {env["PILLOW_VERSION"]}
- Timed: `dsprep shapes <data>` (the full report: header reads, histograms, recommendation)
  and `python3 Benchmarks/pillow_sizes.py <data>` (walk, `Image.open(p).size`, count sizes)
  with hyperfine, {len(d['times'])} runs each after 3 warm-up runs, so the files are in the page
  cache; peak RSS from `/usr/bin/time -v`, one run each. Both find the same images and the same
  most common sizes (checked).
- Reproduce: `Benchmarks/shapes.sh [path/to/dsprep]` (`RUNS` sets the run count, `QUIET_WAIT`
  the wait for a quiet machine)

| tool | median (s) | mean ± sd (s) | min (s) | max (s) | peak RSS (MB) | images |
|------|-----------:|--------------:|--------:|--------:|--------------:|-------:|
{row("dsprep", d)}
{row("pillow", p)}
"""

results_md.write_section(results_path, "shapes", section, machine, today)
EOF
