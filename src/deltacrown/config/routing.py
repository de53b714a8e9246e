"""Configuration layer: WebSocket routing (the realtime app's consumers)."""

from __future__ import annotations

from deltacrown.apps.realtime.routing import websocket_urlpatterns

__all__ = ["websocket_urlpatterns"]
