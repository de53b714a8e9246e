"""Project configuration: settings, URL routing, ASGI entry points."""
