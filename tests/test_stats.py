"""Effectiveness figures (core/stats.py) on a hand-built data set whose answers are known by construction.

Calendar of August 2021 (before martial law): Mon 23 Aug was a day off (transferred from Sat 28 Aug,
which was worked), Tue 24 Aug was Independence Day. Since 2023 holidays are working days.
The Procedure used is the default one: moderation 1 working day, answer 10 working days, 18:00 Kyiv.

Every report below notes the values it contributes; the expected figures in the tests are the sums.
"""

from __future__ import annotations

import sqlite3
import statistics
from datetime import date, datetime

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
    """A sqlite file with the store's tables (columns of docs/architecture.md) for the read-only loader."""
    con = sqlite3.connect(path)
    cols = [*reports[0], "fid", "geom", "expected_datetime", "description"]
    con.execute(f"CREATE TABLE reports ({', '.join(cols)})")
    for r in reports:
        full = {"fid": None, "geom": b"\x00", "expected_datetime": None, "description": "x", **r}
        con.execute(f"INSERT INTO reports VALUES ({', '.join('?' * len(cols))})", [full[c] for c in cols])
    hcols = ["update_id", "service_request_id", "status", "external_status_code", "updated_datetime"]
    hcols += ["description", "agency_responsible", "media_url", "author", "origin"]
    con.execute(f"CREATE TABLE request_updates ({', '.join(hcols)})")
    for h in history:
        at = h["updated_datetime"]
        values = {**h, "updated_datetime": to_store(at) if isinstance(at, datetime) else at}
        con.execute(
            f"INSERT INTO request_updates VALUES ({', '.join('?' * len(hcols))})", [values.get(c) for c in hcols]
        )
    con.execute("CREATE TABLE departments (code, name, officer_name, officer_phone, officer_email)")
    con.execute("INSERT INTO departments VALUES ('roads', 'Відділ доріг', 'Іван', '+380', 'i@x')")
    con.execute("CREATE TABLE districts (fid, code, name, geom)")
    con.execute("INSERT INTO districts VALUES (1, 'center', 'Центр', NULL)")
    con.commit()
    con.close()


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
