"""Settings: platform, API key (only in QGIS's authentication database), sync, workspace, role.

The public address of the photos belongs to the workspace (``sync_state``, see
``core/workflow.py``): it is read from and written to the workspace, not ``QgsSettings``.

The workspace is a GeoPackage file (one user) or a shared PostGIS workspace: a PostgreSQL
connection chosen from QGIS's own saved connections (Browser > PostgreSQL; its credentials stay in
the QGIS authentication database or a pg service file) and a schema. The address saved in the
settings is ``postgres:connection=<name> schema=<schema>`` and never holds a password.

"Test connection" runs in a background task, so a slow or dead server never
freezes QGIS; its answer is shown in words (unreachable, bad key, not Open311, TLS).
"""

from __future__ import annotations

import contextlib
import logging
import shlex
from typing import Any

from qgis.core import QgsApplication
from qgis.gui import QgsAuthConfigSelect, QgsFileWidget
from qgis.PyQt import sip
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..core import media
from ..core import workflow as wf
from ..core.i18n import tr
from ..core.open311.auth import AuthError
from ..core.open311.profile import format_label
from ..core.positions import parse_bbox
from ..core.settings import ANSWER_FORMATS, ROLES, PluginSettings, default_workspace_path, profile_of
from ..core.store.failures import WORKSPACE_ERRORS
from ..core.store.pg_connection import (
    DEFAULT_SCHEMA,
    URI_PREFIX,
    PgConnectionError,
    parse_uri,
    saved_connection_names,
    valid_schema,
)
from ..core.store.workspace import Workspace
from ..core.tasks import CallableTask, TaskOutcome
from .common import button_box, icon, plain_label, warn_plain
from .dock import role_label
from .help import help_button
from .platform_profile_view import PlatformProfileView
from .report_detail import load_departments

log = logging.getLogger(__name__)

TEST_TIMEOUT_S = 15
AUTHCFG_NAME = "Відкрите Місто"
KIND_GPKG = "gpkg"
KIND_POSTGRES = "postgres"


def address_values(address: str) -> dict[str, str]:
    """The ``key=value`` pairs of a ``postgres:`` address, in order (no resolving, no connection)."""
    values: dict[str, str] = {}
    try:
        tokens = shlex.split(address[len(URI_PREFIX) :])
    except ValueError:
        return values
    for token in tokens:
        key, sep, value = token.partition("=")
        if sep:
            values[key] = value
    return values


