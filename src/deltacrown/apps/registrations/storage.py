"""Registrations app, storage: the private file store of entry-fee payment proofs.

Proofs are personal documents (bank transfers, receipts); they are kept in the kernel's private
file store (``kernel.private_files``: outside ``MEDIA_ROOT``, random names), and the only way
out is the permission-checked download endpoint.
"""

from __future__ import annotations

from deltacrown.kernel import private_files

PROOF_DIRECTORY = "payment-proofs"


def proof_save(*, tournament_id: int, content: bytes, extension: str) -> str:
    """Store ``content`` under a new random name ending in ``extension`` (".png") and return
    the storage name."""
    return private_files.save(
        directory=PROOF_DIRECTORY, owner=tournament_id, content=content, extension=extension
    )


def proof_read(name: str) -> bytes:
    """The stored proof's bytes."""
    return private_files.read(name)


def proof_delete(name: str) -> None:
    """Remove a stored proof; a proof that is already gone is not an error."""
    private_files.delete(name)
