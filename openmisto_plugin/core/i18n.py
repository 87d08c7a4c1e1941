"""Translation helpers: every user-visible string goes through :func:`tr`.

One translation context (``OpenMisto``) for the whole plugin keeps the
extraction script (``i18n/update_ts.py``) simple: it collects the literal
first argument of every ``tr(...)`` call.
"""

from __future__ import annotations

from qgis.PyQt.QtCore import QCoreApplication

CONTEXT = "OpenMisto"


def tr(text: str) -> str:
    """Translate ``text`` (an English source string) to the user's language."""
    return QCoreApplication.translate(CONTEXT, text)
