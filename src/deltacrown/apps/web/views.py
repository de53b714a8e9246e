"""Web app, HTTP layer: server-rendered pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def home(request: HttpRequest) -> HttpResponse:
    """The landing page: where to go next on this instance."""
    return render(request, "web/home.html", {})
