"""Help buttons: open the user guide's page for a screen, offline, in the user's language.

The guide ships in the zip as HTML (``<plugin>/help/<lang>/<page>.html``, made from ``docs/<lang>/*.md``
by ``tools/build_guide.py``); in a source checkout the same files are under ``build/help/`` after
``make docs`` or ``make package``. The language follows QGIS's interface language like the plugin's
translation: English for an English QGIS, Ukrainian otherwise; a page missing in that language falls
back to the other one.

A screen asks for a *topic* from :data:`TOPICS` (``help_button(self, "respond")``) or directly for a
page, optionally with an anchor (``"officer#filter"``). The anchors are the same in both languages.
"""

from __future__ import annotations

import logging
from pathlib import Path

from qgis.core import QgsApplication, QgsSettings
from qgis.PyQt.QtCore import QUrl
from qgis.PyQt.QtGui import QDesktopServices
from qgis.PyQt.QtWidgets import QMessageBox, QPushButton, QWidget

from ..core.i18n import tr
from ..core.paths import PLUGIN_DIR

log = logging.getLogger(__name__)

LANGUAGES = ("uk", "en")
DEFAULT_LANGUAGE = "uk"

#: The screens' help topics: topic → ``page`` or ``page#anchor`` of the guide.
TOPICS: dict[str, str] = {
    "dock": "index",
    "settings": "install#connect",
    "sync": "install#first-sync",
    "report": "officer#card",
    "filter": "officer#filter",
    "moderation": "moderator#queue",
    "assign": "moderator#assign",
    "duplicates": "moderator#duplicates",
    "respond": "officer#respond",
    "outbox": "outbox",
    "conflict": "outbox#conflict",
    "deadlines": "deadlines",
    "monthly_report": "working-group#atlas",
    "postgis": "it#postgis",
}


def help_dir() -> Path:
    """``<plugin>/help`` in the installed zip, else ``<checkout>/build/help``."""
    packaged = PLUGIN_DIR / "help"
    if packaged.is_dir():
        return packaged
    return PLUGIN_DIR.parent / "build" / "help"


def help_language(locale: str | None = None) -> str:
    """``en`` for an English QGIS, ``uk`` for everything else (the plugin's users are Ukrainian staff)."""
    if locale is None:
        locale = str(QgsSettings().value("locale/userLocale", "") or "")
        if not locale:
            try:
                locale = QgsApplication.locale() or ""
            except (AttributeError, RuntimeError):  # headless or old QGIS
                locale = ""
    language = locale.replace("-", "_").split("_", 1)[0].lower()
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def _split(page: str) -> tuple[str, str]:
    target = TOPICS.get(page, page)
    name, _hash, anchor = target.partition("#")
    return name.strip() or "index", anchor.strip()


def help_file(page: str, language: str | None = None) -> Path | None:
    """The HTML file of ``page`` (a topic or a page name), in ``language`` or else the other one."""
    name, _anchor = _split(page)
    first = language if language in LANGUAGES else help_language()
    folder = help_dir()
    for lang in (first, *(x for x in LANGUAGES if x != first)):
        path = folder / lang / f"{name}.html"
        if path.is_file():
            return path
    return None


def help_url(page: str, language: str | None = None) -> QUrl | None:
    """``file://`` URL of the page, with its anchor; None when the guide has no such page."""
    path = help_file(page, language)
    if path is None:
        return None
    url = QUrl.fromLocalFile(str(path))
    _name, anchor = _split(page)
    if anchor:
        url.setFragment(anchor)
    return url


def open_help(page: str, language: str | None = None) -> Path | None:
    """Open the guide at ``page`` in the web browser; the file opened, or None when it is not installed."""
    url = help_url(page, language)
    if url is None:
        log.warning("The guide page %r is not in %s", page, help_dir())
        return None
    if not QDesktopServices.openUrl(url):
        log.warning("No program opened %s", url.toString())
    return Path(url.toLocalFile())


def help_button(parent: QWidget | None, page: str) -> QPushButton:
    """A "Help" button that opens ``page`` (a topic of :data:`TOPICS` or ``page#anchor``)."""
    button = QPushButton(QgsApplication.getThemeIcon("/mActionHelpContents.svg"), tr("Help"), parent)
    button.setObjectName("OpenMistoHelpButton")
    button.setProperty("helpPage", page)
    button.setToolTip(tr("Open the user guide at this topic"))
    button.setAutoDefault(False)

    def clicked(_checked: bool = False) -> None:
        if open_help(page) is None:
            QMessageBox.information(
                button.window(),
                tr("Help"),
                tr("The user guide is not installed with the plugin (expected in {path}).").format(path=help_dir()),
            )

    button.clicked.connect(clicked)
    return button
