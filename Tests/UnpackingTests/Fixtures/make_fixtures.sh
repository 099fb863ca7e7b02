#!/usr/bin/env bash
# Regenerates the archive fixtures used by Tests/UnpackingTests (see README.md in this folder).
#
#   Tests/UnpackingTests/Fixtures/make_fixtures.sh [OUTPUT_DIR]
#
# OUTPUT_DIR defaults to the folder holding this script. All staging happens in a temporary
# folder under /tmp that is removed on exit; only the finished archives are written to
# OUTPUT_DIR. Real archivers (zip, bsdtar, 7z) are used wherever they can make the case;
# python3 (zipfile, tarfile, Pillow) only for entries those archivers refuse to write.
#
# Deterministic: fixed mtimes (2020-01-01T00:00:00Z), uid/gid 0, fixed modes, sorted entries,
# no gzip timestamp, no zip extra fields. Re-running gives byte-identical files except
# encrypted.zip, encrypted.7z and encrypted_headers.7z (the archivers draw random salts/IVs).
#
# Needs: bash, bsdtar (libarchive-tools), zip, 7z (p7zip-full or 7zip), python3 + Pillow.
#   apt-get install -y libarchive-tools p7zip-full zip zstd && pip install Pillow
set -euo pipefail
export TZ=UTC LC_ALL=C LANG=C
umask 022

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=$(mkdir -p "${1:-$HERE}" && cd "${1:-$HERE}" && pwd)
WORK=$(mktemp -d /tmp/dsprep-fixtures.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

MTIME=1577836800 # 2020-01-01T00:00:00Z
MANY=5000        # entries in bomb_many.zip (~96 bytes each; README.md states this count)

for tool in bsdtar zip 7z python3 head sha256sum; do
    command -v "$tool" >/dev/null || { echo "make_fixtures.sh: missing tool: $tool" >&2; exit 1; }
done
python3 -c 'import PIL' 2>/dev/null || { echo "make_fixtures.sh: python3 needs Pillow (pip install Pillow)" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------
# Python helper: tiny images and the archives ordinary archivers refuse to make.
# ---------------------------------------------------------------------------------------------
cat >"$WORK/fx.py" <<'PYEOF'
import hashlib, io, os, struct, sys, tarfile, zipfile, zlib
from PIL import Image

MTIME = 1577836800
DATE = (2020, 1, 1, 0, 0, 0)


# ---- images -----------------------------------------------------------------------------
def pixels(seed, w, h, noisy):
    d = hashlib.sha256(seed.encode("utf-8", "surrogateescape")).digest()
    if noisy:  # incompressible-ish content so that the scan data dominates the file
        stream = b"".join(hashlib.sha256(d + i.to_bytes(4, "big")).digest() for i in range(w * h * 3 // 32 + 1))
        return [tuple(stream[3 * i:3 * i + 3]) for i in range(w * h)]
    return [((d[0] + 28 * x) % 256, (d[1] + 40 * y) % 256, (d[2] + 12 * (x + y)) % 256)
            for y in range(h) for x in range(w)]


def image_bytes(kind, seed):
    """kind: jpg, png, gif, grayjpg, noisyjpg, noisypng."""
    noisy = kind.startswith("noisy")
    w, h = (32, 24) if noisy else (8, 6)
    im = Image.new("RGB", (w, h))
    im.putdata(pixels(seed, w, h, noisy))
    if kind.startswith("gray"):
        im = im.convert("L")
    b = io.BytesIO()
    if kind.endswith("jpg"):
        im.save(b, "JPEG", quality=90)
    elif kind.endswith("png"):
        im.save(b, "PNG")
    elif kind == "gif":
        im2 = Image.new("RGB", (w, h))
        im2.putdata(pixels(seed + "#2", w, h, False))
        im.save(b, "GIF", save_all=True, append_images=[im2], duration=100, loop=0)
    else:
        raise SystemExit("unknown image kind " + kind)
    return b.getvalue()


def cmd_images(stage, salt, *specs):
    """specs: RELPATH[=KIND]; KIND defaults to the extension (jpg/png/gif)."""
    for spec in specs:
        rel, _, kind = spec.partition("=")
        kind = kind or rel.rsplit(".", 1)[-1]
        path = os.path.join(stage, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(image_bytes(kind, salt + ":" + rel))


def cmd_unique(stage):
    """Fail if two images under stage have the same content (no fixture intends a duplicate image)."""
    seen = {}
    for root, _, files in os.walk(stage):
        for n in files:
            p = os.path.join(root, n)
            if os.path.islink(p) or os.path.getsize(p) == 0:
                continue
            data = open(p, "rb").read()
            if not data.startswith((b"\xff\xd8", b"\x89PNG", b"GIF8")):
                continue
            h = hashlib.sha256(data).hexdigest()
            if h in seen:
                raise SystemExit(f"duplicate content: {seen[h]} and {p}")
            seen[h] = p


# ---- zip helpers ------------------------------------------------------------------------
class RawNameZipInfo(zipfile.ZipInfo):
    """A ZipInfo whose name is written as the given raw bytes with the UTF-8 flag (0x800) cleared."""
    def __init__(self, raw, **kw):
        super().__init__(raw.decode("cp437"), **kw)
        self.raw = raw

    def _encodeFilenameFlags(self):
        return self.raw, self.flag_bits & ~0x800


def zinfo(name, compress=zipfile.ZIP_DEFLATED, mode=0o100644, raw=None):
    zi = RawNameZipInfo(raw, date_time=DATE) if raw is not None else zipfile.ZipInfo(name, date_time=DATE)
    zi.create_system = 3  # Unix
    zi.external_attr = mode << 16
    zi.compress_type = compress
    return zi


def write_zip(out, entries):
    """entries: (ZipInfo, bytes) in archive order."""
    with zipfile.ZipFile(out, "w") as z:
        for zi, data in entries:
            z.writestr(zi, data, compresslevel=9 if zi.compress_type == zipfile.ZIP_DEFLATED else None)


def cmd_zip_slip(out):
    write_zip(out, [
        (zinfo("pets/cat/a.jpg"), image_bytes("jpg", "zip_slip:a")),
        (zinfo("../../evil.txt"), b"dsprep fixture: this file escaped the output folder (zip slip)\n"),
        (zinfo("pets/../../evil2.jpg"), image_bytes("jpg", "zip_slip:evil2")),
    ])


def cmd_names(out):
    nfd = "pets/cat/cafe\u0301.jpg"   # 'e' + COMBINING ACUTE ACCENT
    nfc = "pets/cat/caf\u00e9.jpg"    # precomposed e-acute
    entries = [
        (zinfo("pets/cat/A.jpg"), image_bytes("jpg", "names:A")),
        (zinfo("pets/cat/a.jpg"), image_bytes("jpg", "names:a")),
        (zinfo(nfd), image_bytes("jpg", "names:nfd")),
        (zinfo(nfc), image_bytes("jpg", "names:nfc")),
        (zinfo("pets/dog/bell\x07.jpg"), image_bytes("jpg", "names:bell")),
        (zinfo("pets/dog/plain.jpg"), image_bytes("jpg", "names:plain")),
        (zinfo(None, raw=b"pets/dog/\xff\xfe.jpg"), image_bytes("jpg", "names:fffe")),
    ]
    write_zip(out, entries)
    # Check the raw central-directory names and flags really are what we meant.
    want = {b"pets/cat/cafe\xcc\x81.jpg": 0x800, b"pets/cat/caf\xc3\xa9.jpg": 0x800,
            b"pets/dog/bell\x07.jpg": 0, b"pets/dog/\xff\xfe.jpg": 0}
    got = {name: flags for name, flags, _ in central_directory(open(out, "rb").read())}
    for name, flag in want.items():
        if name not in got or (got[name] & 0x800) != flag:
            raise SystemExit(f"names.zip: entry {name!r} missing or wrong UTF-8 flag: {got}")


def central_directory(buf):
    """Yield (raw name, general-purpose flags, local header offset) from the central directory."""
    eocd = buf.rfind(b"PK\x05\x06")
    count, size, off = struct.unpack("<HII", buf[eocd + 10:eocd + 20])
    p = off
    for _ in range(count):
        assert buf[p:p + 4] == b"PK\x01\x02"
        flags = struct.unpack("<H", buf[p + 8:p + 10])[0]
        nlen, xlen, clen = struct.unpack("<HHH", buf[p + 28:p + 34])
        lho = struct.unpack("<I", buf[p + 42:p + 46])[0]
        yield buf[p + 46:p + 46 + nlen], flags, lho
        p += 46 + nlen + xlen + clen


def cmd_badcrc(path, entry):
    """Flip one data byte in the middle of a STORED entry, leaving every header untouched."""
    buf = bytearray(open(path, "rb").read())
    for name, _, lho in central_directory(bytes(buf)):
        if name == entry.encode():
            method, = struct.unpack("<H", buf[lho + 8:lho + 10])
            csize, = struct.unpack("<I", buf[lho + 18:lho + 22])
            nlen, xlen = struct.unpack("<HH", buf[lho + 26:lho + 30])
            assert method == 0, "badcrc needs a stored entry"
            pos = lho + 30 + nlen + xlen + csize // 2
            buf[pos] ^= 0x01
            open(path, "wb").write(bytes(buf))
            return
    raise SystemExit("badcrc: no entry " + entry)


def cmd_strip_central_directory(path):
    """Cut the file at the start of the central directory: local headers + data only."""
    buf = open(path, "rb").read()
    eocd = buf.rfind(b"PK\x05\x06")
    off, = struct.unpack("<I", buf[eocd + 16:eocd + 20])
    open(path, "wb").write(buf[:off])


def cmd_overlap_bomb(out, n, kernel_mib):
    """A non-recursive overlapping-file zip bomb after David Fifield, "A better zip bomb" (2019),
    https://www.bamsoftware.com/hacks/zipbomb/ - the "full overlap with quoted local headers"
    construction, with a plain zlib kernel instead of his optimised one.

    Layout: LFH_1 Q(LFH_2) LFH_2 Q(LFH_3) ... LFH_n KERNEL CD EOCD, where Q(x) is a non-final
    stored deflate block quoting x, and KERNEL is a final deflate stream of kernel_mib MiB of
    zeros. Every file's compressed data runs from just after its own local header to the end of
    the kernel, so file i decompresses to LFH_{i+1}..LFH_n followed by the kernel's output; all
    n central-directory entries are individually valid (names match their local headers, CRCs
    and sizes are correct) but their data ranges overlap.
    """
    n, kernel_len = int(n), int(kernel_mib) << 20
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    kernel = comp.compress(b"\0" * kernel_len) + comp.flush()
    kernel_crc = zlib.crc32(b"\0" * kernel_len)
    names = [f"pets/cat/overlap_{i:02d}.jpg".encode() for i in range(n)]

    def lfh(name, crc, csize, usize):
        return struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x5021, crc, csize, usize,
                           len(name), 0) + name  # dos time 0x0000, date 0x5021 = 2020-01-01

    # Build from the last file backwards: file i's content depends on the headers of files > i.
    headers = [None] * n
    info = [None] * n  # (crc, csize, usize)
    tail_plain = b""          # LFH_{i+1}..LFH_n (uncompressed prefix of file i)
    tail_comp_len = len(kernel)
    for i in range(n - 1, -1, -1):
        crc = zlib.crc32(b"\0" * kernel_len, zlib.crc32(tail_plain)) if tail_plain else kernel_crc
        usize = len(tail_plain) + kernel_len
        info[i] = (crc, tail_comp_len, usize)
        headers[i] = lfh(names[i], *info[i])
        tail_plain = headers[i] + tail_plain
        tail_comp_len += 5 + len(headers[i])
    body = bytearray()
    offsets = []
    for i in range(n):
        offsets.append(len(body))
        body += headers[i]
        if i + 1 < n:  # stored block header (BFINAL=0, BTYPE=00, LEN, NLEN) quoting LFH_{i+1},
            # whose bytes are appended by the next iteration
            body += b"\x00" + struct.pack("<HH", len(headers[i + 1]), len(headers[i + 1]) ^ 0xFFFF)
    body += kernel
    cd = bytearray()
    for i in range(n):
        crc, csize, usize = info[i]
        cd += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 0x0314, 20, 0, 8, 0, 0x5021, crc, csize,
                          usize, len(names[i]), 0, 0, 0, 0, 0o100644 << 16, offsets[i]) + names[i]
    eocd = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, n, n, len(cd), len(body), 0)
    open(out, "wb").write(bytes(body + cd + eocd))
    # Self-check with Python's own reader: every entry inflates with a correct CRC.
    total = 0
    with zipfile.ZipFile(out) as z:
        for zi in z.infolist():
            with z.open(zi) as f:
                while chunk := f.read(1 << 22):
                    total += len(chunk)
    print(f"overlap_bomb.zip: {n} entries, {len(body + cd + eocd)} bytes, {total} bytes when unpacked")


# ---- tar helpers ------------------------------------------------------------------------
def tinfo(name, type=tarfile.REGTYPE, mode=0o644, size=0, linkname=""):
    ti = tarfile.TarInfo(name)
    ti.type, ti.mode, ti.size, ti.linkname = type, mode, size, linkname
    ti.mtime, ti.uid, ti.gid, ti.uname, ti.gname = MTIME, 0, 0, "root", "root"
    return ti


def write_tar(out, entries):
    tarfile.RECORDSIZE = 512  # no padding to 10 KiB records: keep the files small
    with tarfile.open(out, "w", format=tarfile.USTAR_FORMAT) as t:
        for ti, data in entries:
            if data is not None:
                ti.size = len(data)
                t.addfile(ti, io.BytesIO(data))
            else:
                t.addfile(ti)


def cmd_hardlink(out):
    write_tar(out, [
        (tinfo("pets/", tarfile.DIRTYPE, 0o755), None),
        (tinfo("pets/cat/", tarfile.DIRTYPE, 0o755), None),
        (tinfo("pets/cat/a.jpg"), image_bytes("jpg", "hardlink:a")),
        (tinfo("pets/cat/b.jpg", tarfile.LNKTYPE, linkname="/etc/hostname"), None),
        (tinfo("pets/cat/c.jpg", tarfile.LNKTYPE, linkname="pets/cat/a.jpg"), None),
    ])


def cmd_device(out):
    null = tinfo("pets/cat/null.jpg", tarfile.CHRTYPE, 0o666)
    null.devmajor, null.devminor = 1, 3  # same numbers as /dev/null
    write_tar(out, [
        (tinfo("pets/", tarfile.DIRTYPE, 0o755), None),
        (tinfo("pets/cat/", tarfile.DIRTYPE, 0o755), None),
        (tinfo("pets/cat/fifo.jpg", tarfile.FIFOTYPE, 0o644), None),
        (null, None),
        (tinfo("pets/cat/suid.jpg", mode=0o4755), image_bytes("jpg", "device:suid")),
    ])


if __name__ == "__main__":
    globals()["cmd_" + sys.argv[1]](*sys.argv[2:])
PYEOF
fx() { python3 "$WORK/fx.py" "$@"; }

# ---------------------------------------------------------------------------------------------
# Staging and archiving helpers.
# ---------------------------------------------------------------------------------------------
# new_stage NAME: print the path of a fresh, empty staging folder.
new_stage() { local s="$WORK/stage/$1"; rm -rf "$s"; mkdir -p "$s"; echo "$s"; }

# images STAGE SALT RELPATH[=KIND]...: tiny real images (content differs per RELPATH and SALT).
images() { fx images "$@"; }

# normalize STAGE: fixed modes (unless setuid etc. already set by the caller) and mtimes.
normalize() {
    find "$1" -type d -exec chmod 755 {} +
    find "$1" -type f -perm -u=r ! -perm /7000 -exec chmod 644 {} +
    find "$1" -mindepth 1 -exec touch -h -d "@$MTIME" {} +
}

# sorted_list STAGE: every path under STAGE (folders and files), relative, in byte order.
sorted_list() { (cd "$1" && find . -mindepth 1 | sed 's|^\./||' | sort); }

# zip_tree OUT STAGE [zip options]: zip every path under STAGE, sorted, no extra fields.
zip_tree() {
    local out=$1 stage=$2; shift 2
    normalize "$stage"; fx unique "$stage"
    rm -f "$out"
    sorted_list "$stage" >"$WORK/list"
    (cd "$stage" && zip -X -q "$@" "$out" -@ <"$WORK/list")
}

# tar_tree OUT STAGE [bsdtar options]: bsdtar ustar of every path under STAGE, sorted.
TAR_META=(--format ustar --uid 0 --gid 0 --uname root --gname root --no-xattrs --no-acls --no-fflags)
tar_tree() {
    local out=$1 stage=$2; shift 2
    normalize "$stage"; fx unique "$stage"
    rm -f "$out"
    sorted_list "$stage" >"$WORK/list"
    (cd "$stage" && bsdtar -c -n "${TAR_META[@]}" "$@" -f "$out" -T "$WORK/list")
}

# sevenz_tree OUT STAGE TOPDIR [7z options]: 7z of STAGE/TOPDIR (7z orders the entries itself).
sevenz_tree() {
    local out=$1 stage=$2 top=$3; shift 3
    normalize "$stage"; fx unique "$stage"
    rm -f "$out"
    (cd "$stage" && 7z a -t7z -bd -bso0 -bsp0 -mx=9 -mtm=on -mtc=off -mta=off "$@" "$out" "$top")
}

# cut_half FILE: keep the first half of FILE (rounded down).
cut_half() { local n; n=$(($(stat -c %s "$1") / 2)); head -c "$n" "$1" >"$1.cut" && mv "$1.cut" "$1"; }

echo "make_fixtures.sh: writing into $OUT (staging in $WORK)"

# ---------------------------------------------------------------------------------------------
# Layouts
# ---------------------------------------------------------------------------------------------
s=$(new_stage class_folders)
images "$s" class_folders PetImages/Cat/0.jpg PetImages/Cat/1.jpg PetImages/Dog/0.jpg PetImages/Dog/1.jpg PetImages/Dog/2.png
zip_tree "$OUT/class_folders.zip" "$s"

s=$(new_stage filename_prefix)
images "$s" filename_prefix train/cat.0.jpg train/cat.1.jpg train/dog.0.jpg train/dog_12.png test1/1.jpg test1/2.jpg
zip_tree "$OUT/filename_prefix.zip" "$s"

s=$(new_stage presplit)
images "$s" presplit \
    dataset/training_set/training_set/cats/c1.jpg dataset/training_set/training_set/cats/c2.jpg \
    dataset/training_set/training_set/dogs/d1.jpg \
    dataset/test_set/test_set/cats/c3.jpg dataset/test_set/test_set/dogs/d2.jpg \
    dataset/valid/cats/c4.jpg dataset/valid/dogs/d3.jpg
tar_tree "$OUT/presplit.tar.gz" "$s" -z --options 'gzip:!timestamp'

s=$(new_stage doubled_mnist)
images "$s" doubled_mnist trainingSet/trainingSet/0/img_1.jpg=grayjpg trainingSet/trainingSet/1/img_2.jpg=grayjpg \
    testSet/testSet/img_3.jpg=grayjpg testSet/testSet/img_4.jpg=grayjpg
tar_tree "$OUT/doubled_mnist.tar.xz" "$s" -J

# nested.zip: like Kaggle's dogs-vs-cats.zip (train.zip + test1.zip + sampleSubmission.csv).
s=$(new_stage nested_train)
images "$s" nested train/cat.0.jpg train/cat.1.jpg train/dog.0.jpg train/dog.1.jpg
t=$(new_stage nested_test1)
images "$t" nested test1/1.jpg test1/2.jpg
n=$(new_stage nested)
zip_tree "$n/train.zip" "$s"
zip_tree "$n/test1.zip" "$t"
printf 'id,label\n1,0\n2,0\n' >"$n/sampleSubmission.csv"
zip_tree "$OUT/nested.zip" "$n"

# formats: one tree, every container and compressor.
s=$(new_stage formats)
images "$s" formats shapes/circle/a.png shapes/square/b.png
tar_tree "$OUT/formats.tar" "$s"
tar_tree "$OUT/formats.tar.bz2" "$s" -j
tar_tree "$OUT/formats.tar.zst" "$s" --zstd
tar_tree "$OUT/formats.tgz" "$s" -z --options 'gzip:!timestamp'
sevenz_tree "$OUT/formats.7z" "$s" shapes
zip_tree "$OUT/formats_stored.zip" "$s" -0

# junk.zip: two real images among the usual junk.
s=$(new_stage junk)
images "$s" junk pets/cat/a.jpg pets/dog/b.jpg pets/.hidden/c.jpg
mkdir -p "$s/__MACOSX/pets/cat"
# AppleDouble resource-fork files: magic 0x00051607, version 0x00020000, filler, 0 entries.
for f in "$s/__MACOSX/pets/cat/._a.jpg" "$s/pets/cat/._a.jpg"; do
    printf '\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        \x00\x00' >"$f"
done
printf '\x00\x00\x00\x01Bud1\x00\x00\x10\x00\x00\x00\x08\x00' >"$s/pets/.DS_Store"
printf '\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00\x00\x00' >"$s/pets/cat/Thumbs.db"
printf '[.ShellClassInfo]\r\nIconResource=C:\\Windows\\system32\\imageres.dll,-3\r\n' >"$s/pets/dog/desktop.ini"
printf 'Pictures of pets, collected 2020.\n' >"$s/pets/notes.txt"
printf 'file,label\ncat/a.jpg,cat\ndog/b.jpg,dog\n' >"$s/pets/labels.csv"
zip_tree "$OUT/junk.zip" "$s"

# bad_images.zip
s=$(new_stage bad_images)
images "$s" bad_images pets/cat/ok.jpg pets/cat/truncated.jpg=noisyjpg pets/dog/png_named.jpg=png \
    pets/dog/anim.gif pets/dog/ok.png pets/dog/truncated.png=noisypng
: >"$s/pets/cat/empty.jpg"
printf 'This is a text file with a .jpg name, not an image.\n' >"$s/pets/cat/text.jpg"
cut_half "$s/pets/cat/truncated.jpg"
cut_half "$s/pets/dog/truncated.png"
zip_tree "$OUT/bad_images.zip" "$s"

# names.zip: raw names only python's zipfile will write.
fx names "$OUT/names.zip"

# ---------------------------------------------------------------------------------------------
# Hostile archives
# ---------------------------------------------------------------------------------------------
fx zip_slip "$OUT/zip_slip.zip"

# absolute.tar: bsdtar -P keeps the leading '/'; -s renames the staged file to an absolute path.
s=$(new_stage absolute)
images "$s" absolute pets/cat/a.jpg x-dsprep-evil.jpg   # 'x-' sorts it after pets/
tar_tree "$OUT/absolute.tar" "$s" -P -s ',^x-dsprep-evil\.jpg$,/tmp/dsprep-evil.jpg,'

# backslash.zip: on Unix a backslash is an ordinary file-name byte, so zip stores it verbatim.
s=$(new_stage backslash)
images "$s" backslash pets/cat/a.jpg '..\..\evil.jpg'
zip_tree "$OUT/backslash.zip" "$s"

# symlink_escape.tar: pets/link -> /tmp, then a regular file pets/link/evil.jpg.
# Two staging trees joined with bsdtar's @archive so the file comes after the link.
s=$(new_stage symlink_a)
images "$s" symlink_escape pets/cat/a.jpg
ln -s /tmp "$s/pets/link"
tar_tree "$WORK/symlink_a.tar" "$s"
t=$(new_stage symlink_b)
images "$t" symlink_escape pets/link/evil.jpg
normalize "$t"
(cd "$t" && bsdtar -c -n "${TAR_META[@]}" -f "$WORK/symlink_b.tar" pets/link/evil.jpg)
rm -f "$OUT/symlink_escape.tar"
bsdtar -c "${TAR_META[@]}" -f "$OUT/symlink_escape.tar" "@$WORK/symlink_a.tar" "@$WORK/symlink_b.tar"

fx hardlink "$OUT/hardlink.tar"
fx device "$OUT/device.tar"

# bomb.zip: 300 MiB of zeros deflated by zip -9, plus one normal image.
s=$(new_stage bomb)
images "$s" bomb pets/dog/a.jpg
mkdir -p "$s/pets/cat"
head -c $((300 << 20)) /dev/zero >"$s/pets/cat/big.jpg"
zip_tree "$OUT/bomb.zip" "$s" -9
rm -rf "$s"

# bomb_many.zip: $MANY empty stored entries (m/0000.jpg .. m/4999.jpg) plus the folder entry.
s=$(new_stage bomb_many)
mkdir -p "$s/m"
(cd "$s/m" && for i in $(seq -f '%04g' 0 $((MANY - 1))); do : >"$i.jpg"; done)
zip_tree "$OUT/bomb_many.zip" "$s" -0
rm -rf "$s"

# nested_bomb.zip: inner_0.zip .. inner_9.zip, each holding pets/cat/big_K.jpg = 50 MiB of zeros.
n=$(new_stage nested_bomb)
for k in 0 1 2 3 4 5 6 7 8 9; do
    s=$(new_stage "nested_bomb_inner_$k")
    mkdir -p "$s/pets/cat"
    head -c $((50 << 20)) /dev/zero >"$s/pets/cat/big_$k.jpg"
    zip_tree "$n/inner_$k.zip" "$s" -9
    rm -rf "$s"
done
zip_tree "$OUT/nested_bomb.zip" "$n" -9

# overlap_bomb.zip: Fifield-style overlapping entries (50 entries x 10 MiB kernel).
fx overlap_bomb "$OUT/overlap_bomb.zip" 50 10

# ---------------------------------------------------------------------------------------------
# Damaged and degenerate archives
# ---------------------------------------------------------------------------------------------
cp "$OUT/class_folders.zip" "$OUT/truncated.zip" && cut_half "$OUT/truncated.zip"
cp "$OUT/presplit.tar.gz" "$OUT/truncated.tar.gz" && cut_half "$OUT/truncated.tar.gz"

s=$(new_stage badcrc)
images "$s" badcrc pets/cat/a.jpg pets/dog/b.jpg
zip_tree "$OUT/badcrc.zip" "$s" -0
fx badcrc "$OUT/badcrc.zip" pets/dog/b.jpg

s=$(new_stage no_central_directory)
images "$s" no_central_directory pets/cat/a.jpg pets/cat/b.jpg pets/dog/c.jpg
zip_tree "$OUT/no_central_directory.zip" "$s"
fx strip_central_directory "$OUT/no_central_directory.zip"

# empty.zip: zip refuses to create an empty archive, but deleting its only entry leaves one.
s=$(new_stage empty)
images "$s" empty a.jpg
zip_tree "$OUT/empty.zip" "$s"
zip -q -d "$OUT/empty.zip" a.jpg 2>/dev/null || true
[ "$(stat -c %s "$OUT/empty.zip")" = 22 ] || { echo "empty.zip is not 22 bytes" >&2; exit 1; }

: >"$OUT/zero.zip"
printf 'This is not a zip file; it is plain text with a .zip name.\n' >"$OUT/not_an_archive.zip"

# mtree_disguised.zip (extra): text that libarchive's "all formats" reader accepts as an mtree
# archive, producing entries from nothing.
printf '#mtree\n./pets/cat/host.jpg type=file size=3 contents=/etc/hostname\n./pets/dog/d.jpg type=file mode=4755\n' \
    >"$OUT/mtree_disguised.zip"

# ---------------------------------------------------------------------------------------------
# Encrypted (not deterministic: random salts / IVs)
# ---------------------------------------------------------------------------------------------
s=$(new_stage encrypted)
images "$s" encrypted pets/cat/a.jpg
zip_tree "$OUT/encrypted.zip" "$s" -P secret
sevenz_tree "$OUT/encrypted.7z" "$s" pets -psecret -mhe=off
sevenz_tree "$OUT/encrypted_headers.7z" "$s" pets -psecret -mhe=on

chmod 644 "$OUT"/*.zip "$OUT"/*.tar "$OUT"/*.tar.* "$OUT"/*.tgz "$OUT"/*.7z
echo "make_fixtures.sh: done"
(cd "$OUT" && stat -c '%9s  %n' -- * && du -sh --apparent-size .)
