"""Kernel layer, HTTP middleware: ``Idempotency-Key`` for mutating API requests.

A client that may have to retry a POST, PUT, PATCH or DELETE under ``/api/`` sends a key of its
choice; the first response for (caller, method, path, key) is stored and every repeat gets that
response back with ``Idempotent-Replayed: true`` instead of running the request again. The same
key with a different body is refused (422 ``idempotency_key_reused``), a repeat that arrives while
the first request is still running is told to retry (409 ``idempotency_in_flight``) and a
malformed key is refused (400 ``idempotency_key_invalid``).

Crash safety: the key is claimed in its own short transaction; the request then runs inside one
transaction that also marks the claim completed with the response, so the side effects and the
stored response commit together or not at all. A claim whose request died is therefore "in flight"
with nothing committed, and is taken over after ``settings.IDEMPOTENCY_STALE_AFTER`` by exactly
one contender (a conditional UPDATE fenced on the claim's ``created_at``).

The caller is resolved by a function the accounts app registers with
``register_caller_resolver``; the kernel knows nothing about users. See docs/idempotency.md.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils import timezone

from deltacrown.kernel.errors import (
    BadRequest,
    Conflict,
    InternalError,
    PayloadTooLarge,
    ValidationFailed,
)
from deltacrown.kernel.http import problem_response

if TYPE_CHECKING:
    from deltacrown.kernel.models import IdempotencyRecord

logger = logging.getLogger("deltacrown.idempotency")

CallerResolver = Callable[[HttpRequest], str | None]

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
ANONYMOUS_SCOPE = "anonymous"
MUTATING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
API_PREFIX = "/api/"
MAX_KEY_LENGTH = 255

# Headers that belong to the resource or representation and so must come back on a replay.
# Per-request or per-session headers (Set-Cookie, X-Request-ID, Vary, ...) are never replayed:
# a stored Set-Cookie would hand one session's cookie to whoever repeats the request.
STORED_HEADERS = (
    "Content-Type",
    "Content-Disposition",
    "Content-Language",
    "Location",
    "ETag",
    "Last-Modified",
    "Link",
)

# 401: the caller could not be established, so the scope the answer would be filed under is
# not the caller's; the retry with fixed credentials must run. 429: nothing ran; the client is
# told to retry later and that retry must be able to run.
_NOT_STORED_STATUSES = frozenset({401, 429})

_PRINTABLE_ASCII = re.compile(rf"[\x20-\x7e]{{1,{MAX_KEY_LENGTH}}}")

# Bounded so a pathological interleaving (records deleted and re-created under us over and over)
# ends in a 409 the client can retry rather than a loop.
_MAX_CLAIM_ATTEMPTS = 5

# The model's column widths; longer values are replaced by their digest so they still scope.
_MAX_SCOPE_LENGTH = 128
_MAX_PATH_LENGTH = 512

_caller_resolver: CallerResolver | None = None


def register_caller_resolver(fn: CallerResolver | None) -> None:
    """Install the function that names the caller of a request, e.g. ``"user:42"``.

    The accounts app calls this from its ``AppConfig.ready()``. The function returns None for an
    anonymous request; keys sent without a known caller share the ``"anonymous"`` scope. Passing
    None removes the resolver.
    """
    global _caller_resolver  # one process-wide hook, set once at start-up
    _caller_resolver = fn


def current_caller_resolver() -> CallerResolver | None:
    """The installed caller resolver, if any (so a test can restore it)."""
    return _caller_resolver


def request_fingerprint(body: bytes, content_type: str) -> str:
    """SHA-256 (hex) over the content type and the body, encoded without ambiguity."""
    media = content_type.strip().encode("latin-1")
    digest = hashlib.sha256()
    digest.update(len(media).to_bytes(8, "big"))
    digest.update(media)
    digest.update(body)
    return digest.hexdigest()


def purge_expired_idempotency_records(
    *, now: datetime | None = None, batch_size: int = 1000
) -> int:
    """Delete records whose retention ended; returns how many were deleted.

    Deletes in batches so a large backlog never holds long locks on the table.
    """
    model = _record_model()
    now = now or timezone.now()
    deleted = 0
    while True:
        ids = list(
            model.objects.filter(expires_at__lte=now)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            return deleted
        count, _ = model.objects.filter(pk__in=ids, expires_at__lte=now).delete()
        deleted += count


def _record_model() -> type[IdempotencyRecord]:
    # Imported on use: accounts registers its resolver while the app registry may still be
    # loading, and importing the models module then would fail.
    from deltacrown.kernel.models import IdempotencyRecord

    return IdempotencyRecord


def _bounded(value: str, limit: int) -> str:
    if len(value) <= limit:
        return value
    return "sha256:" + hashlib.sha256(value.encode("utf-8")).hexdigest()


def _valid_key(key: str) -> bool:
    return bool(_PRINTABLE_ASCII.fullmatch(key)) and bool(key.strip())


def _caller_scope(request: HttpRequest) -> str:
    resolver = _caller_resolver
    caller = resolver(request) if resolver is not None else None
    return _bounded(caller or ANONYMOUS_SCOPE, _MAX_SCOPE_LENGTH)


def _in_flight(request: HttpRequest) -> HttpResponse:
    return problem_response(
        Conflict(
            "A request with this Idempotency-Key is still being processed; retry shortly.",
            code="idempotency_in_flight",
            headers={"Retry-After": "1"},
        ),
        request,
    )


def _replay(record: IdempotencyRecord) -> HttpResponse:
    response = HttpResponse(bytes(record.response_body or b""), status=record.status_code)
    for name, value in (record.response_headers or {}).items():
        response[name] = value
    response[REPLAYED_HEADER] = "true"
    return response


@dataclass(frozen=True)
class _Claim:
    """This request's hold on a record; ``token`` is the ``created_at`` it wrote.

    Every later write to the record is conditional on the token, so a request whose claim was
    taken over (it was presumed dead) can neither complete nor release the new owner's claim.
    """

    record_id: int
    token: datetime


@dataclass(frozen=True)
class _Target:
    scope: str
    method: str
    path: str
    key: str
    fingerprint: str


class IdempotencyMiddleware:
    """Honour ``Idempotency-Key`` on POST/PUT/PATCH/DELETE under ``/api/``.

    Sync-only on purpose: under ASGI Django runs it in a worker thread together with the sync
    view, so the claim, the view's queries and the completion share one database connection and
    one transaction.
    """

    sync_capable = True
    async_capable = False

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        key = request.headers.get(HEADER)
        if (
            key is None
            or request.method not in MUTATING_METHODS
            or not request.path_info.startswith(API_PREFIX)
        ):
            return self.get_response(request)

        if not _valid_key(key):
            return problem_response(
                BadRequest(
                    f"{HEADER} must be 1 to {MAX_KEY_LENGTH} printable ASCII characters.",
                    code="idempotency_key_invalid",
                ),
                request,
            )
        try:
            body = request.body
        except RequestDataTooBig:
            return problem_response(
                PayloadTooLarge(
                    f"Requests with an {HEADER} may carry at most "
                    f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes.",
                ),
                request,
            )

        target = _Target(
            scope=_caller_scope(request),
            method=str(request.method),
            path=_bounded(request.path, _MAX_PATH_LENGTH),
            key=key,
            fingerprint=request_fingerprint(body, request.META.get("CONTENT_TYPE", "")),
        )
        outcome = self._claim(request, target)
        if isinstance(outcome, HttpResponseBase):
            return outcome
        return self._execute(request, outcome)

    # --- claim ---------------------------------------------------------------------------------

    def _claim(self, request: HttpRequest, target: _Target) -> _Claim | HttpResponse:
        """Claim the key, or answer from (or about) the record that already holds it."""
        model = _record_model()
        ttl = settings.IDEMPOTENCY_TTL
        for _attempt in range(_MAX_CLAIM_ATTEMPTS):
            now = timezone.now()
            try:
                # Its own short transaction: the claim must be visible to concurrent repeats
                # while this request runs, and must not be undone by the request's rollback.
                with transaction.atomic():
                    record = model.objects.create(
                        scope=target.scope,
                        method=target.method,
                        path=target.path,
                        key=target.key,
                        fingerprint=target.fingerprint,
                        created_at=now,
                        expires_at=now + ttl,
                    )
                return _Claim(record.pk, now)
            except IntegrityError:
                pass

            record = model.objects.filter(
                scope=target.scope, method=target.method, path=target.path, key=target.key
            ).first()
            if record is None:
                continue  # released or purged since our insert failed: claim again
            if record.expires_at <= now:
                # Past its retention: as if absent. Conditional, so a fresh record that replaced
                # it in the meantime survives.
                model.objects.filter(pk=record.pk, expires_at__lte=now).delete()
                continue
            if record.fingerprint != target.fingerprint:
                return problem_response(
                    ValidationFailed(
                        f"This {HEADER} was already used with a different request body.",
                        code="idempotency_key_reused",
                    ),
                    request,
                )
            if record.completed_at is not None:
                return _replay(record)
            if record.created_at > now - settings.IDEMPOTENCY_STALE_AFTER:
                return _in_flight(request)
            # The first request has run for longer than any request may: its process died, and
            # since its work commits only together with the completion, nothing of it exists.
            # The conditional UPDATE lets exactly one contender take it over.
            taken = model.objects.filter(
                pk=record.pk, completed_at__isnull=True, created_at=record.created_at
            ).update(created_at=now, expires_at=now + ttl)
            if taken:
                logger.warning(
                    "idempotency claim taken over",
                    extra={"record_id": record.pk, "method": target.method},
                )
                return _Claim(record.pk, now)
        return _in_flight(request)

    # --- execute -------------------------------------------------------------------------------

    def _execute(self, request: HttpRequest, claim: _Claim) -> HttpResponseBase:
        """Run the request and store its response in the same transaction as its effects."""
        completed = False
        try:
            with transaction.atomic():
                response = self.get_response(request)
                if response.status_code >= 500:
                    # Nothing of a failed request may persist, so the client's retry (with the
                    # same key) runs against the state it saw before.
                    transaction.set_rollback(True)
                elif transaction.get_rollback():
                    # An inner block doomed this transaction (an error swallowed inside
                    # ``atomic(savepoint=False)`` or a save): the view's writes are lost.
                    logger.error(
                        "request transaction doomed; response not stored",
                        extra={"record_id": claim.record_id, "status": response.status_code},
                    )
                    if response.status_code < 400:
                        response = problem_response(InternalError(), request)
                elif self._storable(response):
                    completed = self._complete(claim, response)
                    if not completed:
                        # Presumed dead and taken over by another request, which now owns the
                        # key: undo this run so the key's effects happen once.
                        transaction.set_rollback(True)
                        logger.warning(
                            "idempotency claim lost to a takeover; request rolled back",
                            extra={"record_id": claim.record_id},
                        )
                        response = _in_flight(request)
        finally:
            if not completed:
                self._release(claim)
        return response

    @staticmethod
    def _storable(response: HttpResponseBase) -> bool:
        return not response.streaming and response.status_code not in _NOT_STORED_STATUSES

    @staticmethod
    def _complete(claim: _Claim, response: HttpResponseBase) -> bool:
        """Mark the claim completed with ``response``; False if the claim is no longer ours."""
        now = timezone.now()
        headers = {name: response[name] for name in STORED_HEADERS if response.has_header(name)}
        updated = (
            _record_model()
            .objects.filter(pk=claim.record_id, created_at=claim.token, completed_at__isnull=True)
            .update(
                status_code=response.status_code,
                response_body=response.content,  # type: ignore[attr-defined]
                response_headers=headers,
                completed_at=now,
                expires_at=now + settings.IDEMPOTENCY_TTL,
            )
        )
        return updated == 1

    @staticmethod
    def _release(claim: _Claim) -> None:
        """Drop an unfinished claim so the key can be used again."""
        try:
            _record_model().objects.filter(
                pk=claim.record_id, created_at=claim.token, completed_at__isnull=True
            ).delete()
        except Exception:
            # The database is failing; the claim stays in flight and is taken over once stale.
            logger.exception("idempotency claim not released", extra={"record_id": claim.record_id})
