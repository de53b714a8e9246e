"""Kernel tests on PostgreSQL: concurrent appends to one stream, and the audit table trigger.

Run by ``make test-services`` (DATABASE_URL points at a private PostgreSQL).
"""

from __future__ import annotations

import threading

import pytest
from django.db import IntegrityError, connection, transaction

from deltacrown.kernel import audit
from deltacrown.kernel.events import publish
from deltacrown.kernel.integrity import create_checkpoint, verify_all, verify_checkpoint
from deltacrown.kernel.models import AuditEntry, Event

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

THREADS = 8
EVENTS_EACH = 25


@pytest.fixture(autouse=True)
def _postgresql_only():
    assert connection.vendor == "postgresql", "services tests need DATABASE_URL=postgres://..."


def test_concurrent_publishers_on_a_new_stream_get_gapless_seqs_and_a_valid_chain(
    settings, tmp_path
):
    settings.SIGNING_KEY_FILE = tmp_path / "checkpoint.pem"
    stream = "tournament:race"
    start = threading.Barrier(THREADS)
    failures: list[BaseException] = []

    def publisher(worker: int) -> None:
        try:
            start.wait()  # every thread races to create the stream head at once
            for i in range(EVENTS_EACH):
                with transaction.atomic():
                    publish(stream, "match.completed", {"worker": worker, "i": i})
        except BaseException as exc:
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=publisher, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    rows = list(Event.objects.filter(stream=stream).order_by("seq").values_list("seq", "data"))
    assert [seq for seq, _ in rows] == list(range(1, THREADS * EVENTS_EACH + 1))
    for worker in range(THREADS):
        # Each publisher's own events keep the order it published them in.
        mine = [data["i"] for _, data in rows if data["worker"] == worker]
        assert mine == list(range(EVENTS_EACH))

    [report] = verify_all()
    assert report.ok
    assert (report.stream, report.verified_seq) == (stream, THREADS * EVENTS_EACH)
    checkpoint = verify_checkpoint(create_checkpoint())
    assert checkpoint.ok
    assert [(r.stream, r.seq) for r in checkpoint.streams] == [(stream, 200)]


def test_the_database_refuses_to_update_or_delete_audit_entries():
    audit.record(action="user.banned", target_type="user", target_id=5, actor_id=1)

    for statement in (
        "UPDATE kernel_auditentry SET action = 'user.unbanned'",
        "DELETE FROM kernel_auditentry",
    ):
        with (
            pytest.raises(IntegrityError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)

    assert list(AuditEntry.objects.values_list("action", "target_id")) == [("user.banned", "5")]
