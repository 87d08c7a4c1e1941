"""An officer's response to a report (issue 3, item 6).

Only the statuses the workflow allows after the current one (for the user's role) are offered.
The answer is required for closing statuses and for «Planned» (which also needs the date); a
photo is copied into the workspace's media folder and linked. The preview shows, as plain text,
exactly what the citizen will read on the platform. Problems are shown in words and keep the
button disabled: nothing is sent that the workflow would refuse.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from qgis.PyQt.QtCore import QDate
from qgis.PyQt.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..core import media, officer_response, statuses
from ..core import workflow as wf
from ..core.deadlines import deadline_for
from ..core.i18n import tr
from ..core.store.base import ReportStore, VersionConflictError
from ..core.timeutil import now_utc
from .common import button_box, format_datetime, plain_label
from .help import help_button
from .outbox_panel import resolve_version_conflict

log = logging.getLogger(__name__)

DEFAULT_PLANNED_DAYS = 7


class RespondDialog(QDialog):
    """Record a response to one report; ``result_`` holds the :class:`RespondResult`.

    The response is recorded on the report's version shown here; when another user changed the report
    meanwhile (shared workspace), ``conflict_resolver`` shows both versions and may apply it again.
    """

    conflict_resolver = staticmethod(resolve_version_conflict)

    def __init__(
        self,
        store: ReportStore,
        actor: wf.Actor,
        service_request_id: str,
        parent: QWidget | None = None,
        base_url: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.actor = actor
        self.service_request_id = str(service_request_id)
        self.report = store.report(self.service_request_id) or {"service_request_id": self.service_request_id}
        self.base_url = media.media_base_url(store) if base_url is None else base_url
        self.photo_name: str | None = None
        self.result_: officer_response.RespondResult | None = None
        self.setWindowTitle(tr("Respond to report {id}").format(id=self.service_request_id))
        self.resize(620, 680)

        layout = QVBoxLayout(self)
        self.header_label = plain_label(self._header())
        layout.addWidget(self.header_label)

        form = QFormLayout()
        self.status_combo = QComboBox()
        current = self.report.get("external_status_code")
        for code in statuses.allowed_next(current, actor.role):
            self.status_combo.addItem(statuses.label(code), code)
        form.addRow(tr("New status:"), self.status_combo)

        self.answer_edit = QPlainTextEdit()
        self.answer_edit.setPlaceholderText(tr("The answer the citizen will read"))
        self.answer_edit.setMaximumHeight(120)
        self.answer_label = plain_label(tr("Answer:"), selectable=False)
        form.addRow(self.answer_label, self.answer_edit)

        self.planned_edit = QDateEdit()
        self.planned_edit.setCalendarPopup(True)
        self.planned_edit.setDisplayFormat("dd.MM.yyyy")
        default = date.today() + timedelta(days=DEFAULT_PLANNED_DAYS)
        self.planned_edit.setDate(QDate(default.year, default.month, default.day))
        self.planned_edit.setMinimumDate(QDate.currentDate())
        form.addRow(tr("Planned date:"), self.planned_edit)

        photo_row = QHBoxLayout()
        self.photo_edit = QLineEdit()
        self.photo_edit.setPlaceholderText(tr("No photo"))
        self.photo_button = QPushButton(tr("Choose…"))
        self.photo_button.clicked.connect(lambda _c=False: self.choose_photo())
        photo_row.addWidget(self.photo_edit, 1)
        photo_row.addWidget(self.photo_button)
        photo_box = QWidget()
        photo_box.setLayout(photo_row)
        photo_row.setContentsMargins(0, 0, 0, 0)
        form.addRow(tr("Photo:"), photo_box)
        layout.addLayout(form)

        layout.addWidget(plain_label(tr("What the citizen will see:"), selectable=False))
        self.preview_edit = QPlainTextEdit()
        self.preview_edit.setReadOnly(True)
        layout.addWidget(self.preview_edit, 1)
        self.note_label = plain_label()
        layout.addWidget(self.note_label)
        self.error_label = plain_label()
        self.error_label.setStyleSheet("color: #c62828")
        layout.addWidget(self.error_label)

        self.buttons = button_box(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.addButton(help_button(self, "respond"), QDialogButtonBox.ButtonRole.HelpRole)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("Record the response"))
        self.buttons.accepted.connect(self.record)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

        self.status_combo.currentIndexChanged.connect(self.update_state)
        self.answer_edit.textChanged.connect(self.update_state)
        self.planned_edit.dateChanged.connect(self.update_state)
        self.photo_edit.textChanged.connect(self._photo_changed)
        self.update_state()

    # ------------------------------------------------------------------ input

    def _header(self) -> str:
        r = self.report
        deadline = deadline_for(r)
        code = r.get("agency_responsible")
        department = dict(wf.departments(self.store)).get(code, code) if code else "—"
        lines = [
            tr("Report {id}: {category}").format(
                id=self.service_request_id, category=r.get("service_name") or r.get("service_code") or ""
            ),
            tr("Now: {status}; department: {department}").format(
                status=statuses.label(r.get("external_status_code")), department=department
            ),
        ]
        if r.get("address"):
            lines.append(r["address"])
        if deadline.due is not None:
            lines.append(tr("Due: {due}").format(due=format_datetime(deadline.due)))
        if r.get("description"):
            lines += ["", str(r["description"])]
        return "\n".join(lines)

    def status(self) -> str | None:
        """The chosen status code."""
        return self.status_combo.currentData()

    def set_status(self, code: str) -> bool:
        """Choose a status by code; False when the workflow does not offer it."""
        index = self.status_combo.findData(code)
        if index < 0:
            return False
        self.status_combo.setCurrentIndex(index)
        return True

    def planned_date(self) -> date | None:
        """The planned date when the status is «Planned»."""
        if self.status() != "planned":
            return None
        value = self.planned_edit.date()
        return date(value.year(), value.month(), value.day())

    def set_planned_date(self, value: date) -> None:
        self.planned_edit.setDate(QDate(value.year, value.month, value.day))

    def choose_photo(self, path: str | None = None) -> None:
        """Pick the photo file (a file dialog when ``path`` is None)."""
        if path is None:
            path, _filter = QFileDialog.getOpenFileName(
                self, tr("Photo"), "", tr("Images (*.jpg *.jpeg *.png *.gif *.webp *.heic *.tif *.tiff *.bmp)")
            )
        if path:
            self.photo_edit.setText(path)

    def _photo_changed(self, text: str) -> None:
        text = text.strip()
        self.photo_name = media.media_file_name(self.service_request_id, text) if text else None
        self.update_state()

    def media_link(self) -> str | None:
        """The link the photo will have (public or file://), None without a photo."""
        if not self.photo_name:
            return None
        return media.media_link(self.store.path, self.photo_name, self.base_url)

    # ------------------------------------------------------------------ state

    def problem(self) -> str | None:
        """Why the response cannot be recorded as it is, in words (None: it can)."""
        code = self.status()
        if code is None:
            current = statuses.label(self.report.get("external_status_code"))
            return tr("No status can follow «{current}» for your role.").format(current=current)
        try:
            officer_response.check_response(
                self.store,
                self.actor,
                self.report,
                code,
                self.answer_edit.toPlainText(),
                self.planned_date(),
                now_utc(),
            )
        except wf.WorkflowError as exc:
            return str(exc)
        photo = self.photo_edit.text().strip()
        if photo and not Path(photo).is_file():
            return tr("The photo {file} does not exist.").format(file=photo)
        return None

    def update_state(self, *_args: Any) -> None:
        """Refresh the preview, the required marks and the OK button."""
        code = self.status()
        needs_answer = bool(code) and (statuses.STATUSES[code].needs_answer or code == "planned")
        self.answer_label.setText(tr("Answer (required):") if needs_answer else tr("Answer:"))
        self.planned_edit.setEnabled(code == "planned")
        link = self.media_link()
        public = bool(self.base_url)
        if code:
            self.preview_edit.setPlainText(
                officer_response.citizen_preview(
                    self.report,
                    code,
                    self.answer_edit.toPlainText(),
                    self.planned_date(),
                    link if public else None,
                )
            )
        else:
            self.preview_edit.setPlainText("")
        if link and not public:
            self.note_label.setText(
                tr(
                    "The photo stays internal (kept in the workspace's media folder and the history): no public "
                    "address for photos is set, and the platform accepts only http(s) links."
                )
            )
        else:
            self.note_label.setText("")
        problem = self.problem()
        self.error_label.setText(problem or "")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(problem is None)

    # ------------------------------------------------------------------ record

    def record(self) -> bool:
        """Write the response (report, history, outbox) and close; a refusal is shown, nothing written."""
        code = self.status()
        if code is None:
            return False
        try:
            self.result_ = officer_response.respond(
                self.store,
                self.actor,
                self.service_request_id,
                code,
                self.answer_edit.toPlainText(),
                self.planned_date(),
                self.photo_edit.text().strip() or None,
                base_url=self.base_url,
                photo_name=self.photo_name,
                base_version=self.report.get("version"),  # the version shown: optimistic locking
            )
        except wf.WorkflowError as exc:
            self.error_label.setText(str(exc))
            return False
        except VersionConflictError as exc:  # another user changed the report since it was shown
            again = self.conflict_resolver(exc, self, self.report)
            self.report = self.store.report(self.service_request_id) or self.report
            self.header_label.setText(self._header())
            self.error_label.setText("" if again else str(exc))
            return self.record() if again else False
        self.accept()
        return True


def open_for_selection(store: ReportStore, actor: wf.Actor, layer: Any, parent: QWidget | None = None) -> Any:
    """A respond dialog for the one report selected on ``layer``; None (nothing opened) otherwise."""
    fids = list(layer.selectedFeatureIds()) if layer is not None else []
    if len(fids) != 1:
        return None
    ids = wf.reports_by_fids(store, fids)
    return RespondDialog(store, actor, ids[0], parent) if ids else None
