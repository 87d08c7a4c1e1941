"""Who is asking: roles by API key (``api_key`` parameter or ``X-Api-Key`` header)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from . import db
from .errors import ApiError


@dataclass(frozen=True)
class Principal:
    """The caller's role: ``anonymous``, ``viewer``, ``moderator`` or ``officer`` (with its department)."""

    role: str
    department: str | None = None

    @property
    def name(self) -> str:
        """How the history records the author: ``moderator``, ``officer:roads``…"""
        return f"officer:{self.department}" if self.role == "officer" else self.role

    @property
    def is_staff(self) -> bool:
        """Moderators and officers may see the officers' contacts."""
        return self.role in ("moderator", "officer")

    def visibility_sql(self) -> tuple[str, list] | None:
        """SQL condition on ``requests`` with its arguments; ``None`` when the caller sees everything."""
        if self.role == "officer":
            return "agency_responsible = ?", [self.department]
        if self.role == "anonymous":
            return "external_status_code <> 'hidden'", []
        return None

    def update_visibility_sql(self) -> tuple[str, list] | None:
        """The same limit for ``updates u``, as a set of visible report ids (SQLite builds it once)."""
        if self.role == "officer":
            return "u.service_request_id IN (SELECT id FROM requests WHERE agency_responsible = ?)", [self.department]
        if self.role == "anonymous":
            return "u.service_request_id NOT IN (SELECT id FROM requests WHERE external_status_code = 'hidden')", []
        return None

    def can_see(self, agency: str | None, status_code: str) -> bool:
        if self.role == "officer":
            return agency == self.department
        if self.role == "anonymous":
            return status_code != "hidden"
        return True


ANONYMOUS = Principal("anonymous")


def principal_for(conn: sqlite3.Connection, api_key: str | None) -> Principal:
    """The caller for a key; no key is the anonymous public, an unknown key is refused (403)."""
    if not api_key:
        return ANONYMOUS
    found = db.role_of_key(conn, api_key)
    if found is None:
        raise ApiError(403, "Unknown API key.")
    role, department = found
    return Principal(role, department)
