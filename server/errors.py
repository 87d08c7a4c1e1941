"""The error every endpoint raises to answer with an Open311 error body."""

from __future__ import annotations


class ApiError(Exception):
    """Answer with HTTP ``status`` and ``[{"code": status, "description": description}]``."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
