"""Kernel layer, HTTP: platform administration endpoints (flags, audit)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["admin"])
