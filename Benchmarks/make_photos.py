#!/usr/bin/env python3
"""Generate a synthetic, PetImages-like photo data set for benchmarks.

Mimics Microsoft's Kaggle cats-vs-dogs download (kagglecatsanddogs_*.zip):

    PetImages/Cat/0.jpg ... PetImages/Cat/<n-1>.jpg
    PetImages/Dog/0.jpg ... PetImages/Dog/<n-1>.jpg
    PetImages/Cat/Thumbs.db, PetImages/Dog/Thumbs.db
    readme[1].txt

with photo-like JPEGs: mostly 500x375 or 375x500, other sizes up to 500 px a side, a few
small; quality 75-92; mostly baseline, a few progressive, a few grayscale; content made of
smooth multi-scale random fields, fine texture and hard-edged shapes, so that file sizes are
like real photos (about 20-40 KB at 500x375). Like the real set it also holds junk: two
0-byte files (Cat/666.jpg and Dog/11702.jpg, as in the real set), a few truncated JPEGs,
one text file named .jpg and the Windows Thumbs.db files.

Writes OUT_DIR/PetImages/ (the tree), OUT_DIR/PetImages.zip (deflate, as Kaggle's zip) and
OUT_DIR/PetImages.tar. Deterministic: the same --count and --seed give byte-identical files
(for the same Pillow/libjpeg/zlib), whatever the number of workers.

Usage: python3 Benchmarks/make_photos.py [OUT_DIR] [--count 25000] [--seed 7] [--workers 2]
"""

import argparse
import io
import multiprocessing
import os
import shutil
import sys
import tarfile
import time
import zipfile

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

TEX_SIZE = 640          # texture tiles are TEX_SIZE x TEX_SIZE; images are at most 500 px a side
TEX_COUNT = 24          # textures in the pool, shared by all images
ZIP_TIME = (2017, 2, 10, 12, 0, 0)
TAR_MTIME = 1486728000  # 2017-02-10 12:00:00 UTC

# Filled in by build_pool() in the parent before the workers fork.
POOL_LOW = None     # float32 [TEX_COUNT, S, S, 3]: smooth colour fields, roughly 0..255
POOL_DETAIL = None  # float32 [TEX_COUNT, S, S]: zero-mean fine luminance texture
SEED = 7


# --------------------------------------------------------------------------- textures

def upsampled_noise(rng, size, cell):
    """Gaussian noise on a grid of `cell`-pixel cells, bicubically upsampled to size x size."""
    g = size // cell + 2
    small = rng.standard_normal((g, g)).astype(np.float32)
    big = Image.fromarray(small, mode="F").resize((g * cell, g * cell), Image.BICUBIC)
    off = cell // 2
    return np.asarray(big)[off:off + size, off:off + size]


