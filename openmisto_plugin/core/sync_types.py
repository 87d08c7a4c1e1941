"""What the sync engine works with: its partners' interfaces and what a sync reports back.

- :class:`Feedback` and :class:`PlatformClient`: what the engine needs of a feedback and of the platform's client;
- :class:`SyncResult` (a pull), :class:`PushResult` (a push), :class:`RunResult` (both).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from .i18n import tr
from .model import ParsedPage, Service, SkippedRecord
from .open311.profile import PlatformProfile

if TYPE_CHECKING:
    from .open311.client import UpdatePage

log = logging.getLogger(__name__)


class Feedback(Protocol):
    """What the engine needs from a feedback (a ``QgsFeedback``, or a test's recorder)."""

    def isCanceled(self) -> bool: ...

    def setProgress(self, progress: float) -> None: ...


class PlatformClient(Protocol):
    """What the engine needs from the platform's client (:class:`~core.open311.client.Open311Client`).

    The engine reads what the client learned of the platform (format, paging) into the workspace's profile
    and gives it back what the workspace knows (the city's area, a platform that does not page).
    """

    base_url: str
    page_size: int
    fmt: str
    expected_bbox: tuple[float, float, float, float] | None
    paging: str
    paging_evidence: str | None
    result_cap: int | None
    crowded_windows: int

    def endpoint(self, name: str, fmt: str | None = None) -> str: ...

    def services(self) -> list[Service]: ...

    def districts(self) -> list[tuple[str, str, dict[str, Any]]] | None: ...

    def departments(self) -> list[dict[str, Any]] | None: ...

    def request(self, service_request_id: str, extensions: bool = True) -> ParsedPage: ...

    def iter_request_pages(
        self,
        updated_after: datetime | str | None = None,
        start_date: datetime | str | None = None,
        *,
        ids: Iterable[str] | None = None,
        extensions: bool = True,
        page_size: int | None = None,
    ) -> Iterator[ParsedPage]: ...

    def iter_updates(
        self, updated_after: datetime | str | None = None, *, page_size: int | None = None
    ) -> Iterator[UpdatePage]: ...

    def post_update(self, fields: dict[str, Any]) -> dict[str, Any]: ...


@dataclass
class SyncResult:
    """What a pull did."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[SkippedRecord] = field(default_factory=list)
    pages: int = 0
    services: int = 0
    districts: int = 0
    departments: int = 0
    history: int = 0
    full: bool = False
    canceled: bool = False
    watermark: str | None = None
    # wall time of each phase of the pull: "reference", "reports" (all pages stored and the layer's
    # indexes in place: the map is complete), "history" (servicerequestupdates)
    phase_seconds: dict[str, float] = field(default_factory=dict)
    # positions (core/positions.py): reports kept without one, swaps repaired, points far outside the
    # city; the city's area they were checked against and where it came from (core/city_area.py)
    without_position: int = 0
    repaired_swaps: int = 0
    far_outside: int = 0
    city_area: tuple[float, float, float, float] | None = None
    city_area_source: str = ""
    #: how the reports were fetched: "full", "updated_after" or "start_date+open_ids" (profile.method_label)
    method: str = ""
    #: what the platform lacks, as information: each feature found missing by this pull (or by any full
    #: pull), once, with the request that showed it ("GET …/servicerequestupdates.json answered 404: …")
    notices: list[str] = field(default_factory=list)
    #: every feature the platform is known to lack (translated names), for a one-line summary
    missing: list[str] = field(default_factory=list)
    #: the platform profile as this pull left it in the workspace
    profile: PlatformProfile | None = None

    def notice(self, text: str) -> None:
        """Add an information line once."""
        if text not in self.notices:
            self.notices.append(text)
            log.info("%s", text)

    def count_positions(self, requests: Iterable[Any]) -> None:
        """Add a page's reports without a position, repaired swaps and far-away points."""
        for req in requests:
            if req.lat is None:
                self.without_position += 1
            elif req.position_flag == "far_outside":
                self.far_outside += 1
            elif req.position_source == "repaired_swap":
                self.repaired_swaps += 1

    def summary(self) -> str:
        """One translated line for the message bar."""
        text = tr("New: {new}, updated: {updated}, unchanged: {unchanged}, skipped: {skipped}.").format(
            new=self.new, updated=self.updated, unchanged=self.unchanged, skipped=len(self.skipped)
        )
        if self.without_position:
            text += " " + tr("Without a position (to place by hand): {0}.").format(self.without_position)
        if self.canceled:
            text += " " + tr("Cancelled: the next sync completes it.")
        if self.notices:
            text += " " + " ".join(self.notices)
        return text


@dataclass
class PushResult:
    """What a push did with the outbox."""

    sent: int = 0
    refused: int = 0
    conflicts: int = 0
    retry_later: int = 0
    canceled: bool = False
    errors: list[str] = field(default_factory=list)
    # The platform takes no responses (no write-back): every entry still waits. ``notice`` is the
    # sentence to show, set only by the push that found it out (the officer is told once).
    no_write_back: bool = False
    notice: str = ""


@dataclass
class RunResult:
    """Push, then pull."""

    push: PushResult
    pull: SyncResult


class UpdatedAfterIgnoredError(Exception):
    """The platform answered reports changed before the ``updated_after`` asked for."""

    def __init__(self, evidence: str) -> None:
        super().__init__(evidence)
        self.evidence = evidence
