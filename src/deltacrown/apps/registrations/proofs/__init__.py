"""Registrations app, payment-proof inspection: decides whether an uploaded proof may be stored.

Layer: a pure helper of the registrations services (no database, no Django). The payment
services call :func:`inspect_proof` on every upload before anything is written; what it returns
is the only thing that is stored and later served to the owner and the organizers.

What is accepted: JPG/JPEG, PNG and PDF, at most :data:`MAX_PROOF_BYTES`. The type is detected
from the content (magic bytes and a real parse) and must match the file name's extension.

- Images are walked structurally (PNG chunks with their CRCs, JPEG marker segments and scans)
  before Pillow sees them, so the pixel count is checked from the header (no decompression bomb
  is ever decoded) and anything after the end marker is caught. They are then fully decoded and
  re-encoded in the same format: EXIF (GPS positions), ICC profiles, XMP, text chunks and
  comments are dropped, the EXIF orientation is applied first. Multi-picture JPEGs from phone
  cameras (MPF) may carry their extra pictures after the first end marker; only the first is kept.
- PDFs are stored as received, so they are checked with a small byte-level reader: the
  ``%PDF-1.x`` (or ``2.0``) header at offset 0, ``%%EOF`` at the end with nothing after it,
  ``startxref`` pointing at an ``xref`` table (with a trailer) or an xref stream, a ``/Root``.
  Every dictionary outside stream data, and every object stream (decoded: Flate, ASCIIHex,
  ASCII85), is searched for active content by name, with ``#xx`` escapes decoded. Encrypted
  PDFs are refused (their object streams cannot be read). An object header that only appears
  inside a string, a comment or stream data is refused too: a reader that rebuilds a broken
  cross-reference table would find objects there that this check never saw.
- A file that is valid as one type but also carries another type's structure (a PDF or web page
  inside an image, a ZIP archive where a ZIP reader would look for it, data appended after the
  end) is refused as a polyglot.

The work one file may cost is bounded: more pixels, PDF tokens or decoded object-stream bytes
than the limits below refuse it as too large; more PNG chunks or JPEG segments than real files
have, as corrupt.

Every refusal is a :class:`ProofRejected` with a stable ``code`` (docs/errors.md, "Registrations —
payment proofs") and a message a player can act on. The one field error it carries is named
``file``.
"""

from __future__ import annotations

import re

from deltacrown.apps.registrations.proofs.base import (
    _EXTENSION_KINDS,
    _HEIF_BRANDS,
    _JPEG_MAGIC,
    _KINDS,
    _MARKUP,
    _PDF_HEADER,
    _PNG_MAGIC,
    MAX_PDF_DECODED_BYTES,
    MAX_PDF_TOKENS,
    MAX_PROOF_BYTES,
    MAX_PROOF_PIXELS,
    PROOF_FIELD,
    Proof,
    ProofCorrupt,
    ProofEmpty,
    ProofExtensionMismatch,
    ProofPdfActiveContent,
    ProofPdfEncrypted,
    ProofPolyglot,
    ProofRejected,
    ProofTooLarge,
    ProofTypeUnsupported,
)
from deltacrown.apps.registrations.proofs.images import _inspect_image
from deltacrown.apps.registrations.proofs.pdf import _inspect_pdf

__all__ = [
    "MAX_PDF_DECODED_BYTES",
    "MAX_PDF_TOKENS",
    "MAX_PROOF_BYTES",
    "MAX_PROOF_PIXELS",
    "PROOF_FIELD",
    "Proof",
    "ProofCorrupt",
    "ProofEmpty",
    "ProofExtensionMismatch",
    "ProofPdfActiveContent",
    "ProofPdfEncrypted",
    "ProofPolyglot",
    "ProofRejected",
    "ProofTooLarge",
    "ProofTypeUnsupported",
    "inspect_proof",
]


