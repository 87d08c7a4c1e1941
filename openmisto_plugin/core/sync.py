"""Sync between the Open311 platform and the store: pull (full or incremental) and push (outbox).

Pull: each page of reports is committed in its own transaction; the watermark (the newest
``updated_datetime`` seen) is saved only after every page was committed, so an interrupted
sync (cancel, exception, kill) leaves whole pages behind and the next sync fetches the rest
again (already stored pages then count as unchanged). An incremental pull asks for
``updated_after = watermark - overlap``: its cost follows the changed reports only.

Push: pending outbox entries go oldest first, each with its ``update_id`` (the platform
answers a repeat as a success without applying it twice) and ``expected_updated_datetime``
(409 when someone changed the report first). See docs/store.md. An entry is sent only when
the answer confirms it; 401, 408, 429, 5xx, network trouble, a redirect or an unreadable
answer stop the push with every entry still waiting; 400/403 (and 404 for a report the
platform does not know) refuse that entry only; a platform without write-back (405/501, or
404 for a report it knows) stops the push, keeps every entry waiting and says so once.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext, suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Protocol

from .i18n import tr
from .log import mask_secrets
from .model import ParsedPage, Service, SkippedRecord
from .open311.profile import (
    ABSENT_STATUSES,
    NO,
    PAGING_NEXT_URL,
    PAGING_NONE,
    PAGING_PAGE,
    UNKNOWN,
    YES,
    PlatformProfile,
    feature_label,
)
from .store.base import ReportStore, request_row
from .timeutil import from_store, now_utc, parse, to_store

if TYPE_CHECKING:
    from .open311.client import UpdatePage

log = logging.getLogger(__name__)

REQUESTS_WATERMARK = "requests_watermark"
UPDATES_WATERMARK = "updates_watermark"
LAST_PULL = "last_pull_at"
LAST_FULL_PULL = "last_full_pull_at"
REFERENCE_SYNCED = "reference_synced_at"
DEADLINE_PROCEDURE = "deadline_procedure"
# A full pull asks for pages this large (at least; the client's page size when larger): fewer round
# trips and commits. A server refusing it (400 on the first page) is asked again with the client's size.
# A client page size set below KEEP_PAGE_SIZE_BELOW is taken as a limit (of the server or the user) and kept.
FULL_PAGE_SIZE = 5000
# History entries are small (~250 bytes); a full pull asks for them in pages this large: half the commits
# of 5 000 (each rewrites most of the random update_id index), -1 s for 352 000 entries.
FULL_HISTORY_PAGE_SIZE = 10000
KEEP_PAGE_SIZE_BELOW = 1000
# Open311 servers default to the last 90 days without start_date: a full pull asks from here.
FULL_START = datetime(2000, 1, 1, tzinfo=timezone.utc)
REFUSED_KINDS = ("forbidden", "bad_request", "not_found")


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


def _later(a: datetime, b: datetime) -> bool:
    """``a > b`` for datetimes that may be naive (= Kyiv time, as the store reads them)."""
    return parse(a) > parse(b)


def _newest(stamps: list[datetime | None], newest: datetime | None) -> datetime | None:
    """The latest of ``stamps`` and ``newest`` (``None`` entries ignored; naive = Kyiv time)."""
    present = [stamp for stamp in stamps if stamp is not None]
    if newest is not None:
        present.append(newest)
    if not present:
        return None
    try:
        return max(present)  # all aware: one C loop
    except TypeError:  # naive and aware mixed
        latest = present[0]
        for stamp in present:
            if _later(stamp, latest):
                latest = stamp
        return latest


def _parse_time(value: Any) -> datetime | None:
    """A platform's answer stamp (naive = Kyiv time, as everywhere); ``None`` when missing or unreadable."""
    return parse(value)


