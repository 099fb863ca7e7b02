#!/usr/bin/env python3
"""Checks a dsprep shard folder with the safetensors reference reader (run by InteropTests.swift).

    check_shards.py FOLDER [--pattern]     every shard in FOLDER/manifest.json loads with
                                           safetensors.numpy.load_file and agrees with the manifest
    check_shards.py --write-sample FILE    writes a small file with safetensors.numpy.save_file,
                                           for the Swift reader to read

With --pattern, pixels and labels must also be the ones the Swift tests' generator writes:
element i of row r (counted across its split) is (7r + 3i) mod 256, divided by 255 in float32
for F16/F32 shards; the label of row r is r mod len(classes).
Exit status 0 when everything agrees; otherwise 1 and one line on stderr.
Needs: pip install safetensors numpy
"""
import argparse
import hashlib
import json
import os
import struct
import sys

import numpy as np
from safetensors import safe_open
from safetensors.numpy import load_file, save_file

DTYPES = {"uint8": np.uint8, "float16": np.float16, "float32": np.float32}


def fail(message):
    print(f"check_shards.py: {message}", file=sys.stderr)
    sys.exit(1)


def expect(condition, message):
    if not condition:
        fail(message)


def check_shard(folder, split, shard, manifest, pattern):
    path = os.path.join(folder, shard["file"])
    image = manifest["image"]
    classes = manifest["classes"]
    with open(path, "rb") as f:
        data = f.read()
    expect(len(data) == shard["bytes"], f"{path}: {len(data)} bytes, manifest says {shard['bytes']}")
    expect(hashlib.sha256(data).hexdigest() == shard["sha256"], f"{path}: SHA-256 differs from the manifest's")
    (header_length,) = struct.unpack("<Q", data[:8])
    expect(header_length % 8 == 0, f"{path}: header length {header_length} is not a multiple of 8")

    tensors = load_file(path)
    expect(sorted(tensors) == ["images", "labels"], f"{path}: tensors {sorted(tensors)}")
    images, labels = tensors["images"], tensors["labels"]
    n = shard["count"]
    shape = (n, image["height"], image["width"], image["channels"])
    expect(images.dtype == DTYPES[image["dtype"]], f"{path}: images dtype {images.dtype}, manifest says {image['dtype']}")
    expect(images.shape == shape, f"{path}: images shape {images.shape}, manifest says {shape}")
    expect(labels.dtype == np.int64 and labels.shape == (n,), f"{path}: labels {labels.dtype} {labels.shape}")
    expect(bool(np.all((labels >= -1) & (labels < len(classes)))), f"{path}: a label is out of range")
    counts = np.bincount(labels[labels >= 0], minlength=len(classes)).tolist()
    expect(counts == shard["class_counts"], f"{path}: class counts {counts}, manifest says {shard['class_counts']}")

    with safe_open(path, framework="numpy") as f:
        metadata = f.metadata()
    expect(metadata.get("format") == "dsprep-shard-1", f"{path}: metadata format {metadata.get('format')}")
    expect(metadata.get("split") == split, f"{path}: metadata split {metadata.get('split')}")
    expect(metadata.get("first_row") == str(shard["first_row"]), f"{path}: metadata first_row {metadata.get('first_row')}")

    if pattern:
        rows = shard["first_row"] + np.arange(n)
        index = np.arange(int(np.prod(shape[1:])))
        pixels = ((rows[:, None] * 7 + index[None, :] * 3) % 256).astype(np.uint8).reshape(shape)
        if image["dtype"] != "uint8":
            pixels = (pixels.astype(np.float32) / np.float32(255)).astype(DTYPES[image["dtype"]])
        expect(np.array_equal(images, pixels), f"{path}: pixels differ from the pattern")
        expect(np.array_equal(labels, rows % len(classes)), f"{path}: labels differ from the pattern")
    return n, counts


def check_folder(folder, pattern):
    with open(os.path.join(folder, "manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    expect(manifest["format"] == "dsprep-manifest" and manifest["version"] == 1, "not a version 1 dsprep manifest")
    expect(manifest["image"]["layout"] == "NHWC", "layout is not NHWC")
    shards = samples = 0
    for split, entry in manifest["splits"].items():
        count, class_counts = 0, [0] * len(manifest["classes"])
        for shard in entry["shards"]:
            n, counts = check_shard(folder, split, shard, manifest, pattern)
            count += n
            class_counts = [a + b for a, b in zip(class_counts, counts)]
            shards += 1
        expect(count == entry["count"], f"split {split}: {count} samples, manifest says {entry['count']}")
        expect(class_counts == entry["class_counts"], f"split {split}: class counts {class_counts}")
        samples += count
    print(f"ok: {shards} shards, {samples} samples")


def write_sample(path):
    save_file({"pixels": np.arange(6, dtype=np.uint8).reshape(2, 3),
               "values": np.array([1.5, -2.0, 65504.0], dtype=np.float16),
               "weights": np.array([[0.25], [-1.0]], dtype=np.float32),
               "ids": np.array([-1, 2**40], dtype=np.int64)},
              path, metadata={"made_by": "safetensors.numpy"})


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", nargs="?")
    parser.add_argument("--pattern", action="store_true")
    parser.add_argument("--write-sample", metavar="FILE")
    args = parser.parse_args()
    if args.write_sample:
        write_sample(args.write_sample)
    elif args.folder:
        check_folder(args.folder, args.pattern)
    else:
        parser.error("give a FOLDER or --write-sample FILE")


if __name__ == "__main__":
    main()
