"""Realtime app, WebSocket routes (mounted by ``config.routing``)."""

from __future__ import annotations

from django.urls import path

from deltacrown.apps.realtime.consumers import MatchConsumer, TournamentConsumer

websocket_urlpatterns = [
    path("ws/tournaments/<int:object_id>/", TournamentConsumer.as_asgi()),
    path("ws/matches/<int:object_id>/", MatchConsumer.as_asgi()),
]
