"""Kernel layer, CLI: ``deltacrown worker`` — the background task consumer (Huey)."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the background task consumer (periodic tasks included unless --no-periodic)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--workers", type=int, default=2, help="worker threads (default 2)")
        parser.add_argument(
            "--no-periodic",
            action="store_true",
            help="do not schedule periodic tasks (run them on exactly one worker machine)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        call_command(
            "run_huey",
            workers=options["workers"],
            worker_type="thread",
            periodic=not options["no_periodic"],
        )
