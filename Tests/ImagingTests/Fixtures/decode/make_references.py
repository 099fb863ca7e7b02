#!/usr/bin/env python3
"""Regenerates the decoding fixtures and the Pillow reference pixels for ImagingTests.

Run from anywhere:  python3 Tests/ImagingTests/Fixtures/decode/make_references.py
Needs: Pillow and numpy (pip install Pillow numpy), pypng (pip install pypng, for 16-bit RGB
and interlaced PNGs, which Pillow cannot write), libjpeg-turbo's command-line tools
(Debian: libjpeg-turbo-progs, for cjpeg and djpeg) and libturbojpeg (for the YCCK
JPEG). Versions used: Pillow 13.0 (libjpeg-turbo 3 inside), numpy 2.4, pypng 0.20220715,
libjpeg-turbo 2.1.5. See README.md beside this script.

Two kinds of files are written here:

1. Source images (*.jpg, *.png): small synthetic photos (smooth colour fields, hard-edged
   shapes and noise, seeded, so nothing here has a third-party licence), made by real encoders,
   plus damaged files made from them.
2. Reference pixels (*.ppm for RGB, *.pgm for gray; binary netpbm: "P6\\n<w> <h>\\n255\\n" then
   the samples), made by Pillow's reference pipeline:

       open -> ImageOps.exif_transpose -> composite any alpha over white with
       Image.alpha_composite -> convert("RGB") [-> convert("L")] ->
       stretch: resize(size, BILINEAR) | crop: ImageOps.fit(size, BILINEAR) |
       pad: ImageOps.pad(size, BILINEAR, color=0)

   Named <source>.<mode>.<W>x<H>.<rgb|gray>.ppm|pgm, <source>.full.<rgb|gray>.ppm|pgm for a
   full-size decode with no resize, and <source>.draft<d>.<mode>.<W>x<H>.<rgb|gray>.ppm|pgm
   when Pillow's `draft` had libjpeg decode at scale 1/d (and gray from the luma channel):
   what dsprep's DCT-scaled path must reproduce exactly when it picks the same scale. Sources in the parent folder (the 8x6 fixtures of
   make_fixtures.py) are referenced by their name there.

   One deliberate difference from Pillow: 16-bit samples become 8-bit as round(v * 255 / 65535)
   (what libpng does); Pillow keeps the high byte of 16-bit RGB and clips 16-bit gray to 255.
"""
import ctypes
import ctypes.util
import io
import os
import struct
import subprocess
import tempfile
import zlib

import numpy as np
import png  # pypng
from PIL import Image, ImageDraw, ImageOps

HERE = os.path.dirname(os.path.abspath(__file__))
PARENT = os.path.dirname(HERE)
BILINEAR = Image.Resampling.BILINEAR
BACKGROUND = 255  # alpha is composited over white
PAD = 0           # pad bars are black


def path(name):
    return os.path.join(HERE, name)


def source_path(name):
    """A source image: in this folder, or one of the 8x6 fixtures in the parent folder."""
    return path(name) if os.path.exists(path(name)) else os.path.join(PARENT, name)


def write(name, data):
    with open(path(name), "wb") as f:
        f.write(data)


def read(name):
    with open(source_path(name), "rb") as f:
        return f.read()


# --------------------------------------------------------------------------- sources

