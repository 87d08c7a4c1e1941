"""Effectiveness figures (core/stats/) on a hand-built data set whose answers are known by construction.

Calendar of August 2021 (before martial law): Mon 23 Aug was a day off (transferred from Sat 28 Aug,
which was worked), Tue 24 Aug was Independence Day. Since 2023 holidays are working days.
The Procedure used is the default one: moderation 1 working day, answer 10 working days, 18:00 Kyiv.

Every report below notes the values it contributes; the expected figures in the tests are the sums.
"""

from __future__ import annotations

import statistics
from datetime import date, datetime, timezone

import pytest

from openmisto_plugin.core import stats
from openmisto_plugin.core.deadlines import Procedure
from openmisto_plugin.core.stats import CITY_KEY, NO_GROUP_KEY, Period
from openmisto_plugin.core.timeutil import KYIV, to_store
from openmisto_plugin.core.workdays import working_days_between

PROCEDURE = Procedure()  # defaults: moderation 1, answer 10 working days


def kyiv(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=KYIV)


def report(rid, agency, district, requested, code, updated, service="roads.pothole", **extra):
    row = {
        "service_request_id": rid,
        "status": "closed"
        if code in ("fixed", "no_further_action", "hidden", "duplicate", "not_councils_responsibility")
        else "open",
        "external_status_code": code,
        "service_code": service,
        "service_name": {"roads.pothole": "Ями на дорозі", "housing.roof": "Дах протікає"}[service],
        "agency_responsible": agency,
        "district": district,
        "requested_datetime": to_store(requested),  # store text
        "updated_datetime": to_store(updated),
        "assigned_datetime": None,
        "deadline": None,
    }
    row.update(extra)
    return row


_seq = iter(range(1, 10_000))


def upd(rid, code, at, agency=None, as_datetime=False):
    return {
        "update_id": f"u{next(_seq)}",
        "service_request_id": rid,
        "external_status_code": code,
        "updated_datetime": at if as_datetime else to_store(at),  # both forms are accepted
        "agency_responsible": agency,
        "origin": "platform",
    }


