"""Asking the moderator for a reason (reject, not the city's remit), naming the reports it applies to.

The reason is required: OK stays disabled until something is written. The reports are named by number,
category and address, so the moderator sees which report is rejected before confirming.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from qgis.PyQt.QtWidgets import QDialog, QDialogButtonBox, QPlainTextEdit, QVBoxLayout, QWidget

from ..core.i18n import tr
from .common import button_box, plain_label, text_of

#: Reports named one a line; more are counted.
MAX_NAMED = 8


def report_line(report: Mapping[str, Any]) -> str:
    """``№ 12 · Category · Address`` of a report (a store row or a queue item as a mapping)."""
    parts = [
        tr("No. {0}").format(text_of(report.get("service_request_id"))),
        text_of(report.get("service_name")) or text_of(report.get("service_code")),
        text_of(report.get("address")) or tr("no address"),
    ]
    return " · ".join(p for p in parts if p)


def reports_text(reports: list[Mapping[str, Any]]) -> str:
    """The reports named one a line (the first few, then how many more)."""
    lines = [report_line(r) for r in reports[:MAX_NAMED]]
    if len(reports) > MAX_NAMED:
        lines.append(tr("… and {n} more").format(n=len(reports) - MAX_NAMED))
    return "\n".join(lines)


class ReasonDialog(QDialog):
    """Which reports, and a required reason; ``reason()`` after ``exec()``."""

    def __init__(
        self,
        title: str,
        prompt: str,
        reports: list[Mapping[str, Any]],
        action_text: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("OpenMistoReasonDialog")
        self.setWindowTitle(title)
        self.resize(460, 300)
        layout = QVBoxLayout(self)
        heading = tr("Report:") if len(reports) == 1 else tr("Reports ({n}):").format(n=len(reports))
        layout.addWidget(plain_label(heading, selectable=False))
        self.reports_label = plain_label(reports_text(reports))  # citizen addresses: plain text only
        layout.addWidget(self.reports_label)
        layout.addWidget(plain_label(prompt, selectable=False))
        self.reason_edit = QPlainTextEdit()
        self.reason_edit.setTabChangesFocus(True)
        layout.addWidget(self.reason_edit, 1)
        self.hint_label = plain_label(tr("Write the reason to continue."), selectable=False)
        self.hint_label.setStyleSheet("color: #b26a00;")
        layout.addWidget(self.hint_label)
        self.buttons = button_box(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(action_text)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.reason_edit.textChanged.connect(self._update)
        self._update()

    def reason(self) -> str:
        """The reason as written (trimmed)."""
        return self.reason_edit.toPlainText().strip()

    def _update(self) -> None:
        ready = bool(self.reason())
        self.ok_button.setEnabled(ready)
        self.hint_label.setVisible(not ready)

    def accept(self) -> None:
        """Only with a reason (Enter in an empty box does nothing)."""
        if self.reason():
            super().accept()


def ask_reason(
    parent: QWidget | None, title: str, prompt: str, reports: list[Mapping[str, Any]], action_text: str
) -> str | None:
    """The reason for acting on ``reports``, or None when the moderator cancels."""
    dialog = ReasonDialog(title, prompt, reports, action_text, parent)
    return dialog.reason() if dialog.exec() else None
