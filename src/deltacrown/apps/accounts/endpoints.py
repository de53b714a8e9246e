"""Accounts app, HTTP layer: sign-up, tokens, sessions, profile."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["accounts"])
