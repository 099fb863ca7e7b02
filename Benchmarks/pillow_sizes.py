#!/usr/bin/env python3
"""The Python baseline for `dsprep shapes`: Pillow's lazy Image.open(p).size over a data folder.

Usage: python3 Benchmarks/pillow_sizes.py DATA

Walks DATA as dsprep shapes does (sorted, skipping hidden folders such as .quarantine/ and
__MACOSX/, junk files and files whose extension is not an image's), opens every image with
Pillow, which reads only the header until pixels are asked for, and counts the sizes. It is
the loop a tutorial writes to look at its data before choosing a size:

    sizes = Counter(Image.open(p).size for p in paths)

Prints the number of images read and unreadable, and the five most common sizes (stored, not
after EXIF orientation, as Image.size gives them), so that the two tools can be checked to
have surveyed the same files.
"""
import os
import sys
from collections import Counter

from PIL import Image

IMAGE_EXTENSIONS = {"jpg", "jpeg", "jpe", "jfif", "png", "gif", "bmp", "dib", "webp", "tif", "tiff"}
JUNK_FILES = {".ds_store", "thumbs.db", "desktop.ini"}


def image_paths(root):
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(d for d in subfolders if not d.startswith(".") and d.lower() != "__macosx")
        for name in sorted(files):
            if name.startswith(".") or name.lower() in JUNK_FILES:
                continue
            if name.rpartition(".")[2].lower() in IMAGE_EXTENSIONS:
                yield os.path.join(folder, name)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: pillow_sizes.py DATA")
    sizes = Counter()
    unreadable = 0
    for path in image_paths(sys.argv[1]):
        try:
            with Image.open(path) as image:
                sizes[image.size] += 1
        except Exception:  # what a survey must survive: empty, truncated, not an image
            unreadable += 1
    print(f"{sum(sizes.values())} images, {unreadable} unreadable")
    for (width, height), count in sizes.most_common(5):
        print(f"  {width}x{height}  {count}")


if __name__ == "__main__":
    main()
