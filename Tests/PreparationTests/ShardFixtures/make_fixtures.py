#!/usr/bin/env python3
"""Builds the small data folder that the shard tests read: `data/` as `dsprep unpack` and
`dsprep split` leave it, with real JPEGs and PNGs made by Pillow (deterministic), and the bad
files a real data set has.

    python3 make_fixtures.py        # writes ./data (replacing it)

data/train/cat/   6 RGB JPEGs (q90, 64x48 .. 80x60), one progressive, one with EXIF orientation 6
data/train/dog/   5 PNGs: RGB, RGBA (alpha composited on white), palette, 16-bit gray, gray
                  plus bad files: empty.jpg (0 bytes), truncated.jpg, text.jpg, anim.gif,
                  corrupt.jpg (entropy-coded data damaged: libjpeg warns "Corrupt JPEG data")
data/test/cat/    2 JPEGs (one CMYK)
data/test/dog/    1 PNG
data/test/bird/   1 JPEG (a class the training split lacks: skipped)
data/unlabeled/   1 JPEG
"""
import io
import os
import shutil

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "data")
rng = np.random.default_rng(20261123)


def photo(width, height):
    """A smooth colour field with edges: photo-like, so JPEG and resizing have work to do."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    phase = rng.uniform(0, 6.28, size=3)
    channels = [127 + 100 * np.sin(x / rng.uniform(5, 15) + y / rng.uniform(5, 15) + p) for p in phase]
    image = np.stack(channels, axis=-1)
    image[height // 3: height // 2, width // 4: width // 2] = rng.uniform(0, 255, size=3)
    image += rng.normal(0, 6, size=image.shape)
    return Image.fromarray(np.clip(image, 0, 255).astype(np.uint8), "RGB")


def save(image, path, **options):
    full = os.path.join(ROOT, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    image.save(full, **options)
    return full


def jpeg_bytes(image, **options):
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", **options)
    return buffer.getvalue()


def write(path, data):
    full = os.path.join(ROOT, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "wb") as f:
        f.write(data)


shutil.rmtree(ROOT, ignore_errors=True)
for i, (w, h) in enumerate([(64, 48), (80, 60), (64, 48), (48, 64), (72, 54), (64, 64)]):
    options = {"quality": 90}
    if i == 1:
        options["progressive"] = True
    if i == 2:
        exif = Image.Exif()
        exif[274] = 6
        options["exif"] = exif.tobytes()
    save(photo(w, h), f"train/cat/{i}.jpg", **options)

save(photo(64, 48), "train/dog/rgb.png")
rgba = photo(64, 48).convert("RGBA")
alpha = np.zeros((48, 64), dtype=np.uint8)
alpha[:, 32:] = 255
alpha[:, 16:32] = 128
rgba.putalpha(Image.fromarray(alpha))
save(rgba, "train/dog/rgba.png")
save(photo(64, 48).quantize(16), "train/dog/palette.png")
gray16 = (np.asarray(photo(64, 48).convert("L"), dtype=np.uint16) * 257)
save(Image.fromarray(gray16), "train/dog/gray16.png")
save(photo(64, 48).convert("L"), "train/dog/gray.png")

write("train/dog/empty.jpg", b"")
good = jpeg_bytes(photo(64, 48), quality=90)
write("train/dog/truncated.jpg", good[: len(good) // 2])
write("train/dog/text.jpg", b"<html>404 Not Found</html>\n")
frames = [photo(16, 16).convert("P") for _ in range(2)]
frames[0].save(os.path.join(ROOT, "train/dog/anim.gif"), save_all=True, append_images=frames[1:])
corrupt = bytearray(jpeg_bytes(photo(64, 48), quality=90))
sos = corrupt.index(b"\xff\xda")
start = sos + 2 + int.from_bytes(corrupt[sos + 2: sos + 4], "big") + 40
for offset in range(start, start + 24):
    if corrupt[offset] not in (0xFF, 0x00, 0xAA):
        corrupt[offset] ^= 0x55  # damaged entropy-coded data; never a marker byte
del corrupt[start + 200: start + 260]  # and a gap, so that the decoder runs out of data early
write("train/dog/corrupt.jpg", bytes(corrupt))

save(photo(64, 48), "test/cat/a.jpg", quality=90)
save(photo(64, 48).convert("CMYK"), "test/cat/cmyk.jpg", quality=90)
save(photo(64, 48), "test/dog/b.png")
save(photo(64, 48), "test/bird/c.jpg", quality=90)
save(photo(64, 48), "unlabeled/u.jpg", quality=90)
print("wrote", sum(len(files) for _, _, files in os.walk(ROOT)), "files under", ROOT)
