"""The plugin's settings in ``QgsSettings`` (group ``openmisto/``).

The API key itself is never stored here: only the id of the QGIS authentication
configuration (``authcfg``) that holds it (see ``core/open311/auth.py``).

``workspace_path`` is the workspace's address as chosen: a GeoPackage path, or a shared PostGIS workspace
``postgres:connection=<QGIS saved connection> schema=openmisto`` (or ``service=…``); such an
address never holds a password (``pg_connection.parse_uri`` refuses one).

One workspace per key identity (a *profile*: ``moderator``, ``viewer`` or ``officer:<department>``): a key
brings in only what the platform lets it see, so an officer's view never holds what a moderator's key
brought before. The GeoPackage chosen in the settings belongs to the profile that first used it (its
*owner*); the other profiles use a file beside it (:func:`workspace_for_profile`). A shared PostGIS
workspace is the same for every profile (a server syncs it). Each profile also keeps its own saved key
(``authcfg``), so switching back needs no retyping.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from qgis.core import QgsApplication, QgsSettings

from .store.workspace import Workspace

log = logging.getLogger(__name__)

GROUP = "openmisto"
ROLES = ("moderator", "officer", "viewer")
DEFAULT_PAGE_SIZE = 1000
DEFAULT_SYNC_INTERVAL_MIN = 5
DEFAULT_BASE_URL = ""
ANSWER_FORMATS = ("auto", "json", "xml")


def default_workspace_path() -> str:
    """``<QGIS settings dir>/openmisto/workspace.gpkg``."""
    return str(Path(QgsApplication.qgisSettingsDirPath()) / "openmisto" / "workspace.gpkg")


def profile_of(role: str, department: str = "") -> str:
    """The key identity a role stands for: ``moderator``, ``viewer`` or ``officer:<department>``."""
    return f"officer:{department}" if role == "officer" else role


def workspace_for_profile(address: str, profile: str, owner: str) -> str:
    """The workspace of ``profile``: the chosen GeoPackage for its ``owner`` profile, ``<name>.<profile>.gpkg``
    beside it for the others; a PostGIS address is shared by all."""
    if not address or Workspace(address).shared or profile == owner:
        return address
    path = Path(address)
    slug = re.sub(r"[^0-9A-Za-z_-]+", "-", profile.replace(":", "-")).strip("-") or "user"
    return str(path.with_name(f"{path.stem}.{slug}{path.suffix or '.gpkg'}"))


def _key(name: str) -> str:
    return f"{GROUP}/{name}"


def _as_int(value: object, default: int) -> int:
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default


@dataclass
class PluginSettings:
    """A snapshot of the settings; ``load()`` reads them, ``save()`` writes them back."""

    base_url: str = DEFAULT_BASE_URL
    authcfg: str = ""
    page_size: int = DEFAULT_PAGE_SIZE
    sync_interval_min: int = DEFAULT_SYNC_INTERVAL_MIN
    workspace_path: str = ""
    role: str = "viewer"
    department: str = ""
    last_sync: str = ""  # human-readable summary of the last sync, shown in the dock
    # the city's area "lon_min, lat_min, lon_max, lat_max" (core/positions.py); "": the districts, else
    # the bulk of the reports (core/city_area.py)
    city_bbox: str = ""
    answer_format: str = "auto"  # the platform's answers: auto (JSON when offered, else XML), json, xml
    jurisdiction_id: str = ""  # sent on every call when set (platforms serving several cities)
    # Send the API key over plain http to a host other than this machine (unencrypted): only on the
    # user's explicit choice (docs/security.md).
    allow_plain_http: bool = False
    authcfgs: dict[str, str] = field(default_factory=dict)  # profile -> its saved key (authcfg id)
    workspace_owner: str = ""  # the profile whose workspace is ``workspace_path`` itself ('' : the current one)

    @property
    def profile(self) -> str:
        """The key identity of the role set: ``moderator``, ``viewer`` or ``officer:<department>``."""
        return profile_of(self.role, self.department)

    @property
    def workspace(self) -> str:
        """The address of the current profile's workspace (see :func:`workspace_for_profile`)."""
        return workspace_for_profile(self.workspace_path, self.profile, self.workspace_owner or self.profile)

    @property
    def current_workspace(self) -> Workspace:
        """The current profile's workspace, to ask what it is (shared, its name…) or to open it."""
        return Workspace(self.workspace)

    @classmethod
    def load(cls) -> PluginSettings:
        """Read the settings (defaults where unset or invalid)."""
        s = QgsSettings()
        role = str(s.value(_key("role"), "viewer") or "viewer")
        fmt = str(s.value(_key("answer_format"), "auto") or "auto")
        try:
            authcfgs = json.loads(str(s.value(_key("authcfg_by_profile"), "") or "{}"))
        except ValueError:
            authcfgs = {}
        if not isinstance(authcfgs, dict):
            authcfgs = {}
        return cls(
            authcfgs={str(k): str(v) for k, v in authcfgs.items() if v},
            workspace_owner=str(s.value(_key("workspace_owner"), "") or ""),
            base_url=str(s.value(_key("base_url"), DEFAULT_BASE_URL) or ""),
            authcfg=str(s.value(_key("authcfg"), "") or ""),
            page_size=max(1, _as_int(s.value(_key("page_size"), DEFAULT_PAGE_SIZE), DEFAULT_PAGE_SIZE)),
            sync_interval_min=max(
                0, _as_int(s.value(_key("sync_interval_min"), DEFAULT_SYNC_INTERVAL_MIN), DEFAULT_SYNC_INTERVAL_MIN)
            ),
            workspace_path=str(s.value(_key("workspace_path"), "") or "") or default_workspace_path(),
            role=role if role in ROLES else "viewer",
            department=str(s.value(_key("department"), "") or ""),
            last_sync=str(s.value(_key("last_sync"), "") or ""),
            city_bbox=str(s.value(_key("city_bbox"), "") or ""),
            answer_format=fmt if fmt in ANSWER_FORMATS else "auto",
            jurisdiction_id=str(s.value(_key("jurisdiction_id"), "") or "").strip(),
            allow_plain_http=str(s.value(_key("allow_plain_http"), "false")).lower() in ("true", "1"),
        )

    def save(self) -> None:
        """Write every field to ``QgsSettings``."""
        s = QgsSettings()
        s.setValue(_key("base_url"), self.base_url.strip())
        s.setValue(_key("authcfg"), self.authcfg)
        s.setValue(_key("page_size"), int(self.page_size))
        s.setValue(_key("sync_interval_min"), int(self.sync_interval_min))
        s.setValue(_key("workspace_path"), self.workspace_path)
        s.setValue(_key("role"), self.role)
        s.setValue(_key("department"), self.department)
        s.setValue(_key("last_sync"), self.last_sync)
        s.setValue(_key("city_bbox"), self.city_bbox.strip())
        s.setValue(_key("answer_format"), self.answer_format)
        s.setValue(_key("jurisdiction_id"), self.jurisdiction_id.strip())
        s.setValue(_key("allow_plain_http"), bool(self.allow_plain_http))
        authcfgs = dict(self.authcfgs)
        if self.authcfg:
            authcfgs[self.profile] = self.authcfg
        s.setValue(_key("authcfg_by_profile"), json.dumps(authcfgs, sort_keys=True))
        s.setValue(_key("workspace_owner"), self.workspace_owner or self.profile)
        s.sync()

    @property
    def is_configured(self) -> bool:
        """True when there is a platform to talk to."""
        return bool(self.base_url.strip())

    @property
    def city_area(self) -> tuple[float, float, float, float] | None:
        """The city's area from :attr:`city_bbox`; ``None`` when unset or unreadable (logged)."""
        from .positions import parse_bbox

        try:
            return parse_bbox(self.city_bbox)
        except ValueError as exc:
            log.warning("Ignored the city area setting: %s", exc)
            return None

    @property
    def workspace_exists(self) -> bool:
        """A GeoPackage file that exists, or a PostGIS address (checked when opened)."""
        return self.current_workspace.exists()


