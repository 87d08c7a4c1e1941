"""A list of checkable ``(code, label)`` items, as tall as its items: the filter panel's criteria lists."""

from __future__ import annotations

from typing import Any

from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtWidgets import QListWidget, QListWidgetItem, QWidget

from .common import plain_tooltip

CODE_ROLE = Qt.ItemDataRole.UserRole
#: Rows a filter list shows before it scrolls (the status list's 11 fit).
MAX_VISIBLE_ROWS = 12


class CheckList(QListWidget):
    """A list of checkable ``(code, label)`` items."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setUniformItemSizes(True)
        self._fit()

    def _fit(self) -> None:
        """As tall as its items (up to ``MAX_VISIBLE_ROWS``): the panel scrolls as one, not a list inside it."""
        rows = min(max(self.count(), 1), MAX_VISIBLE_ROWS)
        row = self.sizeHintForRow(0) if self.count() else self.fontMetrics().height() + 4
        # frames, and the horizontal scroll bar of long names once shown
        chrome = self.height() - self.viewport().height() if self.isVisible() else 2 * self.frameWidth()
        self.setFixedHeight(rows * max(row, 1) + 2 * self.spacing() * rows + max(chrome, 2 * self.frameWidth()) + 2)
        self.setVerticalScrollBarPolicy(
            Qt.ScrollBarPolicy.ScrollBarAsNeeded
            if self.count() > MAX_VISIBLE_ROWS
            else Qt.ScrollBarPolicy.ScrollBarAlwaysOff
        )

    def showEvent(self, event: Any) -> None:
        """Rows have their final height once the list is polished: fit again."""
        super().showEvent(event)
        self._fit()

    def resizeEvent(self, event: Any) -> None:
        """A narrower dock may add the horizontal scroll bar: keep every row visible."""
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self._fit()

    def addItem(self, item: QListWidgetItem) -> None:  # type: ignore[override]
        super().addItem(item)
        self._fit()

    def clear(self) -> None:
        super().clear()
        self._fit()

    def set_items(self, pairs: list[tuple[str, str]], checked: list[str] | None = None) -> None:
        keep = set(checked if checked is not None else self.checked())
        self.clear()
        for code, label in pairs:
            item = QListWidgetItem(label)
            item.setData(CODE_ROLE, code)
            item.setToolTip(plain_tooltip(code or label))
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if code in keep else Qt.CheckState.Unchecked)
            self.addItem(item)

    def checked(self) -> list[str]:
        return [
            str(self.item(i).data(CODE_ROLE))
            for i in range(self.count())
            if self.item(i).checkState() == Qt.CheckState.Checked
        ]

    def set_checked(self, codes: list[str]) -> None:
        wanted = set(codes)
        known = {str(self.item(i).data(CODE_ROLE)) for i in range(self.count())}
        for code in wanted - known:  # a saved filter may name something the workspace lacks now
            item = QListWidgetItem(code)
            item.setData(CODE_ROLE, code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            self.addItem(item)
        for i in range(self.count()):
            item = self.item(i)
            item.setCheckState(
                Qt.CheckState.Checked if str(item.data(CODE_ROLE)) in wanted else Qt.CheckState.Unchecked
            )
