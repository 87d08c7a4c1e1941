"""The Procedure file and the deadline of a report, on fixed dates."""

from __future__ import annotations

from datetime import datetime, time, timezone
from pathlib import Path

import pytest

from openmisto_plugin.core.deadlines import (
    STAGE_ANSWER,
    STAGE_CLOSED,
    STAGE_MODERATION,
    STAGE_PLANNED,
    STAGE_UNKNOWN,
    Procedure,
    ProcedureError,
    Terms,
    cached_procedure,
    deadline_for,
    default_procedure_path,
    is_overdue,
    load_procedure,
    parse_procedure,
    working_days_left,
)
from openmisto_plugin.core.model import RequestUpdate, ServiceRequest
from openmisto_plugin.core.timeutil import KYIV, to_store

PROCEDURE = Procedure(
    defaults=Terms(1, 10, 30), categories={"roads.pothole": Terms(1, 5, 30)}, end_of_working_day=time(18, 0)
)


def kyiv(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=KYIV)


# ----------------------------------------------------------------------------- the file


def test_shipped_file_loads() -> None:
    procedure = load_procedure()
    assert procedure.path == default_procedure_path()
    assert procedure.defaults == Terms(1, 10, 30)
    assert procedure.terms_for("roads.pothole") == Terms(1, 5, 30)
    assert procedure.terms_for("unknown.category") == Terms(1, 10, 30)
    assert procedure.terms_for(None) == Terms(1, 10, 30)
    assert procedure.end_of_working_day == time(18, 0)


def test_category_overrides_only_its_keys(tmp_path: Path) -> None:
    path = tmp_path / "p.ini"
    path.write_text(
        "[general]\nend_of_working_day = 17:15\n\n[defaults]\nmoderation_working_days = 2 ; two days\n"
        "answer_working_days = 8\n\n[category:lights.out]\n# faster\nanswer_working_days = 3\n"
        "[CATEGORY: trees.fallen ]\nextension_max_calendar_days=0\n",
        encoding="utf-8",
    )
    procedure = load_procedure(path)
    assert procedure.defaults == Terms(2, 8, 30)
    assert procedure.terms_for("lights.out") == Terms(2, 3, 30)
    assert procedure.terms_for("trees.fallen") == Terms(2, 8, 0)
    assert procedure.end_of_working_day == time(17, 15)
    report = {"external_status_code": "for_triage", "requested_datetime": kyiv(2023, 9, 1, 9)}
    assert deadline_for(report, procedure).due == kyiv(2023, 9, 5, 17, 15)


def test_empty_file_gives_design_defaults(tmp_path: Path) -> None:
    path = tmp_path / "p.ini"
    path.write_bytes(b"\xef\xbb\xbf; only a comment\n")
    assert load_procedure(path).defaults == Terms(1, 10, 30)


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("[defaults]\nmoderation_working_days = 1\nanswer_days = 10\n", 3, ["answer_days"]),
        ("[defaults]\n\n; c\nanswer_working_days = ten\n", 4, ["answer_working_days", "ten"]),
        ("[defaults]\nanswer_working_days = 1.5\n", 2, ["1.5"]),
        ("[defaults]\nanswer_working_days = -3\n", 2, ["-3"]),
        ("[defaults]\n[categories]\n", 2, ["categories"]),
        ("answer_working_days = 3\n", 1, ["answer_working_days"]),
        ("[defaults]\nanswer_working_days 3\n", 2, ["answer_working_days 3"]),
        ("[defaults]\nanswer_working_days = 3\nanswer_working_days = 4\n", 3, ["answer_working_days"]),
        ("[defaults]\n[defaults]\n", 2, ["defaults"]),
        ("[category:]\n", 1, ["category"]),
        ("[defaults\n", 1, ["]"]),
        ("[general]\nend_of_working_day = 25:00\n", 2, ["25:00"]),
        ("[general]\nanswer_working_days = 3\n", 2, ["answer_working_days"]),
        ("[category:roads.pothole]\nend_of_working_day = 17:00\n", 2, ["end_of_working_day"]),
        ("[defaults]\nanswer_working_days =\n", 2, ["answer_working_days"]),
    ],
)
def test_broken_file_names_file_and_line(tmp_path: Path, text: str, line: int, words: list[str]) -> None:
    path = tmp_path / "procedure.ini"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProcedureError) as info:
        load_procedure(path)
    message = str(info.value)
    assert info.value.line == line
    assert str(path) in message
    assert f"line {line}:" in message
    for word in words:
        assert word in message


