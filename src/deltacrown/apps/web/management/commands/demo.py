"""Web app, CLI: ``deltacrown demo`` — seed the demo data (idempotent) and print how to use it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from deltacrown.apps.web import demo


class Command(BaseCommand):
    help = "Create the demo administrator and demo data if missing (safe to run again)."

    def handle(self, *args: Any, **options: Any) -> None:
        summary = demo.seed()
        base = settings.PUBLIC_URL
        self.stdout.write(
            "\n".join(
                [
                    "",
                    "DeltaCrown demo is ready"
                    + (
                        f" ({summary.created_players} players created)."
                        if summary.created_players
                        else "."
                    ),
                    f"  Home            {base}/",
                    f"  API docs        {base}/api/v1/docs",
                    f"  Tournaments     {base}/api/v1/tournaments"
                    f"  ({len(summary.tournament_slugs)} demo tournaments,"
                    f" {len(summary.team_ids)} demo teams)",
                    "  Registrations   "
                    + (
                        ", ".join(
                            f"{n} {s}" for s, n in sorted(summary.registrations_by_state.items())
                        )
                        or "none"
                    ),
                    "  Matches         "
                    + (
                        ", ".join(f"{n} {s}" for s, n in sorted(summary.matches_by_state.items()))
                        or "none"
                    ),
                    f"  Admin           {base}/admin/",
                    f"  Admin login     {summary.admin_username} / {summary.admin_password}",
                    f"  Player logins   {', '.join(summary.player_usernames)}"
                    f" / {summary.player_password}",
                    "",
                ]
            )
        )
