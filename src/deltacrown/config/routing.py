"""Configuration layer: WebSocket routing (consumers are added by the realtime app)."""

from __future__ import annotations

from django.urls import URLPattern

websocket_urlpatterns: list[URLPattern] = []
