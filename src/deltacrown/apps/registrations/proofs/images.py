"""Registrations app, payment proofs: structural walk and re-encoding of PNG and JPEG images."""

from __future__ import annotations

import contextlib
import io
import struct
import zlib

from PIL import Image, ImageOps

from deltacrown.apps.registrations.proofs.base import (
    _FOREIGN_IN_IMAGE,
    _JPEG_MAGIC,
    _KINDS,
    _PNG_MAGIC,
    MAX_PROOF_PIXELS,
    ProofCorrupt,
    ProofPolyglot,
    ProofTooLarge,
    _Malformed,
    _reject_zip,
)

# --- Images -----------------------------------------------------------------------------------


def _inspect_image(kind: str, data: bytes) -> bytes:
    _, _, label, _ = _KINDS[kind]
    found = _FOREIGN_IN_IMAGE.search(data)
    if found:
        other = "a PDF document" if found.group().startswith(b"%") else "web page code"
        raise ProofPolyglot(
            f"The file is a {label} but also contains {other}; upload a plain screenshot "
            "or the original file."
        )
    try:
        end, (width, height), metadata = _walk_png(data) if kind == "png" else _walk_jpeg(data)
    except _Malformed:
        _reject_zip(data, label, [(0, len(data))])
        raise ProofCorrupt(
            f"The {label} is damaged or incomplete; upload the original file again."
        ) from None
    if end != len(data):
        raise ProofPolyglot(
            f"The {label} has extra data after its end; upload a plain screenshot "
            "or the original file."
        )
    _reject_zip(data, label, metadata)
    if width * height > MAX_PROOF_PIXELS:
        raise ProofTooLarge(
            f"The image is {width} by {height} pixels; at most 25 megapixels are accepted.",
            max_pixels=MAX_PROOF_PIXELS,
        )
    return _reencode(kind, data)


# Chunks (PNG) or segments (JPEG) per file: real files have a few hundred at most, and each
# costs a step of Python, so a file made of nothing else is refused quickly.
_MAX_IMAGE_PARTS = 20_000


def _walk_png(data: bytes) -> tuple[int, tuple[int, int], list[tuple[int, int]]]:
    """Walk the chunks after the signature; return (end of IEND, size, metadata spans)."""
    view = memoryview(data)
    pos, size, has_pixels = len(_PNG_MAGIC), (0, 0), False
    metadata: list[tuple[int, int]] = []
    for _ in range(_MAX_IMAGE_PARTS):
        if pos + 12 > len(data):
            raise _Malformed
        length, chunk_type = struct.unpack_from(">I4s", data, pos)
        end = pos + 12 + length
        if length > 0x7FFFFFFF or end > len(data) or not chunk_type.isalpha():
            raise _Malformed
        (crc,) = struct.unpack_from(">I", data, end - 4)
        if zlib.crc32(view[pos + 4 : end - 4]) != crc:
            raise _Malformed
        if pos == len(_PNG_MAGIC):
            if chunk_type != b"IHDR" or length != 13:
                raise _Malformed
            size = struct.unpack_from(">II", data, pos + 8)
            if not all(size):
                raise _Malformed
        elif chunk_type == b"IHDR":
            raise _Malformed
        if chunk_type == b"IEND":
            if not has_pixels:
                raise _Malformed
            return end, size, metadata
        if chunk_type == b"IDAT":
            has_pixels = True
        elif chunk_type != b"fdAT":
            metadata.append((pos + 8, end - 4))
        pos = end
    raise _Malformed


_SOF_MARKERS = frozenset(
    [*range(0xC0, 0xC4), *range(0xC5, 0xC8), *range(0xC9, 0xCC), *range(0xCD, 0xD0)]
)


def _walk_jpeg(data: bytes) -> tuple[int, tuple[int, int], list[tuple[int, int]]]:
    """Walk the first picture and any MPF pictures after it; return (end, size, metadata)."""
    metadata: list[tuple[int, int]] = []
    end, size, multi_picture = _walk_jpeg_picture(data, 0, metadata)
    if multi_picture:
        # Phone cameras store depth maps and previews as further complete JPEGs after the first.
        while data.startswith(_JPEG_MAGIC, end):
            end, _, _ = _walk_jpeg_picture(data, end, metadata)
    return end, size, metadata


