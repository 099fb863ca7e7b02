#!/usr/bin/env python3
"""Regenerates the data folder that the `dsprep shapes` tests survey: ShapeFixtures/tree/.

Run from anywhere:  python3 Tests/PreparationTests/ShapeFixtures/make_shape_fixtures.py
Needs: Pillow (pip install Pillow). Every image is a small synthetic gradient made by Pillow's
encoders (libjpeg-turbo, zlib), so nothing here has a third-party licence. The damaged and
junk files are made by this script from the valid ones. See README.md beside it for the list.

The tests pin what the survey must find in this tree (formats, colour models, sizes as
displayed, classes, unreadable files and their reasons). File sizes in bytes are not pinned:
the tests read them from the files, so re-running this script with another Pillow is harmless
as long as the images stay what their names say.
"""
import os
import shutil

from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
TREE = os.path.join(HERE, "tree")


def path(relative):
    full = os.path.join(TREE, relative)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    return full


def write(relative, data):
    with open(path(relative), "wb") as f:
        f.write(data)


def read(relative):
    with open(os.path.join(TREE, relative), "rb") as f:
        return f.read()


def gradient(width, height):
    """Red grows left to right, green top to bottom."""
    image = Image.new("RGB", (width, height))
    image.putdata([(x * 255 // max(1, width - 1), y * 255 // max(1, height - 1), 128)
                   for y in range(height) for x in range(width)])
    return image


def exif_orientation(orientation):
    block = Image.Exif()
    block[0x0112] = orientation
    return block.tobytes()


def main():
    shutil.rmtree(TREE, ignore_errors=True)

    # A file outside any class folder, and one directly under a split folder: "unlabeled".
    gradient(8, 6).save(path("loose_rgb_8x6.jpg"), quality=90)
    gradient(10, 10).save(path("test/rgb_10x10.jpg"), quality=90)

    # train/cat: JPEGs of every colour model, an EXIF rotation, a header past the first 4 KiB.
    gradient(8, 6).save(path("train/cat/rgb_8x6_q90.jpg"), quality=90)
    gradient(8, 6).convert("L").save(path("train/cat/gray_8x6.jpg"), quality=90)
    gradient(8, 6).convert("CMYK").save(path("train/cat/cmyk_8x6.jpg"), quality=90)
    # Stored 8x6, orientation 6 (turn 90 degrees clockwise): displayed 6x8.
    gradient(8, 6).save(path("train/cat/exif_orientation_6_8x6.jpg"), quality=90,
                        exif=exif_orientation(6))
    # A 4,096-byte ICC profile (APP2) before the frame header.
    gradient(12, 9).save(path("train/cat/icc_4k_12x9.jpg"), quality=90,
                         icc_profile=bytes(range(256)) * 16)

    # train/dog: PNGs (palette, palette with tRNS, RGBA, 16-bit gray) and naming mix-ups.
    gradient(8, 6).convert("P", palette=Image.Palette.ADAPTIVE, colors=16).save(
        path("train/dog/palette_8x6.png"))
    gradient(8, 6).convert("P", palette=Image.Palette.ADAPTIVE, colors=16).save(
        path("train/dog/palette_trns_8x6.png"), transparency=0)
    rgba = gradient(16, 16).convert("RGBA")
    rgba.putalpha(200)
    rgba.save(path("train/dog/rgba_16x16.png"))
    gray16 = Image.new("I;16", (32, 8))
    gray16.putdata([x * 2000 + y * 500 for y in range(8) for x in range(32)])
    gray16.save(path("train/dog/gray16_32x8.png"))
    gradient(8, 6).save(path("train/dog/png_named.jpg"), format="PNG")
    gradient(8, 6).save(path("train/dog/noext_rgb_8x6"), format="JPEG", quality=90)

    # test/cat: a JPEG cut inside its header (unreadable) and one cut inside its scan data
    # (its header is whole, and shapes reads only headers).
    gradient(8, 6).save(path("test/cat/truncated_header.jpg"), quality=90)
    write("test/cat/truncated_header.jpg", read("test/cat/truncated_header.jpg")[:100])
    gradient(24, 18).save(path("test/cat/truncated_scan_24x18.jpg"), quality=90)
    write("test/cat/truncated_scan_24x18.jpg", read("test/cat/truncated_scan_24x18.jpg")[:-10])

    # test/dog: a GIF (recognised, not decoded), an empty file, text with an image's name.
    gradient(8, 6).convert("P").save(path("test/dog/rgb_8x6.gif"))
    write("test/dog/empty.png", b"")
    write("test/dog/text_named.png", b"<html><body>Not found</body></html>\n")

    # What a survey passes over: junk, non-image files, hidden and __MACOSX folders.
    write("Thumbs.db", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(56))
    write("train/cat/._rgb_8x6_q90.jpg", b"\x00\x05\x16\x07" + bytes(28))
    write("notes.txt", b"Images of cats and dogs.\n")
    write("LICENSE", b"Synthetic images, no licence needed.\n")
    write(".quarantine/cat/bad.jpg", b"\xff\xd8\xff\xe0 cut short")
    write("__MACOSX/train/cat/._rgb_8x6_q90.jpg", b"\x00\x05\x16\x07" + bytes(28))


if __name__ == "__main__":
    main()
