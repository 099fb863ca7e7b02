#!/usr/bin/env python3
"""Build the full real MNIST (60,000 + 10,000 digits) as a PNG zip for the train benchmark.

Writes every image of the original IDX files as a 28x28 8-bit grayscale PNG in the common
`mnist_png` layout

    mnist_png/training/<digit>/<n>.png      60,000 images
    mnist_png/testing/<digit>/<n>.png       10,000 images

where n is the image's index in its IDX file, and zips them deterministically (fixed
timestamps, sorted entries, directory entries, deflate): the same IDX files give a
byte-identical zip (for the same Pillow/zlib), whatever --workers is. It is the same format as
`Fixtures/make_demo.py` (the 3,500-image demo set, which has no option for the full set).

Usage (from the repository root):

    python3 Benchmarks/make_mnist_zip.py [MNIST_DIR] [--out Benchmarks/scratch/mnist_png_full.zip]
                                         [--workers 2]

MNIST_DIR defaults to ../shared/data/mnist (gzipped IDX files: train-images.idx3-ubyte.gz,
train-labels.idx1-ubyte.gz, t10k-images.idx3-ubyte.gz, t10k-labels.idx1-ubyte.gz); their
MD5 sums (after gunzip) are checked against the ones in that folder's README. Needs Pillow
and numpy.
"""

import argparse
import gzip
import hashlib
import io
import os
import struct
import sys
import zipfile
from multiprocessing import Pool

import numpy as np
from PIL import Image

# 1980-01-01 00:00:00 is the earliest DOS timestamp; fixed so the zip is reproducible.
FIXED_TIME = (1980, 1, 1, 0, 0, 0)

SPLITS = [
    # (folder in the zip, IDX prefix, expected count)
    ("training", "train", 60000),
    ("testing", "t10k", 10000),
]

# MD5 of the gunzipped files, from ../shared/data/mnist/README.md.
MD5 = {
    "train-images.idx3-ubyte": "6bbc9ace898e44ae57da46a324031adb",
    "train-labels.idx1-ubyte": "a25bea736e30d166cdddb491f175f624",
    "t10k-images.idx3-ubyte": "2646ac647ad5339dbf082846283269ea",
    "t10k-labels.idx1-ubyte": "27ae3e4e09519cfbb04c329615203637",
}


def die(message):
    sys.exit(f"make_mnist_zip: {message}")


def read_idx(path, expected_magic):
    with gzip.open(path, "rb") as f:
        data = f.read()
    name = os.path.basename(path)[:-3]
    if name in MD5 and hashlib.md5(data).hexdigest() != MD5[name]:
        die(f"{path}: MD5 {hashlib.md5(data).hexdigest()} is not the published {MD5[name]}")
    magic, count = struct.unpack(">II", data[:8])
    if magic != expected_magic:
        die(f"{path}: bad IDX magic 0x{magic:08x}, expected 0x{expected_magic:08x}")
    if magic == 0x00000803:
        rows, cols = struct.unpack(">II", data[8:16])
        pixels = np.frombuffer(data, dtype=np.uint8, offset=16)
        if pixels.size != count * rows * cols:
            die(f"{path}: truncated IDX file")
        return pixels.reshape(count, rows, cols)
    labels = np.frombuffer(data, dtype=np.uint8, offset=8)
    if labels.size != count:
        die(f"{path}: truncated IDX file")
    return labels


def png_bytes(pixels):
    buf = io.BytesIO()
    # Pillow writes no timestamp chunk; optimize off keeps the encoder path fixed.
    Image.fromarray(pixels, mode="L").save(buf, format="PNG", optimize=False)
    return buf.getvalue()


def encode_chunk(chunk):
    # chunk: uint8 array [k, 28, 28]; returns the PNGs in order.
    return [png_bytes(image) for image in chunk]


def add_entry(zf, name, data=None):
    info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
    info.create_system = 3  # Unix, so the permission bits below are read as such
    if data is None:  # directory
        info.external_attr = (0o40755 << 16) | 0x10
        info.compress_type = zipfile.ZIP_STORED
        zf.writestr(info, b"")
    else:
        info.external_attr = 0o100644 << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        zf.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("mnist_dir", nargs="?", default="../shared/data/mnist",
                    help="folder with the gzipped MNIST IDX files (default: ../shared/data/mnist)")
    ap.add_argument("--out", default=os.path.join(here, "scratch", "mnist_png_full.zip"),
                    help="output zip (default: Benchmarks/scratch/mnist_png_full.zip)")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                    help="processes encoding PNGs (default: one per core); the zip does not depend on it")
    args = ap.parse_args()

    entries = {"mnist_png/": None}  # zip path -> bytes (None for directories)
    counts = {}
    with Pool(max(1, args.workers)) as pool:
        for folder, prefix, expected in SPLITS:
            images = read_idx(os.path.join(args.mnist_dir, f"{prefix}-images.idx3-ubyte.gz"), 0x00000803)
            labels = read_idx(os.path.join(args.mnist_dir, f"{prefix}-labels.idx1-ubyte.gz"), 0x00000801)
            if len(images) != len(labels):
                die(f"{prefix}: {len(images)} images but {len(labels)} labels")
            if len(images) != expected:
                die(f"{prefix}: {len(images)} images, expected {expected}")
            entries[f"mnist_png/{folder}/"] = None
            for d in range(10):
                entries[f"mnist_png/{folder}/{d}/"] = None
            chunks = [images[i:i + 1000] for i in range(0, len(images), 1000)]
            pngs = [png for part in pool.map(encode_chunk, chunks) for png in part]
            for n, (label, png) in enumerate(zip(labels, pngs)):
                entries[f"mnist_png/{folder}/{int(label)}/{n}.png"] = png
            counts[folder] = (len(images), np.bincount(labels, minlength=10).tolist())

    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    tmp = args.out + ".tmp"
    with zipfile.ZipFile(tmp, "w") as zf:
        for name in sorted(entries):
            add_entry(zf, name, entries[name])
    os.replace(tmp, args.out)

    with open(args.out, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    size = os.path.getsize(args.out)
    for folder, (count, per_class) in counts.items():
        print(f"{folder}: {count:,} PNGs, per digit {per_class}")
    print(f"{args.out}: {counts['training'][0]:,} training + {counts['testing'][0]:,} testing PNGs, "
          f"{size:,} bytes, sha256 {digest}")


if __name__ == "__main__":
    main()
