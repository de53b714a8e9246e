"""Configuration layer: URL routing for HTTP (API, admin, health, metrics, pages)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt

from deltacrown.config.api import api
from deltacrown.kernel import errors
from deltacrown.kernel.http import problem_response
from deltacrown.kernel.metrics import unmatched_route


@csrf_exempt  # no state changes here; a POST must get the problem, not the CSRF page
@unmatched_route  # metrics and logs label these "unmatched", keeping the label set bounded
def api_not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Unknown paths under /api/ answer with a problem, not an HTML page."""
    return problem_response(errors.NotFound("No such API endpoint."), request)


urlpatterns = [
    path("api/v1/", api.urls),
    re_path(r"^api/(?P<rest>.*)$", api_not_found),
    path("admin/", admin.site.urls),
    path("", include("deltacrown.kernel.urls")),
    path("", include("deltacrown.apps.web.urls")),
]
