#!/usr/bin/env bash
# Time `dsprep unpack` against `bsdtar -xf` on the synthetic PetImages.zip.
#
# Usage: Benchmarks/unpack.sh [DSPREP_BINARY]      (default .build/release/dsprep)
#
# Environment:
#   RUNS=5                          timed runs per tool (hyperfine --runs)
#   RESULTS=Benchmarks/RESULTS.md   file whose "## unpack" section is written or replaced
#
# Each timed run writes into a new, never-used folder (picked by hyperfine's --prepare from a
# counter): creating many files right after deleting many is 10-20x slower on some machines,
# so all output folders are deleted only after the last run. Needs python3, hyperfine, bsdtar
# and GNU time (/usr/bin/time). Runs from anywhere; paths are relative to the repository root.
set -euo pipefail

cd "$(dirname "$0")/.."
SCRIPT=unpack.sh
source Benchmarks/lib.sh   # say, die
ROOT=$(pwd)
DSPREP=${1:-.build/release/dsprep}
DSPREP_SHOWN=${1:-.build/release/dsprep}   # as given, for RESULTS.md (no machine paths)
RUNS=${RUNS:-5}
RESULTS=${RESULTS:-Benchmarks/RESULTS.md}
WORK=Benchmarks/scratch
ZIP=$WORK/PetImages.zip

for tool in python3 hyperfine bsdtar /usr/bin/time; do
    command -v "$tool" >/dev/null || die "$tool not found; install it first"