def build():
    """14 reports, 2 departments (roads, ujkg), 2 districts (center, north), July and August 2021."""
    reports, history = [], []

    def add(row, *updates):
        reports.append(row)
        history.extend(updates)

    # R1 roads/center. Aug: received, accepted, assigned, resolved in time; response 3→5 Aug = 2; closing 2→10 Aug = 6.
    add(
        report("R1", "roads", "center", kyiv(2021, 8, 2, 9), "fixed", kyiv(2021, 8, 10, 16)),
        upd("R1", "for_triage", kyiv(2021, 8, 2, 9)),
        upd("R1", "investigating", kyiv(2021, 8, 2, 15)),
        upd("R1", "action_scheduled", kyiv(2021, 8, 3, 10), "roads"),
        upd("R1", "in_progress", kyiv(2021, 8, 5, 11), as_datetime=True),
        upd("R1", "fixed", kyiv(2021, 8, 10, 16)),
    )
    # R2 roads/north. Assigned Fri 20 Aug; response Wed 25 Aug = 1 working day (23 off, 24 holiday);
    # fixed Mon 30 Aug: closing 18→30 Aug = 7 (Sat 28 Aug worked); due 6 Sep: in time.
    add(
        report("R2", "roads", "north", kyiv(2021, 8, 18, 10), "fixed", kyiv(2021, 8, 30, 12)),
        upd("R2", "action_scheduled", kyiv(2021, 8, 20, 16), "roads"),
        upd("R2", "in_progress", kyiv(2021, 8, 25, 9)),
        upd("R2", "fixed", kyiv(2021, 8, 30, 12)),
    )
    # R3 roads/center, from July. Jul: received, accepted, assigned, open and overdue at the end (due 16 Jul).
    # Aug: response 2 Jul→2 Aug = 21; resolved late; closing 1 Jul→4 Aug = 24.
    add(
        report("R3", "roads", "center", kyiv(2021, 7, 1, 9), "fixed", kyiv(2021, 8, 4, 17)),
        upd("R3", "investigating", kyiv(2021, 7, 1, 12)),
        upd("R3", "action_scheduled", kyiv(2021, 7, 2, 9), "roads"),
        upd("R3", "in_progress", kyiv(2021, 8, 2, 10)),
        upd("R3", "fixed", kyiv(2021, 8, 4, 17)),
    )
    # R4 no department/north: hidden by the moderator: received, rejected.
    add(
        report("R4", None, "north", kyiv(2021, 8, 3, 8), "hidden", kyiv(2021, 8, 3, 9), service="housing.roof"),
        upd("R4", "hidden", kyiv(2021, 8, 3, 9)),
    )
    # R5 ujkg/center: planned then not resolved; response 9→11 Aug = 2; closing 9→27 Aug = 12.
    add(
        report(
            "R5",
            "ujkg",
            "center",
            kyiv(2021, 8, 9, 10),
            "no_further_action",
            kyiv(2021, 8, 27, 15),
            service="housing.roof",
            expected_datetime=to_store(kyiv(2021, 8, 27)),
        ),
        upd("R5", "action_scheduled", kyiv(2021, 8, 9, 14), "ujkg"),
        upd("R5", "planned", kyiv(2021, 8, 11, 10)),
        upd("R5", "no_further_action", kyiv(2021, 8, 27, 15)),
    )
    # R6 ujkg/north: assigned Fri 13 Aug, no answer: due 30 Aug 18:00 → open and overdue on 1 Sep.
    add(
        report("R6", "ujkg", "north", kyiv(2021, 8, 12, 11), "action_scheduled", kyiv(2021, 8, 13, 10)),
        upd("R6", "action_scheduled", kyiv(2021, 8, 13, 10), "ujkg"),
    )
    # R7 no department/center: still for_triage; moderation due 31 Aug 18:00 → overdue on 1 Sep 00:00.
    add(report("R7", None, "center", kyiv(2021, 8, 30, 10), "for_triage", kyiv(2021, 8, 30, 10)))
    # R8 no department/north: accepted 31 Aug; moderation due 1 Sep 18:00 → open, not overdue.
    add(
        report("R8", None, "north", kyiv(2021, 8, 31, 9), "investigating", kyiv(2021, 8, 31, 11)),
        upd("R8", "for_triage", kyiv(2021, 8, 31, 9)),
        upd("R8", "investigating", kyiv(2021, 8, 31, 11)),
    )
    # R9 no department/center: duplicate → rejected.
    add(
        report("R9", None, "center", kyiv(2021, 8, 6, 10), "duplicate", kyiv(2021, 8, 6, 12)),
        upd("R9", "duplicate", kyiv(2021, 8, 6, 12)),
    )
    # R10 ujkg/north: assigned, then the officer says "not the city's remit": accepted, assigned, rejected;
    # response 16→18 Aug = 2 (an officer status).
    add(
        report(
            "R10",
            "ujkg",
            "north",
            kyiv(2021, 8, 16, 9),
            "not_councils_responsibility",
            kyiv(2021, 8, 18, 10),
            service="housing.roof",
        ),
        upd("R10", "action_scheduled", kyiv(2021, 8, 16, 12), "ujkg"),
        upd("R10", "not_councils_responsibility", kyiv(2021, 8, 18, 10)),
    )
    # R11 ujkg/center, from 29 Jul: assigned Fri 30 Jul, due 13 Aug; response 30 Jul→3 Aug = 2;
    # fixed 16 Aug: late; closing 29 Jul→16 Aug = 12.
    add(
        report("R11", "ujkg", "center", kyiv(2021, 7, 29, 10), "fixed", kyiv(2021, 8, 16, 10), service="housing.roof"),
        upd("R11", "action_scheduled", kyiv(2021, 7, 30, 10), "ujkg"),
        upd("R11", "in_progress", kyiv(2021, 8, 3, 10)),
        upd("R11", "fixed", kyiv(2021, 8, 16, 10)),
    )
    # R12 roads/north, July only: response 5→7 Jul = 2; fixed in time; closing 5→9 Jul = 4.
    add(
        report("R12", "roads", "north", kyiv(2021, 7, 5, 10), "fixed", kyiv(2021, 7, 9, 12)),
        upd("R12", "action_scheduled", kyiv(2021, 7, 5, 15), "roads"),
        upd("R12", "in_progress", kyiv(2021, 7, 7, 10)),
        upd("R12", "fixed", kyiv(2021, 7, 9, 12)),
    )
    # R13 roads/center, July, NO history (only the row): assigned 12 Jul (column), fixed 21 Jul;
    # response and closing 12→21 Jul = 7; in time.
    add(
        report(
            "R13",
            "roads",
            "center",
            kyiv(2021, 7, 12, 9),
            "fixed",
            kyiv(2021, 7, 21, 10),
            assigned_datetime=to_store(kyiv(2021, 7, 12, 12)),
        )
    )
    # R14 ujkg/north: fixed, reopened, reassigned and fixed again, all in August: counted once.
    # Response 2→4 Aug = 2; last closing 10 Aug (due 19 Aug from the reassignment): in time; closing 2→10 Aug = 6.
    add(
        report("R14", "ujkg", "north", kyiv(2021, 8, 2, 10), "fixed", kyiv(2021, 8, 10, 10), service="housing.roof"),
        upd("R14", "action_scheduled", kyiv(2021, 8, 2, 12), "ujkg"),
        upd("R14", "fixed", kyiv(2021, 8, 4, 10)),
        upd("R14", "investigating", kyiv(2021, 8, 5, 10)),
        upd("R14", "action_scheduled", kyiv(2021, 8, 5, 11), "ujkg"),
        upd("R14", "fixed", kyiv(2021, 8, 10, 10)),
    )
    return reports, history


