"""Registrations over HTTP and in the Django admin."""
