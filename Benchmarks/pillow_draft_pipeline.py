#!/usr/bin/env python3
"""A reasonable fast Python baseline for `dsprep shard --gray --size 96`: Pillow with draft().

Usage: python3 Benchmarks/pillow_draft_pipeline.py DATA OUT [--workers 2]

A multiprocessing Pool of WORKERS processes (default 2). Per image: Image.open,
im.draft('L', (96, 96)) (libjpeg's DCT scaling: decode gray at the smallest 1/1, 1/2, 1/4 or
1/8 scale still >= 96x96), convert('L') (a no-op when draft already gave gray),
resize((96, 96), BILINEAR), and the 96*96 uint8 bytes back to the parent; unreadable files
are skipped. The parent gathers the bytes in file order and writes OUT/images.npy (uint8,
[N, 96, 96]) and OUT/labels.npy (int64 class indices, classes being the sorted folder
names of DATA/<class>/).

Prints the number of images kept and skipped.
"""
import argparse
import os
from multiprocessing import Pool

import numpy as np
from PIL import Image

SIZE = 96


def load(path):
    try:
        with Image.open(path) as im:
            im.draft("L", (SIZE, SIZE))
            im = im.convert("L").resize((SIZE, SIZE), Image.BILINEAR)
            return im.tobytes()
    except Exception:  # empty, truncated, not an image: skip it
        return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("data")
    parser.add_argument("out")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)

    classes = sorted(d for d in os.listdir(args.data)
                     if not d.startswith(".") and os.path.isdir(os.path.join(args.data, d)))
    paths, path_labels = [], []
    for label, name in enumerate(classes):
        folder = os.path.join(args.data, name)
        for file in sorted(os.listdir(folder)):
            if not file.startswith("."):
                paths.append(os.path.join(folder, file))
                path_labels.append(label)

    pixels = bytearray()
    labels = []
    skipped = 0
    with Pool(args.workers) as pool:
        for label, data in zip(path_labels, pool.imap(load, paths, chunksize=64)):
            if data is None:
                skipped += 1
            else:
                pixels += data
                labels.append(label)

    images = np.frombuffer(pixels, dtype=np.uint8).reshape(len(labels), SIZE, SIZE)
    np.save(os.path.join(args.out, "images.npy"), images)
    np.save(os.path.join(args.out, "labels.npy"), np.array(labels, dtype=np.int64))
    print(f"{len(labels)} images, {skipped} skipped")


if __name__ == "__main__":
    main()
