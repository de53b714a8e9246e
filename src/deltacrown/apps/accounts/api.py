"""Accounts app, public interface: what other apps may import from accounts."""

from __future__ import annotations

# Default authentication for every API operation (filled in by the auth layer).
API_AUTH = None