def inspect_proof(filename: str, data: bytes) -> Proof:
    """Check an uploaded payment proof and return what may be stored.

    ``filename`` is the name the client sent (only its extension is used); ``data`` the whole
    upload. Raises a :class:`ProofRejected` subclass: ``proof_empty``, ``proof_too_large``
    (413), ``proof_type_unsupported``, ``proof_extension_mismatch``, ``proof_corrupt``,
    ``proof_polyglot``, ``proof_pdf_active_content`` or ``proof_pdf_encrypted``. Decoding an
    image of up to 25 megapixels takes a noticeable fraction of a second; call it outside any
    database transaction.
    """
    data = bytes(data)
    if not data:
        raise ProofEmpty("The file is empty.")
    if len(data) > MAX_PROOF_BYTES:
        raise ProofTooLarge(
            "The file is larger than 5 MB; upload a smaller screenshot or a compressed PDF.",
            max_bytes=MAX_PROOF_BYTES,
        )
    kind = _sniff(data)
    content = _inspect_pdf(data) if kind == "pdf" else _inspect_image(kind, data)
    _check_extension(filename, kind)
    extension, content_type, _, _ = _KINDS[kind]
    return Proof(kind=kind, content=content, extension=extension, content_type=content_type)


# --- Type detection and the file name ---------------------------------------------------------


def _sniff(data: bytes) -> str:
    if data.startswith(_PNG_MAGIC):
        return "png"
    if data.startswith(_JPEG_MAGIC):
        return "jpeg"
    if data.startswith(b"%PDF-"):
        if not _PDF_HEADER.match(data):
            raise ProofCorrupt(
                "The PDF has an unknown version header; export or print it to PDF again."
            )
        return "pdf"
    if b"%PDF-" in data[:1024]:
        # PDF readers accept a header anywhere in the first kilobyte: whatever precedes it is
        # another format's content sharing the file.
        raise ProofPolyglot(
            "The file has other data in front of its PDF content; upload the original PDF."
        )
    detected, description = _describe_other(data)
    if detected:
        message = f"The file is {description}; only JPG, PNG and PDF files are accepted."
    else:
        message = "The file is not a JPG, PNG or PDF; only those files are accepted."
    raise ProofTypeUnsupported(message, detected=detected or "unknown")


def _describe_other(data: bytes) -> tuple[str, str]:
    """Name a common refused format, so the player knows what to convert."""
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif", "a GIF image"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp", "a WebP image"
    if data[4:8] == b"ftyp":
        if data[8:12] in (b"avif", b"avis"):
            return "avif", "an AVIF image"
        if data[8:12] in _HEIF_BRANDS:
            return "heic", "a HEIC photo (take a screenshot or export it as JPG)"
        return "media", "a video or other media file"
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff", "a TIFF image"
    if data[:2] == b"BM":
        return "bmp", "a BMP image"
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return "zip", "a ZIP archive or an office document"
    head = data[:1024].lstrip(b"\xef\xbb\xbf\x00\t\n\x0c\r ").lower()
    if b"<svg" in head:
        return "svg", "an SVG image"
    if _MARKUP.search(head) or head.startswith((b"<!doctype", b"<body", b"<head")):
        return "html", "a web page (HTML)"
    return "", ""


def _check_extension(filename: str, kind: str) -> None:
    base = re.split(r"[\\/]", filename or "")[-1].strip()
    _, dot, extension = base.rpartition(".")
    extension = extension.lower() if dot else ""
    if _EXTENSION_KINDS.get(extension) == kind:
        return
    stored, _, label, _ = _KINDS[kind]
    if not extension:
        named = "its name has no extension"
    elif re.fullmatch(r"[a-z0-9]{1,10}", extension):
        named = f"is named .{extension}"
    else:
        named = "its name has an unexpected extension"
    raise ProofExtensionMismatch(
        f"The file looks like a {label} but {named}; rename it to end in {stored} "
        "and upload it again.",
        detected=kind,
    )
