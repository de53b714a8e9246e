"""Accounts app: Django application config; plugs the caller resolver into the kernel."""

from importlib.util import find_spec

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "deltacrown.apps.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from deltacrown.apps.accounts import api

        # The idempotency middleware scopes stored responses per caller; only this app knows
        # how to tell callers apart. Guarded so the app loads even without that kernel hook.
        if find_spec("deltacrown.kernel.idempotency") is None:
            return
        from deltacrown.kernel import idempotency

        register = getattr(idempotency, "register_caller_resolver", None)
        if register is not None:
            register(api.caller_key)
