"""Abuse reports over HTTP: filing with evidence, what the reporter sees (their own reports'
status, nothing else), the moderators' workflow (triage, priority, assignment, notes, closing),
who may handle which report, and the moderation audit."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from deltacrown.apps.competition.tests.factories import live_tournament
from deltacrown.apps.moderation.data import SanctionKind
from deltacrown.apps.moderation.models import AbuseReport
from deltacrown.apps.moderation.tests.factories import (
    API,
    StaffFactory,
    TournamentFactory,
    UserFactory,
    file_report,
    get,
    png_bytes,
    post,
    sanction,
    signed_in,
    staff,
)
from deltacrown.apps.registrations.tests.factories import TeamFactory
from deltacrown.kernel import events
from deltacrown.kernel.models import AuditEntry

pytestmark = pytest.mark.django_db


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content
    return response.json()


def _report_in(tournament: Any, reporter: Any = None) -> dict[str, Any]:
    """A report about a user, filed in ``tournament`` through the API."""
    reporter = reporter or UserFactory()
    return _ok(
        file_report(signed_in(reporter), target_id=UserFactory().pk, tournament_id=tournament.pk),
        201,
    )


def _moderated_tournament() -> tuple[Any, Any]:
    tournament = TournamentFactory()
    return tournament, StaffFactory(tournament=tournament).user


def _patch(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.patch(f"{API}{path}", body, content_type="application/json")


def test_a_player_reports_abuse_with_evidence_and_sees_only_its_status():
    reporter, offender = UserFactory(), UserFactory()
    as_reporter = signed_in(reporter)
    filed = _ok(
        file_report(
            as_reporter,
            target_id=offender.pk,
            category="hate_speech",
            description="Slurs in the lobby, screenshot attached.",
            evidence=png_bytes(),
        ),
        201,
    )
    assert (filed["status"], filed["target_type"], filed["target_id"]) == (
        "open",
        "user",
        offender.pk,
    )
    assert filed["has_evidence"] is True
    assert "priority" not in filed
    assert "notes" not in filed
    assert "assignee_id" not in filed

    entry = AuditEntry.objects.get(action="abuse_report.filed")
    assert (entry.actor_id, entry.target_id) == (reporter.pk, str(filed["id"]))
    (event,) = events.events_after("moderation:reports", 0)
    assert event.data["report_id"] == filed["id"]
    # Who reported stays out of the event log.
    assert set(event.data) == {"report_id", "tournament_id", "category", "target_type", "target_id"}

    mine = _ok(get(as_reporter, "/me/reports"))["items"]
    assert [r["id"] for r in mine] == [filed["id"]]
    evidence = as_reporter.get(f"{API}/moderation/reports/{filed['id']}/evidence")
    assert evidence.status_code == 200
    assert evidence["Content-Type"] == "image/png"


def test_reports_are_checked_before_anything_is_stored():
    reporter = UserFactory()
    as_reporter = signed_in(reporter)
    hidden_tournament, _ = live_tournament(2, visibility="private")

    cases = {
        "self": file_report(as_reporter, target_id=reporter.pk),
        "unknown user": file_report(as_reporter, target_id=999_999),
        "unknown team": file_report(as_reporter, target_type="team", target_id=999_999),
        "unknown tournament": file_report(
            as_reporter, target_id=UserFactory().pk, tournament_id=hidden_tournament.pk
        ),
        "not an image": file_report(
            as_reporter, target_id=UserFactory().pk, evidence=b"<html>not a picture</html>"
        ),
        "bad category": file_report(as_reporter, target_id=UserFactory().pk, category="vibes"),
    }

    codes = {
        name: (r.status_code, r.json().get("errors", [{}])[0].get("code", r.json()["code"]))
        for name, r in cases.items()
    }
    assert codes["self"] == (422, "self")
    assert codes["unknown user"] == (422, "not_found")
    assert codes["unknown team"] == (422, "not_found")
    assert codes["unknown tournament"] == (422, "not_found")
    assert codes["not an image"][0] == 422
    assert cases["not an image"].json()["code"].startswith("proof_")
    assert codes["bad category"][0] == 422
    assert not AbuseReport.objects.exists()


def test_teams_and_messages_can_be_reported():
    as_reporter = signed_in(UserFactory())
    team = TeamFactory(players=1)
    assert _ok(file_report(as_reporter, target_type="team", target_id=team.pk), 201)
    message = _ok(file_report(as_reporter, target_type="message", target_id=4242), 201)
    assert message["tournament_id"] is None


def test_a_match_report_belongs_to_the_match_tournament_and_its_moderators():
    tournament, players = live_tournament(2)
    moderator = StaffFactory(tournament=tournament).user
    organizer_client = signed_in(tournament.organizer)
    stage = _ok(post(organizer_client, f"/tournaments/{tournament.pk}/stages/generate", {}), 201)
    match_id = stage["rounds"][0]["matches"][0]["id"]
    filed = _ok(
        file_report(
            signed_in(players[0]),
            target_type="match",
            target_id=match_id,
            category="cheating",
            description="The other side used a wallhack.",
        ),
        201,
    )
    assert filed["tournament_id"] == tournament.pk

    _, other_moderator = _moderated_tournament()
    seen = _ok(get(signed_in(moderator), f"/moderation/reports/{filed['id']}"))
    assert seen["reporter_id"] == players[0].pk
    hidden = get(signed_in(other_moderator), f"/moderation/reports/{filed['id']}")
    assert (hidden.status_code, hidden.json()["code"]) == (404, "report_not_found")
    listed = _ok(get(signed_in(moderator), "/moderation/reports", tournament_id=tournament.pk))
    assert [r["id"] for r in listed["items"]] == [filed["id"]]


def test_nobody_but_its_moderators_reads_a_report_and_reporters_only_their_own():
    tournament, _ = _moderated_tournament()
    reporter, other = UserFactory(), UserFactory()
    filed = _report_in(tournament, reporter)
    as_other = signed_in(other)
    for path in (
        f"/me/reports/{filed['id']}",
        f"/moderation/reports/{filed['id']}",
        f"/moderation/reports/{filed['id']}/evidence",
    ):
        assert get(as_other, path).status_code == 404, path
    assert _ok(get(as_other, "/me/reports"))["items"] == []
    assert get(signed_in(reporter), f"/moderation/reports/{filed['id']}").status_code == 404
    assert _ok(get(signed_in(reporter), f"/me/reports/{filed['id']}"))["status"] == "open"
    everything = get(signed_in(UserFactory()), "/moderation/reports")
    assert (everything.status_code, everything.json()["code"]) == (403, "admin_required")


def test_the_workflow_moves_forward_only_and_every_step_is_audited():
    tournament, moderator = _moderated_tournament()
    reporter = UserFactory()
    filed = _report_in(tournament, reporter)
    as_moderator = signed_in(moderator)
    path = f"/moderation/reports/{filed['id']}"

    too_early = post(as_moderator, f"{path}/transitions", {"to": "resolved"})
    assert (too_early.status_code, too_early.json()["code"]) == (409, "invalid_report_transition")
    assert (too_early.json()["state"], too_early.json()["allowed"]) == ("open", ["triaged"])

    triaged = _ok(post(as_moderator, f"{path}/transitions", {"to": "triaged", "note": "On it."}))
    assert triaged["status"] == "triaged"
    assert triaged["triaged_at"]
    assert [n["body"] for n in triaged["notes"]] == ["On it."]
    resolved = _ok(post(as_moderator, f"{path}/transitions", {"to": "resolved"}))
    assert resolved["status"] == "resolved"
    assert resolved["closed_at"]
    back = post(as_moderator, f"{path}/transitions", {"to": "triaged"})
    assert (back.status_code, back.json()["allowed"]) == (409, [])

    actions = list(
        AuditEntry.objects.filter(target_type="abuse_report", target_id=str(filed["id"]))
        .order_by("id")
        .values_list("action", "actor_id")
    )
    assert actions == [
        ("abuse_report.filed", reporter.pk),
        ("abuse_report.triaged", moderator.pk),
        ("abuse_report.resolved", moderator.pk),
    ]
    # The reporter sees the outcome, not the moderators' notes.
    mine = signed_in(reporter).get(f"{API}/me/reports/{filed['id']}")
    assert mine.json()["status"] == "resolved"
    assert b"On it." not in mine.content


def test_moderators_prioritise_assign_and_annotate_until_the_report_closes():
    tournament, moderator = _moderated_tournament()
    filed = _report_in(tournament)
    as_moderator = signed_in(moderator)
    path = f"/moderation/reports/{filed['id']}"

    updated = _ok(_patch(as_moderator, path, {"priority": 4, "assignee_id": moderator.pk}))
    assert (updated["priority"], updated["assignee_id"]) == (4, moderator.pk)
    outsider = _patch(as_moderator, path, {"assignee_id": UserFactory().pk})
    assert outsider.status_code == 422
    assert outsider.json()["errors"][0]["code"] == "not_a_moderator"
    assert _patch(as_moderator, path, {"priority": 6}).status_code == 422
    unassigned = _ok(_patch(as_moderator, path, {"assignee_id": None}))
    assert (unassigned["priority"], unassigned["assignee_id"]) == (4, None)
    assert (
        _ok(
            get(
                as_moderator,
                "/moderation/reports",
                tournament_id=tournament.pk,
                min_priority=4,
                unassigned=True,
            )
        )["items"][0]["id"]
        == filed["id"]
    )

    note = _ok(post(as_moderator, f"{path}/notes", {"body": "Asked both captains."}), 201)
    assert note["author_id"] == moderator.pk

    post(as_moderator, f"{path}/transitions", {"to": "triaged"})
    post(as_moderator, f"{path}/transitions", {"to": "rejected", "note": "Banter."})
    closed = _patch(as_moderator, path, {"priority": 1})
    assert (closed.status_code, closed.json()["code"]) == (409, "report_closed")

    audited = set(
        AuditEntry.objects.filter(target_id=str(filed["id"])).values_list("action", flat=True)
    )
    assert {
        "abuse_report.prioritized",
        "abuse_report.assigned",
        "abuse_report.noted",
        "abuse_report.rejected",
    } <= audited


def test_filing_is_idempotent():
    as_reporter = signed_in(UserFactory())
    target = UserFactory().pk
    headers = {"HTTP_IDEMPOTENCY_KEY": "report-once"}
    first = file_report(as_reporter, target_id=target, **headers)
    again = file_report(as_reporter, target_id=target, **headers)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert AbuseReport.objects.count() == 1


@pytest.mark.parametrize(
    ("kind", "code"), [(SanctionKind.MUTE, "muted"), (SanctionKind.BAN, "banned")]
)
def test_muted_and_banned_players_cannot_report(kind, code):
    reporter = UserFactory()
    given = sanction(reporter, kind)
    response = file_report(signed_in(reporter), target_id=UserFactory().pk)
    assert response.status_code == 403
    assert (response.json()["code"], response.json()["sanction_id"]) == (code, given.pk)
    assert not AbuseReport.objects.exists()


def test_a_suspended_player_can_still_report_abuse():
    reporter = UserFactory()
    sanction(reporter, SanctionKind.SUSPEND)
    assert file_report(signed_in(reporter), target_id=UserFactory().pk).status_code == 201


def test_the_moderation_audit_is_listed_and_scoped():
    tournament, moderator = _moderated_tournament()
    player = UserFactory()
    scoped = sanction(player, SanctionKind.MUTE, tournament=tournament)
    global_ban = sanction(player, SanctionKind.BAN)  # staff only
    filed = _report_in(tournament)

    as_moderator = signed_in(moderator)
    theirs = _ok(get(as_moderator, "/moderation/audit", tournament_id=tournament.pk))["items"]
    assert [(e["action"], e["target_id"]) for e in theirs] == [
        ("abuse_report.filed", str(filed["id"])),
        ("sanction.created", str(scoped.pk)),
    ]
    refused = get(as_moderator, "/moderation/audit")
    assert (refused.status_code, refused.json()["code"]) == (403, "admin_required")

    as_admin = signed_in(staff())
    about_player = _ok(get(as_admin, "/moderation/audit", user_id=player.pk, limit=1))
    assert len(about_player["items"]) == 1
    assert about_player["next_cursor"]
    rest = _ok(
        get(
            as_admin,
            "/moderation/audit",
            user_id=player.pk,
            limit=1,
            cursor=about_player["next_cursor"],
        )
    )
    assert rest["next_cursor"] is None
    paged = [e["target_id"] for e in about_player["items"] + rest["items"]]
    assert paged == [str(global_ban.pk), str(scoped.pk)]
    sanctions_only = _ok(get(as_admin, "/moderation/audit", target_type="sanction"))["items"]
    assert {e["action"] for e in sanctions_only} == {"sanction.created"}
