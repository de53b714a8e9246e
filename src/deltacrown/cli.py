"""The ``deltacrown`` command line: the management commands an operator or organizer needs.

``deltacrown bracket`` runs the pure-Python competition engine and needs no database; every
other command runs inside Django (any Django management command works too).
"""

from __future__ import annotations

import os
import sys

USAGE = """usage: deltacrown <command> [options]

commands:
  serve             serve HTTP and WebSocket (--host, --port, --workers)
  worker            run the background task consumer
  migrate           create or update the database schema
  demo              seed the demo admin and demo data (idempotent)
  createadmin       create or update a platform administrator
  checkpoint        export every event stream's head, signed with the server's Ed25519 key
  verify-integrity  check every event stream's hash chain (--checkpoint FILE to prove extension)
  bracket           build and inspect brackets with the competition engine (no database)

Every Django management command is available too (deltacrown help --commands).
"""

ALIASES = {"verify-integrity": "verify_integrity"}


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help"}:
        sys.stdout.write(USAGE)
        return 0
    if args[0] == "bracket":
        from deltacrown.engine.cli import main as engine_main

        return int(engine_main(args[1:]) or 0)
    args[0] = ALIASES.get(args[0], args[0])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deltacrown.config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["deltacrown", *args])
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
