"""Iterate a slow iterable one item ahead in a ``QThread``: the next page is fetched while this one is stored."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from contextlib import suppress
from typing import Any


class Prefetch:
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
