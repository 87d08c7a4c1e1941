"""What an Open311 platform offers beyond (and within) GeoReport v2: its *profile*.

Open311 servers differ: JSON is optional, paging is an extension (``page``/``page_size``,
``X-Next-Page-URL``) or absent, ``updated_after`` and ``servicerequestupdates`` (history, write-back)
are FixMyStreet extensions, ``districts``/``departments`` belong to the reference server only. The
plugin probes a platform with a few cheap calls at *Test connection* (:func:`probe`), refreshes what
each sync sees anyway, and keeps the result in the workspace (``store.platform_profile()``), so that
the sync, the push and the dock act on it.

Every feature is ``"yes"``, ``"no"`` or ``"unknown"`` (not probed yet, or the answer was not
conclusive). Other modules read :attr:`PlatformProfile.write_back` (see :data:`WRITE_BACK_FIELD`):
``"no"`` means the platform accepts no responses from QGIS (POST ``servicerequestupdates`` answered
404/405/501), ``"unknown"`` that it is not known until the first push.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timedelta, timezone
from typing import Any

from ..i18n import tr

log = logging.getLogger(__name__)

YES, NO, UNKNOWN = "yes", "no", "unknown"
#: Paging styles: ``page`` (``page``/``page_size``), ``next_url`` (``X-Next-Page-URL`` headers, also
#: ``page``-numbered), ``none`` (one answer per query: the sync walks date windows instead).
PAGING_PAGE, PAGING_NEXT_URL, PAGING_NONE = "page", "next_url", "none"
#: The attribute other modules read to decide whether to push (values :data:`YES`, :data:`NO`, :data:`UNKNOWN`).
WRITE_BACK_FIELD = "write_back"
#: HTTP statuses meaning "this call does not exist here" (not "this record does not exist").
ABSENT_STATUSES = (404, 405, 501)


@dataclass
class PlatformProfile:
    """What one platform offers; every flag ``yes``/``no``/``unknown``."""

    base_url: str = ""
    json: str = UNKNOWN
    xml: str = UNKNOWN
    #: the format the plugin uses with it: ``json`` or ``xml``
    format: str = "json"
    paging: str = UNKNOWN
    #: the most records one answer holds when paging is ``none`` (learned from answers cut short)
    result_cap: int | None = None
    updated_after: str = UNKNOWN
    extensions: str = UNKNOWN
    history: str = UNKNOWN
    write_back: str = UNKNOWN
    districts: str = UNKNOWN
    departments: str = UNKNOWN
    discovery: str = UNKNOWN
    jurisdiction_needed: str = UNKNOWN
    #: when the profile was last probed or refreshed (UTC, ISO 8601)
    checked_at: str = ""
    #: how the last incremental sync fetched changes (see ``core.sync``)
    incremental_method: str = ""
    #: per feature, the request and answer that decided it ("GET …/servicerequestupdates.json answered 404")
    evidence: dict[str, str] = field(default_factory=dict)

    # -- persistence -----------------------------------------------------------------------------
    def to_json(self) -> str:
        """The profile as a JSON text (what the workspace keeps)."""
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str | None) -> PlatformProfile | None:
        """A profile from :meth:`to_json`'s text; ``None`` when empty or unreadable (unknown keys ignored)."""
        if not text:
            return None
        try:
            data = json.loads(text)
        except ValueError:
            log.warning("The stored platform profile is not JSON; ignored")
            return None
        if not isinstance(data, dict):
            return None
        known = {f.name for f in fields(cls)}
        profile = cls(**{k: v for k, v in data.items() if k in known})
        if not isinstance(profile.evidence, dict):
            profile.evidence = {}
        return profile

    # -- updates ---------------------------------------------------------------------------------
    def note(self, feature: str, value: str, evidence: str | None = None) -> bool:
        """Set ``feature`` to ``value`` with the request that showed it; True when the value changed."""
        changed = getattr(self, feature) != value
        setattr(self, feature, value)
        if evidence:
            self.evidence[feature] = evidence
        elif changed:
            self.evidence.pop(feature, None)
        return changed

    def touch(self, now: datetime | None = None) -> None:
        """Mark the profile as checked now."""
        self.checked_at = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).isoformat(timespec="seconds")

    @property
    def accepts_responses(self) -> bool:
        """False only when the platform is known to refuse write-back (POST ``servicerequestupdates``)."""
        return self.write_back != NO

    def missing(self) -> list[str]:
        """Features known to be absent (names of the fields), in display order."""
        skip = ("json", "xml", "jurisdiction_needed")  # formats: one is enough; jurisdiction: "no" is no lack
        return [name for name in FEATURE_ORDER if name not in skip and getattr(self, name) == NO]

    # -- display ---------------------------------------------------------------------------------
    def rows(self) -> list[tuple[str, str, str, bool]]:
        """``(feature, value, evidence, lacking)`` in words, one per feature, for Settings and the dock."""
        formats = [name.upper() for name in ("json", "xml") if getattr(self, name) == YES] or [self.format.upper()]
        out = [(tr("Formats"), tr("{0} (used: {1})").format(", ".join(formats), self.format.upper()), "", False)]
        paging = {
            PAGING_PAGE: "page, page_size",
            PAGING_NEXT_URL: "page, page_size, X-Next-Page-URL",
            PAGING_NONE: tr("none (date windows)"),
        }.get(self.paging, tr("not known yet"))
        if self.paging == PAGING_NONE and self.result_cap:
            paging += " " + tr("at most {0} per answer").format(self.result_cap)
        out.append((feature_label("paging"), paging, self.evidence.get("paging", ""), False))
        lacking = set(self.missing())
        for name in FEATURE_ORDER:
            if name in ("json", "xml"):
                continue
            why = "\n".join(part for part in (feature_call(name), self.evidence.get(name, "")) if part)
            out.append((feature_label(name), value_label(name, getattr(self, name)), why, name in lacking))
        if self.incremental_method:
            out.append((tr("Last incremental sync"), method_label(self.incremental_method), "", False))
        return out

    def lines(self) -> list[str]:
        """Translated lines, one per feature (``feature: value``)."""
        return [f"{feature}: {value}" for feature, value, _evidence, _lacking in self.rows()]

    def dock_notice(self) -> str:
        """A short sentence for the dock about what the platform lacks that users notice ('' when nothing)."""
        parts = []
        if self.write_back == NO:
            parts.append(tr("This platform accepts no responses from QGIS: they are kept here."))
        if self.history == NO:
            parts.append(tr("It keeps no report histories."))
        return " ".join(parts)


