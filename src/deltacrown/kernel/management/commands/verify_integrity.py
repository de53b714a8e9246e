"""Kernel layer, CLI: ``deltacrown verify-integrity`` — check the event log's hash chains.

Recomputes every stream's chain (or one, with ``--stream``) and, given ``--checkpoint FILE``,
proves the log still extends that signed checkpoint. Prints one line per problem and a summary
(or a JSON document with ``--json``); progress goes to stderr on long runs.

Exit status: 0 all is well, 1 something is wrong, 2 the checkpoint or key file is unusable.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from deltacrown.kernel.data import CheckpointReport, Problem, StreamReport
from deltacrown.kernel.integrity import (
    load_public_key,
    verify_all,
    verify_checkpoint,
    verify_stream,
)

#: Progress lines are printed only when the log has at least this many events.
LONG_RUN_EVENTS = 50_000


def _plain(text: str) -> str:
    return text


class UsageProblem(Exception):
    """An input file cannot be used; the command exits with status 2."""


class Command(BaseCommand):
    help = "Verify every event stream's hash chain, optionally against a signed checkpoint."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--checkpoint",
            metavar="FILE",
            help="a checkpoint from `deltacrown checkpoint`: prove the log still extends it",
        )
        parser.add_argument(
            "--public-key",
            metavar="FILE",
            help="verify the checkpoint with this key (PEM or base64) instead of the server's",
        )
        parser.add_argument("--stream", metavar="S", help="verify only stream S")
        parser.add_argument("--json", action="store_true", help="print a JSON report")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            checkpoint = _read_checkpoint(options["checkpoint"])
            public_key = _read_public_key(options["public_key"])
        except UsageProblem as exc:
            self.stderr.write(f"verify-integrity: {exc}")
            raise SystemExit(2) from exc

        stream = options["stream"]
        reports = [verify_stream(stream)] if stream else verify_all(progress=self._progress)
        unknown_stream = bool(stream) and reports[0].events == 0 and reports[0].ok

        checkpoint_report = None
        if checkpoint is not None:
            checkpoint_report = verify_checkpoint(
                checkpoint, public_key, streams={stream} if stream else None
            )

        ok = (
            all(report.ok for report in reports)
            and not unknown_stream
            and (checkpoint_report is None or checkpoint_report.ok)
        )
        if options["json"]:
            self._print_json(ok, reports, checkpoint_report, unknown_stream)
        else:
            self._print_text(ok, reports, checkpoint_report, unknown_stream, stream)
        if not ok:
            raise SystemExit(1)

    def _progress(self, done: int, total: int) -> None:
        if total >= LONG_RUN_EVENTS:
            self.stderr.write(
                f"checked {done}/{total} events ({100 * done // max(total, 1)}%)",
                style_func=_plain,
            )

    def _print_json(
        self,
        ok: bool,
        reports: list[StreamReport],
        checkpoint: CheckpointReport | None,
        unknown_stream: bool,
    ) -> None:
        document = {
            "ok": ok,
            "streams_checked": len(reports),
            "events_checked": sum(report.events for report in reports),
            "unknown_stream": reports[0].stream if unknown_stream else None,
            "problems": [report.as_dict() for report in reports if not report.ok],
            "checkpoint": checkpoint.as_dict() if checkpoint is not None else None,
        }
        self.stdout.write(json.dumps(document, indent=2, ensure_ascii=False))

    def _print_text(
        self,
        ok: bool,
        reports: list[StreamReport],
        checkpoint: CheckpointReport | None,
        unknown_stream: bool,
        stream: str | None,
    ) -> None:
        write = self.stdout.write
        broken = warned = 0
        for report in reports:
            if report.problem is not None:
                broken += 1
                write(_line("FAIL", report.stream, report.problem))
            for warning in report.warnings:
                write(_line("WARN", report.stream, warning))
            if report.problem is None and report.warnings:
                warned += 1
        if unknown_stream:
            write(f"FAIL  {stream}  no such stream: it has no events and no head")

        events = sum(report.events for report in reports)
        summary = f"{_count(len(reports), 'stream')}, {_count(events, 'event')}: "
        if broken or warned:
            summary += f"{broken} with a broken chain, {warned} with warnings"
        elif unknown_stream:
            summary += "nothing to verify"
        else:
            summary += "every chain intact"
        if checkpoint is not None:
            for line in _checkpoint_lines(checkpoint):
                write(line)
            summary += "; " + _checkpoint_summary(checkpoint)
        write(("OK  " if ok else "PROBLEMS  ") + summary)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _line(label: str, stream: str, problem: Problem) -> str:
    return f"{label}  {stream}  {problem.kind} at seq {problem.seq}: {problem.detail}"


def _checkpoint_lines(report: CheckpointReport) -> list[str]:
    lines = []
    if report.problem is not None:
        lines.append(
            f"FAIL  checkpoint {report.created_at or '?'}  {report.problem.kind}: "
            f"{report.problem.detail}"
        )
    for result in report.streams:
        if result.problem is not None:
            lines.append(_line("FAIL", result.stream, result.problem) + " (checkpoint)")
    return lines


def _checkpoint_summary(report: CheckpointReport) -> str:
    label = f"checkpoint {report.created_at} (key {report.key_id})"
    if report.problem is not None:
        return f"{label} rejected: {report.problem.kind}"
    extended = sum(1 for result in report.streams if result.ok)
    return f"{label}: {extended}/{len(report.streams)} heads still in the log"


def _read_checkpoint(name: str | None) -> Any:
    if not name:
        return None
    try:
        text = Path(name).read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise UsageProblem(f"checkpoint file {name} does not exist") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageProblem(f"cannot read checkpoint file {name}: {exc}") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageProblem(f"checkpoint file {name} is not JSON: {exc}") from exc


def _read_public_key(name: str | None) -> Any:
    if not name:
        return None
    try:
        return load_public_key(Path(name).read_text(encoding="ascii"))
    except FileNotFoundError as exc:
        raise UsageProblem(f"public key file {name} does not exist") from exc
    except (OSError, UnicodeDecodeError, ValueError, TypeError) as exc:
        raise UsageProblem(f"cannot read an Ed25519 public key from {name}: {exc}") from exc
