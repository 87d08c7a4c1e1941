"""One stamp, one instant: every reader of datetimes (GUI, sync, client, parser, stats, atlas) agrees."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from qgis.PyQt.QtCore import QDateTime, Qt, QTimeZone

from openmisto_plugin.core import reportfields, stats, timeutil
from openmisto_plugin.core.open311 import client, parser
from openmisto_plugin.gui import common

# 2026-07-01 09:14:00.250 Kyiv summer time (UTC+3) = 06:14:00.250 UTC; and a winter one (UTC+2)
SUMMER = datetime(2026, 7, 1, 6, 14, 0, 250_000, tzinfo=timezone.utc)
WINTER = datetime(2026, 11, 2, 7, 14, 0, 250_000, tzinfo=timezone.utc)


def _forms(utc: datetime) -> list[object]:
    kyiv = utc.astimezone(timeutil.KYIV)
    naive = kyiv.replace(tzinfo=None)
    qt_utc = QDateTime.fromMSecsSinceEpoch(int(utc.timestamp() * 1000), Qt.TimeSpec.UTC)
    qt_kyiv = QDateTime.fromMSecsSinceEpoch(int(utc.timestamp() * 1000), QTimeZone(b"Europe/Kyiv"))
    return [
        naive,  # naive datetime: Kyiv wall clock
        naive.isoformat(),  # zone-less text with T and microseconds
        naive.isoformat(sep=" "),  # a space instead of T
        naive.strftime("%Y-%m-%d %H:%M:%S.%f"),
        kyiv,
        kyiv.isoformat(),  # W3C with offset +03:00 / +02:00
        utc.isoformat().replace("+00:00", "Z"),
        timeutil.to_store(utc),  # the store's own text
        f"  {timeutil.to_store(utc)}  ",
        qt_utc,
        qt_kyiv,
    ]


READERS = {
    "timeutil.parse": timeutil.parse,
    "gui.common.to_datetime": common.to_datetime,
    "client._as_datetime": client._as_datetime,
    "parser.parse_datetime": parser.parse_datetime,
    "stats.to_datetime": stats.to_datetime,  # the figures and the atlas data read rows through it
    "reportfields.as_datetime": reportfields.as_datetime,  # deadlines, duplicates, the store's writers
}


@pytest.mark.parametrize("utc", [SUMMER, WINTER], ids=["summer", "winter"])
@pytest.mark.parametrize("reader", list(READERS), ids=list(READERS))
def test_one_stamp_is_one_instant_for_every_reader(qgis_app, utc, reader):
    read = READERS[reader]
    for form in _forms(utc):
        if reader == "client._as_datetime" and not isinstance(form, (str, datetime)):
            continue  # the client's window bounds are text or datetime only
        moment = read(form)
        assert moment is not None, (reader, form)
        assert moment.tzinfo is not None, (reader, form)
        assert moment == utc, (reader, form, moment)


def test_the_figures_read_store_text_at_the_same_instant(qgis_app):
    assert stats.rows._parse_utc(timeutil.to_store(SUMMER)) == SUMMER
    assert stats.rows._parse_utc(SUMMER.astimezone(timeutil.KYIV).replace(tzinfo=None).isoformat()) == SUMMER


def test_naive_means_kyiv_across_summer_time():
    # the last Sunday of March: 03:00 Kyiv jumps to 04:00, the offset from +02 to +03
    assert timeutil.parse("2026-03-29 02:30") == datetime(2026, 3, 29, 0, 30, tzinfo=timezone.utc)
    assert timeutil.parse("2026-03-29 05:00") == datetime(2026, 3, 29, 2, 0, tzinfo=timezone.utc)
    day = timeutil.parse("2026-10-25 12:00").astimezone(timezone.utc) - timeutil.parse("2026-10-24 12:00")
    assert day == timedelta(hours=25)  # the autumn day is 25 hours long


@pytest.mark.parametrize(
    "text, why",
    [("2026-13-45", "month"), ("yesterday", "not a datetime"), ("2026-11-02T09:14+25:00", "offset")],
)
def test_unreadable_text_gives_none_and_a_reason(text, why):
    when, reason = timeutil.parse_reason(text)
    assert when is None
    assert why in reason and text in reason
    assert timeutil.parse(text) is None
    with pytest.raises(ValueError):
        parser.parse_datetime(text)


@pytest.mark.parametrize("empty", [None, "", "  ", "null", "None", QDateTime()])
def test_empty_values_are_none_without_a_reason(qgis_app, empty):
    assert timeutil.parse_reason(empty) == (None, "")


def test_wire_display_and_day():
    assert timeutil.to_wire(SUMMER.astimezone(timeutil.KYIV)) == "2026-07-01T09:14:00+03:00"
    assert timeutil.to_wire(datetime(2026, 11, 2, 9, 14)) == "2026-11-02T09:14:00+02:00"
    assert timeutil.to_display(timeutil.to_store(WINTER)) == "02.11.2026 09:14"
    assert timeutil.to_display("junk") == ""
    assert common.format_datetime(timeutil.to_store(WINTER)) == "02.11.2026 09:14"
    assert timeutil.parse_day("2026-11-02") == datetime(2026, 11, 2).date()
    assert timeutil.parse_day("2026-10-31T23:30:00Z") == datetime(2026, 11, 1).date()  # 01:30 in Kyiv
    assert timeutil.parse_day("2026-02-30") is None