def _walk_jpeg_picture(
    data: bytes, pos: int, metadata: list[tuple[int, int]]
) -> tuple[int, tuple[int, int], bool]:
    """Walk one SOI…EOI picture from ``pos``; return (end of EOI, size, has an MPF segment)."""
    pos += 2
    size: tuple[int, int] | None = None
    multi_picture = scanned = False
    while True:
        if pos >= len(data) or data[pos] != 0xFF:
            raise _Malformed
        while pos < len(data) and data[pos] == 0xFF:  # fill bytes
            pos += 1
        if pos >= len(data):
            raise _Malformed
        marker = data[pos]
        pos += 1
        if marker == 0xD9:
            if size is None or not scanned:
                raise _Malformed
            return pos, size, multi_picture
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:  # markers without a segment
            continue
        if marker in (0x00, 0xD8):
            raise _Malformed
        if pos + 2 > len(data):
            raise _Malformed
        (length,) = struct.unpack_from(">H", data, pos)
        end = pos + length
        if length < 2 or end > len(data):
            raise _Malformed
        if marker in _SOF_MARKERS:
            if size is not None or length < 8:
                raise _Malformed
            height, width = struct.unpack_from(">HH", data, pos + 3)
            if not height or not width:
                raise _Malformed
            size = (width, height)
        elif marker == 0xE2 and data.startswith(b"MPF\x00", pos + 2):
            multi_picture = True
        metadata.append((pos + 2, end))
        if len(metadata) > _MAX_IMAGE_PARTS:
            raise _Malformed
        pos = end
        if marker == 0xDA:
            if size is None:
                raise _Malformed
            scanned = True
            pos = _skip_entropy_coded(data, pos)


def _skip_entropy_coded(data: bytes, pos: int) -> int:
    """Return the offset of the marker that ends the scan data starting at ``pos``."""
    while True:
        found = data.find(b"\xff", pos)
        if found < 0 or found + 1 >= len(data):
            raise _Malformed
        following = data[found + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7:  # stuffed byte, restart marker
            pos = found + 2
        elif following == 0xFF:
            pos = found + 1
        else:
            return found


_PNG_MODES = frozenset({"1", "L", "LA", "I", "I;16", "P", "RGB", "RGBA"})


def _reencode(kind: str, data: bytes) -> bytes:
    _, _, label, pil_format = _KINDS[kind]
    try:
        with Image.open(io.BytesIO(data), formats=[pil_format]) as image:
            if image.width * image.height > MAX_PROOF_PIXELS:
                raise _Malformed
            image.load()
            # A damaged EXIF block only costs the orientation; the block is dropped anyway.
            with contextlib.suppress(Exception):
                ImageOps.exif_transpose(image, in_place=True)
            plain = _without_metadata(kind, image)
            out = io.BytesIO()
            if kind == "jpeg":
                plain.save(out, format="JPEG", quality=90)
            else:
                plain.save(out, format="PNG")
            return out.getvalue()
    except Exception as exc:
        # Pillow's decoders report hostile input with many exception types (OSError,
        # SyntaxError, ValueError, struct.error, ...); all mean the same to the player.
        raise ProofCorrupt(
            f"The {label} is damaged or incomplete; upload the original file again."
        ) from exc


def _without_metadata(kind: str, image: Image.Image) -> Image.Image:
    transparency = image.info.get("transparency")
    if kind == "jpeg" and image.mode not in ("L", "RGB"):
        image = image.convert("RGB")
    elif kind == "png" and image.mode not in _PNG_MODES:
        image, transparency = image.convert("RGBA"), None
    # EXIF, ICC profile, XMP, text chunks and comments all live in ``info`` and the encoders
    # copy some of them from there; only PNG transparency describes pixels, so it alone stays.
    keep = kind == "png" and transparency is not None  # palette index 0 is a valid value
    image.info = {"transparency": transparency} if keep else {}
    return image
