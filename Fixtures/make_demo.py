#!/usr/bin/env python3
"""Build Fixtures/mnist_png.zip, the demo data set, from the original MNIST IDX files.

Takes the first 300 training digits and the first 50 test digits of each class
(3,000 + 500 images), writes them as 28x28 8-bit grayscale PNGs in the common
`mnist_png` layout

    mnist_png/training/<digit>/<n>.png
    mnist_png/testing/<digit>/<n>.png

where n is the image's index in the original IDX file, and zips them
deterministically (fixed timestamps, sorted entries, deflate). Running it twice
gives a byte-identical zip (for the same Pillow/zlib).

Usage (from the repository root):

    python3 Fixtures/make_demo.py [MNIST_DIR] [--out Fixtures/mnist_png.zip]

MNIST_DIR defaults to ../shared/data/mnist and holds the gzipped IDX files
(train-images.idx3-ubyte.gz, train-labels.idx1-ubyte.gz, t10k-...).
Needs Pillow and numpy.
"""

import argparse
import gzip
import hashlib
import io
import os
import struct
import sys
import zipfile

import numpy as np
from PIL import Image

TRAIN_PER_CLASS = 300
TEST_PER_CLASS = 50
# 1980-01-01 00:00:00 is the earliest DOS timestamp; fixed so the zip is reproducible.
FIXED_TIME = (1980, 1, 1, 0, 0, 0)

SPLITS = [
    # (folder in the zip, IDX prefix, images per class)
    ("training", "train", TRAIN_PER_CLASS),
    ("testing", "t10k", TEST_PER_CLASS),
]


def read_idx(path, expected_magic):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, count = struct.unpack(">II", data[:8])
    if magic != expected_magic:
        sys.exit(f"make_demo: {path}: bad IDX magic 0x{magic:08x}, expected 0x{expected_magic:08x}")
    if magic == 0x00000803:
        rows, cols = struct.unpack(">II", data[8:16])
        pixels = np.frombuffer(data, dtype=np.uint8, offset=16)
        if pixels.size != count * rows * cols:
            sys.exit(f"make_demo: {path}: truncated IDX file")
        return pixels.reshape(count, rows, cols)
    labels = np.frombuffer(data, dtype=np.uint8, offset=8)
    if labels.size != count:
        sys.exit(f"make_demo: {path}: truncated IDX file")
    return labels


def png_bytes(pixels):
    buf = io.BytesIO()
    # Pillow writes no timestamp chunk; optimize off keeps the encoder path fixed.
    Image.fromarray(pixels, mode="L").save(buf, format="PNG", optimize=False)
    return buf.getvalue()


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
    ap.add_argument("--out", default=os.path.join(here, "mnist_png.zip"),
                    help="output zip (default: Fixtures/mnist_png.zip)")
    args = ap.parse_args()

    entries = {}  # zip path -> bytes (None for directories)
    entries["mnist_png/"] = None
    counts = {}
    for folder, prefix, per_class in SPLITS:
        images = read_idx(os.path.join(args.mnist_dir, f"{prefix}-images.idx3-ubyte.gz"), 0x00000803)
        labels = read_idx(os.path.join(args.mnist_dir, f"{prefix}-labels.idx1-ubyte.gz"), 0x00000801)
        if len(images) != len(labels):
            sys.exit(f"make_demo: {prefix}: {len(images)} images but {len(labels)} labels")
        entries[f"mnist_png/{folder}/"] = None
        for d in range(10):
            entries[f"mnist_png/{folder}/{d}/"] = None
        taken = [0] * 10
        for n, label in enumerate(labels):
            label = int(label)
            if taken[label] >= per_class:
                if min(taken) >= per_class:
                    break
                continue
            taken[label] += 1
            entries[f"mnist_png/{folder}/{label}/{n}.png"] = png_bytes(images[n])
        if min(taken) < per_class:
            sys.exit(f"make_demo: {prefix}: fewer than {per_class} images for some digit: {taken}")
        counts[folder] = sum(taken)

    tmp = args.out + ".tmp"
    with zipfile.ZipFile(tmp, "w") as zf:
        for name in sorted(entries):
            add_entry(zf, name, entries[name])
    os.replace(tmp, args.out)

    with open(args.out, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    size = os.path.getsize(args.out)
    print(f"{args.out}: {counts['training']} training + {counts['testing']} testing PNGs, "
          f"{size:,} bytes, sha256 {digest}")


if __name__ == "__main__":
    main()
