"""Registrations app, payment proofs: the byte-level PDF reader that refuses active content."""

from __future__ import annotations

import base64
import binascii
import re
import zlib
from dataclasses import dataclass
from typing import Any

from deltacrown.apps.registrations.proofs.base import (
    _KINDS,
    _MARKUP,
    MAX_PDF_DECODED_BYTES,
    MAX_PDF_TOKENS,
    MAX_PROOF_BYTES,
    ProofCorrupt,
    ProofPdfActiveContent,
    ProofPdfEncrypted,
    ProofPolyglot,
    ProofTooLarge,
    _Malformed,
    _reject_zip,
)

# --- PDF --------------------------------------------------------------------------------------

_PDF_WHITESPACE = b"\x00\t\n\x0c\r "
_REGULAR = rb"[^\x00\t\n\x0c\r ()<>\[\]{}/%]"
_SKIP = re.compile(rb"(?:[\x00\t\n\x0c\r ]+|%[^\r\n]*)+")
_TOKEN = re.compile(
    rb"(<<)|(>>)|<[0-9A-Fa-f\x00\t\n\x0c\r ]*>|/("
    + _REGULAR
    + rb"*)|([\[\]{}(])|("
    + _REGULAR
    + rb"+)"
)
_INTEGER = re.compile(rb"[+-]?[0-9]+")
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_STRING_RUN = re.compile(rb"(?:[^()\\]+|\\.)*", re.DOTALL)
# Every place an object header could be found by a reader that scans the raw bytes.
_RAW_OBJECT_HEADER = re.compile(
    rb"(?<!"
    + _REGULAR
    + rb")[0-9]+[\x00\t\n\x0c\r ]+[0-9]+[\x00\t\n\x0c\r ]+obj(?!"
    + _REGULAR
    + rb")"
)
_ENDSTREAM = re.compile(rb"[\x00\t\n\x0c\r ]*endstream")
_STARTXREF = re.compile(rb"startxref[\x00\t\n\x0c\r ]+([0-9]{1,10})[\x00\t\n\x0c\r ]*%%EOF")
_XREF_AT = re.compile(
    rb"[\x00\t\n\x0c\r ]*(?:xref|[0-9]+[\x00\t\n\x0c\r ]+[0-9]+[\x00\t\n\x0c\r ]+obj)"
)

# Names whose presence means the PDF can act when opened, and how a player would call them.
_ACTIVE_NAMES = {
    "JavaScript": "JavaScript",
    "JS": "JavaScript",
    "Launch": "an action that launches programs",
    "EmbeddedFile": "attached files",
    "EmbeddedFiles": "attached files",
    "AA": "automatic actions",
    "RichMedia": "embedded media",
    "XFA": "an XFA form",
    "SubmitForm": "a form that sends data",
    "ImportData": "a form that imports data",
    "GoToE": "a link into attached files",
}
_END = object()
_STRING = object()


@dataclass(frozen=True)
class _Reference:
    number: int
    generation: int


@dataclass(frozen=True)
class _Stream:
    dictionary: dict[str, Any]
    start: int
    end: int


class _PdfLexer:
    """Reads PDF objects from ``data[pos:]`` and collects every name token it passes.

    Strings and comments are skipped (their content is not syntax); stream data is the
    caller's to skip. Values: ``dict``, ``list``, ``str`` (a name), ``int``, ``bytes`` (any
    other keyword or number), ``_Reference`` and ``_STRING``.
    """

    def __init__(self, data: bytes, pos: int = 0, *, tokens: int = 0) -> None:
        self.data = data
        self.pos = pos
        self.names: set[str] = set()
        self.tokens = tokens  # shared across the lexers of one file, against MAX_PDF_TOKENS
        self.token_start = pos

    def _token(self) -> tuple[int, Any] | None:
        data = self.data
        skipped = _SKIP.match(data, self.pos)
        if skipped:
            self.pos = skipped.end()
        if self.pos >= len(data):
            return None
        self._count()
        self.token_start = self.pos
        match = _TOKEN.match(data, self.pos)
        if match is None:
            raise _Malformed
        self.pos = match.end()
        group = match.lastindex or 0
        if group == 3:
            raw = match.group(3)
            if b"#" in raw:
                raw = _NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), raw)
            name = raw.decode("latin-1")
            self.names.add(name)
            return 3, name
        if group == 4 and match.group(4) == b"(":
            self._skip_string()
            return 0, _STRING
        if group == 5:
            word = match.group(5)
            return 5, int(word) if _INTEGER.fullmatch(word) else word
        return group, match.group(group) if group else _STRING  # 0: hex string

    def _count(self) -> None:
        self.tokens += 1
        if self.tokens > MAX_PDF_TOKENS:
            raise _TooComplex

    def _skip_string(self) -> None:
        depth = 1
        while depth:
            self.pos = _STRING_RUN.match(self.data, self.pos).end()  # always matches
            if self.pos >= len(self.data) or self.data[self.pos] not in b"()":
                raise _Malformed  # unterminated, or a lone backslash at the very end
            self._count()  # nested parentheses cost a step each
            depth += 1 if self.data[self.pos] == 0x28 else -1
            self.pos += 1

    def next_value(self) -> Any:
        """The next complete value, or ``_END`` at the end of the data."""
        stack: list[tuple[bytes, list[Any]]] = []
        while True:
            token = self._token()
            if token is None:
                if stack:
                    raise _Malformed
                return _END
            kind, value = token
            if kind == 1 or (kind == 4 and value in (b"[", b"{")):
                stack.append((value, []))
                if len(stack) > 100:
                    raise _Malformed
                continue
            if kind == 2 or (kind == 4 and value in (b"]", b"}")):
                opened = {b">>": b"<<", b"]": b"[", b"}": b"{"}[value]
                if not stack or stack[-1][0] != opened:
                    raise _Malformed
                _, items = stack.pop()
                value = _dictionary(items) if kind == 2 else items
            elif value == b"R" and stack:
                items = stack[-1][1]
                if len(items) >= 2 and all(type(item) is int for item in items[-2:]):
                    value = _Reference(items[-2], items[-1])
                    del items[-2:]
            if not stack:
                return value
            stack[-1][1].append(value)