class SyncEngine:
    """Moves data between ``client`` (a :class:`PlatformClient`) and ``store`` (a :class:`ReportStore`)."""

    def __init__(
        self,
        store: ReportStore,
        client: PlatformClient,
        feedback: Feedback | None = None,
        overlap: timedelta = timedelta(minutes=5),
        history: bool = True,
        push_limit: int = 1000,
        full_page_size: int | None = FULL_PAGE_SIZE,
        prefetch: bool = True,
        full_history_page_size: int | None = FULL_HISTORY_PAGE_SIZE,
        reports_done: Any = None,
    ) -> None:
        """``full_page_size``: page size of a full pull (``None``: the client's); ``prefetch``: fetch
        and parse the next page in a background thread while the store writes this one;
        ``full_history_page_size``: page size of the history in a full pull (``None``: as the reports);
        ``reports_done(result)``: called (in the sync's thread) when the reports phase of a pull has
        committed every report, before the history: the map can show them already."""
        self.store = store
        self.client = client
        self.feedback = feedback
        self.overlap = overlap
        self.with_history = history
        self.push_limit = push_limit
        self.full_page_size = full_page_size
        self.prefetch = prefetch
        self.full_history_page_size = full_history_page_size
        self.reports_done = reports_done
        # the city's area the client was built with (Settings); else the workspace's (core/city_area.py)
        self._configured_area = client.expected_bbox

    # -- helpers -----------------------------------------------------------
    def _canceled(self) -> bool:
        return bool(self.feedback is not None and self.feedback.isCanceled())

    def _progress(self, value: float) -> None:
        if self.feedback is not None:
            self.feedback.setProgress(max(0.0, min(100.0, value)))

    # -- pull --------------------------------------------------------------
    def pull(self, full: bool = False) -> SyncResult:
        """Bring new and changed reports (and services, districts, departments, history) into the store.

        A cancel during a request (the transport aborts it) ends the pull as canceled: the pages stored
        stay, the watermark stays where it was."""
        from .open311.errors import Open311Error

        result = SyncResult(full=full)
        try:
            self._pull(result)
        except Open311Error as exc:
            if exc.kind != "canceled":
                raise
            result.canceled = True
            log.info("Pull canceled during a request after %d pages; the watermark stays where it was", result.pages)
        return result

    def _pull(self, result: SyncResult) -> None:
        started = now_utc()
        clock = time.perf_counter()
        watermark = from_store(self.store.get_state(REQUESTS_WATERMARK))
        full = result.full = result.full or watermark is None
        self.profile = self._load_profile()
        self._missing_before = set(self.profile.missing())
        result.profile = self.profile
        self._progress(0)
        self._check_deadlines()
        self._pull_reference(result, full or self.store.get_state(REFERENCE_SYNCED) is None)
        clock = self._phase(result, "reference", clock)
        if self._canceled():
            result.canceled = True
            return
        self._progress(5)
        area_known = self._use_city_area(result)
        # Phase 1, the reports: when it ends every report is committed with its filter indexes, the
        # layer is complete and the watermark saved. Phase 2, the history, runs after it in its own
        # block (same task, progress 85-95); a cancel or an error there keeps phase 1 (docs/store.md).
        with self._bulk(full):
            self._pull_requests(result, None if full else watermark, started)
        clock = self._phase(result, "reports", clock)
        if not area_known and not result.canceled:
            from .city_area import learn_from_reports

            learn_from_reports(self.store)  # the next sync checks positions against the bulk of the reports
        if self.reports_done is not None and not result.canceled and (result.new or result.updated):
            try:
                self.reports_done(result)
            except Exception:
                log.warning("reports_done listener failed", exc_info=True)
        if not result.canceled and self.with_history and (full or self.profile.history != NO):
            with self._bulk(full):
                self._pull_history(result, full, started)
            self._phase(result, "history", clock)
        if result.canceled:
            return
        self._report_missing(result)
        with self.store.transaction():
            self.store.set_state(LAST_PULL, to_store(started))
            if full:
                self.store.set_state(LAST_FULL_PULL, to_store(started))
            self._save_profile(result)
        self._progress(100)
        log.info(
            "Pull (%s): %d new, %d updated, %d unchanged, %d skipped, %d pages",
            "full" if full else "incremental",
            result.new,
            result.updated,
            result.unchanged,
            len(result.skipped),
            result.pages,
        )

    def _bulk(self, full: bool) -> AbstractContextManager[Any]:
        """The store's bulk-load block for a full pull (many pages, many transactions); nothing special else."""
        return self.store.bulk_load() if full else nullcontext()

    @staticmethod
    def _phase(result: SyncResult, name: str, since: float) -> float:
        now = time.perf_counter()
        result.phase_seconds[name] = now - since
        log.info("Pull phase %s: %.2f s", name, now - since)
        return now

    def _check_deadlines(self) -> None:
        """Recompute every stored deadline when the Procedure's terms changed since the last sync."""
        fingerprint = self.store.deadline_fingerprint
        if self.store.get_state(DEADLINE_PROCEDURE) == fingerprint:
            return
        with self.store.transaction():
            changed = self.store.refresh_deadlines()
            self.store.set_state(DEADLINE_PROCEDURE, fingerprint)
        if changed:
            log.info("The Procedure changed: %d deadlines recomputed", changed)

    def _page_size(self, full: bool, wanted: int | None = None) -> int | None:
        """The page size to ask a full pull for (``None``: the client's own)."""
        if not full or not self.full_page_size:
            return None
        own = self.client.page_size
        if 0 < own < KEEP_PAGE_SIZE_BELOW:
            return None
        return max(own, int(wanted or self.full_page_size))

    def _pages(self, method: Any, full: bool, size: int | None = None, **params: Any) -> Iterator[Any]:
        """``method(**params)`` with a full pull's page size (``size``, else ``full_page_size``); a 400 on
        the first page retries with the client's."""
        from .open311.errors import Open311Error

        size = self._page_size(full, size)
        if size is None:
            yield from self._ahead(method(**params))
            return
        pages: Iterator[Any] | None = None
        try:
            try:
                pages = self._ahead(method(**params, page_size=size))
                first = next(pages)
            except StopIteration:
                return
            except Open311Error as exc:
                if exc.kind != "bad_request":
                    raise
                log.info("The platform refused page_size=%d (%s); using the client's page size", size, exc)
                yield from self._ahead(method(**params))
                return
            yield first
            yield from pages
        finally:
            if pages is not None:
                pages.close()

    def _ahead(self, pages: Iterable[Any]) -> Iterator[Any]:
        """``pages``, fetched and parsed one page ahead in a thread when ``prefetch`` is on."""
        if not self.prefetch:
            yield from pages
            return
        ahead = _Prefetch(pages)
        try:
            yield from ahead
        finally:
            ahead.close()

    def _pull_reference(self, result: SyncResult, with_extensions: bool) -> None:
        services = self.client.services()
        self.store.upsert_services(services)
        result.services = len(services)
        if not with_extensions:
            return
        districts = self._extension("districts", self.client.districts)
        self._note_extension("districts", districts)
        if districts is not None:
            rows = _district_rows(districts)
            self.store.upsert_districts(rows)
            result.districts = len(rows)
        departments = self._extension("departments", self.client.departments)
        self._note_extension("departments", departments)
        if departments is not None:
            rows = [d for d in (departments if isinstance(departments, list) else []) if isinstance(d, dict)]
            self.store.upsert_departments(rows)
            result.departments = len(rows)
        self.store.set_state(REFERENCE_SYNCED, to_store(now_utc()))

    def _use_city_area(self, result: SyncResult) -> bool:
        """Give the client the city's area to check positions against; ``False`` when none is known yet
        (the parser then takes the bulk of each page)."""
        from .city_area import resolve

        area, source = resolve(self.store, self._configured_area)
        self.client.expected_bbox = area
        result.city_area, result.city_area_source = area, source
        if area is None:
            log.info("No city area known yet: each page's bulk of positions stands for it")
        else:
            log.info("Positions are checked against the city area from %s: %s", source, area)
        return area is not None

    def _extension(self, name: str, method: Callable[[], Any]) -> Any | None:
        """``client.districts()``/``client.departments()`` (reference-server extensions); ``None`` when
        the server has none (another Open311 server answers 404)."""
        from .open311.errors import Open311Error

        try:
            return method()
        except Open311Error as exc:
            if exc.kind in ("not_found", "bad_request", "not_open311", "parse", "forbidden"):
                log.info("The platform has no usable %s extension (%s); skipped", name, exc.kind)
                return None
            raise

    def _pull_requests(self, result: SyncResult, watermark: datetime | None, started: datetime) -> None:
        from .open311.errors import Open311Error

        if watermark is not None and self.profile.updated_after == NO:
            self._pull_without_updated_after(result, watermark, started)
            return
        after = watermark - self.overlap if watermark is not None else None
        result.method = "full" if after is None else "updated_after"
        pages = self._pages(
            self.client.iter_request_pages,
            watermark is None,
            updated_after=after,
            start_date=FULL_START,
            extensions=True,
        )
        try:
            self._store_pages(result, pages if after is None else self._honoured(pages, after), started)
        except UpdatedAfterIgnoredError as ignored:
            self.profile.note("updated_after", NO, ignored.evidence)
        except Open311Error as exc:
            if exc.kind != "bad_request" or "updated_after" not in (exc.platform_message or ""):
                raise
            self.profile.note("updated_after", NO, exc.answer_text())
        else:
            return
        finally:
            pages.close()  # stops the prefetch thread at once, also on an error
        self._pull_without_updated_after(result, watermark, started)

    def _honoured(self, pages: Iterator[Any], after: datetime) -> Iterator[Any]:
        """``pages``, checked: a record changed before ``after`` shows the platform ignores ``updated_after``."""
        limit = after - timedelta(seconds=1)
        for page in pages:
            for req in page.requests:
                if req.updated_datetime is not None and _later(limit, req.updated_datetime):
                    url = self.client.endpoint("requests")
                    raise UpdatedAfterIgnoredError(
                        f"GET {url}?updated_after={after.isoformat(timespec='seconds')} answered report "
                        f"{req.service_request_id}, last changed {req.updated_datetime.isoformat(timespec='seconds')}"
                    )
            yield page

    def _pull_without_updated_after(self, result: SyncResult, watermark: datetime, started: datetime) -> None:
        """Changes on a platform ignoring ``updated_after``: the reports made since the newest one stored
        (``start_date``), then every report still open here refreshed by its id, in chunks."""
        result.method = "start_date+open_ids"
        newest = self._newest_requested() or watermark
        new_pages = self._pages(
            self.client.iter_request_pages, False, start_date=newest - self.overlap, extensions=True
        )
        fetched: set[str] = set()

        def both() -> Iterator[Any]:
            for page in new_pages:
                fetched.update(req.service_request_id for req in page.requests)
                yield page
            ids = [i for i in self._open_ids() if i not in fetched]
            log.info("Refreshing %d open reports by their ids", len(ids))
            if ids:
                yield from self.client.iter_request_pages(ids=ids, extensions=True)

        try:
            self._store_pages(result, both(), started)
        finally:
            new_pages.close()

    def _newest_requested(self) -> datetime | None:
        rows = self.store.query("SELECT max(requested_datetime) AS newest FROM reports")
        return from_store(rows[0]["newest"]) if rows and rows[0].get("newest") else None

    def _open_ids(self) -> list[str]:
        """Reports open here, and those with a change of ours still to settle (the platform may differ)."""
        from .store.base import ACTIVE_STATES

        ids = [
            str(row["service_request_id"])
            for row in self.store.query(
                "SELECT service_request_id FROM reports WHERE status = 'open' ORDER BY service_request_id"
            )
        ]
        known = set(ids)
        for entry in self.store.outbox_entries(ACTIVE_STATES):
            if entry.service_request_id not in known:
                known.add(entry.service_request_id)
                ids.append(entry.service_request_id)
        return ids

    def _store_pages(self, result: SyncResult, pages: Iterator[Any], started: datetime) -> None:
        newest: datetime | None = None
        seen: set[str] = set()
        drift = False
        done = 0
        total: int | None = None
        for page in pages:
            counts = self.store.upsert_requests(page.requests, synced_at=started)
            result.new += counts.new
            result.updated += counts.updated
            result.unchanged += counts.unchanged
            result.skipped.extend(page.skipped)
            _count_positions(result, page.requests)
            result.pages += 1
            ids = [req.service_request_id for req in page.requests]
            before = len(seen)
            seen.update(ids)
            if len(seen) - before < len(ids):
                drift = True  # the list shifted while we paged: some record may have been passed over
            newest = _newest([req.updated_datetime for req in page.requests], newest)
            done += len(page.requests) + len(page.skipped)
            if total is None:
                total = page.total_count
            if total:
                self._progress(5 + 80 * min(1.0, done / total))
            if self._canceled():
                result.canceled = True
                log.info("Pull cancelled after %d pages; the watermark stays where it was", result.pages)
                return
        if drift:
            log.warning("Reports changed on the platform while paging; the next sync fetches the same span again")
            return
        self._advance(REQUESTS_WATERMARK, to_store(newest), started, result)

    def _advance(self, key: str, newest: str | None, started: datetime, result: SyncResult | None = None) -> None:
        """Save a watermark: the newest time seen, never later than our own start, never backwards."""
        if newest is None:
            return
        value = min(newest, to_store(started) or newest)
        old = self.store.get_state(key)
        if old is not None and old >= value:
            value = old
        self.store.set_state(key, value)
        if result is not None:
            result.watermark = value

    def _pull_history(self, result: SyncResult, full: bool, started: datetime) -> None:
        """The reports' histories (``GET servicerequestupdates``, an extension most platforms lack: a
        platform without it is noted in the profile and skipped, never an error)."""
        from .open311.errors import Open311Error

        watermark = None if full else from_store(self.store.get_state(UPDATES_WATERMARK))
        updated_after = watermark - self.overlap if watermark is not None else None
        batches = self._pages(
            self.client.iter_updates, watermark is None, self.full_history_page_size, updated_after=updated_after
        )
        try:
            self._store_history(result, batches, started)
        except Open311Error as exc:
            if exc.http_status in ABSENT_STATUSES or exc.kind == "not_open311":
                self.profile.note("history", NO, exc.answer_text())
            elif exc.kind == "parse":
                result.notice(tr("The report histories could not be read ({0}); skipped.").format(exc.message))
            else:
                raise
        else:
            self.profile.note("history", YES)
        finally:
            batches.close()

    def _store_history(self, result: SyncResult, batches: Iterator[Any], started: datetime) -> None:
        newest: datetime | None = None
        seen: set[str] = set()
        drift = False
        done = 0
        total: int | None = None
        for batch in batches:
            result.history += self.store.add_history(batch, origin="platform")
            ids = [update.update_id for update in batch]
            before = len(seen)
            seen.update(ids)
            if len(seen) - before < len(ids):
                drift = True
            newest = _newest([update.updated_datetime for update in batch], newest)
            done += len(batch)
            if total is None:
                total = batch.total_count
            if total:
                self._progress(85 + 10 * min(1.0, done / total))
            if self._canceled():
                result.canceled = True
                return
        if not drift:
            self._advance(UPDATES_WATERMARK, to_store(newest), started)
        self._progress(95)

    # -- platform profile --------------------------------------------------
    def _load_profile(self) -> PlatformProfile:
        """The workspace's profile of this platform (a fresh one for another platform), applied to the client."""
        base_url = self.client.base_url
        profile = self.store.platform_profile()
        if profile is None or (base_url and profile.base_url and profile.base_url != base_url):
            profile = PlatformProfile(base_url=base_url)
        if profile.paging == PAGING_NONE and self.client.paging == UNKNOWN:
            self.client.paging = PAGING_NONE  # walk date windows from the start
            self.client.result_cap = profile.result_cap
        return profile

    def _note_extension(self, name: str, answer: Any) -> None:
        if answer is not None:
            self.profile.note(name, YES)
        else:
            self.profile.note(name, NO, f"GET {self.client.base_url}{name}.json answered 404")

    def _save_profile(self, result: SyncResult) -> None:
        """Keep what this pull saw: format, paging, the features found missing, the method used."""
        profile = self.profile
        fmt = self.client.fmt
        if fmt in ("json", "xml"):
            profile.format = fmt
            profile.note(fmt, YES)
        paging = self.client.paging
        if paging != UNKNOWN and not (paging == PAGING_PAGE and profile.paging == PAGING_NEXT_URL):
            profile.note("paging", paging, self.client.paging_evidence)
            profile.result_cap = self.client.result_cap if paging == PAGING_NONE else None
        if result.method and result.method != "full":
            profile.incremental_method = result.method
        profile.touch()
        self.store.save_platform_profile(profile)

    def _report_missing(self, result: SyncResult) -> None:
        """One information line per feature the platform lacks, when this pull found it (or was full)."""
        crowded = self.client.crowded_windows
        if crowded:
            result.notice(
                tr(
                    "The platform answered as many reports as it gives at a time for {0} date windows that could "
                    "not be narrowed (it may ignore start_date and end_date): some reports may be missing there."
                ).format(crowded)
            )
        meaning = {
            "history": tr("this platform keeps no report histories; skipped"),
            "updated_after": tr(
                "this platform ignores updated_after; changes were fetched by start_date and the open reports' ids"
            ),
            "districts": tr("this platform has no districts list; skipped"),
            "departments": tr("this platform has no departments list; skipped"),
            "write_back": tr("this platform accepts no responses from QGIS; they are kept here"),
        }
        missing = [feature for feature in self.profile.missing() if feature in meaning]
        result.missing = [feature_label(feature) for feature in missing]
        for feature in missing:
            if result.full or feature not in self._missing_before:
                evidence = (self.profile.evidence.get(feature) or "").rstrip(". ")
                text = f"{evidence}: {meaning[feature]}" if evidence else meaning[feature]
                result.notice(text[0].upper() + text[1:] + ".")

    # -- push --------------------------------------------------------------
    def push(self) -> PushResult:
        """Send pending outbox entries, oldest first; settle each by the platform's answer."""
        from .open311.errors import Open311Error

        result = PushResult()
        entries = self.store.pending_outbox(now_utc(), self.push_limit)
        blocked: set[str] = set()  # reports whose earlier entry is not through yet
        # The platform's new updated_datetime after each confirmed entry: a later entry of the same
        # report in this push must expect it, not the value read before the push started.
        confirmed: dict[str, datetime] = {}
        for index, entry in enumerate(entries):
            if self._canceled():
                result.canceled = True
                break
            if entry.service_request_id in blocked:
                continue
            fields = dict(entry.payload)
            fields["service_request_id"] = entry.service_request_id
            fields["update_id"] = entry.update_id
            expected = confirmed.get(entry.service_request_id) or from_store(entry.expected_updated_datetime)
            if expected is not None:  # as text: the client's datetime form drops the milliseconds
                fields["expected_updated_datetime"] = expected.isoformat(timespec="milliseconds")
            try:
                answer = self.client.post_update(fields)
            except Open311Error as exc:
                if exc.kind == "canceled":  # the entry waits as it was (a repeat carries the same update_id)
                    result.canceled = True
                    break
                reason = exc.platform_message or exc.user_message()
                if exc.kind == "no_write_back":
                    self._no_write_back(result, exc)
                    break
                result.errors.append(f"{entry.service_request_id}: {reason}")
                if exc.kind == "conflict":
                    self.store.mark_outbox_conflict(
                        entry.update_id, reason, self._platform_copy(entry.service_request_id)
                    )
                    result.conflicts += 1
                    blocked.add(entry.service_request_id)
                    continue
                if exc.kind in REFUSED_KINDS:
                    self.store.mark_outbox_refused(entry.update_id, reason, exc.http_status)
                    result.refused += 1
                    continue
                self._stop_push(result, entry, str(exc), exc.http_status, exc.retry_after_s, len(entries) - index)
                break
            except Exception as exc:  # an answer that breaks the client must not kill every sync
                log.warning("Sending %s failed unexpectedly", entry.update_id, exc_info=True)
                text = mask_secrets(f"{type(exc).__name__}: {exc}")[:500]
                result.errors.append(f"{entry.service_request_id}: {text}")
                self._stop_push(result, entry, text, None, None, len(entries) - index)
                break
            self._write_back_present()
            stamp = _parse_time((answer or {}).get("updated_datetime"))
            self.store.mark_outbox_sent(entry.update_id, stamp)
            if stamp is not None:
                confirmed[entry.service_request_id] = stamp
            result.sent += 1
            self._progress(100 * (index + 1) / max(1, len(entries)))
        self.store.release_claims()  # a shared (PostGIS) outbox: this push's claims go back
        log.info(
            "Push: %d sent, %d refused, %d conflicts, %d to retry",
            result.sent,
            result.refused,
            result.conflicts,
            result.retry_later,
        )
        return result

    def _stop_push(
        self, result: PushResult, entry: Any, error: str, status: int | None, retry_after: float | None, waiting: int
    ) -> None:
        """A passing trouble (network, 401, 408, 429, 5xx, redirect, unconfirmed answer): the entry waits
        (after ``Retry-After`` when the platform gave one) and so do all after it."""
        retry_at = now_utc() + timedelta(seconds=retry_after) if retry_after else None
        self.store.mark_outbox_failed(entry.update_id, error, status, retry_at=retry_at)
        result.retry_later += 1
        log.warning("Push stopped: %s; %d entries wait", mask_secrets(error), waiting)

    def _no_write_back(self, result: PushResult, exc: Exception) -> None:
        """The platform has no write-back: nothing is marked, every entry waits; tell it once."""
        result.no_write_back = True
        if self._write_back() != NO:
            self._set_write_back(NO, str(exc))
            result.notice = tr(
                "This platform accepts no responses from QGIS. They are kept here as waiting: export them and "
                "enter them on the platform by hand; they are sent when the platform accepts them."
            )
        log.info("Push stopped: the platform takes no responses (%s); every entry waits", exc)

    def _write_back_present(self) -> None:
        if self._write_back() != YES:
            self._set_write_back(YES, "POST servicerequestupdates confirmed an update")
            log.info("The platform takes responses")

    def _write_back(self) -> str | None:
        """What the workspace's platform profile says of write-back (``yes``, ``no``, ``unknown``; None: no profile)."""
        profile = self.store.platform_profile()
        return profile.write_back if profile is not None else None

    def _set_write_back(self, value: str, evidence: str) -> None:
        from .open311.profile import update_stored

        update_stored(self.store, self.client.base_url, write_back=(value, mask_secrets(evidence)))

    def _platform_copy(self, service_request_id: str) -> dict[str, Any] | None:
        """The platform's current report (for the conflict view), also stored as the report's base."""
        from .open311.errors import Open311Error

        try:
            page = self.client.request(service_request_id)
        except Open311Error as exc:
            log.warning("Could not fetch report %s after a conflict: %s", service_request_id, exc)
            return None
        if page is None or not page.requests:
            return None
        req = page.requests[0]
        self.store.upsert_requests([req])
        return request_row(req)

    # -- both --------------------------------------------------------------
    def run(self, full: bool = False) -> RunResult:
        """Push the outbox, then pull."""
        pushed = self.push()
        if pushed.canceled:
            return RunResult(pushed, SyncResult(full=full, canceled=True))
        return RunResult(pushed, self.pull(full=full))


