"""Test URLconf: one operation per HTTP method behind the platform's default authentication."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import path
from ninja import NinjaAPI

from deltacrown.apps.accounts.api import API_AUTH, OPTIONAL_AUTH, auth_method
from deltacrown.kernel.ninja import ORJSONRenderer, install_error_handlers

api = NinjaAPI(urls_namespace="accounts-auth-tests", renderer=ORJSONRenderer(), auth=API_AUTH)
install_error_handlers(api)

METHODS = ["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"]


@api.api_operation(METHODS, "/echo")
def echo(request: HttpRequest) -> dict:
    return {"user_id": request.auth.pk, "method": str(auth_method(request))}


@api.get("/maybe", auth=OPTIONAL_AUTH)
def maybe(request: HttpRequest) -> dict:
    user = request.auth
    return {"user_id": user.pk if user.is_authenticated else None}


urlpatterns = [path("api/", api.urls)]