class _TooComplex(Exception):
    """Internal: the PDF needs more work to check than a proof may cost."""


def _dictionary(items: list[Any]) -> dict[str, Any]:
    if len(items) % 2 or not all(isinstance(key, str) for key in items[::2]):
        raise _Malformed
    return dict(zip(items[::2], items[1::2], strict=True))


def _inspect_pdf(data: bytes) -> bytes:
    label = _KINDS["pdf"][2]
    if _MARKUP.search(data):
        raise ProofPolyglot(
            "The PDF also contains web page code; print or export it to PDF again and upload that."
        )
    _reject_zip(data, label, [])  # an appended archive would also hide the end of the PDF
    eof = data.rfind(b"%%EOF", max(0, len(data) - 1024))
    if eof < 0:
        raise ProofCorrupt("The PDF is incomplete (its end is missing); upload the whole file.")
    if data[eof + 5 :].strip(_PDF_WHITESPACE):
        raise ProofPolyglot("The PDF has extra data after its end; upload the original file.")
    try:
        names, streams, outside, tokens = _read_pdf_structure(data, eof)
        _reject_zip(data, label, outside)
        if "Encrypt" in names:
            raise ProofPdfEncrypted(
                "The PDF is encrypted or password-protected; print or export it to a new PDF "
                "without protection and upload that."
            )
        _reject_active(names)
        _reject_active(_object_stream_names(data, streams, tokens))
    except _Malformed:
        _reject_zip(data, label, [(0, len(data))])
        raise ProofCorrupt(
            "The PDF is damaged or uses a structure that cannot be checked; print or export it "
            "to PDF again and upload that."
        ) from None
    except _TooComplex:
        raise ProofTooLarge(
            "The PDF is too complex to check; print or export it to a simpler PDF.",
            max_bytes=MAX_PROOF_BYTES,
        ) from None
    return data


def _read_pdf_structure(
    data: bytes, eof: int
) -> tuple[set[str], list[_Stream], list[tuple[int, int]], int]:
    """Lex the whole file; return its names, streams, spans outside stream data, tokens read."""
    lexer = _PdfLexer(data)
    streams: list[_Stream] = []
    headers: set[int] = set()
    recent: list[tuple[Any, int]] = []  # the last top-level values and where they started
    seen_trailer, previous, resume = False, None, 0
    outside: list[tuple[int, int]] = []
    while (value := lexer.next_value()) is not _END:
        if value == b"stream":
            if not isinstance(previous, dict):
                raise _Malformed
            start, end, after = _stream_span(data, lexer.pos, previous)
            streams.append(_Stream(previous, start, end))
            outside.append((resume, start))
            lexer.pos = resume = after
            previous, recent = None, []
            continue
        if value == b"obj" and len(recent) >= 2:
            (number, number_at), (generation, _) = recent[-2:]
            if type(number) is int and type(generation) is int:
                headers.add(number_at)
        seen_trailer = seen_trailer or value == b"trailer"
        previous = value
        recent = [
            *recent[-1:],
            (value, lexer.token_start if not isinstance(value, (dict, list)) else -1),
        ]
    outside.append((resume, len(data)))
    if any(match.start() not in headers for match in _RAW_OBJECT_HEADER.finditer(data)):
        raise _Malformed  # an object hidden in a string, a comment or stream data
    if "Root" not in lexer.names:
        raise _Malformed
    _check_startxref(data, eof, seen_trailer)
    return lexer.names, streams, outside, lexer.tokens