def save_last_sync(summary: str) -> None:
    """Remember the last sync summary without touching the other settings."""
    s = QgsSettings()
    s.setValue(_key("last_sync"), summary)


# Module-level getters (used by Processing algorithms for their parameter defaults).


def platform_url() -> str:
    """The configured platform URL ('' when unset)."""
    return PluginSettings.load().base_url


def base_url() -> str:
    """Alias of :func:`platform_url`."""
    return platform_url()


def authcfg() -> str:
    """The id of the authentication configuration holding the API key ('' when unset)."""
    return PluginSettings.load().authcfg


def workspace_path() -> str:
    """The current profile's workspace: a GeoPackage path (beside the default one when unset) or a ``postgres:``
    address."""
    return PluginSettings.load().workspace


def page_size() -> int:
    """Reports per request."""
    return PluginSettings.load().page_size


def city_bbox() -> str:
    """The city's area as set ("lon_min, lat_min, lon_max, lat_max"; '' when unset)."""
    return PluginSettings.load().city_bbox


def answer_format() -> str:
    """The format asked of the platform: ``auto``, ``json`` or ``xml``."""
    return PluginSettings.load().answer_format


def jurisdiction_id() -> str:
    """The ``jurisdiction_id`` sent on every call ('' when unset)."""
    return PluginSettings.load().jurisdiction_id