def photo_array(width, height, seed):
    """A photo-like RGB array: smooth colour fields, hard-edged shapes and fine noise."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float64) / max(width, height)
    red = 128 + 100 * np.sin(2 * np.pi * (1.3 * x + 0.2)) * np.cos(2 * np.pi * 0.7 * y)
    green = 128 + 90 * np.cos(2 * np.pi * (0.5 * x - 1.1 * y))
    blue = 128 + 80 * np.sin(2 * np.pi * 1.7 * (x + y))
    image = Image.fromarray(np.clip(np.stack([red, green, blue], -1), 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(image)
    for _ in range(6):
        x0, y0 = rng.integers(0, width), rng.integers(0, height)
        w, h = rng.integers(width // 8, width // 2), rng.integers(height // 8, height // 2)
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        if rng.random() < 0.5:
            draw.ellipse([x0, y0, x0 + w, y0 + h], fill=colour)
        else:
            draw.rectangle([x0, y0, x0 + w, y0 + h], fill=colour)
    pixels = np.asarray(image).astype(np.float64) + rng.normal(0, 10, (height, width, 3))
    return np.clip(pixels, 0, 255).astype(np.uint8)


def photo(width, height, seed=1):
    return Image.fromarray(photo_array(width, height, seed), "RGB")


def alpha_mask(width, height):
    """Alpha from 0 at the corners to 255 in the middle, with a fully transparent band."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    distance = np.hypot((x - width / 2) / (width / 2), (y - height / 2) / (height / 2))
    alpha = np.clip(255 * (1.3 - distance), 0, 255)
    alpha[:, width // 3:width // 3 + 4] = 0
    return alpha.astype(np.uint8)


def exif(orientation):
    block = Image.Exif()
    block[0x0112] = orientation
    return block.tobytes()


def cjpeg(image, *arguments):
    """`image` compressed by libjpeg-turbo's cjpeg with `arguments`."""
    with tempfile.NamedTemporaryFile(suffix=".ppm") as ppm:
        image.save(ppm.name)
        return subprocess.run(["cjpeg", *arguments, ppm.name], check=True, capture_output=True).stdout


def djpeg_warnings(data):
    """What djpeg prints on stderr while decoding `data` (libjpeg's warnings)."""
    return subprocess.run(["djpeg"], input=data, capture_output=True).stderr.decode()


def ycck_jpeg(image):
    """TurboJPEG compresses packed CMYK pixels as YCCK (Adobe APP14 transform 2)."""
    lib = ctypes.CDLL(ctypes.util.find_library("turbojpeg") or "libturbojpeg.so.0")
    lib.tjInitCompress.restype = ctypes.c_void_p
    lib.tjCompress2.argtypes = [
        ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_int,
        ctypes.POINTER(ctypes.POINTER(ctypes.c_ubyte)), ctypes.POINTER(ctypes.c_ulong),
        ctypes.c_int, ctypes.c_int, ctypes.c_int]
    lib.tjFree.argtypes = [ctypes.POINTER(ctypes.c_ubyte)]
    lib.tjDestroy.argtypes = [ctypes.c_void_p]
    cmyk = image.convert("CMYK")
    handle = lib.tjInitCompress()
    out = ctypes.POINTER(ctypes.c_ubyte)()
    size = ctypes.c_ulong(0)
    TJPF_CMYK, TJSAMP_420 = 11, 2
    status = lib.tjCompress2(handle, cmyk.tobytes(), cmyk.width, 0, cmyk.height, TJPF_CMYK,
                             ctypes.byref(out), ctypes.byref(size), TJSAMP_420, 90, 0)
    assert status == 0, "tjCompress2 failed"
    data = ctypes.string_at(out, size.value)
    lib.tjFree(out)
    lib.tjDestroy(handle)
    return data


def png_bytes(writer, rows):
    out = io.BytesIO()
    writer.write(out, rows)
    return out.getvalue()


def entropy_start(data):
    """The offset of the first entropy-coded byte: just past the first SOS segment."""
    sos = data.index(b"\xff\xda")
    return sos + 2 + struct.unpack(">H", data[sos + 2:sos + 4])[0]


def corrupt_entropy(data):
    """`data` with 8 bytes in the middle of its scan data inverted (never making or breaking an
    FF marker byte): libjpeg warns "Corrupt JPEG data: ..." and fills with grey."""
    start, end = entropy_start(data), data.rindex(b"\xff\xd9")
    damaged = bytearray(data)
    position = start + (end - start) // 3
    changed = 0
    while changed < 8:
        if damaged[position - 1] != 0xFF and damaged[position] != 0xFF and damaged[position] ^ 0xFF != 0xFF:
            damaged[position] ^= 0xFF
            changed += 1
        position += 7
    return bytes(damaged)


def patch_jpeg_size(data, width, height):
    """`data` with the SOF0 frame header claiming `width` x `height`."""
    sof = data.index(b"\xff\xc0")
    return data[:sof + 5] + struct.pack(">HH", height, width) + data[sof + 9:]


def patch_png_size(data, width, height):
    """`data` with IHDR claiming `width` x `height`, its CRC recomputed (a valid header)."""
    ihdr = bytearray(data[12:29])  # type + 13 data bytes
    ihdr[4:12] = struct.pack(">II", width, height)
    return data[:12] + bytes(ihdr) + struct.pack(">I", zlib.crc32(bytes(ihdr))) + data[33:]


def many_scans_jpeg(levels=11):
    """A valid progressive 8x8 gray JPEG with 11 + 63 * 11 = 704 scans, written byte by byte
    (cjpeg and jpegtran refuse scan scripts of more than 100 scans): one block of mid-gray, so
    every coefficient is 0; the DC coefficient and each AC coefficient in its own band, each
    sent in 11 successive-approximation steps (Al = 10 first, then refinements down to 0).
    Each scan's data is one bit (Huffman code "0": DC difference 0, or EOB; or the DC
    refinement bit 0) padded with 1 bits: the byte 0x7F."""
    def segment(marker, payload):
        return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload

    def scan(start, end, high, low):
        return segment(0xDA, bytes([1, 1, 0x00, start, end, high << 4 | low])) + b"\x7f"

    one_code = bytes([1] + [0] * 15) + b"\x00"  # a single code of length 1 for symbol 0
    data = b"\xff\xd8"
    data += segment(0xDB, b"\x00" + bytes([1] * 64))                  # DQT 0: all 1
    data += segment(0xC2, bytes([8, 0, 8, 0, 8, 1, 1, 0x11, 0]))      # SOF2: 8x8, 1 component
    data += segment(0xC4, b"\x00" + one_code)                        # DHT: DC table 0
    data += segment(0xC4, b"\x10" + one_code)                        # DHT: AC table 0
    top = levels - 1
    data += scan(0, 0, 0, top) + b"".join(scan(0, 0, a, a - 1) for a in range(top, 0, -1))
    for k in range(1, 64):
        data += scan(k, k, 0, top) + b"".join(scan(k, k, a, a - 1) for a in range(top, 0, -1))
    return data + b"\xff\xd9"


def write_saturated_photo(width=200, height=150):
    rng = np.random.default_rng(7)
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    ramp = np.clip(x / width * 1.6 - 0.3, 0, 1)[..., None]
    pixels = ramp * np.array([255.0, 0, 0]) + (1 - ramp) * np.array([0, 0, 255.0])
    image = Image.fromarray(pixels.astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(image)
    colours = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0), (255, 0, 255), (0, 255, 255), (255, 128, 0)]
    for index in range(10):
        x0, y0 = int(rng.integers(0, width - 20)), int(rng.integers(0, height - 20))
        w, h = int(rng.integers(20, width // 2)), int(rng.integers(15, height // 2))
        shape = draw.ellipse if index % 2 else draw.rectangle
        shape([x0, y0, x0 + w, y0 + h], fill=colours[index % len(colours)])
    noisy = np.asarray(image).astype(np.float64) + rng.normal(0, 6, (height, width, 3))
    Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8)).save(path("saturated_photo_200x150_q90.jpg"), quality=90)


