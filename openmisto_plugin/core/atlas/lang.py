"""The atlas language: its translations (a private translator) and its number and date formats.

:class:`Lang` translates with a translator of its own for the atlas language: the plugin's global
translator is left alone, as the atlas may be built in English in a Ukrainian QGIS, from a worker thread.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from qgis.PyQt.QtCore import QLocale, QTranslator

from .. import stats
from ..i18n import CONTEXT
from ..paths import i18n_dir
from ..timeutil import KYIV

log = logging.getLogger(__name__)

LANGUAGES: tuple[str, ...] = ("uk", "en")


class Lang:
    """Translations and number/date formats of one atlas language (``uk`` or ``en``)."""

    def __init__(self, language: str = "uk") -> None:
        if language not in LANGUAGES:
            raise ValueError(f"unknown language {language!r}; use one of {', '.join(LANGUAGES)}")
        self.language = language
        self.locale = (
            QLocale(QLocale.Language.Ukrainian, QLocale.Country.Ukraine)
            if language == "uk"
            else QLocale(QLocale.Language.English)
        )
        self.locale.setNumberOptions(QLocale.NumberOption.OmitGroupSeparator)
        self._translator: QTranslator | None = None
        if language != "en":
            path = Path(i18n_dir()) / f"openmisto_{language}.qm"
            translator = QTranslator()
            if path.exists() and translator.load(str(path)):
                self._translator = translator
            else:
                log.warning("No %s translation at %s: the atlas is printed in English", language, path)

    def tr(self, text: str) -> str:
        """``text`` (an English source string) in the atlas language."""
        if self._translator is None:
            return text
        return self._translator.translate(CONTEXT, text.encode("utf-8")) or text

    # -- numbers
    def number(self, value: float, decimals: int = 1) -> str:
        """``12``, ``3,5`` (uk) / ``3.5`` (en); integers without decimals."""
        if float(value).is_integer():
            return str(int(value))
        return self.locale.toString(float(value), "f", decimals)

    def percent(self, share: float) -> str:
        """A share as per cent, always one decimal in the locale's form: ``75,0 %``, ``83,3 %`` (uk)."""
        return f"{self.locale.toString(round(float(share) * 100, 1), 'f', 1)} %"

    def value(self, name: str, value: int | float | None) -> str:
        """One figure for a table (shares in per cent); an en dash without a value."""
        if value is None:
            return "–"
        if name in stats.SHARE_FIELDS:
            return self.percent(value)  # one format in every table: not "75 %" beside "83,3 %"
        if name in stats.DAYS_FIELDS:
            return self.number(round(float(value), 1))
        return str(int(value))

    def delta(self, name: str, value: int | float | None) -> str:
        """A change: ``+3``, ``−2``, ``0``, ``+4,1 п.п.``; an en dash without a value."""
        if value is None:
            return "–"
        if name in stats.SHARE_FIELDS:
            value = round(value * 100, 1)
            unit = " " + self.tr("pp")
        elif name in stats.DAYS_FIELDS:
            value, unit = round(float(value), 1), ""
        else:
            unit = ""
        if name in stats.SHARE_FIELDS:  # percentage points: one decimal, as the shares themselves
            if value == 0:
                return self.locale.toString(0.0, "f", 1) + unit
            sign = "+" if value > 0 else "−"
            return f"{sign}{self.locale.toString(abs(value), 'f', 1)}{unit}"
        if value == 0:
            return "0" + unit
        sign = "+" if value > 0 else "−"
        return f"{sign}{self.number(abs(value))}{unit}"

    # -- dates
    def date(self, moment: datetime) -> str:
        """A Kyiv date: ``29.11.2026`` (uk) / ``2026-11-29`` (en)."""
        day = moment.astimezone(KYIV).date()
        return day.strftime("%d.%m.%Y") if self.language == "uk" else day.isoformat()

    def datetime(self, moment: datetime) -> str:
        """A Kyiv date and time."""
        return f"{self.date(moment)} {moment.astimezone(KYIV).strftime('%H:%M')}"

    def period(self, period: stats.Period) -> str:
        """``листопад 2026`` / ``November 2026`` for a month, else first – last day."""
        if period.is_calendar_month:
            first = period.first_day
            name = self.locale.standaloneMonthName(first.month, QLocale.FormatType.LongFormat)
            return f"{name} {first.year}"
        first = datetime(period.first_day.year, period.first_day.month, period.first_day.day, tzinfo=KYIV)
        last = datetime(period.last_day.year, period.last_day.month, period.last_day.day, tzinfo=KYIV)
        return f"{self.date(first)} – {self.date(last)}"

    # -- names
    def figure_labels(self) -> dict[str, str]:
        """Row names of the figures table (the same source strings as ``stats.figure_headers``)."""
        return {
            "received": self.tr("Received"),
            "accepted": self.tr("Accepted"),
            "rejected": self.tr("Rejected"),
            "assigned": self.tr("Assigned"),
            "resolved": self.tr("Resolved"),
            "not_resolved": self.tr("Not resolved"),
            "still_open": self.tr("Still open"),
            "overdue": self.tr("Overdue"),
            "resolved_in_time": self.tr("Resolved in time"),
            "resolved_in_time_share": self.tr("Resolved in time, %"),
            "response_days_median": self.tr("First response, median (working days)"),
            "response_days_p90": self.tr("First response, 90th percentile (working days)"),
            "closing_days_median": self.tr("Closing, median (working days)"),
            "closing_days_p90": self.tr("Closing, 90th percentile (working days)"),
        }

    def status_label(self, code: str) -> str:
        """A status code's label in the atlas language."""
        from ..statuses import source_label

        source = source_label(code)
        return self.tr(source) if source else code

    def grouping_label(self, grouping: str) -> str:
        return {stats.DEPARTMENT: self.tr("Department"), stats.DISTRICT: self.tr("District")}.get(grouping, grouping)

    def no_group_label(self, grouping: str) -> str:
        return {stats.DEPARTMENT: self.tr("Not assigned"), stats.DISTRICT: self.tr("No district")}.get(
            grouping, self.tr("Other")
        )
