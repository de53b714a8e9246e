"""Registrations app, payment proofs: the result type, the refusals, the limits and the
signature checks shared by the image and PDF inspections."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from deltacrown.kernel.errors import PayloadTooLarge, ValidationFailed, field_error

MAX_PROOF_BYTES = 5 * 1024 * 1024
# 25 megapixels covers 24 MP cameras, 4K/5K screenshots and long scrolling phone screenshots,
# while bounding the memory one decode may take (about 100 MB at four bytes a pixel).
MAX_PROOF_PIXELS = 25_000_000
# Object streams are decompressed to be searched; a Flate bomb stops here.
MAX_PDF_DECODED_BYTES = 32 * 1024 * 1024
# Bounds the work of lexing a PDF body made of millions of tiny tokens.
MAX_PDF_TOKENS = 1_000_000
PROOF_FIELD = "file"


@dataclass(frozen=True)
class Proof:
    """An accepted payment proof: what to store and how to serve it."""

    kind: str  # "jpeg" | "png" | "pdf"
    content: bytes = field(repr=False)  # images re-encoded without metadata, PDFs as received
    extension: str  # ".jpg" | ".png" | ".pdf"
    content_type: str  # "image/jpeg" | "image/png" | "application/pdf"


class ProofRejected(ValidationFailed):
    """The uploaded payment proof cannot be accepted; the subclass's ``code`` says why."""

    def __init__(self, detail: str, **data: Any) -> None:
        super().__init__(detail, errors=[field_error(PROOF_FIELD, self.code, detail)], **data)


class ProofEmpty(ProofRejected):
    """The uploaded file has no content."""

    code = "proof_empty"


class ProofTooLarge(ProofRejected, PayloadTooLarge):
    """The file is over 5 MB, or would decode to more than is processed (pixels, PDF streams).

    413 like the platform's other size limits (``avatar_too_large``), yet still a
    :class:`ProofRejected` so callers handle every refusal in one place.
    """

    code = "proof_too_large"
    http_status = 413
    title = "Payload too large"


class ProofTypeUnsupported(ProofRejected):
    """The content is not a JPG, PNG or PDF (whatever the file is named)."""

    code = "proof_type_unsupported"


class ProofExtensionMismatch(ProofRejected):
    """The content is an accepted type, but the file name's extension names another."""

    code = "proof_extension_mismatch"


class ProofCorrupt(ProofRejected):
    """The file is truncated, damaged or structured in a way that cannot be checked."""

    code = "proof_corrupt"


class ProofPolyglot(ProofRejected):
    """The file is valid as one type but also carries another type's data or appended data."""

    code = "proof_polyglot"


class ProofPdfActiveContent(ProofRejected):
    """The PDF can act when opened: JavaScript, launch or automatic actions, attachments."""

    code = "proof_pdf_active_content"


class ProofPdfEncrypted(ProofRejected):
    """The PDF is encrypted or password-protected."""

    code = "proof_pdf_encrypted"


# kind -> (stored extension, content type, what a player calls it, Pillow format)
_KINDS = {
    "jpeg": (".jpg", "image/jpeg", "JPG image", "JPEG"),
    "png": (".png", "image/png", "PNG image", "PNG"),
    "pdf": (".pdf", "application/pdf", "PDF document", ""),
}
_EXTENSION_KINDS = {"jpg": "jpeg", "jpeg": "jpeg", "png": "png", "pdf": "pdf"}

_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_JPEG_MAGIC = b"\xff\xd8\xff"
_PDF_HEADER = re.compile(rb"%PDF-(?:1\.[0-7]|2\.0)[\x00\t\n\x0c\r %]")
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}

# --- Signatures of other formats --------------------------------------------------------------

_MARKUP = re.compile(rb"(?i:<(?:script|html|!doctype\s+html|iframe|\?php))")
_FOREIGN_IN_IMAGE = re.compile(rb"%PDF-|(?i:<(?:script|html|!doctype\s+html|iframe|\?php))")
_ZIP_ENTRY = b"PK\x03\x04"
_ZIP_END = b"PK\x05\x06"
# A ZIP reader looks for its end record in the last 64 KiB (+ the record itself) of a file.
_ZIP_END_WINDOW = 65_535 + 22


def _reject_zip(data: bytes, label: str, regions: list[tuple[int, int]]) -> None:
    """Refuse a ZIP end record where ZIP readers look for one, or ZIP entries in ``regions``.

    Entry headers are four bytes, so they are only searched where compressed data cannot
    produce them by chance (metadata, PDF syntax), not in pixel or stream data.
    """
    found = data.find(_ZIP_END, max(0, len(data) - _ZIP_END_WINDOW)) >= 0
    found = found or any(data.find(_ZIP_ENTRY, start, end) >= 0 for start, end in regions)
    if found:
        raise ProofPolyglot(
            f"The file is a {label} but also contains a ZIP archive; upload the original file."
        )


class _Malformed(Exception):
    """Internal: the bytes do not follow the format's structure."""
