#!/usr/bin/env bash
# Records what stock tools do with the fixtures (the "bsdtar / unzip" notes in README.md):
#   1. `bsdtar -tvf` on every fixture: exit code, entry count, first error.
#   2. `bsdtar -xf` (bsdtar's own safe defaults), `bsdtar -xPf` (libarchive's archive_write_disk
#      with none of the ARCHIVE_EXTRACT_SECURE_* flags, i.e. the library default) and
#      `unzip` on the hostile and damaged ones.
# Everything is extracted under a scratch folder in /tmp (removed on exit), into
# SCRATCH/<run>/a/b/out so that a "../../x" escape lands in SCRATCH/<run>/x, not in /tmp.
# For -xPf the archives that point at /tmp or /etc are first rewritten (python tarfile) to
# point into SCRATCH/outside instead, so this script never writes outside its scratch folder.
# The real symlink_escape.tar and absolute.tar are only extracted without -P; the script
# checks that /tmp/evil.jpg and /tmp/dsprep-evil.jpg did not appear (and removes them if it
# created them).
#
#   Tests/UnpackingTests/Fixtures/verify_fixtures.sh            (needs bsdtar, unzip, python3)
set -uo pipefail
export TZ=UTC LC_ALL=C.UTF-8 LANG=C.UTF-8   # a typical user shell; names.zip is also run under LC_ALL=C
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
V=$(mktemp -d /tmp/dsprep-verify.XXXXXX)
trap 'rm -rf "$V"' EXIT
WATCH=(/tmp/evil.jpg /tmp/dsprep-evil.jpg /tmp/evil.txt /tmp/evil2.jpg)

oneline() { tr '\n' '|' | sed 's/|$//; s/|/ | /g' | cut -c1-220; }

echo "## bsdtar -tvf (bsdtar $(bsdtar --version | awk '{print $2, $3, $4}'))"
for f in $(cd "$HERE" && ls -- *.zip *.tar *.tar.* *.tgz *.7z | sort); do
    out=$(timeout 120 bsdtar -tvf "$HERE/$f" 2>"$V/err"); rc=$?
    n=$(printf '%s' "$out" | grep -c . || true)
    printf -- '- %s: rc=%d, %d entries%s\n' "$f" "$rc" "$n" \
        "$( [ -s "$V/err" ] && printf '; stderr: %s' "$(oneline <"$V/err")")"
done

# run TOOL FIXTURE_PATH LABEL: extract and describe what landed where.
run() {
    local tool=$1 arch=$2 label=$3 root out rc pre=() w
    root="$V/run/$tool-$(basename "$arch")"; rm -rf "$root"; out="$root/a/b/out"; mkdir -p "$out"
    for w in "${WATCH[@]}"; do [ -e "$w" ] || [ -L "$w" ] && pre+=("$w"); done
    rm -rf "$V/outside"; mkdir -p "$V/outside"; echo secret >"$V/outside/hostname"; touch "$V/stamp"
    case $tool in
        bsdtar) (cd "$out" && timeout 300 bsdtar -xf "$arch" </dev/null) >"$V/o" 2>"$V/err"; rc=$? ;;
        bsdtar-C) (cd "$out" && LC_ALL=C LANG=C timeout 300 bsdtar -xf "$arch" </dev/null) >"$V/o" 2>"$V/err"; rc=$? ;;
        bsdtar-P) (cd "$out" && timeout 300 bsdtar -xPf "$arch") >"$V/o" 2>"$V/err"; rc=$? ;;
        unzip) (cd "$out" && timeout 300 unzip -o "$arch" </dev/null) >"$V/o.all" 2>"$V/err"; rc=$?
               grep -vE '^(Archive: | +(inflating|extracting|creating): )' "$V/o.all" >"$V/o" ;;
    esac
    local files bytes special escaped created="" hl=""
    files=$(find "$out" -mindepth 1 ! -type d | wc -l)
    bytes=$(find "$out" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
    special=$( (cd "$out" && find . -mindepth 1 \( -type l -printf '%p->%l(symlink) ' \) -o \( -type p -printf '%p(fifo) ' \) \
        -o \( -type c -printf '%p(chardev) ' \) -o \( -type f -perm -4000 -printf '%p(setuid %m) ' \) \
        -o \( -type f -links +1 -printf '%p(hardlink x%n) ' \) ) )
    escaped=$( (cd "$root" && find . -mindepth 1 ! -path ./a ! -path ./a/b ! -path './a/b/out' ! -path './a/b/out/*' -printf '%p ') )
    for w in "${WATCH[@]}"; do
        if [ -e "$w" ] || [ -L "$w" ]; then
            if [[ " ${pre[*]-} " != *" $w "* ]]; then created+="$w "; rm -rf "$w"; fi
        fi
    done
    escaped+=$( (cd "$V/outside" && find . -mindepth 1 -cnewer "$V/stamp" -printf 'SCRATCH/outside/%P ') )
    local same
    same=$( (cd "$out" && find . -type f -samefile "$V/outside/hostname" -printf '%p ') )
    [ -n "$same" ] && escaped+="(${same% } IS SCRATCH/outside/hostname: a hard link to a file outside) "
    printf -- '- %s %s: rc=%d; wrote %d non-dir entries (%s bytes)%s%s%s%s\n' "$tool" "$label" "$rc" "$files" "$bytes" \
        "$( [ -n "$special" ] && printf '; special: %s' "$special")" \
        "$( [ -n "$escaped" ] && printf '; OUTSIDE OUT: %s' "$escaped")" \
        "$( [ -n "$created" ] && printf '; CREATED IN /tmp: %s' "$created")" \
        "$( cat "$V/o" "$V/err" | grep -q . && printf '; says: %s' "$(cat "$V/o" "$V/err" | sed 's/\(Enter passphrase:\)\{2,\}/Enter passphrase: (repeated)/' | oneline)")"
    if [ "${SHOW_TREE:-}" = 1 ]; then (cd "$out" && find . -mindepth 1 ! -type d | sort | sed -n l | sed 's/^/      /'); fi
    rm -rf "$root"
}

