"""Accounts app tests."""
