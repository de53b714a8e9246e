"""Accounts app, CLI: ``deltacrown createadmin`` — create or update a platform administrator.

Idempotent, so deployment scripts can run it on every start. The password comes from
``--password``, else the ``DELTACROWN_ADMIN_PASSWORD`` environment variable, else an
interactive prompt when stdin is a terminal; it is checked against the password policy.
"""

from __future__ import annotations

import getpass
import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from deltacrown.apps.accounts import services
from deltacrown.kernel.errors import DomainError

PASSWORD_ENV = "DELTACROWN_ADMIN_PASSWORD"  # noqa: S105 - the variable's name, not a secret


class Command(BaseCommand):
    help = "Create or update a platform administrator (staff and superuser); idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--username",
            default=os.environ.get("DELTACROWN_ADMIN_USERNAME", ""),
            help="the administrator's username (default: $DELTACROWN_ADMIN_USERNAME)",
        )
        parser.add_argument(
            "--email",
            default=os.environ.get("DELTACROWN_ADMIN_EMAIL", ""),
            help="the administrator's email address (default: $DELTACROWN_ADMIN_EMAIL)",
        )
        parser.add_argument(
            "--password",
            default=None,
            help=(
                f"the password; prefer ${PASSWORD_ENV} or the prompt, as command lines are "
                "visible to other users of the machine"
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        username = (options["username"] or "").strip()
        if not username:
            raise CommandError("--username is required (or set DELTACROWN_ADMIN_USERNAME).")
        password = options["password"] or os.environ.get(PASSWORD_ENV) or self._prompt()
        try:
            user, created = services.admin_ensure(
                username=username, email=options["email"] or "", password=password
            )
        except DomainError as exc:
            details = "; ".join(f"{e['field']}: {e['message']}" for e in exc.errors or [])
            raise CommandError(f"{exc.detail} {details}".strip()) from exc
        verb = "Created" if created else "Updated"
        self.stdout.write(self.style.SUCCESS(f"{verb} administrator account (id {user.pk})."))

    def _prompt(self) -> str:
        if not sys.stdin.isatty():
            raise CommandError(
                f"No password given: use --password, set {PASSWORD_ENV}, or run in a terminal."
            )
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("The passwords do not match.")
        if not password:
            raise CommandError("The password may not be empty.")
        return password
