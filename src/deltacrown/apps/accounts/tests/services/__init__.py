"""Accounts app tests: services, the public api, commands."""