AUGUST = Period.month(2021, 8)
NOW = kyiv(2021, 9, 3, 10)  # the report is made after the month: "the end of the period" is 1 Sep 00:00

# Samples by construction (see the comments in build()).
AUG_RESPONSE = [2, 1, 21, 2, 2, 2, 2]  # R1 R2 R3 R5 R10 R11 R14
AUG_CLOSING = [6, 7, 24, 12, 12, 6]  # R1 R2 R3 R5 R11 R14
JUL_RESPONSE = [2, 7]  # R12 R13
JUL_CLOSING = [4, 7]  # R12 R13


def p90(values):
    """Independent reference: the inclusive (linear) method of the statistics module."""
    return statistics.quantiles(values, n=10, method="inclusive")[8]


def by_key(figures):
    return {f.key: f for f in figures}


@pytest.fixture(scope="module")
def data():
    return build()


def test_working_day_arithmetic_of_the_data_set():
    """The calendar facts the expected values rest on."""
    assert working_days_between(kyiv(2021, 8, 20, 16), kyiv(2021, 8, 25, 9)) == 1  # weekend + 23 and 24 Aug off
    assert working_days_between(kyiv(2021, 8, 18), kyiv(2021, 8, 30)) == 7  # Sat 28 Aug was worked
    assert working_days_between(kyiv(2021, 7, 2), kyiv(2021, 8, 2)) == 21
    # Under martial law Independence Day (Thu 24 Aug 2023) is a working day.
    assert working_days_between(kyiv(2023, 8, 18, 16), kyiv(2023, 8, 25, 9)) == 5


def test_period_month_and_previous():
    nov = Period.month(2026, 11)
    assert nov.start == kyiv(2026, 11, 1) and nov.end == kyiv(2026, 12, 1)
    assert nov.is_calendar_month and nov.label() == "2026-11"
    assert nov.previous() == Period.month(2026, 10)  # calendar months: previous calendar month
    assert Period.month(2026, 1).previous() == Period.month(2025, 12)
    span = Period.days(date(2026, 11, 1), date(2026, 11, 15))
    assert span.end == kyiv(2026, 11, 16) and not span.is_calendar_month
    assert span.previous() == Period.days(date(2026, 10, 17), date(2026, 10, 31))  # same length, 15 days
    assert span.label() == "2026-11-01 – 2026-11-15"
    assert kyiv(2026, 11, 30, 23, 59) in nov and kyiv(2026, 12, 1) not in nov
    with pytest.raises(ValueError):
        Period(kyiv(2026, 11, 2), kyiv(2026, 11, 1))


def test_city_figures_august(data):
    reports, history = data
    city = stats.compute_figures(reports, history, AUGUST, "department", now=NOW, procedure=PROCEDURE)[-1]
    assert city.key == CITY_KEY
    assert city.label == "Whole city"
    assert (city.received, city.accepted, city.rejected, city.assigned) == (10, 7, 3, 6)
    assert (city.resolved, city.not_resolved, city.still_open, city.overdue) == (5, 1, 3, 2)
    assert sorted(city.overdue_ids) == ["R6", "R7"]
    assert city.resolved_in_time == 3 and city.resolved_in_time_share == pytest.approx(3 / 5)
    assert city.response_days == sorted(AUG_RESPONSE)
    assert city.closing_days == sorted(AUG_CLOSING)
    assert city.response_days_median == statistics.median(AUG_RESPONSE) == 2
    assert city.response_days_p90 == pytest.approx(p90(AUG_RESPONSE)) == pytest.approx(9.6)
    assert city.closing_days_median == statistics.median(AUG_CLOSING) == 9.5
    assert city.closing_days_p90 == pytest.approx(p90(AUG_CLOSING)) == pytest.approx(18.0)


