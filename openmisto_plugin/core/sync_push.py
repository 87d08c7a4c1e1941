"""Push: the workspace's outbox to the platform, oldest first, each entry settled by the platform's answer.

Each entry goes with its ``update_id`` (the platform answers a repeat as a success without applying it twice)
and ``expected_updated_datetime`` (409 when someone changed the report first). See docs/store.md. An entry is
sent only when the answer confirms it; 401, 408, 429, 5xx, network trouble, a redirect or an unreadable answer
stop the push with every entry still waiting; 400/403 (and 404 for a report the platform does not know) refuse
that entry only; a platform without write-back (405/501, or 404 for a report it knows) stops the push, keeps
every entry waiting and says so once. A cancel (also one that aborts a request in flight) stops it likewise.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from .i18n import tr
from .log import mask_secrets
from .open311.profile import NO, YES
from .store.base import ReportStore, request_row
from .sync_types import Feedback, PlatformClient, PushResult
from .timeutil import from_store, now_utc, parse

log = logging.getLogger(__name__)

REFUSED_KINDS = ("forbidden", "bad_request", "not_found")


class OutboxPush:
    """One push of ``store``'s outbox (at most ``limit`` entries) through ``client``."""

    def __init__(
        self, store: ReportStore, client: PlatformClient, feedback: Feedback | None = None, limit: int = 1000
    ) -> None:
        self.store = store
        self.client = client
        self.feedback = feedback
        self.limit = limit

    def _canceled(self) -> bool:
        return bool(self.feedback is not None and self.feedback.isCanceled())

    def _progress(self, value: float) -> None:
        if self.feedback is not None:
            self.feedback.setProgress(max(0.0, min(100.0, value)))

    def run(self) -> PushResult:
        """Send pending outbox entries, oldest first; settle each by the platform's answer."""
        from .open311.errors import Open311Error

        result = PushResult()
        entries = self.store.pending_outbox(now_utc(), self.limit)
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
            stamp = parse((answer or {}).get("updated_datetime"))
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
