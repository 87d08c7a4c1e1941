"""Injected faults for tests (only with ``--enable-test-hooks``).

A fault is registered by ``POST /_test/fault`` with a JSON body and applies to the next ``count`` requests
whose path contains ``path_contains`` (and whose method is ``method``, when given):

- ``{"status": 500}``: answer with that HTTP status and an Open311 error body instead of the real answer;
- ``{"delay_s": 5}``: wait before answering (combine with ``status`` or alone);
- ``{"truncate": true}``: send only the first half of the body (with a matching Content-Length, so the client
  sees a cut document); ``{"truncate": "connection"}`` announces the full length and closes half-way;
- ``{"bad_record": true}`` or ``"lat"``: the first record of the next list answer gets ``lat`` = ``"abc"``;
  ``"missing_id"`` removes its ``service_request_id``;
- ``{"drop": true}``: close the connection without answering;
- ``{"after_apply": true}`` with ``status`` or ``drop``: the request is processed (an update is applied)
  and only then the answer is replaced, as when a response is lost on the way back.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

KNOWN_KEYS = {"path_contains", "method", "count", "status", "delay_s", "truncate", "bad_record", "drop", "after_apply"}


@dataclass
class Fault:
    """One registered fault."""

    path_contains: str = ""
    method: str | None = None
    count: int = 1
    status: int | None = None
    delay_s: float = 0.0
    truncate: bool | str = False
    bad_record: bool | str = False
    drop: bool = False
    after_apply: bool = False
    used: int = field(default=0)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Fault:
        unknown = set(data) - KNOWN_KEYS
        if unknown:
            raise ValueError(f"unknown fault keys: {sorted(unknown)}")
        fault = cls(**data)
        if fault.count < 1:
            raise ValueError("count must be at least 1")
        if fault.status is not None and not 400 <= int(fault.status) <= 599:
            raise ValueError("status must be an HTTP error status (400-599)")
        if fault.method:
            fault.method = fault.method.upper()
        return fault

    def matches(self, method: str, path: str) -> bool:
        if self.bad_record and (method != "GET" or "/requests" not in path):
            return False  # a spoilt record only makes sense in a list of requests
        return self.path_contains in path and (self.method is None or self.method == method)

    def describe(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v not in (None, False, 0, 0.0, "")}


class FaultRegistry:
    """Thread-safe list of pending faults; each request takes at most one."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def reset(self) -> None:
        with self._lock:
            self._faults.clear()

    def take(self, method: str, path: str) -> Fault | None:
        """The first pending fault for this request (its count goes down by one)."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, path):
                    fault.count -= 1
                    fault.used += 1
                    if fault.count <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def pending(self) -> list[dict[str, Any]]:
        with self._lock:
            return [fault.describe() for fault in self._faults]


def spoil_first_record(payload: Any, how: bool | str) -> None:
    """Break the first record of a list answer in place (see the module doc)."""
    if not isinstance(payload, list) or not payload or not isinstance(payload[0], dict):
        return
    record = payload[0]
    if how == "missing_id":
        record.pop("service_request_id", None)
    else:
        record["lat"] = "abc"
