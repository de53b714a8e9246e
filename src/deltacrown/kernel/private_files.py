"""Kernel layer: the private file store (payment proofs, dispute evidence).

Private files are personal documents. They live under ``settings.PRIVATE_MEDIA_ROOT``, outside
``MEDIA_ROOT``, so no web server configured for public media ever serves them: the only way out
is an app's permission-checked download endpoint. Names are random, so a stored name reveals
nothing about its owner and cannot be guessed.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage

__all__ = ["delete", "read", "save", "storage"]


def storage() -> FileSystemStorage:
    """The private storage (read from settings on every call, so tests can point it elsewhere)."""
    return FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT, base_url=None)


def save(*, directory: str, owner: int, content: bytes, extension: str) -> str:
    """Store ``content`` as ``<directory>/<owner>/<random>.<extension>``; returns the name."""
    name = f"{directory}/{owner}/{secrets.token_hex(16)}.{extension.lstrip('.')}"
    return storage().save(name, ContentFile(content))


def read(name: str) -> bytes:
    """The stored file's bytes."""
    with storage().open(name, "rb") as handle:
        return handle.read()


def delete(name: str) -> None:
    """Remove a stored file; a file that is already gone is not an error."""
    if name:
        storage().delete(name)
