#!/usr/bin/env python3
"""Interop check: reads dsprep's shards as a NumPy user would (safetensors.numpy.load_file), checks
them against manifest.json, and compares every image with the same preprocessing done by Pillow.

    python3 pillow_parity.py SHARDS_FOLDER [--max-mean-diff 3]

The Pillow reference: open -> draft() (JPEG DCT scaling, as dsprep decodes) -> exif_transpose ->
alpha composited on white -> convert("RGB"/"L") -> resize(size, BILINEAR) (stretch). 16-bit PNGs
are scaled to 8 bits (Pillow's own convert would clip them). Where dsprep and Pillow decode a JPEG
at the same DCT scale the pixels agree within 1 or 2 levels; dsprep also uses TurboJPEG's 3/8,
5/8, ... scales, which Pillow's draft() lacks, and there single pixels differ more at hard edges.
So the check is on the mean absolute difference per image (--max-mean-diff); the largest
single-pixel differences are printed. Images the manifest lists under "warnings" (kept despite
corrupt data, which Pillow refuses to load) are not compared.
"""
import argparse
import csv
import json
import os
import sys

import numpy as np
from PIL import Image, ImageOps
from safetensors.numpy import load_file


def reference(path, width, height, gray):
    image = Image.open(path)
    if image.format == "JPEG":
        image.draft("L" if gray and image.mode == "L" else image.mode, (width, height))
    image = ImageOps.exif_transpose(image)
    if image.mode in ("I;16", "I;16B", "I"):
        pixels = np.asarray(image, dtype=np.uint32)
        image = Image.fromarray(((pixels * 255 + 32895) >> 16).astype(np.uint8), "L")
    if image.mode == "P":
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA"):
        white = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, image.convert("RGBA"))
    image = image.convert("L" if gray else "RGB")
    image = image.resize((width, height), Image.Resampling.BILINEAR)
    array = np.asarray(image, dtype=np.int16)
    return array[:, :, None] if gray else array


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("shards")
    parser.add_argument("--max-mean-diff", type=float, default=3.0)
    args = parser.parse_args()
    with open(os.path.join(args.shards, "manifest.json")) as f:
        manifest = json.load(f)
    image = manifest["image"]
    height, width, channels = image["height"], image["width"], image["channels"]
    gray = channels == 1
    assert manifest["preprocess"]["resize"] == "stretch", "the reference implements stretch only"
    worst = []
    checked = 0
    corrupt = {entry["path"] for entry in manifest.get("warnings") or []}
    for split, entry in manifest["splits"].items():
        index = {}
        with open(os.path.join(args.shards, f"{split}-index.csv"), newline="") as f:
            for row in csv.DictReader(f):
                index[(row["shard"], int(row["row"]))] = row
        total = 0
        for shard in entry["shards"]:
            tensors = load_file(os.path.join(args.shards, shard["file"]))
            images, labels = tensors["images"], tensors["labels"]
            assert images.dtype == np.uint8 and images.shape == (shard["count"], height, width, channels), images.shape
            assert labels.dtype == np.int64 and labels.shape == (shard["count"],)
            counts = np.bincount(labels[labels >= 0], minlength=len(manifest["classes"]))
            assert counts.tolist() == shard["class_counts"], (counts, shard["class_counts"])
            for row in range(shard["count"]):
                source = index[(shard["file"], row)]
                label = int(labels[row])
                assert (source["label"] or None) == (manifest["classes"][label] if label >= 0 else None)
                if source["path"] in corrupt:
                    continue
                expected = reference(source["path"], width, height, gray)
                difference = np.abs(images[row].astype(np.int16) - expected)
                worst.append((float(difference.mean()), int(difference.max()), source["path"]))
                checked += 1
            total += shard["count"]
        assert total == entry["count"]
    worst.sort(reverse=True)
    print(f"checked {checked} images against Pillow; largest differences (mean, max, image):")
    for mean, largest, path in worst[:5]:
        print(f"  {mean:6.3f} {largest:4d}  {path}")
    failed = [path for mean, _, path in worst if mean > args.max_mean_diff]
    if failed or checked == 0:
        print(f"{len(failed)} of {checked} images differ from Pillow by more than {args.max_mean_diff} on average",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