def test_department_figures_august(data):
    reports, history = data
    figures = stats.compute_figures(reports, history, AUGUST, "department", now=NOW, procedure=PROCEDURE)
    # groups sorted by label, the reports without a department last, the city at the very end
    assert [f.key for f in figures] == ["roads", "ujkg", NO_GROUP_KEY, CITY_KEY]
    f = by_key(figures)
    roads, ujkg, none = f["roads"], f["ujkg"], f[NO_GROUP_KEY]
    assert none.label == "Not assigned"
    assert (roads.received, roads.accepted, roads.rejected, roads.assigned) == (2, 2, 0, 2)
    assert (roads.resolved, roads.not_resolved, roads.still_open, roads.overdue) == (3, 0, 0, 0)
    assert roads.resolved_in_time == 2 and roads.resolved_in_time_share == pytest.approx(2 / 3)
    assert roads.response_days_median == statistics.median([2, 1, 21])
    assert roads.response_days_p90 == pytest.approx(p90([2, 1, 21]))
    assert roads.closing_days_p90 == pytest.approx(p90([6, 7, 24]))
    assert (ujkg.received, ujkg.accepted, ujkg.rejected, ujkg.assigned) == (4, 4, 1, 4)
    assert (ujkg.resolved, ujkg.not_resolved, ujkg.still_open, ujkg.overdue) == (2, 1, 1, 1)
    assert ujkg.resolved_in_time_share == pytest.approx(0.5)
    assert ujkg.closing_days_median == statistics.median([12, 12, 6])
    assert (none.received, none.accepted, none.rejected, none.assigned) == (4, 1, 2, 0)
    assert (none.still_open, none.overdue) == (2, 1)
    assert none.resolved_in_time_share is None and none.response_days_median is None
    # the groups add up to the city
    city = f[CITY_KEY]
    for name in ("received", "accepted", "rejected", "assigned", "resolved", "not_resolved", "still_open", "overdue"):
        assert sum(getattr(g, name) for g in (roads, ujkg, none)) == getattr(city, name), name


def test_district_and_category_groupings_with_names(data):
    reports, history = data
    names = {"center": "Центр", "north": "Північ", "south": "Південь"}
    f = by_key(stats.compute_figures(reports, history, AUGUST, "district", now=NOW, names=names, procedure=PROCEDURE))
    assert f["center"].label == "Центр" and f["center"].received == 4  # R1 R5 R7 R9
    assert f["north"].received == 6  # R2 R4 R6 R8 R10 R14
    assert f["south"].received == 0  # named groups are listed even when empty
    cat = by_key(stats.compute_figures(reports, history, AUGUST, "category", now=NOW, procedure=PROCEDURE))
    assert cat["roads.pothole"].received == 6 and cat["housing.roof"].received == 4
    with pytest.raises(ValueError):
        stats.compute_figures(reports, history, AUGUST, "colour", now=NOW, procedure=PROCEDURE)


def test_previous_period_and_comparison(data):
    reports, history = data
    fs = stats.figure_set(reports, history, AUGUST, "department", now=NOW, procedure=PROCEDURE)
    assert fs.previous_period == Period.month(2021, 7)
    july = fs.city.previous
    assert (july.received, july.accepted, july.rejected, july.assigned) == (4, 4, 0, 4)
    assert (july.resolved, july.not_resolved, july.still_open, july.overdue) == (2, 0, 2, 1)  # R3 overdue on 1 Aug
    assert july.resolved_in_time_share == 1.0
    assert july.response_days_median == statistics.median(JUL_RESPONSE) == 4.5
    assert july.closing_days_p90 == pytest.approx(p90(JUL_CLOSING))
    d = fs.city.deltas
    assert (d["received"], d["accepted"], d["rejected"], d["resolved"], d["still_open"]) == (6, 3, 3, 3, 1)
    assert d["resolved_in_time_share"] == pytest.approx(0.6 - 1.0)
    assert d["response_days_median"] == pytest.approx(statistics.median(AUG_RESPONSE) - 4.5)
    assert d["closing_days_p90"] == pytest.approx(p90(AUG_CLOSING) - p90(JUL_CLOSING))
    # a group with nothing in one period compares with zeros; None stays None
    none = fs.get(NO_GROUP_KEY)
    assert none.previous.received == 0 and none.deltas["received"] == 4
    assert none.deltas["response_days_median"] is None
    assert [r.key for r in fs.rows][-1] == CITY_KEY and fs.groups[0].key == "roads"


