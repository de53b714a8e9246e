"""Accounts test factories: users, and helpers that sign in through the HTTP API."""

from __future__ import annotations

from typing import Any

import factory
from django.test import Client

from deltacrown.apps.accounts.models import User

PASSWORD = "Correct-Horse-Battery-42"
API = "/api/v1"


class UserFactory(factory.django.DjangoModelFactory):
    """An active player whose password is ``PASSWORD`` (pass ``password=`` to change it)."""

    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"player{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    display_name = factory.Sequence(lambda n: f"Player {n}")

    @classmethod
    def _create(cls, model_class: type[User], *args: Any, **kwargs: Any) -> User:
        password = kwargs.pop("password", PASSWORD)
        return model_class.objects.create_user(*args, password=password, **kwargs)


def post_json(client: Client, path: str, body: dict[str, Any], **extra: Any) -> Any:
    return client.post(f"{API}{path}", body, content_type="application/json", **extra)


def obtain_tokens(client: Client, user: User, password: str = PASSWORD) -> dict[str, Any]:
    """Sign in through POST /auth/token and return the token pair."""
    response = post_json(client, "/auth/token", {"username": user.username, "password": password})
    assert response.status_code == 200, response.content
    return response.json()


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}
