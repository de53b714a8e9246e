"""Kernel layer: writing signed checkpoints to files (on demand and on a schedule).

A checkpoint anchors the event chains outside the database only once it is stored where the
database's administrators cannot rewrite it. The periodic task writes one into
``settings.CHECKPOINT_DIR`` every hour and keeps the newest ``settings.CHECKPOINT_KEEP``; point
that directory at storage replicated off the machine (or ship the files with your backups).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from deltacrown.kernel.integrity import create_checkpoint

FILE_PREFIX = "checkpoint-"


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` so that readers see the old or the new file, never half."""
    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as tmp:
            tmp.write(text)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.chmod(tmp_name, 0o644)  # a checkpoint is public evidence, not a secret
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def write_checkpoint_into(directory: Path, *, keep: int) -> Path:
    """Write a new checkpoint file into ``directory`` and prune all but the newest ``keep``.

    File names sort by creation time (``checkpoint-<UTC timestamp>.json``).
    """
    directory.mkdir(parents=True, exist_ok=True)
    document = create_checkpoint()
    stamp = document["created_at"].replace(":", "").replace("-", "")
    path = directory / f"{FILE_PREFIX}{stamp}.json"
    write_atomically(path, render(document))
    existing = sorted(directory.glob(f"{FILE_PREFIX}*.json"))
    for old in existing[: max(0, len(existing) - max(1, keep))]:
        old.unlink(missing_ok=True)
    return path