def test_overdue_now_uses_the_stored_deadline_while_the_period_lasts(data):
    reports, history = data
    now = kyiv(2021, 8, 31, 12)  # inside August: the figures are taken "now"
    city = stats.compute_figures(reports, history, AUGUST, now=now, procedure=PROCEDURE)[-1]
    assert sorted(city.overdue_ids) == ["R6"]  # R7 is due at 18:00 today
    assert city.still_open == 3
    changed = [dict(r) for r in reports]
    for r in changed:
        if r["service_request_id"] == "R8":  # the store's deadline (e.g. a stricter category) wins
            r["deadline"] = to_store(kyiv(2021, 8, 31, 10))
    city = stats.compute_figures(changed, history, AUGUST, now=now, procedure=PROCEDURE)[-1]
    assert sorted(city.overdue_ids) == ["R6", "R8"]


def test_martial_law_holidays_are_working_days():
    """The same week in 2021 and in 2023: Independence Day is a day off only before martial law."""
    rows, hist = [], []
    for year, rid in ((2021, "A"), (2023, "B")):
        fri = 20 if year == 2021 else 18  # a Friday before 24 Aug
        rows.append(report(rid, "roads", "center", kyiv(year, 8, fri, 9), "in_progress", kyiv(year, 8, fri + 7, 9)))
        hist += [
            upd(rid, "action_scheduled", kyiv(year, 8, fri, 16), "roads"),
            upd(rid, "in_progress", kyiv(year, 8, fri + 7, 9)),
        ]
    y21 = stats.compute_figures(rows, hist, AUGUST, now=NOW, procedure=PROCEDURE)[-1]
    y23 = stats.compute_figures(rows, hist, Period.month(2023, 8), now=kyiv(2023, 9, 1, 10), procedure=PROCEDURE)
    assert y21.response_days == [3]  # 20→27 Aug 2021: 25, 26, 27 (23 and 24 off)
    assert y23[-1].response_days == [5]  # 18→25 Aug 2023: 21–25, the holiday worked


def test_percentile_method_matches_statistics_module():
    for values in ([1], [3, 1], [1, 2, 2, 2, 2, 2, 21], [5, 1, 9, 14, 2, 8, 8, 3, 30, 4, 7]):
        assert stats.median(values) == pytest.approx(statistics.median(values))
        if len(values) > 1:
            qs = statistics.quantiles(values, n=100, method="inclusive")
            for q in (10, 25, 75, 90):
                assert stats.percentile(values, q) == pytest.approx(qs[q - 1])
    assert stats.percentile([4], 90) == 4 and stats.median([]) is None


def test_to_datetime_accepts_store_text_and_datetimes():
    expected = kyiv(2021, 8, 2, 9)
    assert stats.to_datetime("2021-08-02T06:00:00.000Z") == expected
    assert stats.to_datetime(expected) == expected
    assert stats.to_datetime(datetime(2021, 8, 2, 9)) == expected  # naive = Kyiv
    assert stats.to_datetime("2021-08-02T09:00:00+03:00") == expected
    assert stats.to_datetime("") is None and stats.to_datetime("garbage") is None


def _write_workspace(path, reports, history):
    """A real workspace (GeoPackageStore) holding exactly these rows, written with plain SQL through the store."""
    from openmisto_plugin.core.store import GeoPackageStore

    def insert(table, row):
        store.execute(
            f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
            [to_store(v) if isinstance(v, datetime) else v for v in row.values()],
        )

    store = GeoPackageStore.create(str(path))
    try:
        with store.transaction():
            for r in reports:
                insert("reports", {"expected_datetime": None, "description": "x", **r})
            for h in history:
                insert("request_updates", h)
            insert(
                "departments",
                {"code": "roads", "name": "Відділ доріг", "officer_name": "Іван", "officer_phone": "+380"},
            )
            insert("districts", {"code": "center", "name": "Центр"})
    finally:
        store.close()


def test_load_rows_reads_a_workspace_read_only(tmp_path, data):
    reports, history = data
    path = tmp_path / "workspace.gpkg"
    _write_workspace(path, reports, history)
    before = path.read_bytes()
    rows = stats.load_rows(path)
    assert path.read_bytes() == before
    assert len(rows.reports) == 14 and len(rows.history) == len(history)
    assert "geom" not in rows.reports[0] and "description" not in rows.reports[0]
    assert rows.names["department"] == {"roads": "Відділ доріг"}  # no officer data is read
    assert rows.names["district"] == {"center": "Центр"}
    assert rows.names["category"]["roads.pothole"] == "Ями на дорозі"  # from the reports themselves
    sets = stats.all_figure_sets(rows, AUGUST, now=NOW, procedure=PROCEDURE)
    assert set(sets) == {"department", "district", "category"}
    city = sets["department"].city.current
    assert (city.received, city.resolved, city.overdue, city.closing_days_median) == (10, 5, 2, 9.5)
    assert sets["department"].get("roads").label == "Відділ доріг"
    with pytest.raises(FileNotFoundError):
        stats.load_rows(tmp_path / "missing.gpkg")


