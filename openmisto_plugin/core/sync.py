"""Sync between the Open311 platform and the store: pull (full or incremental) and push (outbox).

Pull: each page of reports is committed in its own transaction; the watermark (the newest
``updated_datetime`` seen) is saved only after every page was committed, so an interrupted
sync (cancel, exception, kill) leaves whole pages behind and the next sync fetches the rest
again (already stored pages then count as unchanged). An incremental pull asks for
``updated_after = watermark - overlap``: its cost follows the changed reports only.

Push: pending outbox entries go oldest first (:mod:`.sync_push`). What the engine needs of its
partners and what it reports back: :mod:`.sync_types`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime, timedelta, timezone
from typing import Any

from .i18n import tr
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
from .prefetch import Prefetch
from .store.base import ReportStore
from .sync_push import OutboxPush
from .sync_types import Feedback, PlatformClient, PushResult, RunResult, SyncResult, UpdatedAfterIgnoredError
from .timeutil import from_store, now_utc, parse, to_store

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
        ahead = Prefetch(pages)
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
            result.count_positions(page.requests)
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
        """Send pending outbox entries, oldest first; settle each by the platform's answer (:mod:`.sync_push`)."""
        return OutboxPush(self.store, self.client, self.feedback, self.push_limit).run()

    # -- both --------------------------------------------------------------
    def run(self, full: bool = False) -> RunResult:
        """Push the outbox, then pull."""
        pushed = self.push()
        if pushed.canceled:
            return RunResult(pushed, SyncResult(full=full, canceled=True))
        return RunResult(pushed, self.pull(full=full))


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