def make_sources():
    base = photo(200, 150)
    base.save(path("photo_200x150_q85.jpg"), quality=85)
    base.save(path("photo_200x150_progressive.jpg"), quality=85, progressive=True)
    base.save(path("photo_200x150_orientation_6.jpg"), quality=85, exif=exif(6))
    base.convert("L").save(path("photo_gray_200x150.jpg"), quality=85)
    base.convert("CMYK").save(path("photo_cmyk_200x150.jpg"), quality=90)
    write("photo_ycck_200x150.jpg", ycck_jpeg(base))
    write("photo_200x150_422_cjpeg.jpg", cjpeg(base, "-quality", "80", "-sample", "2x1"))
    write("photo_200x150_progressive_cjpeg.jpg", cjpeg(base, "-quality", "80", "-progressive"))

    # Saturated colour blocks: the decoded RGB clips at 0 and 255 where chroma is strong.
    rng = np.random.default_rng(5)
    blocks = rng.choice([0, 40, 215, 255], (4, 6, 3)).astype(np.uint8)
    Image.fromarray(blocks).resize((48, 32), Image.Resampling.NEAREST).save(path("saturated_48x32_q90.jpg"), quality=90)

    # A photo of saturated colours (pure primaries and secondaries, smooth ramps into them,
    # noise): its RGB decode clips on many pixels, so Pillow's L differs from the luma channel
    # also after a resize (what --exact-gray is for).
    write_saturated_photo()

    # Low bit depths and tRNS on gray and truecolour images.
    tiny = photo(16, 8, seed=6)
    tiny.convert("1").save(path("gray1_16x8.png"))                        # 1-bit gray
    tiny.convert("L").save(path("gray_trns_16x8.png"), transparency=int(np.asarray(tiny.convert("L"))[0, 0]))
    tiny.save(path("rgb_trns_16x8.png"), transparency=tuple(int(v) for v in np.asarray(tiny)[0, 0]))

    small = photo(80, 60, seed=2)
    alpha = alpha_mask(80, 60)
    rgba = small.convert("RGBA")
    rgba.putalpha(Image.fromarray(alpha))
    rgba.save(path("photo_rgba_80x60.png"))
    gray_alpha = small.convert("LA")
    gray_alpha.putalpha(Image.fromarray(alpha))
    gray_alpha.save(path("photo_gray_alpha_80x60.png"))
    palette = small.convert("P", palette=Image.Palette.ADAPTIVE, colors=32)
    palette.save(path("photo_palette_trns_80x60.png"), transparency=bytes((i * 37) % 256 for i in range(32)))
    array = np.asarray(small).astype(np.uint16)
    rng = np.random.default_rng(3)
    wide = array * 257 + rng.integers(-128, 128, array.shape)  # low bytes that matter for rounding
    wide = np.clip(wide, 0, 65535).astype(np.uint16)
    write("photo_rgb16_80x60.png",
          png_bytes(png.Writer(80, 60, greyscale=False, bitdepth=16), wide.reshape(60, -1).tolist()))
    write("photo_gray16_80x60.png",
          png_bytes(png.Writer(80, 60, greyscale=True, bitdepth=16), wide[..., 1].tolist()))
    write("photo_interlaced_80x60.png",
          png_bytes(png.Writer(80, 60, greyscale=False, bitdepth=8, interlace=True),
                    np.asarray(small).reshape(60, -1).tolist()))

    # Damaged and hostile files.
    corrupt = corrupt_entropy(read("photo_200x150_q85.jpg"))
    assert "Corrupt JPEG data" in djpeg_warnings(corrupt), "the damage must make libjpeg warn"
    write("corrupt_entropy_200x150.jpg", corrupt)
    write("huge_60000x60000.jpg", patch_jpeg_size(read("rgb_8x6_q90.jpg"), 60000, 60000))
    write("huge_100000x100000.png", patch_png_size(read("rgb_8x6.png"), 100000, 100000))
    many = many_scans_jpeg()
    assert many.count(b"\xff\xda") == 704 and djpeg_warnings(many) == ""
    assert np.asarray(Image.open(io.BytesIO(many))).tolist() == [[128] * 8] * 8
    write("scans_704_8x8.jpg", many)