def test_load_rows_from_a_geopackage_store(tmp_path, data):
    """The same data written through GeoPackageStore gives the same August figures (path or store object)."""
    from openmisto_plugin.core.model import RequestUpdate, ServiceRequest
    from openmisto_plugin.core.store import GeoPackageStore

    reports, history = data
    store = GeoPackageStore.create(str(tmp_path / "ws.gpkg"))
    try:
        fields = ("status", "external_status_code", "service_code", "service_name", "agency_responsible", "district")
        store.upsert_requests(
            [
                ServiceRequest(
                    service_request_id=r["service_request_id"],
                    lat=47.653,
                    long=34.112,
                    requested_datetime=stats.to_datetime(r["requested_datetime"]),
                    updated_datetime=stats.to_datetime(r["updated_datetime"]),
                    **{k: r[k] for k in fields},
                )
                for r in reports
            ]
        )
        store.add_history(
            RequestUpdate(
                update_id=h["update_id"],
                service_request_id=h["service_request_id"],
                updated_datetime=stats.to_datetime(h["updated_datetime"]),
                external_status_code=h["external_status_code"],
                agency_responsible=h["agency_responsible"],
            )
            for h in history
        )
        store.upsert_departments([{"code": "roads", "name": "Відділ доріг", "officer_name": "Іван Петренко"}])
        for source in (store, tmp_path / "ws.gpkg"):
            rows = stats.load_rows(source)
            assert len(rows.reports) == 14 and len(rows.history) == len(history)
            assert rows.names["department"] == {"roads": "Відділ доріг"}
            city = stats.compute_figures(rows.reports, rows.history, AUGUST, now=NOW, procedure=PROCEDURE)[-1]
            assert (city.received, city.accepted, city.rejected, city.assigned) == (10, 7, 3, 6)
            assert (city.resolved, city.not_resolved, city.still_open, city.overdue) == (5, 1, 3, 2)
            assert city.response_days == sorted(AUG_RESPONSE) and city.closing_days == sorted(AUG_CLOSING)
    finally:
        store.close()


# --- the public engine (FigureEngine) and its speed-ups ------------------------------------------------


def test_engine_evaluates_each_report_at_the_end_of_the_period(data):
    reports, history = data
    engine = stats.FigureEngine(reports, history, now=NOW, procedure=PROCEDURE)
    assert len(engine) == 14 and engine.reference_moment(AUGUST) == AUGUST.end
    states = {s.service_request_id: s for s in engine.evaluate(AUGUST)}
    assert engine.evaluate(AUGUST) is engine.evaluate(AUGUST)  # once per period
    r6, r7, r8, r1 = states["R6"], states["R7"], states["R8"], states["R1"]
    assert (r6.status, r6.still_open, r6.overdue, r6.due) == ("action_scheduled", True, True, kyiv(2021, 8, 30, 18))
    assert (r7.status, r7.overdue, r7.due) == ("for_triage", True, kyiv(2021, 8, 31, 18))
    assert (r8.status, r8.overdue, r8.due) == ("investigating", False, kyiv(2021, 9, 1, 18))
    assert (r1.status, r1.still_open, r1.due, r1.received, r1.resolved, r1.resolved_in_time) == (
        "fixed",
        False,
        None,
        True,
        True,
        True,
    )
    assert (r1.response_days, r1.closing_days) == (2, 6)
    assert r6.group_key("department") == "ujkg" and r7.group_key("department") == NO_GROUP_KEY
    assert stats.group_key(reports[0], "district") == "center"
    assert not states["R12"].counts  # July only: nothing in August
    assert states["R7"].counts
    # the figures are the sums of the states
    city = engine.figures("department", AUGUST)[-1]
    assert city.overdue == sum(s.overdue for s in states.values()) == 2
    assert city.received == sum(s.received for s in states.values()) == 10


class _Forgetful(dict):
    """A cache that never remembers (the engine then asks deadline_for every time)."""

    def get(self, key, default=None):
        return default

    def __setitem__(self, key, value):
        pass


