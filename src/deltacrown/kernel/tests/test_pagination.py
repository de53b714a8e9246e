"""Cursor pagination: pages stay stable while rows arrive, ties are ordered, bad input is a 422."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import orjson
import pytest

from deltacrown.kernel.errors import ValidationFailed
from deltacrown.kernel.models import AuditEntry
from deltacrown.kernel.pagination import encode_cursor, paginate_queryset

pytestmark = [
    pytest.mark.urls("deltacrown.kernel.tests.idempotency_urls"),
    pytest.mark.django_db,
]

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def _entries(*ats: datetime, action: str = "test.action") -> list[AuditEntry]:
    """Audit entries at the given times, in one bulk insert (ids ascend in argument order)."""
    return AuditEntry.objects.bulk_create(
        [AuditEntry(action=action, target_type="test", at=at) for at in ats]
    )


def _newest_first(entries: list[AuditEntry]) -> list[int]:
    """The ids in the order ("-at", "-id"), computed without the database."""
    return [e.id for e in sorted(entries, key=lambda e: (e.at, e.id), reverse=True)]


def _raw_cursor(value: object) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(value)).rstrip(b"=").decode("ascii")


def _page(client, **params):
    response = client.get("/api/test/audit", params)
    assert response.status_code == 200, response.content
    body = response.json()
    return [item["id"] for item in body["items"]], body["next_cursor"]


def _walk(client, limit: int, between_pages=None) -> list[int]:
    """Every id the API lists, page by page, optionally writing rows between fetches."""
    seen: list[int] = []
    ids, cursor = _page(client, limit=limit)
    seen += ids
    while cursor:
        if between_pages:
            between_pages()
        ids, cursor = _page(client, limit=limit, cursor=cursor)
        seen += ids
    return seen


def _problem(response, code: str) -> dict:
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == code
    return body


def test_pages_list_every_row_once_in_order(client):
    entries = _entries(*(T0 + timedelta(minutes=i) for i in range(7)))

    assert _walk(client, limit=3) == _newest_first(entries)


def test_rows_inserted_between_pages_are_neither_skipped_nor_repeated(client):
    entries = _entries(*(T0 + timedelta(minutes=i) for i in range(10)))
    arrivals = iter(range(1, 100))
    older: list[AuditEntry] = []

    def insert_around_the_position() -> None:
        # One row newer than everything (offset paging would repeat an item because of it) and
        # one older than everything (it lies ahead of the position, so the walk must reach it).
        i = next(arrivals)
        _entries(T0 + timedelta(days=1, minutes=i))
        older.extend(_entries(T0 - timedelta(days=1, minutes=i)))

    seen = _walk(client, limit=3, between_pages=insert_around_the_position)

    assert seen == _newest_first(entries) + _newest_first(older)
    assert len(older) >= 3  # rows really were written between fetches


def test_rows_sharing_a_timestamp_are_ordered_by_id_across_pages(client):
    # Three runs of equal timestamps, each longer than a page: the tie-break on id decides.
    entries = [
        *_entries(*[T0 + timedelta(seconds=1)] * 4),
        *_entries(*[T0] * 4),
        *_entries(*[T0 + timedelta(seconds=2)] * 4),
    ]
    expected = _newest_first(entries)

    assert _walk(client, limit=3) == expected
    assert _walk(client, limit=5) == expected


def test_mixed_directions_page_in_lexicographic_order():
    entries = [
        *_entries(T0, T0, T0, action="b"),
        *_entries(T0, T0, action="a"),
        *_entries(T0, T0, T0, action="c"),
    ]
    ordering = ("action", "-id")
    expected = [(e.action, e.id) for e in sorted(entries, key=lambda e: (e.action, -e.id))]

    seen, cursor = [], None
    while True:
        page = paginate_queryset(
            AuditEntry.objects.all(), cursor=cursor, limit=2, ordering=ordering
        )
        seen += [(e.action, e.id) for e in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor

    assert seen == expected
    assert [action for action, _ in seen] == ["a"] * 2 + ["b"] * 3 + ["c"] * 3


def test_the_last_page_has_no_next_cursor(client):
    _entries(*(T0 + timedelta(minutes=i) for i in range(4)))

    ids, cursor = _page(client, limit=4)
    assert len(ids) == 4
    assert cursor is None
    assert _page(client, limit=5) == (ids, None)


def test_limit_defaults_to_25(client):
    _entries(*(T0 + timedelta(seconds=i) for i in range(30)))

    ids, cursor = _page(client)
    assert len(ids) == 25
    assert cursor is not None


def test_limit_of_100_is_accepted(client):
    _entries(*(T0 + timedelta(seconds=i) for i in range(101)))

    ids, cursor = _page(client, limit=100)
    assert len(ids) == 100
    assert cursor is not None


@pytest.mark.parametrize("limit", [0, 101, -1])
def test_limit_out_of_bounds_is_refused(client, limit):
    body = _problem(client.get("/api/test/audit", {"limit": limit}), "validation_failed")
    assert [e["field"] for e in body["errors"]] == ["limit"]


@pytest.mark.parametrize("limit", [0, 101])
def test_limit_out_of_bounds_is_refused_by_the_function_too(limit):
    with pytest.raises(ValidationFailed) as caught:
        paginate_queryset(AuditEntry.objects.all(), cursor=None, limit=limit)
    assert caught.value.errors[0]["field"] == "limit"


@pytest.mark.parametrize(
    "cursor",
    [
        "not a cursor!",
        "%%%",
        "e30",  # {} : JSON, but not a list
        _raw_cursor([1]),  # too few values for ("-at", "-id")
        _raw_cursor([{"dt": "yesterday"}, 1]),  # an unreadable timestamp
        _raw_cursor(["soon", 1]),  # a string where a timestamp belongs
        _raw_cursor([{"dt": "2025-03-01T12:00:00+00:00"}, "x"]),  # a string where an id belongs
        _raw_cursor([{"dt": "2025-03-01T12:00:00+00:00"}, {"id": 1}]),  # an object as an id
        _raw_cursor([{"dt": "2025-03-01T12:00:00+00:00"}, [1]]),  # a list as an id
        _raw_cursor([{"dt": 5}, 1]),  # a number inside the timestamp wrapper
        _raw_cursor([{"dt": "2025-03-01T12:00:00"}, 1]),  # a timestamp without a zone
    ],
    ids=[
        "not-base64",
        "garbage",
        "not-a-list",
        "wrong-width",
        "bad-timestamp",
        "string-timestamp",
        "string-id",
        "object-id",
        "list-id",
        "number-timestamp",
        "naive-timestamp",
    ],
)
def test_a_malformed_cursor_is_refused(client, cursor):
    _entries(T0, T0 + timedelta(seconds=1))

    body = _problem(client.get("/api/test/audit", {"cursor": cursor}), "invalid_cursor")
    assert [e["field"] for e in body["errors"]] == ["cursor"]


def test_a_cursor_from_another_ordering_width_is_refused():
    cursor = encode_cursor([1])

    with pytest.raises(ValidationFailed) as caught:
        paginate_queryset(AuditEntry.objects.all(), cursor=cursor, limit=5, ordering=("-at", "-id"))
    assert caught.value.code == "invalid_cursor"
