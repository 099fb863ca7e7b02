#!/usr/bin/env python3
"""Regenerates the ImagingTests fixtures: small images made by real encoders.

Run from anywhere:  python3 Tests/ImagingTests/Fixtures/make_fixtures.py
Needs: Pillow (pip install Pillow), pypng (pip install pypng, for the Adam7-interlaced PNG,
which Pillow cannot write) and libturbojpeg (Debian: libturbojpeg0, for the YCCK JPEG, which
Pillow cannot write). The damaged fixtures are valid files cut or patched by this script.
Every image is 8x6 pixels of a synthetic gradient, so nothing here has a third-party licence.
See README.md beside this script for what each file is.
"""
import ctypes
import ctypes.util
import os
import struct
import zlib

import png  # pypng
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
W, H = 8, 6


def path(name):
    return os.path.join(HERE, name)


def write(name, data):
    with open(path(name), "wb") as f:
        f.write(data)


def read(name):
    with open(path(name), "rb") as f:
        return f.read()


def rgb():
    """An 8x6 gradient: red grows left to right, green top to bottom."""
    image = Image.new("RGB", (W, H))
    image.putdata([(x * 32, y * 40, 128) for y in range(H) for x in range(W)])
    return image


def exif(orientation, endian):
    """Pillow's EXIF block with IFD0 tag 0x0112 (Orientation); endian '>' or '<'."""
    block = Image.Exif()
    block.endian = endian
    block[0x0112] = orientation
    return block.tobytes()  # starts with b"Exif\0\0"


def ycck_jpeg():
    """TurboJPEG compresses packed CMYK pixels as YCCK (Adobe APP14 transform 2)."""
    lib = ctypes.CDLL(ctypes.util.find_library("turbojpeg") or "libturbojpeg.so.0")
    lib.tjInitCompress.restype = ctypes.c_void_p
    lib.tjCompress2.argtypes = [
        ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_int,
        ctypes.POINTER(ctypes.POINTER(ctypes.c_ubyte)), ctypes.POINTER(ctypes.c_ulong),
        ctypes.c_int, ctypes.c_int, ctypes.c_int]
    lib.tjFree.argtypes = [ctypes.POINTER(ctypes.c_ubyte)]
    lib.tjDestroy.argtypes = [ctypes.c_void_p]
    pixels = rgb().convert("CMYK").tobytes()
    handle = lib.tjInitCompress()
    out = ctypes.POINTER(ctypes.c_ubyte)()
    size = ctypes.c_ulong(0)
    TJPF_CMYK, TJSAMP_444 = 11, 0
    status = lib.tjCompress2(handle, pixels, W, 0, H, TJPF_CMYK, ctypes.byref(out),
                             ctypes.byref(size), TJSAMP_444, 90, 0)
    assert status == 0, "tjCompress2 failed"
    data = ctypes.string_at(out, size.value)
    lib.tjFree(out)
    lib.tjDestroy(handle)
    return data


def patch_jpeg_width_to_zero(data):
    """Finds the SOF0 segment and writes 0 into its width field."""
    sof = data.index(b"\xff\xc0")
    width = sof + 7  # FF C0, length (2), precision (1), height (2), width (2)
    return data[:width] + b"\x00\x00" + data[width + 2:]


def main():
    # JPEG, by Pillow (libjpeg-turbo underneath).
    rgb().save(path("rgb_8x6_q90.jpg"), quality=90)
    rgb().convert("L").save(path("gray_8x6.jpg"), quality=90)
    rgb().convert("CMYK").save(path("cmyk_8x6.jpg"), quality=90)
    rgb().save(path("progressive_8x6.jpg"), quality=90, progressive=True)
    for orientation in range(1, 9):
        rgb().save(path(f"exif_orientation_{orientation}_8x6.jpg"), quality=90,
                   exif=exif(orientation, ">"))
    rgb().save(path("exif_littleendian_orientation_6_8x6.jpg"), quality=90, exif=exif(6, "<"))
    rgb().save(path("exif_orientation_9_8x6.jpg"), quality=90, exif=exif(9, "<"))
    write("ycck_8x6.jpg", ycck_jpeg())

    # PNG, by Pillow (zlib) and pypng.
    rgb().save(path("rgb_8x6.png"))
    rgba = rgb().convert("RGBA")
    rgba.putalpha(200)
    rgba.save(path("rgba_8x6.png"))
    rgb().convert("L").save(path("gray_8x6.png"))
    rgb().convert("LA").save(path("gray_alpha_8x6.png"))
    gray16 = Image.new("I;16", (W, H))
    gray16.putdata([x * 8000 + y * 1000 for y in range(H) for x in range(W)])
    gray16.save(path("gray16_8x6.png"))
    rgb().convert("P", palette=Image.Palette.ADAPTIVE, colors=16).save(
        path("palette_trns_8x6.png"), transparency=0)
    rgb().save(path("exif_orientation_6_8x6.png"), exif=exif(6, "<"))
    rows = [[v for x in range(W) for v in (x * 32, y * 40, 128)] for y in range(H)]
    with open(path("interlaced_8x6.png"), "wb") as f:
        png.Writer(W, H, greyscale=False, bitdepth=8, interlace=True).write(f, rows)

    # Other formats dsprep recognises but does not decode.
    rgb().convert("P").save(path("gif_8x6.gif"))
    rgb().save(path("bmp_8x6.bmp"))
    rgb().save(path("webp_8x6.webp"), quality=90)
    rgb().save(path("tiff_8x6.tif"))

    # Wrong names, empty and damaged files, made from the valid ones.
    write("png_named.jpg", read("rgb_8x6.png"))
    write("text_named.jpg", b"This is a text file with a .jpg name.\n")
    write("empty.jpg", b"")
    write("truncated_rgb_8x6.jpg", read("rgb_8x6_q90.jpg")[:-10])  # cut inside the scan data
    write("truncated_rgb_8x6.png", read("rgb_8x6.png")[:-20])      # cut inside IDAT's CRC
    write("trailing_garbage_8x6.jpg", read("rgb_8x6_q90.jpg") + bytes(range(100)))
    write("zero_width.jpg", patch_jpeg_width_to_zero(read("rgb_8x6_q90.jpg")))
    good = bytearray(read("rgb_8x6.png"))
    good[29] ^= 0xFF  # first byte of IHDR's CRC (signature 8 + length 4 + type 4 + data 13)
    write("bad_ihdr_crc.png", bytes(good))
    assert zlib.crc32(bytes(good[12:29])) != struct.unpack(">I", bytes(good[29:33]))[0]


if __name__ == "__main__":
    main()
