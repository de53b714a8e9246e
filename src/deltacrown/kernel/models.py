"""Kernel layer, models: the event log, its stream heads, the audit trail and idempotency records.

These tables are app-agnostic: rows point at users and domain objects by id only, never by
foreign key, so that no app's deletion can cascade into the tamper-evident history.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.db import models


class StreamHead(models.Model):
    """The latest (seq, hash) of one event stream; its row lock serialises appends to the stream.

    Integrity checks never trust this table: they recompute the chain from the events.
    """

    stream = models.CharField(max_length=128, primary_key=True)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(seq__gte=0), name="head_seq_gte_0")
        ]

    def __str__(self) -> str:
        return f"{self.stream}@{self.seq}"


class Event(models.Model):
    """One committed domain event: an entry in its stream's gapless, hash-chained log."""

    stream = models.CharField(max_length=128)
    seq = models.BigIntegerField()
    name = models.CharField(max_length=64)
    data = models.JSONField(default=dict)
    # Microseconds since the Unix epoch, UTC: an integer, so the hashed encoding is exact.
    at_us = models.BigIntegerField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["stream", "seq"], name="event_stream_seq_unique"),
            models.CheckConstraint(condition=models.Q(seq__gte=1), name="event_seq_gte_1"),
        ]
        indexes = [models.Index(fields=["name", "stream"], name="event_name_stream_idx")]

    def __str__(self) -> str:
        return f"{self.stream}#{self.seq} {self.name}"


class AppendOnlyError(RuntimeError):
    """Code tried to change or delete an audit entry; the audit trail only ever grows."""


class AuditEntryQuerySet(models.QuerySet):
    """Audit entries in bulk: reading and inserting only."""

    def _refuse(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit entries are append-only: they cannot be updated or deleted")

    update = _refuse
    delete = _refuse
    # Refused up front: failing inside their own atomic block would doom the caller's transaction.
    bulk_update = _refuse
    update_or_create = _refuse
    # The internal paths that save() and the deletion collector take.
    _update = _refuse
    _raw_delete = _refuse


class AuditEntry(models.Model):
    """An append-only record of a privileged action: who did what to which object, and when.

    Updates and deletes are refused here and, on PostgreSQL, by a trigger.
    """

    actor_id = models.BigIntegerField(null=True, blank=True)
    action = models.CharField(max_length=64)
    target_type = models.CharField(max_length=64)
    target_id = models.CharField(max_length=64, blank=True, default="")
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(db_index=True)
    request_id = models.CharField(max_length=64, blank=True, default="")

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="audit_target_idx"),
            models.Index(fields=["actor_id", "id"], name="audit_actor_idx"),
            models.Index(fields=["action", "id"], name="audit_action_idx"),
        ]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.action} {self.target_type}:{self.target_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields"):
            raise AppendOnlyError("audit entries are append-only: they cannot be changed")
        # Always INSERT: a row built with an existing id must fail, not overwrite that row.
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit entries are append-only: they cannot be deleted")


class IdempotencyRecord(models.Model):
    """The first response to a mutating request sent with an ``Idempotency-Key``.

    Scoped to (caller, method, path, key); while ``completed_at`` is empty the first request is
    still running and concurrent repeats get 409.
    """

    scope = models.CharField(max_length=128)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=512)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.BinaryField(null=True, blank=True)
    response_headers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "method", "path", "key"], name="idempotency_scope_key_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.key}]"