# --------------------------------------------------------------------------- references

def png_bit_depth(name):
    return read(name)[24]  # IHDR: signature 8, length 4, type 4, width 4, height 4, depth


def pillow_pipeline(name, gray, mode=None, size=None, draft=None, luma=True):
    """Pillow's reference preprocessing of source `name` (see the module docstring); with
    `draft` = d, the JPEG is decoded at scale 1/d by libjpeg (Pillow's `draft`), in gray
    straight from the luma channel when `gray` and `luma`, else in RGB (then convert("L"))."""
    image = Image.open(source_path(name))
    if draft:
        scaled = (-(-image.width // draft), -(-image.height // draft))  # ceil, as libjpeg
        image.draft("L" if gray and luma else "RGB", (image.width // draft, image.height // draft))
        assert image.size == scaled
    image = ImageOps.exif_transpose(image)
    if image.mode in ("I;16", "I;16B", "I"):
        # 16-bit gray: scaled as libpng does, not clipped as Pillow's convert("L") does.
        values = np.asarray(image).astype(np.int64)
        image = Image.fromarray(((values * 255 + 32767) // 65535).astype(np.uint8), "L").convert("RGB")
    elif name.endswith(".png") and png_bit_depth(name) == 16 and image.mode == "RGB":
        # 16-bit RGB: Pillow keeps the high byte; read the 16-bit samples and scale them.
        width, height, rows, _ = png.Reader(filename=source_path(name)).asDirect()
        values = np.vstack([np.asarray(row, np.int64) for row in rows]).reshape(height, width, 3)
        image = Image.fromarray(((values * 255 + 32767) // 65535).astype(np.uint8), "RGB")
    elif image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (BACKGROUND,) * 3 + (255,))
        image = Image.alpha_composite(white, rgba).convert("RGB")
    else:
        image = image.convert("RGB")
    if gray:
        image = image.convert("L")
    if mode == "stretch":
        image = image.resize(size, BILINEAR)
    elif mode == "crop":
        image = ImageOps.fit(image, size, BILINEAR)
    elif mode == "pad":
        image = ImageOps.pad(image, size, BILINEAR, color=PAD)
    return image


def netpbm(image):
    magic = b"P5" if image.mode == "L" else b"P6"
    return magic + f"\n{image.width} {image.height}\n255\n".encode() + image.tobytes()


def reference(name, mode=None, size=None, draft=None):
    label = "full" if mode is None else f"{mode}.{size[0]}x{size[1]}"
    if draft:
        label = f"draft{draft}.{label}"
    for gray in (False, True):
        image = pillow_pipeline(name, gray, mode, size, draft)
        colour, extension = ("gray", "pgm") if gray else ("rgb", "ppm")
        write(f"{name}.{label}.{colour}.{extension}", netpbm(image))


# The 8x6 fixtures of make_fixtures.py: references at full size (decoder cases).
FULL_SIZE = [
    "rgb_8x6_q90.jpg", "gray_8x6.jpg", "cmyk_8x6.jpg", "ycck_8x6.jpg", "progressive_8x6.jpg",
    *[f"exif_orientation_{n}_8x6.jpg" for n in range(1, 9)], "exif_littleendian_orientation_6_8x6.jpg",
    "rgb_8x6.png", "rgba_8x6.png", "gray_8x6.png", "gray16_8x6.png", "gray_alpha_8x6.png",
    "palette_trns_8x6.png", "interlaced_8x6.png", "exif_orientation_6_8x6.png",
]

# The photos: resized references (resize parity, and the DCT-scaled path's tolerance).
PHOTOS = [
    "photo_200x150_q85.jpg", "photo_200x150_progressive.jpg", "photo_200x150_orientation_6.jpg",
    "photo_gray_200x150.jpg", "photo_cmyk_200x150.jpg", "photo_ycck_200x150.jpg",
    "photo_200x150_422_cjpeg.jpg", "photo_200x150_progressive_cjpeg.jpg",
    "photo_rgba_80x60.png", "photo_gray_alpha_80x60.png", "photo_palette_trns_80x60.png",
    "photo_rgb16_80x60.png", "photo_gray16_80x60.png", "photo_interlaced_80x60.png",
]


# Sizes at which dsprep's DCT-scaled path picks scale 1/2, 1/4 or 1/8 for a 200x150 photo
# (the smallest n/8 whose output covers what the resize reads), with Pillow's draft scale.
DRAFT_CASES = [
    ("stretch", (80, 60), 2), ("crop", (90, 60), 2), ("pad", (80, 80), 2),
    ("stretch", (40, 30), 4), ("crop", (30, 30), 4), ("pad", (40, 40), 4),
    ("stretch", (20, 15), 8),
]


def exact_gray_reference(name, mode, size, draft):
    """<source>.draft<d>.<mode>.<W>x<H>.exactgray.pgm: decoded in RGB at scale 1/d (`draft`),
    then ImageOps.grayscale (convert("L")) and the resize: what --exact-gray must give."""
    image = pillow_pipeline(name, True, mode, size, draft, luma=False)
    write(f"{name}.draft{draft}.{mode}.{size[0]}x{size[1]}.exactgray.pgm", netpbm(image))


def make_references():
    for name in FULL_SIZE + ["saturated_48x32_q90.jpg", "gray1_16x8.png", "gray_trns_16x8.png", "rgb_trns_16x8.png"]:
        reference(name)
    for mode, size, draft in DRAFT_CASES:
        reference("photo_200x150_q85.jpg", mode, size, draft)
    reference("photo_200x150_orientation_6.jpg", "stretch", (60, 80), 2)
    for name in PHOTOS:
        reference(name, "stretch", (40, 40))
    for mode in ("stretch", "crop", "pad"):
        for size in ((40, 40), (32, 48), (64, 24)):
            reference("photo_200x150_q85.jpg", mode, size)
        reference("photo_200x150_orientation_6.jpg", mode, (32, 48))
        reference("rgb_8x6_q90.jpg", mode, (20, 20))   # enlarging
        reference("photo_rgba_80x60.png", mode, (48, 32))
    # --exact-gray: Pillow's L of the RGB decode, at full size and at DCT scale 1/2 and 1/4.
    reference("saturated_photo_200x150_q90.jpg")
    reference("saturated_photo_200x150_q90.jpg", "stretch", (64, 48))
    reference("saturated_photo_200x150_q90.jpg", "stretch", (80, 60), 2)
    exact_gray_reference("saturated_photo_200x150_q90.jpg", "stretch", (80, 60), 2)
    exact_gray_reference("saturated_photo_200x150_q90.jpg", "pad", (40, 40), 4)


def main():
    for name in os.listdir(HERE):
        if name.endswith((".jpg", ".png", ".ppm", ".pgm")):
            os.remove(path(name))
    make_sources()
    make_references()


if __name__ == "__main__":
    main()