def _stream_span(data: bytes, pos: int, dictionary: dict[str, Any]) -> tuple[int, int, int]:
    """Return (data start, data end, offset after ``endstream``) for a stream keyword at ``pos``."""
    if data.startswith(b"\r\n", pos):
        pos += 2
    elif data.startswith((b"\n", b"\r"), pos):
        pos += 1
    length = dictionary.get("Length")
    if type(length) is int and 0 <= length <= len(data) - pos:
        closing = _ENDSTREAM.match(data, pos + length)
        if closing:
            return pos, pos + length, closing.end()
    # Like readers, fall back to the first ``endstream`` when /Length is indirect or wrong.
    found = data.find(b"endstream", pos)
    if found < 0:
        raise _Malformed
    return pos, max(pos, found), found + len(b"endstream")


def _check_startxref(data: bytes, eof: int, seen_trailer: bool) -> None:
    start = data.rfind(b"startxref", max(0, eof - 1024), eof)
    found = _STARTXREF.match(data, start) if start >= 0 else None
    if found is None or found.end() != eof + 5:
        raise _Malformed
    offset = int(found.group(1))
    target = _XREF_AT.match(data, offset) if offset < len(data) else None
    if target is None:
        raise _Malformed
    if target.group().endswith(b"xref"):
        if not seen_trailer:
            raise _Malformed
        return
    xref_stream = _PdfLexer(data, target.end()).next_value()
    if not isinstance(xref_stream, dict) or xref_stream.get("Type") != "XRef":
        raise _Malformed


def _reject_active(names: set[str]) -> None:
    found = sorted({_ACTIVE_NAMES[name] for name in names if name in _ACTIVE_NAMES})
    if found:
        raise ProofPdfActiveContent(
            f"The PDF contains {', '.join(found)}, which is not accepted; print or export it "
            "to a plain PDF and upload that.",
            features=found,
        )


def _object_stream_names(data: bytes, streams: list[_Stream], tokens: int) -> set[str]:
    """Decode every stream a reader could take objects from and collect the names inside.

    Readers need /First to read an object stream and do not all check its /Type, so every
    stream with /First is treated as one.
    """
    names: set[str] = set()
    budget = MAX_PDF_DECODED_BYTES
    for stream in streams:
        if "First" not in stream.dictionary and stream.dictionary.get("Type") != "ObjStm":
            continue
        decoded = _decode(stream.dictionary, data[stream.start : stream.end], budget)
        budget -= len(decoded)
        lexer = _PdfLexer(decoded, tokens=tokens)
        while lexer.next_value() is not _END:
            pass
        names |= lexer.names
        tokens = lexer.tokens
    return names


def _decode(dictionary: dict[str, Any], payload: bytes, budget: int) -> bytes:
    filters = dictionary.get("Filter", [])
    parameters = dictionary.get("DecodeParms")
    if isinstance(filters, str):
        filters, parameters = [filters], [parameters]
    if not isinstance(filters, list) or not isinstance(parameters, (list, type(None), dict)):
        raise _Malformed
    if not isinstance(parameters, list):
        parameters = [parameters] * len(filters)
    for index, name in enumerate(filters):
        given = parameters[index] if index < len(parameters) else None
        predictor = given.get("Predictor", 1) if isinstance(given, dict) else 1
        if predictor != 1:
            raise _Malformed  # predictors are not used on object streams by real writers
        if name in ("FlateDecode", "Fl"):
            inflater = zlib.decompressobj()
            try:
                payload = inflater.decompress(payload, budget + 1)
            except zlib.error:
                raise _Malformed from None
        elif name in ("ASCIIHexDecode", "AHx"):
            payload = _ascii_hex(payload)
        elif name in ("ASCII85Decode", "A85"):
            payload = _ascii85(payload)
        else:
            raise _Malformed
        if len(payload) > budget:
            raise _TooComplex
    return payload


def _ascii_hex(payload: bytes) -> bytes:
    digits = payload.split(b">", 1)[0].translate(None, _PDF_WHITESPACE)
    try:
        return binascii.unhexlify(digits + b"0" * (len(digits) % 2))
    except binascii.Error:
        raise _Malformed from None


def _ascii85(payload: bytes) -> bytes:
    body = payload.split(b"~>", 1)[0].translate(None, _PDF_WHITESPACE)
    body = body.removeprefix(b"<~")
    try:
        return base64.a85decode(body)
    except ValueError:
        raise _Malformed from None
