"""Date windows for servers without paging: every report of a span, however few each answer holds.

A plain GeoReport v2 server answers ``GET requests?start_date=…&end_date=…`` with at most some number
of records (its *cap*, rarely documented) and has no way to ask for the rest. :class:`WindowWalk`
asks for a span; when an answer may have been cut (as many records as the cap) it splits the span in
two and asks for each half, down to one second, so nothing is lost.

The cap is learned. No answer is larger than the cap, so an answer smaller than the largest one seen
is complete. An answer as large as the largest one seen is checked by asking for its two halves: more
reports in the halves than in the whole means it was cut (its size is the cap); both halves smaller and
nothing new means it was complete (and so is any answer that size); one half as full as the whole says
nothing yet, and that half is looked at the same way.
Answers arrive in time order; a record on a boundary (both dates are inclusive) comes once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ..model import ParsedPage
from .errors import Open311Error

log = logging.getLogger(__name__)

#: The narrowest window: a span this short is not split further (its answer is taken as it is).
MIN_SPAN = timedelta(seconds=2)
#: A window the server refuses (400: too wide a span for it) is split down to this width.
MIN_REFUSED_SPAN = timedelta(days=1)


def _size(page: ParsedPage) -> int:
    return len(page.requests) + len(page.skipped)


def _ids(page: ParsedPage) -> set[str]:
    ids = {r.service_request_id for r in page.requests}
    ids.update(s.record_id for s in page.skipped if s.record_id)
    return ids


@dataclass
class WindowWalk:
    """Walks ``[start, end]`` through ``fetch(start, end) -> ParsedPage`` (one answer per window)."""

    fetch: Callable[[datetime, datetime], ParsedPage]
    #: the server's cap, when known (an answer this large may have been cut)
    cap: int | None = None
    #: the largest answer known to be complete, and the largest answer seen (when the cap is not known)
    floor: int = 0
    largest: int = 0
    #: windows asked for, and those split because they may have been cut
    calls: int = 0
    splits: int = 0
    #: spans as full as the known cap that could not be split further (reports there may be missing)
    crowded: list[tuple[datetime, datetime]] = field(default_factory=list)

    def pages(self, start: datetime, end: datetime, first: ParsedPage | None = None) -> Iterator[ParsedPage]:
        """Answers covering ``[start, end]``, oldest window first (``first``: its answer, when already fetched)."""
        if first is not None:
            self.largest = max(self.largest, _size(first))
        page = first if first is not None else self._fetch(start, end)
        if page is None:  # refused: split without an answer
            yield from self._halves(start, end)
            return
        yield from self._settle(page, start, end)

    # -- internals -------------------------------------------------------------------------------
    def _fetch(self, start: datetime, end: datetime) -> ParsedPage | None:
        self.calls += 1
        try:
            page = self.fetch(start, end)
        except Open311Error as exc:
            if exc.kind == "bad_request" and end - start > MIN_REFUSED_SPAN:
                log.info("The platform refused the window %s..%s (%s); splitting it", start, end, exc)
                return None
            raise
        self.largest = max(self.largest, _size(page))
        return page

    def _complete(self, size: int) -> bool:
        if size == 0:
            return True
        if self.cap is not None:
            return size < self.cap
        return size <= self.floor or size < self.largest

    def _settle(self, page: ParsedPage, start: datetime, end: datetime) -> Iterator[ParsedPage]:
        size = _size(page)
        if self._complete(size):
            yield page
            return
        if end - start <= MIN_SPAN:
            log.warning("%d reports within %s..%s: the platform's answer may be cut; kept as it is", size, start, end)
            if self.cap is not None:  # as many as the known cap: some may be missing (unknown cap: likely all)
                self.crowded.append((start, end))
            yield page
            return
        middle = _split_point(page, start, end)
        if self.cap is None:  # is this answer cut? ask for both sides of its middle report
            left, right = self._fetch(start, middle), self._fetch(middle, end)
            halves = [h for h in (left, right) if h is not None]
            found = set().union(*(_ids(h) for h in halves)) if halves else set()
            if found - _ids(page):  # the halves hold reports the whole did not: it was cut
                self.cap = size
                log.info("The platform answers at most %d reports at a time: walking smaller date windows", size)
            elif len(halves) == 2 and all(_size(h) < size for h in halves):
                self.floor = max(self.floor, size)  # both halves smaller, nothing new: the whole was complete
                yield page
                return
            elif len(halves) == 2 and all(_ids(h) == _ids(page) for h in halves):
                log.warning("The platform answers the same reports whatever the dates; taking its answer as it is")
                self.crowded.append((start, end))
                yield page
                return
            # cut, or one half as full as the whole (not known yet): the halves replace the whole
            self.splits += 1
            yield from (self._settle(left, start, middle) if left is not None else self._halves(start, middle))
            yield from (self._settle(right, middle, end) if right is not None else self._halves(middle, end))
            return
        self.splits += 1
        yield from self._halves(start, end, middle)

    def _halves(self, start: datetime, end: datetime, middle: datetime | None = None) -> Iterator[ParsedPage]:
        middle = middle or _middle(start, end)
        yield from self.pages(start, middle)
        yield from self.pages(middle, end)


def _split_point(page: ParsedPage, start: datetime, end: datetime) -> datetime:
    """Where to split a window: at its answer's middle report (halves of about equal answers, so one
    check settles a complete answer), else in the middle of the span."""
    times = sorted(r.requested_datetime for r in page.requests if r.requested_datetime is not None)
    if len(times) >= 2:
        point = times[len(times) // 2].replace(microsecond=0)
        if point.tzinfo is not None and start.tzinfo is not None and start < point < end:
            return point
    return _middle(start, end)


def _middle(start: datetime, end: datetime) -> datetime:
    """The middle of a span, on a whole second (the wire form has seconds)."""
    middle = start + (end - start) / 2
    return middle.replace(microsecond=0)
