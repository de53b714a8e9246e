"""Accounts app: management commands (``deltacrown createadmin``)."""