#: Features in display order (``paging`` and formats are shown apart).
FEATURE_ORDER = (
    "json",
    "xml",
    "updated_after",
    "extensions",
    "history",
    "write_back",
    "districts",
    "departments",
    "discovery",
    "jurisdiction_needed",
)


def feature_label(name: str) -> str:
    """The translated name of a feature, short (the Open311 call in parentheses where it helps)."""
    return {
        "json": tr("JSON"),
        "xml": tr("XML"),
        "updated_after": tr("Only changes (updated_after)"),
        "extensions": tr("Extended attributes"),
        "history": tr("Report history"),
        "write_back": tr("Responses from QGIS"),
        "districts": tr("Districts"),
        "departments": tr("Departments"),
        "discovery": tr("Discovery"),
        "jurisdiction_needed": tr("jurisdiction_id required"),
        "paging": tr("Paging"),
    }.get(name, name)


def feature_call(name: str) -> str:
    """The Open311 call or parameter behind a feature (for tooltips and logs)."""
    return {
        "updated_after": "GET requests?updated_after=…",
        "extensions": "GET requests?extensions=true",
        "history": "GET servicerequestupdates",
        "write_back": "POST servicerequestupdates",
        "districts": "GET districts.json",
        "departments": "GET departments.json",
        "discovery": "GET discovery",
        "paging": "page, page_size, X-Next-Page-URL",
    }.get(name, "")


def value_label(name: str, value: str) -> str:
    """``yes``/``no``/``unknown`` in words (write-back ``unknown`` = known at the first push)."""
    if value == UNKNOWN and name == "write_back":
        return tr("unknown until the first push")
    return {YES: tr("yes"), NO: tr("no"), UNKNOWN: tr("not known yet")}.get(value, value)


def method_label(method: str) -> str:
    """How an incremental sync fetched changes, in words."""
    return {
        "updated_after": tr("reports changed since the last sync (updated_after)"),
        "start_date+open_ids": tr(
            "new reports by start_date since the last sync, and the open reports refreshed by their ids "
            "(the platform ignores updated_after)"
        ),
        "full": tr("every report (full sync)"),
    }.get(method, method)


def format_label(choice: str) -> str:
    """The format setting in words: ``auto``, ``json``, ``xml``."""
    return {"auto": tr("Automatic (JSON when offered, else XML)"), "json": tr("JSON"), "xml": tr("XML")}.get(
        choice, choice
    )


def far_future(now: datetime | None = None) -> datetime:
    """A time after every record (the probe for ``updated_after``)."""
    return (now or datetime.now(timezone.utc)) + timedelta(days=2)


def update_stored(store: Any, base_url: str, **changes: tuple[str, str | None]) -> PlatformProfile:
    """Change features of the workspace's profile (``write_back=(NO, "POST … answered 405")``) and save it.

    A profile of another platform (another ``base_url``) is replaced by a fresh one first.
    """
    profile = store.platform_profile()
    if profile is None or (base_url and profile.base_url and profile.base_url != base_url):
        profile = PlatformProfile(base_url=base_url)
    for feature, (value, evidence) in changes.items():
        profile.note(feature, value, evidence)
    profile.touch()
    store.save_platform_profile(profile)
    return profile
