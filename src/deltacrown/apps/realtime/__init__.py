"""Realtime app: WebSocket streams of tournaments and matches, fed by the committed event log."""