class UpdatedAfterIgnoredError(Exception):
    """The platform answered reports changed before the ``updated_after`` asked for."""

    def __init__(self, evidence: str) -> None:
        super().__init__(evidence)
        self.evidence = evidence


class _Prefetch:
    """Iterates ``items`` in a ``QThread`` (QGIS networking needs a Qt thread), ``depth`` items ahead.

    The HTTP wait and the JSON parsing of the next page overlap with the store writing this one
    (SQLite and QGIS's network calls release the GIL). Errors reach the consumer at the point they
    happened; :meth:`close` stops the producer and waits for it.
    """

    def __init__(self, items: Iterable[Any], depth: int = 1) -> None:
        from qgis.PyQt.QtCore import QThread

        self._items = items
        self._queue: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=depth)
        self._stop = threading.Event()

        class Worker(QThread):
            def run(inner) -> None:  # noqa: N805 - the QThread is "inner", the prefetcher "self"
                self._produce()

        self._thread = Worker()
        self._thread.start()

    def _put(self, kind: str, value: Any) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put((kind, value), timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _produce(self) -> None:
        try:
            for item in self._items:
                if not self._put("item", item):
                    break
            else:
                self._put("end", None)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer
            self._put("error", exc)
        finally:
            close = getattr(self._items, "close", None)
            if callable(close):
                close()

    def __iter__(self) -> Iterator[Any]:
        while True:
            kind, value = self._queue.get()
            if kind == "item":
                yield value
            elif kind == "error":
                raise value
            else:
                return

    def close(self) -> None:
        self._stop.set()
        while self._thread.isRunning():
            with suppress(queue.Empty):
                self._queue.get(timeout=0.05)
        self._thread.wait()


def _count_positions(result: SyncResult, requests: Iterable[Any]) -> None:
    """Add a page's reports without a position, repaired swaps and far-away points to ``result``."""
    for req in requests:
        if req.lat is None:
            result.without_position += 1
        elif req.position_flag == "far_outside":
            result.far_outside += 1
        elif req.position_source == "repaired_swap":
            result.repaired_swaps += 1


def _district_rows(data: Any) -> list[tuple[str, str, Any]]:
    """``(code, name, geometry)`` from a GeoJSON FeatureCollection or a list of dicts (``wkt``/``geometry``)."""
    rows: list[tuple[str, str, Any]] = []
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        for feature in data.get("features") or []:
            props = feature.get("properties") or {}
            code = props.get("code") or feature.get("id")
            if code and feature.get("geometry"):
                rows.append((str(code), props.get("name") or str(code), feature["geometry"]))
    elif isinstance(data, list):
        for item in data:
            if isinstance(item, (tuple, list)) and len(item) == 3:
                rows.append((str(item[0]), str(item[1]), item[2]))
            elif isinstance(item, dict) and item.get("code"):
                geometry = item.get("geometry") or item.get("wkt")
                if geometry:
                    rows.append((str(item["code"]), item.get("name") or str(item["code"]), geometry))
    return rows