def test_missing_and_non_utf8_files(tmp_path: Path) -> None:
    with pytest.raises(ProcedureError) as info:
        load_procedure(tmp_path / "nope.ini")
    assert "nope.ini" in str(info.value) and info.value.line is None
    path = tmp_path / "cp1251.ini"
    path.write_bytes("[defaults]\n; Модерація\n".encode("cp1251"))
    with pytest.raises(ProcedureError) as info:
        load_procedure(path)
    assert info.value.line == 2


def test_cached_procedure_rereads_a_changed_file(tmp_path: Path) -> None:
    import os

    path = tmp_path / "p.ini"
    path.write_text("[defaults]\nanswer_working_days = 4\n", encoding="utf-8")
    first = cached_procedure(path)
    assert cached_procedure(path) is first
    path.write_text("[defaults]\nanswer_working_days = 6\n", encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert cached_procedure(path).defaults.answer_working_days == 6


def test_parse_text_directly() -> None:
    assert parse_procedure("[defaults]\nanswer_working_days = 7\n").defaults.answer_working_days == 7


# ----------------------------------------------------------------------------- moderation


def test_moderation_friday_report_due_monday() -> None:
    report = {"external_status_code": "for_triage", "requested_datetime": kyiv(2023, 9, 1, 10)}
    deadline = deadline_for(report, PROCEDURE)
    assert deadline.stage == STAGE_MODERATION
    assert deadline.due == kyiv(2023, 9, 4, 18)
    assert deadline.start == kyiv(2023, 9, 1, 10)


def test_moderation_weekend_report() -> None:
    report = {"external_status_code": "for_triage", "requested_datetime": kyiv(2023, 9, 2, 23, 50)}
    assert deadline_for(report, PROCEDURE).due == kyiv(2023, 9, 4, 18)


def test_moderation_pre_2022_holiday() -> None:
    # Wed 2021-01-06 -> Thu 7th Christmas, Fri 8th day off, weekend -> Mon 11th
    report = {"external_status_code": "for_triage", "requested_datetime": kyiv(2021, 1, 6, 12)}
    assert deadline_for(report, PROCEDURE).due == kyiv(2021, 1, 11, 18)


def test_moderation_martial_law_holiday_is_working() -> None:
    report = {"external_status_code": "for_triage", "requested_datetime": kyiv(2023, 8, 23, 12)}
    assert deadline_for(report, PROCEDURE).due == kyiv(2023, 8, 24, 18)


def test_investigating_and_missing_code_are_moderation() -> None:
    base = {"requested_datetime": kyiv(2023, 9, 1, 10)}
    assert deadline_for({**base, "external_status_code": "investigating"}, PROCEDURE).stage == STAGE_MODERATION
    assert deadline_for({**base, "status": "open"}, PROCEDURE).due == kyiv(2023, 9, 4, 18)
    assert deadline_for({"external_status_code": "for_triage"}, PROCEDURE).due is None


# ----------------------------------------------------------------------------- answer


def test_answer_friday_assignment() -> None:
    report = {
        "external_status_code": "action_scheduled",
        "service_code": "lights.out",
        "requested_datetime": kyiv(2023, 8, 30, 9),
        "assigned_datetime": kyiv(2023, 9, 1, 16, 30),
    }
    deadline = deadline_for(report, PROCEDURE)
    assert (deadline.stage, deadline.due) == (STAGE_ANSWER, kyiv(2023, 9, 15, 18))
    assert deadline_for({**report, "external_status_code": "in_progress"}, PROCEDURE).due == kyiv(2023, 9, 15, 18)


def test_answer_per_category_override() -> None:
    report = {
        "external_status_code": "in_progress",
        "service_code": "roads.pothole",
        "assigned_datetime": kyiv(2023, 9, 1, 16, 30),
    }
    assert deadline_for(report, PROCEDURE).due == kyiv(2023, 9, 8, 18)


def test_answer_across_2021_independence_day() -> None:
    # assigned Fri 2021-08-20; Mon 23rd and Tue 24th are days off, Sat 28th was worked instead:
    # 25, 26, 27, 28(Sat), 30, 31, 1, 2, 3, 6 -> Monday 6 September
    report = {"external_status_code": "action_scheduled", "assigned_datetime": kyiv(2021, 8, 20, 11)}
    assert deadline_for(report, PROCEDURE).due == kyiv(2021, 9, 6, 18)


def test_store_text_and_service_request_object() -> None:
    row = {
        "external_status_code": "action_scheduled",
        "assigned_datetime": to_store(kyiv(2023, 9, 1, 16)),
        "requested_datetime": to_store(kyiv(2023, 8, 1, 9)),
    }
    assert deadline_for(row, PROCEDURE).due == kyiv(2023, 9, 15, 18)
    request = ServiceRequest(
        "1",
        47.65,
        34.11,
        external_status_code="action_scheduled",
        requested_datetime=kyiv(2023, 8, 1, 9),
        extended={"assigned_datetime": "2023-09-01T16:00:00+03:00"},
    )
    assert deadline_for(request, PROCEDURE).due == kyiv(2023, 9, 15, 18)


def test_assignment_from_history_latest_wins() -> None:
    request = ServiceRequest(
        "7", 47.65, 34.11, external_status_code="in_progress", requested_datetime=kyiv(2023, 8, 1, 9)
    )
    history = [
        RequestUpdate("a", "7", kyiv(2023, 8, 2, 9), external_status_code="action_scheduled"),
        RequestUpdate("b", "7", kyiv(2023, 9, 1, 16), external_status_code="action_scheduled"),  # reassigned
        RequestUpdate("c", "7", kyiv(2023, 9, 5, 9), external_status_code="in_progress"),
    ]
    assert deadline_for(request, PROCEDURE, history).due == kyiv(2023, 9, 15, 18)
    as_dict = {
        "external_status_code": "in_progress",
        "history": [{"external_status_code": "action_scheduled", "updated_datetime": kyiv(2023, 9, 1, 16)}],
    }
    assert deadline_for(as_dict, PROCEDURE).due == kyiv(2023, 9, 15, 18)


def test_assignment_fallbacks() -> None:
    scheduled = {
        "external_status_code": "action_scheduled",
        "updated_datetime": kyiv(2023, 9, 1, 16),
        "requested_datetime": kyiv(2023, 8, 1, 9),
    }
    assert deadline_for(scheduled, PROCEDURE).due == kyiv(2023, 9, 15, 18)
    in_progress = {**scheduled, "external_status_code": "in_progress"}
    assert deadline_for(in_progress, PROCEDURE).due == kyiv(2023, 8, 15, 18)  # from requested


# ----------------------------------------------------------------------------- planned


def test_planned_date_within_cap() -> None:
    report = {
        "external_status_code": "planned",
        "assigned_datetime": kyiv(2023, 9, 1, 16),
        "expected_datetime": kyiv(2023, 9, 20, 12),
    }
    deadline = deadline_for(report, PROCEDURE)
    assert (deadline.stage, deadline.due) == (STAGE_PLANNED, kyiv(2023, 9, 20, 12))


def test_planned_date_capped_at_30_calendar_days() -> None:
    report = {
        "external_status_code": "planned",
        "assigned_datetime": kyiv(2023, 9, 1, 16),
        "expected_datetime": kyiv(2023, 11, 1, 12),
    }
    assert deadline_for(report, PROCEDURE).due == kyiv(2023, 10, 1, 18)  # a Sunday: calendar days


def test_planned_bare_date_means_end_of_day() -> None:
    report = {
        "external_status_code": "planned",
        "assigned_datetime": kyiv(2023, 9, 1, 16),
        "expected_datetime": "2023-09-20T00:00:00+03:00",
    }
    assert deadline_for(report, PROCEDURE).due == kyiv(2023, 9, 20, 18)


def test_planned_without_date_keeps_answer_term() -> None:
    report = {"external_status_code": "planned", "assigned_datetime": kyiv(2023, 9, 1, 16)}
    assert deadline_for(report, PROCEDURE).due == kyiv(2023, 9, 15, 18)


# ----------------------------------------------------------------------------- closed, unknown


@pytest.mark.parametrize("code", ["fixed", "no_further_action", "duplicate", "not_councils_responsibility", "hidden"])
def test_closed_has_no_deadline(code: str) -> None:
    deadline = deadline_for({"external_status_code": code, "requested_datetime": kyiv(2023, 9, 1)}, PROCEDURE)
    assert (deadline.stage, deadline.due) == (STAGE_CLOSED, None)
    assert not deadline.is_overdue(kyiv(2030, 1, 1))
    assert deadline.working_days_left() is None


def test_closed_by_open311_status_and_unknown_code() -> None:
    assert deadline_for({"status": "closed"}, PROCEDURE).stage == STAGE_CLOSED
    assert deadline_for({"status": "closed", "external_status_code": "Weird"}, PROCEDURE).stage == STAGE_CLOSED
    assert deadline_for({"status": "open", "external_status_code": "weird"}, PROCEDURE).stage == STAGE_UNKNOWN
    assert deadline_for({"external_status_code": "FIXED"}, PROCEDURE).stage == STAGE_CLOSED


def test_default_procedure_is_used() -> None:
    report = {
        "external_status_code": "action_scheduled",
        "service_code": "roads.pothole",
        "assigned_datetime": kyiv(2023, 9, 1, 16),
    }
    assert deadline_for(report).due == kyiv(2023, 9, 8, 18)


def test_qgs_feature_with_qdatetime() -> None:
    from qgis.core import QgsFeature, QgsVectorLayer
    from qgis.PyQt.QtCore import QDateTime, Qt

    # fields declared by a memory-layer URI: the same on QGIS 3 (QVariant types) and 4 (QMetaType)
    fields = QgsVectorLayer(
        "None?field=external_status_code:string&field=service_code:string"
        "&field=assigned_datetime:datetime&field=expected_datetime:datetime",
        "deadline fields",
        "memory",
    ).fields()
    feature = QgsFeature(fields)
    assigned = QDateTime.fromString("2023-09-01T13:00:00Z", Qt.DateFormat.ISODate)
    feature.setAttributes(["in_progress", "roads.pothole", assigned, None])
    assert deadline_for(feature, PROCEDURE).due == kyiv(2023, 9, 8, 18)


# ----------------------------------------------------------------------------- days left, overdue


@pytest.mark.parametrize(
    ("now", "left", "late"),
    [
        (kyiv(2023, 9, 1, 10), 1, False),  # Friday before a Monday deadline
        (kyiv(2023, 9, 2, 10), 1, False),  # Saturday
        (kyiv(2023, 9, 4, 10), 0, False),  # the due day, before 18:00
        (kyiv(2023, 9, 4, 18), 0, False),  # exactly at the deadline
        (kyiv(2023, 9, 4, 18, 1), -1, True),  # one minute late
        (kyiv(2023, 9, 5, 10), -1, True),
        (kyiv(2023, 9, 6, 10), -2, True),
        (kyiv(2023, 9, 9, 10), -4, True),  # Saturday: Tue–Fri late
    ],
)
def test_working_days_left(now: datetime, left: int, late: bool) -> None:
    due = kyiv(2023, 9, 4, 18)
    assert working_days_left(due, now) == left
    assert is_overdue(due, now) is late
    assert (working_days_left(due, now) < 0) is late


def test_late_over_a_weekend_and_utc_now() -> None:
    due = kyiv(2023, 9, 1, 18)  # Friday
    assert working_days_left(due, kyiv(2023, 9, 2, 10)) == -1
    assert working_days_left(due, kyiv(2023, 9, 4, 10)) == -1
    assert working_days_left(due, kyiv(2023, 9, 5, 10)) == -2
    assert is_overdue(due, datetime(2023, 9, 1, 15, 1, tzinfo=timezone.utc))
    assert not is_overdue(due, datetime(2023, 9, 1, 15, 0, tzinfo=timezone.utc))
    assert not is_overdue(None, kyiv(2030, 1, 1))