def build_texture(rng, size):
    # Luminance: 1/f-like sum over scales (large structures dominate, as in photos).
    lum = np.zeros((size, size), np.float32)
    for cell, amp in ((320, 38), (160, 30), (80, 22), (40, 15), (20, 9), (10, 5)):
        lum += amp * upsampled_noise(rng, size, cell)
    # Hard edges: random shapes on a grey canvas, slightly blurred (object outlines).
    canvas = Image.new("L", (size, size), 128)
    draw = ImageDraw.Draw(canvas)
    for _ in range(int(rng.integers(6, 16))):
        x0, y0 = rng.integers(-size // 4, size, 2)
        w, h = rng.integers(size // 12, size // 2, 2)
        fill = int(rng.integers(40, 216))
        kind = rng.integers(3)
        if kind == 0:
            draw.ellipse([int(x0), int(y0), int(x0 + w), int(y0 + h)], fill=fill)
        elif kind == 1:
            pts = [(int(x0 + rng.integers(0, w)), int(y0 + rng.integers(0, h))) for _ in range(5)]
            draw.polygon(pts, fill=fill)
        else:
            draw.line([int(x0), int(y0), int(x0 + w), int(y0 + h)], fill=fill,
                      width=int(rng.integers(2, 12)))
    canvas = canvas.filter(ImageFilter.GaussianBlur(float(rng.uniform(0.6, 2.0))))
    lum += 0.8 * (np.asarray(canvas, np.float32) - 128)
    # Colour: low-frequency chroma only (photos carry little fine colour detail).
    base = rng.uniform(70, 180, 3).astype(np.float32)
    cb = 13 * upsampled_noise(rng, size, 160) + 6 * upsampled_noise(rng, size, 40)
    cr = 13 * upsampled_noise(rng, size, 160) + 6 * upsampled_noise(rng, size, 40)
    low = np.empty((size, size, 3), np.float32)
    low[..., 0] = base[0] + lum + 1.40 * cr
    low[..., 1] = base[1] + lum - 0.34 * cb - 0.71 * cr
    low[..., 2] = base[2] + lum + 1.77 * cb
    # Fine detail (fur, grass, carpet): blurred white noise plus a mid-scale component.
    white = Image.fromarray(rng.standard_normal((size, size)).astype(np.float32) * 64 + 128, "F")
    fine = np.asarray(white.convert("L").filter(ImageFilter.GaussianBlur(0.7)), np.float32) - 128
    # Amplitudes tuned so that a 500x375 image at quality 75-92 is about 20-40 KB.
    detail = fine * 0.2 + 0.8 * upsampled_noise(rng, size, 3)
    return low, detail.astype(np.float32)


def build_pool(seed, count=TEX_COUNT, size=TEX_SIZE):
    global POOL_LOW, POOL_DETAIL, SEED
    SEED = seed
    rng = np.random.default_rng([seed, 0xC0FFEE])
    low = np.empty((count, size, size, 3), np.float32)
    detail = np.empty((count, size, size), np.float32)
    for t in range(count):
        low[t], detail[t] = build_texture(rng, size)
    POOL_LOW, POOL_DETAIL = low, detail


# --------------------------------------------------------------------------- images

def pick_size(rng):
    r = rng.random()
    if r < 0.45:
        return 500, 375
    if r < 0.60:
        return 375, 500
    if r < 0.70:
        return (500, 333) if rng.random() < 0.6 else (333, 500)
    if r < 0.75:
        return 500, 500
    if r < 0.95:  # longest side 500, the other anywhere from 200 to 500
        other = int(rng.integers(200, 501))
        return (500, other) if rng.random() < 0.65 else (other, 500)
    if r < 0.99:  # smaller pictures, 100..499 a side
        return int(rng.integers(100, 500)), int(rng.integers(100, 500))
    return int(rng.integers(40, 100)), int(rng.integers(40, 100))  # a few tiny ones


def render(cls_index, index):
    """Returns (JPEG bytes, info) for one image; depends only on SEED, class and index."""
    rng = np.random.default_rng([SEED, cls_index, index])
    w, h = pick_size(rng)
    S = TEX_SIZE
    t1, t2 = rng.integers(0, TEX_COUNT, 2)
    x1, y1 = rng.integers(0, S - w + 1), rng.integers(0, S - h + 1)
    low = POOL_LOW[t1, y1:y1 + h, x1:x1 + w]
    if rng.random() < 0.5:
        low = low[:, ::-1]
    # Blend with a second texture along a random linear ramp (background vs subject).
    x2, y2 = rng.integers(0, S - w + 1), rng.integers(0, S - h + 1)
    other = POOL_LOW[t2, y2:y2 + h, x2:x2 + w]
    angle = rng.uniform(0, 2 * np.pi)
    ramp = (np.cos(angle) * np.arange(w, dtype=np.float32)[None, :] / w
            + np.sin(angle) * np.arange(h, dtype=np.float32)[:, None] / h)
    ramp -= ramp.min()
    mask = np.clip((ramp - rng.uniform(0.2, 0.8)) * rng.uniform(3, 12) + 0.5, 0, 1)[..., None]
    gain = rng.uniform(0.6, 1.3, 3).astype(np.float32)
    offset = rng.uniform(-40, 40, 3).astype(np.float32)
    img = (low + mask * (other - low)) * gain + offset
    # Fine texture, stronger or weaker per image (blurry vs sharp photos).
    x3, y3 = rng.integers(0, S - w + 1), rng.integers(0, S - h + 1)
    img += (rng.uniform(0.5, 1.5) * POOL_DETAIL[int(rng.integers(TEX_COUNT)), y3:y3 + h, x3:x3 + w])[..., None]
    arr = np.clip(img, 0, 255).astype(np.uint8)
    im = Image.fromarray(arr, "RGB")
    # A few sharp-edged shapes of their own, so no two images share all edges.
    draw = ImageDraw.Draw(im)
    for _ in range(int(rng.integers(0, 4))):
        cx, cy = int(rng.integers(0, w)), int(rng.integers(0, h))
        rx, ry = int(rng.integers(4, max(5, w // 4))), int(rng.integers(4, max(5, h // 4)))
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        draw.ellipse([cx - rx, cy - ry, cx + rx, cy + ry], fill=colour)
    quality = int(rng.integers(75, 93))
    mode = rng.random()
    gray = mode < 0.015
    progressive = 0.015 <= mode < 0.045
    if gray:
        im = im.convert("L")
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=quality, progressive=progressive, optimize=False)
    return buf.getvalue(), (w, h, gray, progressive)


# --------------------------------------------------------------------------- junk files

def fake_thumbs_db(rng):
    """A Thumbs.db look-alike: OLE compound-file signature and header, random body."""
    size = int(rng.integers(40, 200)) * 1024
    body = bytearray(rng.integers(0, 256, size, dtype=np.uint8).tobytes())
    body[0:8] = bytes.fromhex("D0CF11E0A1B11AE1")
    body[8:24] = bytes(16)
    body[24:32] = bytes.fromhex("3E000300FEFF0900")
    return bytes(body)


README_TEXT = (
    "Synthetic PetImages-like benchmark data set generated by dsprep's "
    "Benchmarks/make_photos.py.\r\nIt imitates the layout and the quirks of the Kaggle "
    "cats-vs-dogs download; the pictures are random textures, not photos.\r\n"
)

TEXT_JPG = (
    "<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head>\n"
    "<body><h1>Not Found</h1><p>The requested URL was not found on this server.</p></body></html>\n"
)


def junk_plan(rng, n_per_class):
    """Maps (class, index) -> kind for the corrupt entries."""
    plan = {}

    def free_index(cls):
        while True:
            i = int(rng.integers(0, n_per_class[cls]))
            if (cls, i) not in plan:
                return i

    # The real set's empty files, where they exist in this size of set.
    for cls, i in ((0, 666), (1, 11702)):
        plan[(cls, i if i < n_per_class[cls] else free_index(cls))] = "empty"
    for cls in (0, 1, 0, 1):
        plan[(cls, free_index(cls))] = "truncated"
    plan[(1, free_index(1))] = "text"
    return plan


def job(args):
    cls, index, kind = args
    if kind == "text":
        return TEXT_JPG.encode(), "text", None
    if kind == "empty":
        return b"", "empty", None
    data, info = render(cls, index)
    if kind == "truncated":
        rng = np.random.default_rng([SEED, cls, index, 1])
        data = data[: int(len(data) * rng.uniform(0.3, 0.8))]
        return data, "truncated", info
    return data, "ok", info


# --------------------------------------------------------------------------- output

def add_zip(zf, name, data):
    info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
    info.create_system = 0  # MS-DOS / Windows, like the real archive
    if data is None:
        info.external_attr = 0x10
        info.compress_type = zipfile.ZIP_STORED
        zf.writestr(info, b"")
    else:
        info.external_attr = 0x20
        zf.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)


def add_tar(tf, name, data):
    ti = tarfile.TarInfo(name.rstrip("/"))
    ti.mtime = TAR_MTIME
    ti.uid = ti.gid = 0
    ti.uname = ti.gname = ""
    if data is None:
        ti.type = tarfile.DIRTYPE
        ti.mode = 0o755
        tf.addfile(ti)
    else:
        ti.mode = 0o644
        ti.size = len(data)
        tf.addfile(ti, io.BytesIO(data))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description="Generate a synthetic PetImages-like JPEG data set "
                                 "(tree, .zip and .tar) for dsprep benchmarks.")
    ap.add_argument("out_dir", nargs="?", default=os.path.join(here, "scratch"),
                    help="output folder (default: Benchmarks/scratch)")
    ap.add_argument("--count", type=int, default=25000, help="number of .jpg entries (default 25000)")
    ap.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    ap.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    args = ap.parse_args()
    if args.count < 20:
        sys.exit("make_photos: --count must be at least 20")

    started = time.monotonic()
    build_pool(args.seed)
    pool_seconds = time.monotonic() - started

    n_per_class = [(args.count + 1) // 2, args.count // 2]  # Cat, Dog
    names = ["Cat", "Dog"]
    plan = junk_plan(np.random.default_rng([args.seed, 0xBAD]), n_per_class)

    # Archive order: sorted paths, directories before their contents.
    tasks = []
    for cls in (0, 1):
        for index in sorted(range(n_per_class[cls]), key=str):
            tasks.append((cls, index, plan.get((cls, index))))

    os.makedirs(args.out_dir, exist_ok=True)
    tree = os.path.join(args.out_dir, "PetImages")
    zip_path = os.path.join(args.out_dir, "PetImages.zip")
    tar_path = os.path.join(args.out_dir, "PetImages.tar")
    if os.path.isdir(tree):
        shutil.rmtree(tree)
    for cls in names:
        os.makedirs(os.path.join(tree, cls))

    thumbs_rng = np.random.default_rng([args.seed, 0x7D8])
    thumbs = {cls: fake_thumbs_db(thumbs_rng) for cls in names}
    counts = {"ok": 0, "empty": 0, "truncated": 0, "text": 0, "gray": 0, "progressive": 0}
    jpeg_bytes = 0
    sizes = {}
    zf = zipfile.ZipFile(zip_path + ".tmp", "w", allowZip64=True)
    tf = tarfile.open(tar_path + ".tmp", "w", format=tarfile.USTAR_FORMAT)

    def emit(rel, data):
        if data is not None:
            with open(os.path.join(args.out_dir, rel), "wb") as f:
                f.write(data)
        add_zip(zf, rel, data)
        add_tar(tf, rel, data)

    emit("PetImages/", None)
    ctx = multiprocessing.get_context("fork")  # workers inherit the texture pool
    with ctx.Pool(args.workers) as pool:
        results = pool.imap(job, tasks, chunksize=32)
        current = None
        for (cls, index, _), (data, kind, info) in zip(tasks, results):
            if cls != current:
                if current is not None:
                    emit(f"PetImages/{names[current]}/Thumbs.db", thumbs[names[current]])
                current = cls
                emit(f"PetImages/{names[cls]}/", None)
            emit(f"PetImages/{names[cls]}/{index}.jpg", data)
            counts[kind] += 1
            jpeg_bytes += len(data)
            if info and kind == "ok":
                w, h, gray, progressive = info
                counts["gray"] += gray
                counts["progressive"] += progressive
                sizes.setdefault((w, h), []).append(len(data))
        emit(f"PetImages/{names[current]}/Thumbs.db", thumbs[names[current]])
    emit("readme[1].txt", README_TEXT.encode())
    zf.close()
    tf.close()
    os.replace(zip_path + ".tmp", zip_path)
    os.replace(tar_path + ".tmp", tar_path)
    elapsed = time.monotonic() - started

    good = counts["ok"]
    print(f"{args.out_dir}: {args.count} .jpg entries ({n_per_class[0]} Cat, {n_per_class[1]} Dog), "
          f"seed {args.seed}")
    print(f"  valid JPEGs: {good} ({counts['progressive']} progressive, {counts['gray']} grayscale)")
    print(f"  junk: {counts['empty']} empty, {counts['truncated']} truncated, {counts['text']} text "
          f"named .jpg, 2 Thumbs.db, 1 readme")
    for (cls, index), kind in sorted(plan.items()):
        print(f"    PetImages/{names[cls]}/{index}.jpg: {kind}")
    std = sizes.get((500, 375), [])
    if std:
        q = np.percentile(std, [10, 50, 90]) / 1024
        print(f"  500x375 JPEG sizes: p10 {q[0]:.1f} KB, median {q[1]:.1f} KB, p90 {q[2]:.1f} KB "
              f"({len(std)} images)")
    print(f"  tree: {jpeg_bytes:,} bytes of .jpg, mean {jpeg_bytes / args.count / 1024:.1f} KB")
    print(f"  {zip_path}: {os.path.getsize(zip_path):,} bytes")
    print(f"  {tar_path}: {os.path.getsize(tar_path):,} bytes")
    print(f"  time: {elapsed:.1f} s ({pool_seconds:.1f} s texture pool, {args.workers} workers)")


if __name__ == "__main__":
    main()
