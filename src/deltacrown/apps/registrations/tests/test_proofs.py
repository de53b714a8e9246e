"""Payment-proof inspection: what a player may upload as proof of an entry-fee payment.

The corpus is generated here (Pillow for images, hand-written PDF bytes), so the repository holds
no binary samples. Each refused file is checked for the code and message a player would get.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import ExifTags, Image, ImageCms
from PIL.PngImagePlugin import PngInfo

from deltacrown.apps.registrations.proofs import (
    MAX_PROOF_BYTES,
    MAX_PROOF_PIXELS,
    Proof,
    ProofRejected,
    inspect_proof,
)
from deltacrown.kernel.errors import PayloadTooLarge

# --- Corpus: images ---------------------------------------------------------------------------

RED, BLUE = (220, 20, 20), (20, 20, 220)


def _image(size: tuple[int, int] = (48, 32), mode: str = "RGB") -> Image.Image:
    """Top half red, bottom half blue, so a rotation is visible in the pixels."""
    image = Image.new("RGB", size, RED)
    image.paste(BLUE, (0, size[1] // 2, size[0], size[1]))
    return image.convert(mode)


def _encode(image: Image.Image, image_format: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, format=image_format, **options)
    return out.getvalue()


def _jpeg(**options) -> bytes:
    return _encode(_image(), "JPEG", **options)


def _png(**options) -> bytes:
    return _encode(_image(), "PNG", **options)


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _png_before_end(png: bytes, chunk: bytes) -> bytes:
    """Insert a chunk just before IEND (the last 12 bytes)."""
    return png[:-12] + chunk + png[-12:]


def _png_declaring(width: int, height: int) -> bytes:
    """A small file whose header claims ``width`` by ``height`` pixels (a decompression bomb)."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 1024)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", pixels)
        + _png_chunk(b"IEND", b"")
    )


def _jpeg_declaring(width: int, height: int) -> bytes:
    data = bytearray(_jpeg())
    frame = data.index(b"\xff\xc0")
    struct.pack_into(">HH", data, frame + 5, height, width)
    return bytes(data)


def _jpeg_with_comment(comment: bytes) -> bytes:
    jpeg = _jpeg()
    segment = b"\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment
    return jpeg[:2] + segment + jpeg[2:]


