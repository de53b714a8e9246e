"""Accounts app: management commands."""