class SettingsDialog(QDialog):
    """Edit :class:`PluginSettings`; ``accept()`` saves them (the key goes to the auth DB)."""

    def __init__(
        self, settings: PluginSettings | None = None, parent: QWidget | None = None, store: Any = None
    ) -> None:
        super().__init__(parent)
        self.settings = settings or PluginSettings.load()
        self.store = store  # the plugin's open workspace (for the photos' address), or None
        self.setObjectName("OpenMistoSettingsDialog")
        self.setWindowTitle(tr("Open City: settings"))
        self.setWindowIcon(icon("settings"))
        self.setMinimumWidth(680)
        self._test_task: CallableTask | None = None
        self._test_client: Any = None
        # one saved key per profile (moderator, viewer, officer:<department>): switching roles needs no retyping
        self._authcfgs: dict[str, str] = dict(self.settings.authcfgs)
        if self.settings.authcfg:
            self._authcfgs.setdefault(self.settings.profile, self.settings.authcfg)
        self._profile = self.settings.profile
        self._build()
        self._fill()

    # --- layout ---------------------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)

        platform = QGroupBox(tr("Platform"))
        form = QFormLayout(platform)
        form.setFieldGrowthPolicy(
            QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow
        )  # wrapped labels get their height
        self.url_edit = QLineEdit()
        self.url_edit.setPlaceholderText("https://openmisto.example.org/open311/v2/")
        form.addRow(tr("Platform URL"), self.url_edit)
        self.format_combo = QComboBox()
        for choice in ANSWER_FORMATS:
            self.format_combo.addItem(format_label(choice), choice)
        self.format_combo.setToolTip(tr("JSON is optional in Open311: some platforms answer in XML only"))
        form.addRow(tr("Answer format"), self.format_combo)
        self.jurisdiction_edit = QLineEdit()
        self.jurisdiction_edit.setPlaceholderText(tr("Only for platforms serving several cities"))
        form.addRow(tr("jurisdiction_id"), self.jurisdiction_edit)

        self.auth_select = QgsAuthConfigSelect(self)
        form.addRow(tr("Saved API key"), self.auth_select)
        self.key_edit = QLineEdit()
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_edit.setPlaceholderText(tr("Paste a new key here to save it in the QGIS authentication database"))
        self.key_edit.setClearButtonEnabled(True)
        form.addRow(tr("New API key"), self.key_edit)
        self.plain_http_check = QCheckBox(tr("Allow plain http for the key"))
        self.plain_http_check.setObjectName("allowPlainHttp")
        self.plain_http_check.setToolTip(
            tr(
                "Off: the key goes only over https, or over http to this computer. Turn it on only for a "
                "platform in a trusted local network that has no https."
            )
        )
        form.addRow("", self.plain_http_check)

        test_row = QHBoxLayout()
        self.test_button = QPushButton(tr("Test connection"))
        self.test_button.clicked.connect(self.test_connection)
        test_row.addWidget(self.test_button)
        test_row.addStretch(1)
        form.addRow("", test_row)
        self.test_label = plain_label()
        # Room for four lines: a wrapped label added later does not grow the dialog by itself.
        self.test_label.setMinimumHeight(self.test_label.fontMetrics().lineSpacing() * 4 + 4)
        self.test_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.test_label.setVisible(False)
        form.addRow("", self.test_label)
        self.profile_view = PlatformProfileView()  # what Test connection found the platform to offer
        self.profile_view.setVisible(False)
        form.addRow(self.profile_view)  # the whole width: two columns of text
        layout.addWidget(platform)

        sync = QGroupBox(tr("Synchronisation"))
        sync_form = QFormLayout(sync)
        sync_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.interval_spin = QSpinBox()
        self.interval_spin.setRange(0, 24 * 60)
        self.interval_spin.setSuffix(tr(" min"))
        self.interval_spin.setSpecialValueText(tr("Off"))
        self.interval_spin.setToolTip(tr("0 turns automatic synchronisation off"))
        sync_form.addRow(tr("Automatic sync every"), self.interval_spin)
        self.page_size_spin = QSpinBox()
        self.page_size_spin.setRange(10, 10000)
        self.page_size_spin.setSingleStep(100)
        sync_form.addRow(tr("Reports per request"), self.page_size_spin)
        self.workspace_kind_combo = QComboBox()
        self.workspace_kind_combo.setObjectName("workspaceKind")
        self.workspace_kind_combo.addItem(tr("GeoPackage file (one user)"), KIND_GPKG)
        self.workspace_kind_combo.addItem(tr("PostgreSQL/PostGIS database (shared)"), KIND_POSTGRES)
        self.workspace_kind_combo.currentIndexChanged.connect(self._kind_changed)
        sync_form.addRow(tr("Workspace kind"), self.workspace_kind_combo)
        self.workspace_widget = QgsFileWidget()
        self.workspace_widget.setStorageMode(QgsFileWidget.SaveFile)
        self.workspace_widget.setFilter(tr("GeoPackage (*.gpkg)"))
        self.workspace_widget.setConfirmOverwrite(False)
        self.workspace_widget.setDialogTitle(tr("Workspace GeoPackage"))
        sync_form.addRow(tr("Workspace"), self.workspace_widget)
        self.connection_combo = QComboBox()
        self.connection_combo.setObjectName("pgConnection")
        self.connection_combo.setToolTip(
            tr(
                "A PostgreSQL connection saved in QGIS (Browser > PostgreSQL > New Connection). Keep its "
                "password in an authentication configuration or a pg service file, not in the connection."
            )
        )
        sync_form.addRow(tr("PostgreSQL connection"), self.connection_combo)
        self.schema_edit = QLineEdit()
        self.schema_edit.setObjectName("pgSchema")
        self.schema_edit.setPlaceholderText(DEFAULT_SCHEMA)
        self.schema_edit.setToolTip(tr("The database schema of the workspace (created by the first sync)"))
        sync_form.addRow(tr("Schema"), self.schema_edit)
        self._workspace_rows = sync_form
        self.media_url_edit = QLineEdit()
        self.media_url_edit.setObjectName("mediaBaseUrl")
        self.media_url_edit.setClearButtonEnabled(True)
        self.media_url_edit.setPlaceholderText("https://misto.pokrov.example/media/")
        self.media_url_edit.setToolTip(
            tr(
                "Where the city's web server publishes the workspace's photo folder ({folder}). "
                "With an address, the photos of responses reach the citizens; empty: they stay internal."
            ).format(folder=media.media_folder(self.settings.workspace_path or "workspace.gpkg").name)
        )
        sync_form.addRow(tr("Public address of photos"), self.media_url_edit)
        self.city_area_edit = QLineEdit()
        self.city_area_edit.setObjectName("cityArea")
        self.city_area_edit.setClearButtonEnabled(True)
        self.city_area_edit.setPlaceholderText(tr("empty: the districts, else the bulk of the reports"))
        self.city_area_edit.setToolTip(
            tr(
                "The city's area as lon_min, lat_min, lon_max, lat_max (EPSG:4326), e.g. 33.95, 47.55, 34.30, 47.75"
                " for Pokrov. Reports whose latitude and longitude the platform swapped are repaired when the swapped"
                " point lies inside it; points far outside it are kept, flagged, and left out of the map's extent."
            )
        )
        sync_form.addRow(tr("City area"), self.city_area_edit)
        layout.addWidget(sync)

        user = QGroupBox(tr("User"))
        user_form = QFormLayout(user)
        user_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.role_combo = QComboBox()
        self.role_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.role_combo.setMinimumContentsLength(20)
        for role in ROLES:
            self.role_combo.addItem(role_label(role), role)
        self.role_combo.currentIndexChanged.connect(self._role_changed)
        self.role_combo.currentIndexChanged.connect(self._profile_changed)
        user_form.addRow(tr("Role"), self.role_combo)
        self.department_combo = QComboBox()
        self.department_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.department_combo.setMinimumContentsLength(20)
        self.department_combo.setEditable(True)
        self.department_combo.setToolTip(tr("The department whose reports an officer handles"))
        self.department_combo.currentTextChanged.connect(self._profile_changed)
        user_form.addRow(tr("Department"), self.department_combo)
        layout.addWidget(user)

        self.button_box = button_box(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.button_box.accepted.connect(self.accept)
        self.button_box.rejected.connect(self.reject)
        self.button_box.addButton(help_button(self, "settings"), QDialogButtonBox.ButtonRole.HelpRole)
        layout.addWidget(self.button_box)

    def _fill(self) -> None:
        s = self.settings
        self.url_edit.setText(s.base_url)
        self.auth_select.setConfigId(s.authcfg)
        self.plain_http_check.setChecked(s.allow_plain_http)
        self.interval_spin.setValue(s.sync_interval_min)
        self.page_size_spin.setValue(max(10, min(10000, s.page_size)))
        self.format_combo.setCurrentIndex(max(0, self.format_combo.findData(s.answer_format)))
        self.jurisdiction_edit.setText(s.jurisdiction_id)
        self._fill_workspace(s.workspace_path)
        self._fill_media_url(s.workspace)  # the photos address lives in the profile's workspace
        self.city_area_edit.setText(s.city_bbox)
        index = self.role_combo.findData(s.role)
        self.role_combo.setCurrentIndex(max(0, index))
        self.department_combo.addItem("", "")
        for code, name in sorted(load_departments(s.workspace_path).items()):
            self.department_combo.addItem(f"{code} — {name}" if name else code, code)
        index = self.department_combo.findData(s.department)
        if index >= 0:
            self.department_combo.setCurrentIndex(index)
        else:
            self.department_combo.setEditText(s.department)
        self._role_changed()
        self._profile = self.profile()
        self.auth_select.setConfigId(self._authcfgs.get(self._profile, s.authcfg))

    def _fill_workspace(self, address: str) -> None:
        """The kind, the file or the saved connection and schema of the workspace ``address``."""
        names = saved_connection_names()
        self.connection_combo.clear()
        for name in names:
            self.connection_combo.addItem(name, name)
        if Workspace(address).shared:
            self.workspace_kind_combo.setCurrentIndex(self.workspace_kind_combo.findData(KIND_POSTGRES))
            values = address_values(address)
            name = values.get("connection", "")
            if name and self.connection_combo.findData(name) < 0:
                self.connection_combo.addItem(name, name)  # a connection not (or no longer) saved here
            if not name:  # a service or host address (made by hand): kept as it is
                self.connection_combo.addItem(tr("As set: {0}").format(Workspace(address).describe()), address)
                name = address
            self.connection_combo.setCurrentIndex(max(0, self.connection_combo.findData(name)))
            self.schema_edit.setText(values.get("schema", DEFAULT_SCHEMA))
            self.workspace_widget.setFilePath(default_workspace_path())
        else:
            self.workspace_kind_combo.setCurrentIndex(self.workspace_kind_combo.findData(KIND_GPKG))
            self.workspace_widget.setFilePath(address)
            self.schema_edit.setText(DEFAULT_SCHEMA)
        self._kind_changed()

    def _kind_changed(self, *_args: Any) -> None:
        postgres = self.workspace_kind_combo.currentData() == KIND_POSTGRES
        for widget, shown in (
            (self.workspace_widget, not postgres),
            (self.connection_combo, postgres),
            (self.schema_edit, postgres),
        ):
            widget.setVisible(shown)
            label = self._workspace_rows.labelForField(widget)
            if label is not None:
                label.setVisible(shown)
        if postgres and not self.connection_combo.count():
            self.connection_combo.setPlaceholderText(tr("No saved PostgreSQL connection in QGIS"))

    def workspace_address(self) -> str:
        """The workspace as chosen: a GeoPackage path, or ``postgres:connection=<name> schema=<schema>``."""
        if self.workspace_kind_combo.currentData() != KIND_POSTGRES:
            return self.workspace_widget.filePath().strip() or (
                "" if Workspace(self.settings.workspace_path).shared else self.settings.workspace_path
            )
        chosen = str(self.connection_combo.currentData() or "")
        schema = self.schema_edit.text().strip() or DEFAULT_SCHEMA
        if not chosen:
            return ""
        if Workspace(chosen).shared:  # a hand-made address: only its schema changes
            values = address_values(chosen)
            values["schema"] = schema
            return URI_PREFIX + " ".join(f"{k}={shlex.quote(v)}" for k, v in values.items())
        return f"{URI_PREFIX}connection={shlex.quote(chosen)} schema={shlex.quote(schema)}"

    def _workspace_store(self, path: str) -> tuple[Any, bool]:
        """``(store, opened_here)`` of the workspace ``path``; (None, False) when there is none yet."""
        workspace = Workspace(path)
        if not workspace.exists():
            return None, False
        store = self.store
        if store is not None and store.workspace == workspace:
            return store, False
        try:
            return workspace.open(), True
        except (*WORKSPACE_ERRORS, OSError) as exc:  # not a workspace: the field stays off
            log.info("Cannot open %s for the photos' address: %s", path, exc)
            return None, False

    def _fill_media_url(self, path: str) -> None:
        store, opened = self._workspace_store(path)
        try:
            self.media_url_edit.setText(media.media_base_url(store) if store is not None else "")
        except WORKSPACE_ERRORS as exc:  # the field stays as it was
            log.warning("Cannot read the photos' address: %s", exc)
        finally:
            if opened:
                store.close()
        self.media_url_edit.setEnabled(store is not None)
        if store is None:
            self.media_url_edit.setPlaceholderText(tr("Available after the first synchronisation"))

    def save_media_url(self, path: str) -> str:
        """Write the photos' address into the workspace ``path``; '' or the problem in words."""
        url = self.media_url_edit.text().strip()
        store, opened = self._workspace_store(path)
        if store is None:
            return ""
        try:
            if url != (media.media_base_url(store) or ""):
                media.set_media_base_url(store, url)
        except wf.WorkflowError as exc:
            return str(exc)
        finally:
            if opened:
                store.close()
        return ""

    def _role_changed(self) -> None:
        self.department_combo.setEnabled(self.role_combo.currentData() == "officer")

    def profile(self) -> str:
        """The key identity the role (and department) set here stands for."""
        role = str(self.role_combo.currentData() or "viewer")
        return profile_of(role, self.department() if role == "officer" else "")

    def _profile_changed(self, *_args: Any) -> None:
        """Keep the key chosen for the profile left; show the one saved for the new profile (or none)."""
        new = self.profile()
        if new == self._profile:
            return
        chosen = self.auth_select.configId()
        if chosen:
            self._authcfgs[self._profile] = chosen
        self._profile = new
        self.auth_select.setConfigId(self._authcfgs.get(new, ""))

    # --- values ------------------------------------------------------------------------------

    def department(self) -> str:
        """The chosen department code."""
        text = self.department_combo.currentText().strip()
        index = self.department_combo.findText(text)
        if index >= 0:
            return str(self.department_combo.itemData(index) or "")
        return text.split(" — ", 1)[0].strip()

    def values(self) -> PluginSettings:
        """The settings as edited (the authcfg as selected; a new key is stored by ``accept``)."""
        return PluginSettings(
            base_url=self.url_edit.text().strip(),
            authcfg=self.auth_select.configId(),
            page_size=self.page_size_spin.value(),
            answer_format=str(self.format_combo.currentData() or "auto"),
            jurisdiction_id=self.jurisdiction_edit.text().strip(),
            sync_interval_min=self.interval_spin.value(),
            workspace_path=self.workspace_address(),
            role=str(self.role_combo.currentData()),
            department=self.department() if self.role_combo.currentData() == "officer" else "",
            last_sync=self.settings.last_sync,
            city_bbox=self.city_area_edit.text().strip(),
            allow_plain_http=self.plain_http_check.isChecked(),
            authcfgs={**self._authcfgs, self.profile(): self.auth_select.configId()},
            workspace_owner=self.settings.workspace_owner or self.settings.profile,
        )

    def _validate(self, values: PluginSettings) -> str:
        if values.base_url and not values.base_url.lower().startswith(("http://", "https://")):
            return tr("The platform URL must start with http:// or https://")
        if self.workspace_kind_combo.currentData() == KIND_POSTGRES:
            if not values.workspace_path:
                return tr("Choose a saved PostgreSQL connection (Browser > PostgreSQL > New Connection).")
            try:
                valid_schema(self.schema_edit.text().strip() or DEFAULT_SCHEMA)
                parse_uri(values.workspace_path)  # refuses a password; finds the saved connection
            except PgConnectionError as exc:
                return str(exc)
        elif values.workspace_path and not values.workspace_path.lower().endswith(".gpkg"):
            return tr("The workspace must be a GeoPackage file (.gpkg).")
        if values.role == "officer" and not values.department:
            return tr("Choose the department of the officer.")
        try:
            parse_bbox(values.city_bbox)
        except ValueError:
            return tr("The city area must be four numbers: lon_min, lat_min, lon_max, lat_max (EPSG:4326).")
        media_url = self.media_url_edit.text().strip()
        if media_url and not media_url.lower().startswith(("http://", "https://")):
            return tr("The public address of the photos must start with http:// or https://.")
        return ""

    def store_new_key(self) -> bool:
        """Save a typed key in the auth DB and select its authcfg; False (with a message) on failure."""
        key = self.key_edit.text().strip()
        if not key:
            return True
        from ..core.open311.auth import save_api_key

        profile = self.profile()
        chosen = self.auth_select.configId()
        others = {cfg for name, cfg in self._authcfgs.items() if name != profile}
        # a new key replaces this profile's saved key, never the one another profile uses
        target = chosen if chosen and chosen not in others else self._authcfgs.get(profile)
        if target in others:
            target = None
        try:
            authcfg = save_api_key(key, f"{AUTHCFG_NAME} ({profile})", authcfg=target or None)
        except (AuthError, ValueError) as exc:  # AuthError has a user message; ValueError: an empty key
            message = TaskOutcome(False, error=exc).error_message()
            warn_plain(self, self.windowTitle(), message)
            return False
        self.key_edit.clear()
        self._authcfgs[profile] = authcfg
        self.auth_select.setConfigId(authcfg)
        return True

    def accept(self) -> None:
        """Validate, store the key in the auth DB, save the settings."""
        problem = self._validate(self.values())
        if problem:
            warn_plain(self, self.windowTitle(), problem)
            return
        if not self.store_new_key():
            return
        values = self.values()
        problem = self.save_media_url(values.workspace)
        if problem:
            warn_plain(self, self.windowTitle(), problem)
            return
        self.settings = values
        self.settings.save()
        folder = Workspace(self.settings.workspace_path).path
        if folder is not None:
            folder.parent.mkdir(parents=True, exist_ok=True)
        self._stop_test()
        super().accept()

    def reject(self) -> None:
        self._stop_test()
        super().reject()

    # --- test connection ---------------------------------------------------------------------

    def _api_key_for_test(self) -> str | None:
        key = self.key_edit.text().strip()
        if key:
            return key
        authcfg = self.auth_select.configId()
        if not authcfg:
            return None
        from ..core.open311.auth import load_api_key

        return load_api_key(authcfg)

    def test_connection(self) -> CallableTask | None:
        """Start the test in the background; the result appears under the button."""
        url = self.url_edit.text().strip()
        if not url.lower().startswith(("http://", "https://")):
            self._show_test(tr("The platform URL must start with http:// or https://"), False)
            return None
        try:
            api_key = self._api_key_for_test()
        except AuthError as exc:  # it has a user message
            self._show_test(TaskOutcome(False, error=exc).error_message(), False)
            return None
        from ..core.open311.client import Open311Client

        client = Open311Client(
            url,
            api_key=api_key,
            page_size=1,
            timeout_s=TEST_TIMEOUT_S,
            retries=0,
            fmt=str(self.format_combo.currentData() or "auto"),
            jurisdiction_id=self.jurisdiction_edit.text().strip() or None,
            allow_plain_http=self.plain_http_check.isChecked(),
        )
        task = CallableTask(tr("Open City: testing the connection"), client.test_connection)
        task.done.connect(self._test_done)
        self._test_client = client
        self._test_task = task
        self.test_button.setEnabled(False)
        self._show_test(tr("Connecting to {0}…").format(url), None)
        QgsApplication.taskManager().addTask(task)
        return task

    def _test_done(self, outcome: TaskOutcome) -> None:
        if sip.isdeleted(self):
            return
        self._test_task = None
        self.test_button.setEnabled(True)
        if outcome.ok:
            profile = getattr(self._test_client, "profile", None)
            summary = str(outcome.result or tr("Connected."))
            text = summary.split("\n", 1)[0] if profile is not None else summary
            mismatch = self.role_mismatch(getattr(self._test_client, "key_role", None))
            self._show_test(mismatch + "\n" + text if mismatch else text, not mismatch)
            self.profile_view.show_profile(profile)
            self._keep_profile(profile)
        else:
            self.profile_view.show_profile(None)
            self._show_test(outcome.error_message(), False)
        self.adjustSize()

    def _keep_profile(self, profile: Any) -> None:
        """Store the probed platform profile in the workspace (when it exists already)."""
        if profile is None:
            return
        store, opened = self._workspace_store(self.workspace_address())
        if store is None:
            return
        try:
            store.save_platform_profile(profile)
        except WORKSPACE_ERRORS as exc:  # the next sync probes the platform again
            log.warning("Cannot store the platform profile: %s", exc)
        finally:
            if opened:
                store.close()

    def role_mismatch(self, key_role: str | None) -> str:
        """A warning when the platform says the key is another role's (:func:`core.profiles.role_mismatch`)."""
        from ..core.profiles import role_mismatch

        return role_mismatch(key_role, self.profile(), role_label(str(self.role_combo.currentData())), role_label)

    def _show_test(self, text: str, ok: bool | None) -> None:
        colour = {True: "#2e7d32", False: "#c62828"}.get(ok, "")
        self.test_label.setStyleSheet(f"color: {colour};" if colour else "")
        self.test_label.setText(text)
        self.test_label.setVisible(True)

    def _stop_test(self) -> None:
        task = self._test_task
        if task is not None:
            with contextlib.suppress(TypeError):
                task.done.disconnect(self._test_done)
            task.cancel()
            self._test_task = None
