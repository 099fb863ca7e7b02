#!/usr/bin/env python3
"""The tutorials' pipeline, the baseline `dsprep shard --gray --size 96` replaces.

Usage: python3 Benchmarks/tutorial_pipeline.py DATA OUT

What the cats-vs-dogs tutorials do, one image at a time in one process: for every file in
DATA/<class>/, PIL Image.open -> ImageOps.grayscale -> resize((96, 96)) with Pillow's default
filter -> np.asarray(...).ravel() / 255 (float64), appended to a list with the class name
(the folder name) as the label; unreadable files are skipped by a try/except, as careful
tutorial code does. Then one pandas.DataFrame of all the rows plus a label column, saved
with to_pickle(OUT/data.pkl). Every row is 96*96 float64 values, so the list and the frame
each hold about 1.8 GB for 25,000 images.

Prints the number of images kept and skipped.
"""
import os
import sys

import numpy as np
import pandas as pd
from PIL import Image, ImageOps

SIZE = 96


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: tutorial_pipeline.py DATA OUT")
    data_dir, out_dir = sys.argv[1], sys.argv[2]
    os.makedirs(out_dir, exist_ok=True)

    categories = sorted(d for d in os.listdir(data_dir)
                        if not d.startswith(".") and os.path.isdir(os.path.join(data_dir, d)))
    rows, labels = [], []
    skipped = 0
    for category in categories:
        folder = os.path.join(data_dir, category)
        for name in os.listdir(folder):
            try:
                img = Image.open(os.path.join(folder, name))
                img = ImageOps.grayscale(img)
                img = img.resize((SIZE, SIZE))
                rows.append(np.asarray(img).ravel() / 255)
                labels.append(category)
            except Exception:  # empty, truncated, not an image: skip it
                skipped += 1

    df = pd.DataFrame(rows)
    df["label"] = labels
    df.to_pickle(os.path.join(out_dir, "data.pkl"))
    print(f"{len(rows)} images, {skipped} skipped")


if __name__ == "__main__":
    main()
