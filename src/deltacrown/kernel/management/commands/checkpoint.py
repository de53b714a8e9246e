"""Kernel layer, CLI: ``deltacrown checkpoint`` — export the signed heads of every event stream.

Prints the checkpoint document (JSON) on stdout, or writes it to ``--output FILE``, and a
one-line summary on stderr. Store the documents somewhere the database's administrators cannot
rewrite (another machine, object storage with retention, a transparency log): later,
``deltacrown verify-integrity --checkpoint FILE`` proves the log still extends them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from deltacrown.kernel.checkpoint_files import render, write_atomically
from deltacrown.kernel.integrity import create_checkpoint


def _plain(text: str) -> str:
    return text


class Command(BaseCommand):
    help = "Export every event stream's head, signed with the server's Ed25519 key."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--output",
            "-o",
            metavar="FILE",
            help="write the checkpoint to FILE (replaced atomically) instead of stdout",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        document = create_checkpoint()
        text = render(document)
        output = options.get("output")
        if output:
            path = Path(output)
            try:
                write_atomically(path, text)
            except OSError as exc:
                self.stderr.write(f"cannot write checkpoint to {path}: {exc.strerror or exc}")
                raise SystemExit(2) from exc
        else:
            self.stdout.write(text, ending="")
        heads = document["streams"]
        summary = (
            f"checkpoint {document['created_at']}: {len(heads)} streams, "
            f"{sum(head['seq'] for head in heads)} events, signed with key {document['key_id']}"
        )
        if output:
            summary += f", written to {output}"
        self.stderr.write(summary, style_func=_plain)
