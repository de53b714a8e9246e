"""Web app, template helpers (the ``web`` template tag library)."""
