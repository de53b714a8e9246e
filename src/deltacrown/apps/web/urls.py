"""Web app: URL routes for pages."""

from __future__ import annotations

from django.urls import path

from deltacrown.apps.web import views

urlpatterns = [
    path("", views.home, name="home"),
]