def _random_city(seed: int, n: int = 400):
    """Reports of 2021–2024 with every kind of history: reassignments, plans with and without a date,
    reopenings, a missing history, categories with their own terms; for comparing two computations."""
    import random

    rnd = random.Random(seed)
    reports, history = [], []
    codes_after = {
        "for_triage": ["investigating", "action_scheduled", "action_scheduled", "hidden", "duplicate"],
        "investigating": ["action_scheduled", "action_scheduled", "not_councils_responsibility"],
        "action_scheduled": ["in_progress", "planned", "planned", "fixed", "no_further_action", "action_scheduled"],
        "in_progress": ["planned", "fixed", "fixed", "no_further_action", "action_scheduled"],
        "planned": ["fixed", "fixed", "in_progress", "no_further_action"],
        "fixed": ["investigating"],  # reopened
    }
    # three busy windows (before martial law, its start, a New Year under it): many reports share days
    windows = [(kyiv(2021, 7, 15), kyiv(2021, 9, 15)), (kyiv(2022, 2, 10), kyiv(2022, 3, 10))]
    windows.append((kyiv(2023, 12, 15), kyiv(2024, 2, 15)))
    for i in range(n):
        rid = f"X{i}"
        first, last = windows[i % len(windows)]
        at = first + (last - first) * rnd.random()
        requested = at
        code = "for_triage"
        steps = [(code, at)]
        assigned = None
        for _ in range(rnd.randint(0, 6)):
            if code not in codes_after:
                break
            code = rnd.choice(codes_after[code])
            at = at + (kyiv(2021, 1, 6) - kyiv(2021, 1, 1)) * rnd.random()
            steps.append((code, at))
            if code == "action_scheduled":
                assigned = at
        expected = None
        if any(c == "planned" for c, _ in steps) or rnd.random() < 0.2:
            day = (steps[-1][1] + (kyiv(2021, 2, 15) - kyiv(2021, 1, 1)) * rnd.random()).astimezone(KYIV)
            expected = to_store(day.replace(hour=0, minute=0) if rnd.random() < 0.5 else day)
        service = rnd.choice(["roads.pothole", "housing.roof"])
        row = report(rid, rnd.choice(["roads", "ujkg", None]), rnd.choice(["center", "north"]), requested, code, at)
        row["service_code"] = rnd.choice([service, "parks.tree", None])
        row["assigned_datetime"] = to_store(assigned) if assigned and rnd.random() < 0.5 else None
        row["expected_datetime"] = expected
        if rnd.random() < 0.1:
            row["requested_datetime"] = None  # a broken row
        reports.append(row)
        if rnd.random() < 0.9:  # some reports come without their history
            history += [upd(rid, c, t) for c, t in steps]
    return reports, history


def test_cached_deadlines_equal_deadline_for_every_time():
    """The engine caches deadline_for by stage, terms and Kyiv dates; asking it every time gives the same."""
    from openmisto_plugin.core.deadlines import parse_procedure

    procedure = parse_procedure(
        "[defaults]\nanswer_working_days = 10\n[category:housing.roof]\nanswer_working_days = 3\n"
        "moderation_working_days = 2\nextension_max_calendar_days = 14\n[category:parks.tree]\n"
        "answer_working_days = 3\nmoderation_working_days = 2\nextension_max_calendar_days = 14\n"
    )
    reports, history = _random_city(7, 1500)
    periods = [Period.month(2021, 8), Period.month(2022, 2), Period.month(2023, 12), Period.month(2024, 1)]
    periods.append(Period.days(date(2021, 6, 1), date(2024, 3, 31)))
    for now in (kyiv(2024, 1, 20, 12), kyiv(2025, 1, 1)):
        cached = stats.FigureEngine(reports, history, now=now, procedure=procedure)
        plain = stats.FigureEngine(reports, history, now=now, procedure=procedure)
        plain._dues = _Forgetful()
        for period in periods:
            a, b = cached.evaluate(period), plain.evaluate(period)
            assert a == b, period
            assert sum(s.overdue for s in a) and sum(s.resolved_in_time for s in a) >= 0
    assert len(cached._dues) < len(reports)  # the cache is used


def test_store_records_are_the_query_rows_as_tuples(tmp_path, data):
    """The big-read door (``ReportStore.records``) gives what ``query`` gives, without a dict per row."""
    from openmisto_plugin.core.store import GeoPackageStore

    reports, history = data
    _write_workspace(tmp_path / "w.gpkg", reports, history)
    with GeoPackageStore.open(str(tmp_path / "w.gpkg")) as store:
        sql = (
            'SELECT "service_request_id", "updated_datetime", "lat" FROM "reports" WHERE "district" = ? ORDER BY "fid"'
        )
        records = store.records(sql, ["center"])
        assert records and all(type(r) is tuple for r in records)
        assert records == [tuple(r.values()) for r in store.query(sql, ["center"])]