# Variants for -xPf that aim at SCRATCH/outside instead of /tmp or /etc.
mkdir -p "$V/var"
python3 - "$HERE" "$V" <<'EOF'
import sys, tarfile, io
here, v = sys.argv[1], sys.argv[2]
def rewrite(name, fix):
    with tarfile.open(f"{here}/{name}") as src, tarfile.open(f"{v}/var/{name}", "w", format=tarfile.USTAR_FORMAT) as dst:
        for ti in src.getmembers():
            data = src.extractfile(ti).read() if ti.isreg() else None
            fix(ti)
            dst.addfile(ti, io.BytesIO(data) if data is not None else None)
def abs_fix(ti):
    ti.name = ti.name.replace("/tmp/", f"{v}/outside/")
def sym_fix(ti):
    if ti.issym(): ti.linkname = f"{v}/outside"
def hard_fix(ti):
    if ti.islnk() and ti.linkname.startswith("/"): ti.linkname = f"{v}/outside/hostname"
rewrite("absolute.tar", abs_fix); rewrite("symlink_escape.tar", sym_fix); rewrite("hardlink.tar", hard_fix)
EOF

echo
echo "## bsdtar -xf (bsdtar's defaults: SECURE_SYMLINKS, SECURE_NODOTDOT, SECURE_NOABSOLUTEPATHS)"
for f in zip_slip.zip absolute.tar backslash.zip symlink_escape.tar hardlink.tar device.tar names.zip \
         junk.zip bad_images.zip bomb.zip bomb_many.zip nested_bomb.zip overlap_bomb.zip truncated.zip \
         truncated.tar.gz badcrc.zip no_central_directory.zip empty.zip zero.zip not_an_archive.zip \
         mtree_disguised.zip encrypted.zip encrypted.7z encrypted_headers.7z; do
    SHOW_TREE=$([ "$f" = names.zip ] && echo 1) run bsdtar "$HERE/$f" "$f"
done
SHOW_TREE=1 run bsdtar-C "$HERE/names.zip" "names.zip (LC_ALL=C, the locale a program gets unless it calls setlocale)"

echo
echo "## bsdtar -xPf (no SECURE_* flags = archive_write_disk's defaults); /tmp and /etc targets redirected to SCRATCH/outside"
SHOW_TREE=1 run bsdtar-P "$HERE/zip_slip.zip" zip_slip.zip
run bsdtar-P "$HERE/backslash.zip" backslash.zip
run bsdtar-P "$V/var/absolute.tar" "absolute.tar (redirected)"
run bsdtar-P "$V/var/symlink_escape.tar" "symlink_escape.tar (link -> SCRATCH/outside)"
run bsdtar-P "$V/var/hardlink.tar" "hardlink.tar (link -> SCRATCH/outside/hostname)"

echo
echo "## unzip ($(unzip -v | head -1 | cut -c1-60))"
for f in zip_slip.zip backslash.zip names.zip junk.zip bomb.zip bomb_many.zip nested_bomb.zip overlap_bomb.zip \
         truncated.zip badcrc.zip no_central_directory.zip empty.zip zero.zip not_an_archive.zip encrypted.zip; do
    SHOW_TREE=$(case $f in names.zip|zip_slip.zip|backslash.zip) echo 1;; esac) run unzip "$HERE/$f" "$f"
done