def _zip(**files: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return out.getvalue()


def _text_info(key: str, value: str) -> PngInfo:
    info = PngInfo()
    info.add_text(key, value)
    return info


def _exif_with_gps(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "PhoneMaker"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (52.0, 22.0, 1.5)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (4.0, 53.0, 2.5)
    return exif


# --- Corpus: PDFs -----------------------------------------------------------------------------

CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
PAGES = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
PAGE = (
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 144] /Contents 4 0 R"
    b" /Resources << /Font << /F1 5 0 R >> >> >>"
)
FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
TEXT = b"BT /F1 18 Tf 24 72 Td (Entry fee paid: 10 EUR) Tj ET"


def _stream(entries: bytes, payload: bytes) -> bytes:
    return b"<< %s /Length %d >>\nstream\n%s\nendstream" % (entries, len(payload), payload)


def _assemble(objects: list[bytes], *, trailer: bytes = b"", version: bytes = b"1.4") -> bytes:
    """Objects numbered from 1, a classic cross-reference table with exact offsets, a trailer."""
    out = bytearray(b"%PDF-" + version + b"\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    table = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\n" % (len(objects) + 1, trailer)
    out += b"startxref\n%d\n%%%%EOF\n" % table
    return bytes(out)


def _pdf(
    *extra: bytes,
    catalog: bytes = CATALOG,
    page: bytes = PAGE,
    contents: bytes | None = None,
    trailer: bytes = b"",
    version: bytes = b"1.4",
) -> bytes:
    """A one-page PDF saying the fee was paid; ``extra`` objects are numbered from 6."""
    objects = [catalog, PAGES, page, contents or _stream(b"", TEXT), FONT, *extra]
    return _assemble(objects, trailer=trailer, version=version)


def _pdf_with_object_stream(
    *objects: bytes,
    entries: bytes = b"/Type /ObjStm",
    filter_name: bytes = b"/FlateDecode",
    encode=zlib.compress,
) -> bytes:
    """A PDF 1.5 file: ``objects`` (1..k) inside an object stream, found via an xref stream."""
    objects = objects or (CATALOG, PAGES, b"<< /Type /Page /Parent 2 0 R >>")
    count = len(objects)
    offsets, position = [], 0
    for number, body in enumerate(objects, start=1):
        offsets.append(b"%d %d" % (number, position))
        position += len(body) + 1
    head = b" ".join(offsets) + b"\n"
    packed = encode(head + b"\n".join(objects) + b"\n")
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    object_stream_at = len(out)
    entries += b" /N %d /First %d /Filter %s" % (count, len(head), filter_name)
    out += b"%d 0 obj\n%s\nendobj\n" % (count + 1, _stream(entries, packed))
    xref_at = len(out)
    rows = [b"\x00\x00\x00\x00\x00\xff\xff"]
    rows += [b"\x02" + struct.pack(">IH", count + 1, index) for index in range(count)]
    rows += [b"\x01" + struct.pack(">IH", at, 0) for at in (object_stream_at, xref_at)]
    xref = b"/Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Filter /FlateDecode" % (count + 3)
    out += b"%d 0 obj\n%s\nendobj\n" % (count + 2, _stream(xref, zlib.compress(b"".join(rows))))
    out += b"startxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)


def _catalog_with(entries: bytes) -> bytes:
    return b"<< /Type /Catalog /Pages 2 0 R %s >>" % entries


def _rejection(filename: str, data: bytes) -> ProofRejected:
    with pytest.raises(ProofRejected) as caught:
        inspect_proof(filename, data)
    return caught.value


# --- Accepted files ---------------------------------------------------------------------------


def test_plain_jpeg_png_and_pdf_are_accepted_with_their_type():
    jpeg, png, pdf = (
        inspect_proof("receipt.jpg", _jpeg()),
        inspect_proof("receipt.png", _png()),
        inspect_proof("receipt.pdf", _pdf()),
    )
    assert (jpeg.kind, jpeg.extension, jpeg.content_type) == ("jpeg", ".jpg", "image/jpeg")
    assert (png.kind, png.extension, png.content_type) == ("png", ".png", "image/png")
    assert (pdf.kind, pdf.extension, pdf.content_type) == ("pdf", ".pdf", "application/pdf")
    assert Image.open(io.BytesIO(jpeg.content)).size == (48, 32)
    assert Image.open(io.BytesIO(png.content)).getpixel((0, 31)) == BLUE
    assert pdf.content == _pdf()  # PDFs are stored as received


def test_jpeg_loses_exif_and_gps_and_is_turned_upright():
    original = _encode(_image((48, 32)), "JPEG", exif=_exif_with_gps(orientation=6).tobytes())
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert b"PhoneMaker" in original

    proof = inspect_proof("photo.jpg", original)

    stored = Image.open(io.BytesIO(proof.content))
    assert stored.format == "JPEG"
    assert "exif" not in stored.info
    assert dict(stored.getexif()) == {}
    assert b"PhoneMaker" not in proof.content
    # Orientation 6 means "rotate 90° clockwise to display": the red top half ends up right.
    assert stored.size == (32, 48)
    left, right = stored.getpixel((3, 24)), stored.getpixel((28, 24))
    assert left[2] > 150 > left[0]
    assert right[0] > 150 > right[2]


def test_jpeg_loses_icc_profile_comment_and_xmp():
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    original = _jpeg(
        icc_profile=profile, comment=b"taken at home", xmp=b"<x:xmpmeta>me</x:xmpmeta>"
    )
    assert {"icc_profile", "comment", "xmp"} <= set(Image.open(io.BytesIO(original)).info)

    proof = inspect_proof("photo.jpeg", original)

    stored = Image.open(io.BytesIO(proof.content))
    assert not {"icc_profile", "comment", "xmp"} & set(stored.info)
    assert b"taken at home" not in proof.content
    assert b"xmpmeta" not in proof.content


def test_png_loses_text_chunks_exif_and_icc_profile():
    text = PngInfo()
    text.add_text("Author", "Alice Example")
    text.add_itxt("Location", "Home address", zip=True)
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    original = _png(pnginfo=text, icc_profile=profile, exif=_exif_with_gps().tobytes())
    assert {"icc_profile", "exif", "Author"} <= set(Image.open(io.BytesIO(original)).info)

    proof = inspect_proof("screenshot.png", original)

    stored = Image.open(io.BytesIO(proof.content))
    assert stored.text == {}
    assert not {"icc_profile", "exif"} & set(stored.info)
    for chunk in (b"tEXt", b"iTXt", b"zTXt", b"iCCP", b"eXIf", b"Alice"):
        assert chunk not in proof.content


def test_png_transparency_survives_the_re_encoding():
    image = Image.new("P", (8, 8), 0)
    image.putpalette([0, 0, 0, 255, 255, 255])
    image.paste(1, (4, 0, 8, 8))
    proof = inspect_proof("badge.png", _encode(image, "PNG", transparency=0))

    stored = Image.open(io.BytesIO(proof.content)).convert("RGBA")
    assert stored.getpixel((0, 0))[3] == 0
    assert stored.getpixel((6, 0)) == (255, 255, 255, 255)


def test_cmyk_jpeg_is_stored_as_rgb():
    proof = inspect_proof("scan.jpg", _encode(_image(mode="CMYK"), "JPEG"))
    assert Image.open(io.BytesIO(proof.content)).mode == "RGB"


def test_multi_picture_jpeg_from_a_phone_keeps_only_the_main_picture():
    depth_map = Image.new("RGB", (48, 32), (90, 90, 90))
    original = _encode(_image(), "MPO", save_all=True, append_images=[depth_map])
    assert Image.open(io.BytesIO(original)).n_frames == 2

    proof = inspect_proof("portrait.jpg", original)

    stored = Image.open(io.BytesIO(proof.content))
    assert (stored.format, getattr(stored, "n_frames", 1)) == ("JPEG", 1)
    assert b"MPF\x00" not in proof.content


def test_extension_is_matched_case_insensitively_and_path_parts_are_ignored():
    assert inspect_proof("RECEIPT.PNG", _png()).kind == "png"
    assert inspect_proof("Receipt.JpEg", _jpeg()).kind == "jpeg"
    assert inspect_proof("bank.statement.May.Pdf", _pdf()).kind == "pdf"
    assert inspect_proof("C:\\fakepath\\receipt.png", _png()).kind == "png"
    assert inspect_proof("uploads/receipt.jpg ", _jpeg()).kind == "jpeg"


def test_a_file_of_exactly_five_megabytes_is_accepted():
    png = _png()
    filler = _png_chunk(b"deLa", b"\x00" * (MAX_PROOF_BYTES - len(png) - 12))
    original = _png_before_end(png, filler)
    assert len(original) == MAX_PROOF_BYTES

    proof = inspect_proof("big.png", original)

    assert len(proof.content) < 1024


@pytest.mark.parametrize(
    "pdf",
    [
        pytest.param(_pdf(version=b"1.7"), id="pdf-1.7"),
        pytest.param(_pdf(version=b"2.0"), id="pdf-2.0"),
        pytest.param(
            _pdf(contents=_stream(b"/Filter /FlateDecode", zlib.compress(TEXT))),
            id="compressed-page",
        ),
        pytest.param(_pdf_with_object_stream(), id="object-and-xref-streams"),
        pytest.param(
            _pdf_with_object_stream(
                encode=lambda data: zlib.compress(data).hex().encode() + b">",
                filter_name=b"[/ASCIIHexDecode /FlateDecode]",
            ),
            id="object-stream-hex-then-flate",
        ),
        pytest.param(_pdf(catalog=_catalog_with(b"/OpenAction [3 0 R /Fit]")), id="open-at-page"),
        pytest.param(
            _pdf(
                b"<< /Title (How to avoid /JavaScript and /Launch in a PDF) >>",
                trailer=b"/Info 6 0 R",
            ),
            id="names-only-inside-a-string",
        ),
        pytest.param(
            _pdf(b"<< /Type /Annot /Subtype /Link /A << /S /URI /URI (https://example.com) >> >>"),
            id="web-link",
        ),
    ],
)
def test_ordinary_pdfs_are_accepted(pdf):
    assert inspect_proof("statement.pdf", pdf).content == pdf


def test_proof_repr_leaves_out_the_file_content():
    proof = inspect_proof("receipt.png", _png())
    assert isinstance(proof, Proof)
    assert repr(proof) == "Proof(kind='png', extension='.png', content_type='image/png')"


# --- Refusals: size, type and name ------------------------------------------------------------


def test_empty_file_is_refused():
    refused = _rejection("receipt.png", b"")
    assert refused.code == "proof_empty"
    assert refused.detail == "The file is empty."


def test_file_one_byte_over_five_megabytes_is_refused_as_too_large():
    refused = _rejection("receipt.png", _png() + b"\x00" * (MAX_PROOF_BYTES + 1 - len(_png())))

    assert refused.code == "proof_too_large"
    assert isinstance(refused, PayloadTooLarge)
    problem = refused.to_problem()
    assert problem["status"] == 413
    assert problem["max_bytes"] == MAX_PROOF_BYTES
    assert problem["errors"] == [
        {"field": "file", "code": "proof_too_large", "message": refused.detail}
    ]


@pytest.mark.parametrize(
    ("filename", "bomb"),
    [
        ("bomb.png", _png_declaring(50_000, 50_000)),
        ("bomb.png", _png_declaring(5_000, MAX_PROOF_PIXELS // 5_000 + 1)),
        ("bomb.jpg", _jpeg_declaring(30_000, 30_000)),
    ],
    ids=["png-2.5-gigapixels", "png-just-over-25-megapixels", "jpeg-900-megapixels"],
)
def test_decompression_bomb_is_refused_before_it_is_decoded(filename, bomb):
    assert len(bomb) < 2048
    refused = _rejection(filename, bomb)
    assert refused.code == "proof_too_large"
    assert refused.to_problem()["max_pixels"] == MAX_PROOF_PIXELS
    assert "at most 25 megapixels" in refused.detail


@pytest.mark.parametrize(
    ("filename", "data", "detected"),
    [
        ("receipt.png", _encode(_image(), "GIF"), "gif"),
        ("receipt.png", _encode(_image(), "WEBP"), "webp"),
        ("receipt.png", _encode(_image(), "BMP"), "bmp"),
        ("receipt.png", b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64, "heic"),
        (
            "receipt.png",
            b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>',
            "svg",
        ),
        ("receipt.pdf", b"<!DOCTYPE html>\n<html><body>Paid!</body></html>", "html"),
        ("receipt.pdf", _zip(**{"receipt.txt": b"paid"}), "zip"),
        ("receipt.pdf", b"Paid 10 EUR on 1 May.\n", "unknown"),
    ],
    ids=["gif", "webp", "bmp", "heic", "svg", "html", "zip", "text"],
)
def test_files_of_other_types_are_refused_whatever_their_name(filename, data, detected):
    refused = _rejection(filename, data)
    assert refused.code == "proof_type_unsupported"
    assert refused.to_problem()["detected"] == detected
    assert "only JPG, PNG and PDF" in refused.detail or "only those" in refused.detail


def test_gif_refusal_tells_the_player_what_the_file_is():
    refused = _rejection("receipt.png", _encode(_image(), "GIF"))
    assert refused.detail == "The file is a GIF image; only JPG, PNG and PDF files are accepted."


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        ("receipt.jpg", _png(), "The file looks like a PNG image but is named .jpg"),
        ("receipt.png", _pdf(), "The file looks like a PDF document but is named .png"),
        ("receipt.png", _jpeg(), "The file looks like a JPG image but is named .png"),
        ("receipt.gif", _png(), "The file looks like a PNG image but is named .gif"),
        ("receipt", _png(), "The file looks like a PNG image but its name has no extension"),
        ("receipt.pdf\x00.exe", _pdf(), "The file looks like a PDF document but is named .exe"),
        ("receipt.p*f", _pdf(), "but its name has an unexpected extension"),
    ],
    ids=[
        "png-as-jpg",
        "pdf-as-png",
        "jpeg-as-png",
        "png-as-gif",
        "no-extension",
        "nul-byte",
        "odd",
    ],
)
def test_content_that_does_not_match_the_extension_is_refused(filename, data, message):
    refused = _rejection(filename, data)
    assert refused.code == "proof_extension_mismatch"
    assert message in refused.detail


# --- Refusals: damaged files ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "data"),
    [
        ("receipt.jpg", _jpeg()[: len(_jpeg()) * 6 // 10]),
        ("receipt.jpg", _jpeg()[:-2]),
        ("receipt.png", _png()[: len(_png()) * 6 // 10]),
        ("receipt.png", _png()[:-12]),
        ("receipt.pdf", _pdf()[: len(_pdf()) * 6 // 10]),
        ("receipt.pdf", _pdf()[:-4]),
    ],
    ids=["jpeg-60%", "jpeg-no-end", "png-60%", "png-no-end", "pdf-60%", "pdf-no-end"],
)
def test_truncated_files_are_refused_as_corrupt(filename, data):
    refused = _rejection(filename, data)
    assert refused.code == "proof_corrupt"
    assert "damaged or incomplete" in refused.detail or "incomplete" in refused.detail


def test_png_with_a_damaged_chunk_is_refused_as_corrupt():
    data = bytearray(_png())
    data[40] ^= 0x01  # inside IHDR or IDAT: the chunk's CRC no longer matches
    assert _rejection("receipt.png", bytes(data)).code == "proof_corrupt"


@pytest.mark.parametrize(
    "pdf",
    [
        pytest.param(_pdf(version=b"9.9"), id="unknown-version"),
        pytest.param(_pdf().replace(b"startxref", b"startxrex"), id="no-startxref"),
        pytest.param(_pdf().replace(b"\n%%EOF", b"7\n%%EOF"), id="startxref-to-nowhere"),
        pytest.param(_pdf().replace(b"/Root", b"/Roto"), id="no-root"),
        pytest.param(_pdf(b"<< /Title (never closed >>"), id="unterminated-string"),
        pytest.param(
            _pdf_with_object_stream(filter_name=b"/LZWDecode", encode=lambda data: data),
            id="object-stream-unreadable",
        ),
        pytest.param(
            _pdf(b"<< /Producer (x) >>\n% 9 0 obj << /S /JavaScript /JS (app.alert(1)) >> endobj"),
            id="object-hidden-in-comment",
        ),
        pytest.param(
            _pdf(b"<< /Title (9 0 obj << /S /Launch /F (calc.exe) >> endobj) >>"),
            id="object-hidden-in-string",
        ),
    ],
)
def test_pdf_that_is_malformed_or_hides_objects_is_refused_as_corrupt(pdf):
    assert _rejection("statement.pdf", pdf).code == "proof_corrupt"


# --- Refusals: polyglots ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "data"),
    [
        pytest.param("receipt.png", _png() + _pdf(), id="png+appended-pdf"),
        pytest.param("receipt.jpg", _jpeg() + _zip(payload=b"x" * 100), id="jpeg+appended-zip"),
        pytest.param("receipt.png", _png() + _zip(**{"a.class": b"\xca\xfe"}), id="gifar-like"),
        pytest.param("receipt.jpg", _jpeg() + b"<?php echo 1; ?>", id="jpeg+appended-php"),
        pytest.param("receipt.png", _png() + b"\x00\x00\x00\x00", id="png+appended-bytes"),
        pytest.param(
            "receipt.png",
            _png_before_end(_png(), _png_chunk(b"prVt", _zip(a=b"hidden"))),
            id="zip-inside-png-chunk",
        ),
        pytest.param(
            "receipt.png",
            _png(pnginfo=_text_info("Comment", "<html><script>alert(1)</script></html>")),
            id="html-in-png-text",
        ),
        pytest.param(
            "receipt.jpg", _jpeg_with_comment(b"<script>alert(1)</script>"), id="script-in-jpeg"
        ),
        pytest.param("receipt.pdf", b"\x89PNG\r\n\x1a\n" + _pdf(), id="pdf-behind-png-magic"),
        pytest.param("receipt.pdf", _jpeg_with_comment(_pdf()), id="pdf-in-jpeg-comment"),
        pytest.param(
            "receipt.pdf", b"<html><body>x</body></html>\n" + _pdf(), id="html-in-front-of-pdf"
        ),
        pytest.param(
            "receipt.pdf",
            _pdf(b"<< /Producer (<html><script>alert(1)</script></html>) >>"),
            id="html-inside-pdf",
        ),
        pytest.param("receipt.pdf", _pdf() + _zip(a=b"x" * 2000), id="pdf+appended-zip"),
        pytest.param("receipt.pdf", _pdf() + b"trailing", id="pdf+appended-bytes"),
        pytest.param(
            "receipt.pdf",
            _pdf(b"<< /Producer (x) >>\n%PK\x03\x04 hidden entry"),
            id="zip-entry-in-pdf-syntax",
        ),
    ],
)
def test_polyglot_files_are_refused(filename, data):
    refused = _rejection(filename, data)
    assert refused.code == "proof_polyglot"


def test_polyglot_refusal_names_what_was_found():
    refused = _rejection("receipt.png", _png() + _pdf())
    assert refused.detail.startswith("The file is a PNG image but also contains a PDF document")


# --- Refusals: active or encrypted PDFs -------------------------------------------------------

JS_ACTION = b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"


@pytest.mark.parametrize(
    ("pdf", "feature"),
    [
        pytest.param(
            _pdf(catalog=_catalog_with(b"/OpenAction " + JS_ACTION)), "JavaScript", id="open-js"
        ),
        pytest.param(
            _pdf(
                JS_ACTION,
                catalog=_catalog_with(b"/Names << /JavaScript << /Names [(a) 6 0 R] >> >>"),
            ),
            "JavaScript",
            id="document-js",
        ),
        pytest.param(
            _pdf(catalog=_catalog_with(b"/OpenAction << /S /Launch /F (calc.exe) >>")),
            "an action that launches programs",
            id="launch",
        ),
        pytest.param(
            _pdf(
                _stream(b"/Type /EmbeddedFile", b"MZ not a receipt"),
                b"<< /Type /Filespec /F (tool.exe) /EF << /F 6 0 R >> >>",
                catalog=_catalog_with(b"/Names << /EmbeddedFiles << /Names [(t) 7 0 R] >> >>"),
            ),
            "attached files",
            id="embedded-file",
        ),
        pytest.param(
            _pdf(page=PAGE[:-2] + b"/AA << /O << /S /URI /URI (https://example.com) >> >> >>"),
            "automatic actions",
            id="page-open-action",
        ),
        pytest.param(
            _pdf(catalog=_catalog_with(b"/OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >>")),
            "JavaScript",
            id="hex-escaped-names",
        ),
        pytest.param(
            _pdf_with_object_stream(
                _catalog_with(b"/OpenAction " + JS_ACTION),
                PAGES,
                b"<< /Type /Page /Parent 2 0 R >>",
            ),
            "JavaScript",
            id="js-inside-compressed-object-stream",
        ),
        pytest.param(
            _pdf_with_object_stream(
                _catalog_with(b"/OpenAction " + JS_ACTION),
                PAGES,
                b"<< /Type /Page /Parent 2 0 R >>",
                entries=b"/Subtype /Image",
            ),
            "JavaScript",
            id="js-inside-object-stream-posing-as-image",
        ),
    ],
)
def test_pdf_with_active_content_is_refused(pdf, feature):
    refused = _rejection("statement.pdf", pdf)
    assert refused.code == "proof_pdf_active_content"
    assert feature in refused.to_problem()["features"]
    assert feature in refused.detail


def test_encrypted_pdf_is_refused():
    security = b"<< /Filter /Standard /V 1 /R 2 /O <00112233> /U <44556677> /P -44 >>"
    pdf = _pdf(security, trailer=b"/Encrypt 6 0 R /ID [<0a0b> <0a0b>] ")

    refused = _rejection("statement.pdf", pdf)

    assert refused.code == "proof_pdf_encrypted"
    assert "password-protected" in refused.detail


def test_pdf_whose_object_stream_inflates_beyond_the_limit_is_refused_as_too_large():
    bomb = _pdf_with_object_stream(
        CATALOG, PAGES, b"<< /Type /Page /Parent 2 0 R >>" + b" " * (40 * 1024 * 1024)
    )
    assert len(bomb) < 100_000
    assert _rejection("statement.pdf", bomb).code == "proof_too_large"


def test_refusal_renders_as_a_422_problem_with_a_file_field_error():
    problem = _rejection("receipt.jpg", _png()).to_problem()
    assert problem["status"] == 422
    assert problem["code"] == "proof_extension_mismatch"
    assert problem["errors"][0]["field"] == "file"
    assert problem["errors"][0]["code"] == "proof_extension_mismatch"


# --- Fuzzing ----------------------------------------------------------------------------------

SEEDS = {
    "receipt.jpg": _encode(_image((16, 12)), "JPEG", exif=_exif_with_gps().tobytes()),
    "receipt.png": _encode(_image((16, 12)), "PNG", pnginfo=_text_info("Author", "A")),
    "receipt.pdf": _pdf(),
    "statement.pdf": _pdf_with_object_stream(),
}


def _accepted_or_refused_cleanly(filename: str, data: bytes) -> None:
    """Anything but a ProofRejected fails the test; an accepted proof must pass again as stored."""
    try:
        proof = inspect_proof(filename, data)
    except ProofRejected:
        return
    again = inspect_proof(f"stored{proof.extension}", proof.content)
    assert again.kind == proof.kind
    if proof.kind == "pdf":
        assert proof.content == data
    else:
        with Image.open(io.BytesIO(proof.content)) as stored:
            stored.load()


@settings(max_examples=200, deadline=None)
@given(
    filename=st.sampled_from(sorted(SEEDS)),
    prefix=st.sampled_from([b"", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"%PDF-1.4\n"]),
    noise=st.binary(max_size=2048),
)
def test_random_bytes_are_refused_cleanly(filename, prefix, noise):
    _accepted_or_refused_cleanly(filename, prefix + noise)


@settings(max_examples=300, deadline=None)
@given(
    filename=st.sampled_from(sorted(SEEDS)),
    flips=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 7)), max_size=6),
    keep=st.floats(0.5, 1),
    inserted=st.binary(max_size=16),
    inserted_at=st.floats(0, 1),
)
def test_mutated_valid_files_are_refused_cleanly_or_accepted_whole(
    filename, flips, keep, inserted, inserted_at
):
    data = bytearray(SEEDS[filename])
    for where, bit in flips:
        data[int(where * len(data))] ^= 1 << bit
    at = int(inserted_at * len(data))
    data[at:at] = inserted
    _accepted_or_refused_cleanly(filename, bytes(data[: max(1, int(keep * len(data)))]))
