"""Web app: URL routes of the pages (mounted at the site root by ``config.urls``)."""

from __future__ import annotations

from django.urls import path

from deltacrown.apps.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("tournaments/<slug:slug>/", views.tournament, name="tournament"),
    path("tournaments/<slug:slug>/<slug:tab>/", views.tournament, name="tournament-tab"),
    path("matches/<int:match_id>/", views.match, name="match"),
    path("teams/<int:team_id>/", views.team, name="team"),
    path("signin/", views.signin, name="signin"),
    path("signup/", views.signup, name="signup"),
    path("me/", views.profile, name="profile"),
    path("me/matches/", views.my_matches, name="my-matches"),
]