done
if [[ "$DSPREP" == */* ]]; then
    [[ -x "$DSPREP" ]] || die "$DSPREP is not an executable; build it first (swift build -c release) or pass its path"
    DSPREP=$(cd "$(dirname "$DSPREP")" && pwd)/$(basename "$DSPREP")
else
    DSPREP=$(command -v "$DSPREP") || die "$1 not found on PATH"
fi

if [[ ! -f "$ZIP" ]]; then
    say "$ZIP is missing; generating it (a few minutes)"
    python3 Benchmarks/make_photos.py "$WORK"
fi
ZIP=$ROOT/$ZIP

OUT=$(mktemp -d "$ROOT/$WORK/unpack-runs.XXXXXX")
cleanup() { say "deleting the output folders in $OUT"; rm -rf "$OUT"; }
trap cleanup EXIT
COUNTER=$OUT/counter
echo 0 > "$COUNTER"

# Commands run under bash (hyperfine --shell bash). $DIR is evaluated at run time and names
# the folder that the preceding prepare step picked.
q() { printf '%q' "$1"; }
NEXT="n=\$((\$(cat $(q "$COUNTER")) + 1)); echo \$n > $(q "$COUNTER")"
DIR="$(q "$OUT")/\$(cat $(q "$COUNTER"))"
DSPREP_CMD="$(q "$DSPREP") unpack $(q "$ZIP") --out $DIR/dsprep"
BSDTAR_CMD="bsdtar -xf $(q "$ZIP") -C $DIR/bsdtar"
# Untimed: pick the next folder, create it (bsdtar needs -C to exist; dsprep creates its
# --out itself) and flush the previous run's dirty pages.
DSPREP_PREP="$NEXT; mkdir -p $DIR; sync"
BSDTAR_PREP="$NEXT; mkdir -p $DIR/bsdtar; sync"

# Read the archive once so that every run finds it in the page cache.
cat "$ZIP" > /dev/null

# Peak RSS, one run each; this also checks that both commands succeed and counts their output.
rss_run() {  # name, prepare, command; sets RSS_KB and FILES
    local log=$OUT/$1.time
    bash -c "$2"
    if ! /usr/bin/time -v -o "$log" bash -c "$3" > "$OUT/$1.out" 2>&1; then
        cat "$OUT/$1.out" >&2
        die "$1 failed: $3"
    fi
    RSS_KB=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
    FILES=$(find "$OUT/$(cat "$COUNTER")" -type f | wc -l)
}
say "peak RSS, one run each"
rss_run dsprep "$DSPREP_PREP" "$DSPREP_CMD"
export DSPREP_KB=$RSS_KB DSPREP_FILES=$FILES
rss_run bsdtar "$BSDTAR_PREP" "$BSDTAR_CMD"
export BSDTAR_KB=$RSS_KB BSDTAR_FILES=$FILES

hyperfine --shell bash --runs "$RUNS" --export-json "$OUT/hyperfine.json" \
    --prepare "$DSPREP_PREP" -n dsprep "$DSPREP_CMD" \
    --prepare "$BSDTAR_PREP" -n bsdtar "$BSDTAR_CMD"

DSPREP_VERSION=$("$DSPREP" --version 2>/dev/null | head -1 || true)
BSDTAR_VERSION=$(bsdtar --version | head -1 | sed "s/ *$//")
export DSPREP DSPREP_SHOWN DSPREP_VERSION BSDTAR_VERSION ZIP

python3 - "$OUT/hyperfine.json" "$RESULTS" <<'EOF'
import json, os, sys, zipfile
from datetime import date

sys.path.insert(0, "Benchmarks")  # the script runs from the repository root
import results_md

results_json, results_path = sys.argv[1], sys.argv[2]
env = os.environ
runs = {r["command"]: r for r in json.load(open(results_json))["results"]}
d, b = runs["dsprep"], runs["bsdtar"]
ratio = d["median"] / b["median"]
target = 1.3
verdict = "within the target" if ratio <= target else "MISSES the target"
rss = {"dsprep": int(env["DSPREP_KB"]) / 1024, "bsdtar": int(env["BSDTAR_KB"]) / 1024}
files = {"dsprep": int(env["DSPREP_FILES"]), "bsdtar": int(env["BSDTAR_FILES"])}

machine = results_md.machine()
today = date.today().isoformat()
with zipfile.ZipFile(env["ZIP"]) as z:
    entries = sum(1 for i in z.infolist() if not i.is_dir())
zip_mb = os.path.getsize(env["ZIP"]) / 1e6

print()
for name, r in (("dsprep", d), ("bsdtar", b)):
    print(f"{name}: median {r['median']:.3f} s (mean {r['mean']:.3f} ± {r['stddev'] or 0:.3f} s, "
          f"{len(r['times'])} runs), peak RSS {rss[name]:.1f} MB, {files[name]:,} files written")
print(f"ratio dsprep/bsdtar (medians): {ratio:.2f}x, {verdict} (<= {target}x)")

def row(name, r):
    return (f"| {name} | {r['median']:.3f} | {r['mean']:.3f} ± {r['stddev'] or 0:.3f} | "
            f"{min(r['times']):.3f} | {max(r['times']):.3f} | {rss[name]:.1f} | {files[name]:,} |")

section = f"""## unpack

Target: `dsprep unpack` within 1.3x of `bsdtar -xf` (median wall time).
Result: **{ratio:.2f}x**, {verdict}.

- Date: {today}; machine: {machine}
- Data: `Benchmarks/scratch/PetImages.zip`, {zip_mb:.1f} MB, {entries:,} files
  (`python3 Benchmarks/make_photos.py`, seed 7: 25,000 .jpg entries including junk, deflate)
- dsprep: `{env["DSPREP_SHOWN"]}` ({env["DSPREP_VERSION"] or "version unknown"}); bsdtar: {env["BSDTAR_VERSION"]}
- Timed: `dsprep unpack PetImages.zip --out <new folder>` and
  `bsdtar -xf PetImages.zip -C <new folder>` with hyperfine, {len(d['times'])} runs each, every run
  into a folder never used before, the archive in the page cache, `sync` before each run
  (untimed); peak RSS from `/usr/bin/time -v`, one run each.
- Reproduce: `Benchmarks/unpack.sh [path/to/dsprep]` (`RUNS=n` changes the run count)

| tool | median (s) | mean ± sd (s) | min (s) | max (s) | peak RSS (MB) | files written |
|------|-----------:|--------------:|--------:|--------:|--------------:|--------------:|
{row("dsprep", d)}
{row("bsdtar", b)}

"Files written" differ by design: bsdtar extracts every entry, dsprep skips junk
(Thumbs.db, non-image files) and lays the images out as `data/<class>/...`.
"""

results_md.write_section(results_path, "unpack", section, machine, today)
EOF