def test_table_rows_and_reading_only_what_counts(tmp_path, data):
    reports, history = data
    path = tmp_path / "workspace.gpkg"
    _write_workspace(path, reports, history)
    rows = stats.load_rows(path)
    assert set(rows.reports[0]) == set(stats.REPORT_COLUMNS)  # only what the figures need
    assert isinstance(rows.history, stats.TableRows) and len(rows.history) == len(history)
    first = rows.history[0]
    assert set(first) == set(stats.HISTORY_COLUMNS) and first == next(iter(rows.history))
    assert len(rows.history[1:3]) == 2
    with_text = stats.load_rows(path, extra_columns=("description", "no_such_column"))
    assert with_text.reports[0]["description"] == "x" and "no_such_column" not in with_text.reports[0]
    # since July: every report can count in July or August; since August: R12 (closed in July) is left out
    since_july = stats.load_rows(path, since=Period.month(2021, 7).start)
    since_august = stats.load_rows(path, since=AUGUST.start)
    assert len(since_july.reports) == 14
    assert "R12" not in {r["service_request_id"] for r in since_august.reports}
    assert all(h["service_request_id"] != "R12" for h in since_august.history)
    full = stats.figure_set(rows.reports, rows.history, AUGUST, now=NOW, procedure=PROCEDURE)
    part = stats.figure_set(since_july.reports, since_july.history, AUGUST, now=NOW, procedure=PROCEDURE)
    assert [(r.key, r.current.as_dict(), r.previous.as_dict()) for r in full.rows] == [
        (r.key, r.current.as_dict(), r.previous.as_dict()) for r in part.rows
    ]
    # a closed, old report with a late update (a comment on a fixed report) is still read
    late = [*history, upd("R12", "fixed", kyiv(2021, 8, 20, 10))]
    path2 = tmp_path / "late.gpkg"
    _write_workspace(path2, reports, late)
    assert "R12" in {r["service_request_id"] for r in stats.load_rows(path2, since=AUGUST.start).reports}


def test_fast_working_days_equal_a_day_by_day_count():
    """The O(1) table of workdays against counting day by day, 2020–2025 (weekends, holidays, transferred
    Saturdays, martial law from 2022-02-24); the table also grows backwards and forwards on demand."""
    from datetime import timedelta

    from openmisto_plugin.core import workdays
    from openmisto_plugin.core.workdays import add_working_days, is_working_day, next_working_day

    workdays.clear_cache()
    assert working_days_between(date(2023, 3, 1), date(2023, 3, 31)) == 22  # 2–31 Mar; the table starts in 2023 …
    first, last = date(2020, 12, 1), date(2025, 1, 31)
    days = [first + timedelta(days=k) for k in range((last - first).days + 1)]
    working = [is_working_day(d) for d in days]
    running, total = [], 0
    for w in working:
        total += w
        running.append(total)
    index = {d: i for i, d in enumerate(days)}
    # … and grows to 2020 and 2025 here: every pair 0–60 days apart, and a stride of long spans, both ways
    for i, a in enumerate(days):
        for k in (0, 1, 2, 3, 5, 7, 13, 30, 61):
            if i + k < len(days):
                b = days[i + k]
                slow = sum(working[i + 1 : i + k + 1])
                assert working_days_between(a, b) == slow, (a, b)
                assert working_days_between(b, a) == -slow, (b, a)
    for a in days[::97]:
        for b in days[::89]:
            assert working_days_between(a, b) == running[index[b]] - running[index[a]], (a, b)
    # add_working_days / next_working_day against stepping day by day
    for a in days[:-60:3]:
        step = a
        for n in range(1, 25):
            step += timedelta(days=1)
            while not is_working_day(step):
                step += timedelta(days=1)
            assert add_working_days(datetime(a.year, a.month, a.day, 9, tzinfo=KYIV), n).date() == step, (a, n)
        assert next_working_day(a) == add_working_days(datetime(a.year, a.month, a.day, tzinfo=KYIV), 1).date()
    # Kyiv dates of aware datetimes: Sunday 2023-08-27 21:30 UTC is already Monday in Kyiv
    assert working_days_between(kyiv(2023, 8, 24, 12), datetime(2023, 8, 27, 20, 30, tzinfo=timezone.utc)) == 1
    assert working_days_between(kyiv(2023, 8, 24, 12), datetime(2023, 8, 27, 21, 30, tzinfo=timezone.utc)) == 2
