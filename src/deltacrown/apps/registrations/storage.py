"""Registrations app, storage: the private file store of entry-fee payment proofs.

Proofs are personal documents (bank transfers, receipts). They live under
``settings.PRIVATE_MEDIA_ROOT``, outside ``MEDIA_ROOT``, so no web server configured for public
media ever serves them: the only way out is the permission-checked download endpoint. Names are
random, so a stored name reveals nothing about the payer and cannot be guessed.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage

PROOF_DIRECTORY = "payment-proofs"


def proof_storage() -> FileSystemStorage:
    """The private storage (read from settings on every call, so tests can point it elsewhere)."""
    return FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT, base_url=None)


def proof_save(*, tournament_id: int, content: bytes, extension: str) -> str:
    """Store ``content`` under a new random name ending in ``extension`` (".png") and return
    the storage name."""
    name = f"{PROOF_DIRECTORY}/{tournament_id}/{secrets.token_hex(16)}.{extension.lstrip('.')}"
    return proof_storage().save(name, ContentFile(content))


def proof_read(name: str) -> bytes:
    """The stored proof's bytes."""
    with proof_storage().open(name, "rb") as handle:
        return handle.read()


def proof_delete(name: str) -> None:
    """Remove a stored proof; a proof that is already gone is not an error."""
    if name:
        proof_storage().delete(name)
