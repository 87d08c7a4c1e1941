"""The platform profile as a small two-column table: each feature, its value, the call that showed it."""

from __future__ import annotations

from typing import Any

from qgis.PyQt.QtWidgets import QGridLayout, QWidget

from ..core.i18n import tr
from .common import plain_label

ABSENT_STYLE = "color: #b26a00;"


class PlatformProfileView(QWidget):
    """Rows of ``feature | value``; a value's tooltip names the request and answer that decided it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("OpenMistoPlatformProfile")
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 4, 0, 0)
        self.grid.setHorizontalSpacing(12)
        self.grid.setVerticalSpacing(2)
        self.grid.setColumnStretch(1, 1)

    def show_profile(self, profile: Any) -> None:
        """Fill the rows from ``profile`` (a ``PlatformProfile``); hidden when there is none."""
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        if profile is None:
            self.setVisible(False)
            return
        title = plain_label(tr("What this platform offers:"), selectable=False)
        self.grid.addWidget(title, 0, 0, 1, 2)
        for row, (feature, value, evidence, lacking) in enumerate(profile.rows(), start=1):
            name = plain_label(feature, selectable=False)
            shown = plain_label(value)
            name.setWordWrap(False)  # short texts: a wrapped label in a grid loses its second line
            shown.setWordWrap(False)
            if lacking:
                shown.setStyleSheet(ABSENT_STYLE)
            if evidence:
                shown.setToolTip(evidence)
            self.grid.addWidget(name, row, 0)
            self.grid.addWidget(shown, row, 1)
        self.setVisible(True)
