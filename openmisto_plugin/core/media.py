"""Photos of officers' responses: the workspace's media folder and the links to its files.

Open311 has no upload, an update only carries a link (``media_url``). A photo is copied
into ``<workspace>_media/`` next to the workspace. When the workspace has a public address for
that folder (:func:`set_media_base_url`, e.g. the city's web server publishing it), the link
``<base>/<file>`` goes to the platform; otherwise the photo stays internal: its ``file://`` link
is kept in the local history only (the reference platform, like most, accepts http(s) links only).
"""

from __future__ import annotations

import logging
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from .anonymise import PhotoError, strip_photo_metadata
from .escaping import file_name_component
from .i18n import tr
from .store.base import ReportStore
from .store.workspace import Workspace
from .workflow import WorkflowError

log = logging.getLogger(__name__)

MEDIA_BASE_URL_KEY = "media_base_url"
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".heic", ".tif", ".tiff", ".bmp")


@dataclass(frozen=True)
class Attachment:
    """A photo copied into the workspace's media folder."""

    local_path: Path
    link: str  # the public http(s) link, else the file:// link
    public: bool


def media_folder(store_path: str | Path) -> Path:
    """``<workspace name>_media`` in the workspace's local folder: next to a GeoPackage file (``<stem>_media``).

    A PostGIS workspace has no file: ``<QGIS settings dir>/openmisto/<schema>_media`` on this computer
    (a city publishing photos points its web server at a shared folder and sets the public address).
    """
    workspace = Workspace.of(store_path)
    return workspace.local_folder() / f"{workspace.name}_media"


def media_base_url(store: ReportStore) -> str:
    """The public address of the media folder ('' when the photos stay internal)."""
    return store.get_state(MEDIA_BASE_URL_KEY, "") or ""


def set_media_base_url(store: ReportStore, url: str) -> None:
    """Set (or clear with '') the public http(s) address where the media folder is published."""
    url = (url or "").strip()
    if url and not url.lower().startswith(("http://", "https://")):
        raise WorkflowError(tr("The public address of the photos must start with http:// or https://."))
    store.set_state(MEDIA_BASE_URL_KEY, url or None)


def media_file_name(service_request_id: str, photo: str | Path) -> str:
    """A new unique file name for a report's photo in the media folder."""
    safe_id = file_name_component(service_request_id, fallback="report")
    return f"{safe_id}_{uuid.uuid4().hex[:12]}{Path(photo).suffix.lower()}"


def media_link(store_path: str | Path, name: str, base_url: str = "") -> str:
    """The link a photo ``name`` of the media folder gets: public (``base_url``) or ``file://``."""
    if base_url:
        return base_url.rstrip("/") + "/" + name
    return (media_folder(store_path) / name).resolve().as_uri()


def attach_photo(
    store_path: str | Path, service_request_id: str, photo: str | Path, base_url: str = "", name: str | None = None
) -> Attachment:
    """Copy ``photo`` into the media folder (as ``name``, else a new unique name); its link, public when possible."""
    source = Path(photo)
    if not source.is_file():
        raise WorkflowError(tr("The photo {file} does not exist.").format(file=source))
    suffix = source.suffix.lower()
    if suffix not in PHOTO_SUFFIXES:
        raise WorkflowError(
            tr("{file} is not a photo ({kinds}).").format(file=source.name, kinds=", ".join(PHOTO_SUFFIXES))
        )
    folder = media_folder(store_path)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / (name or media_file_name(service_request_id, source))
    try:  # the copy carries no EXIF/XMP: no GPS position, no device, no owner
        strip_photo_metadata(source, target)
    except PhotoError as exc:
        if base_url:
            raise WorkflowError(
                tr("The photo {file} cannot be published: its metadata cannot be removed ({error}).").format(
                    file=source.name, error=exc
                )
            ) from exc
        log.info("Photo %s kept as it is (internal only): %s", source.name, exc)
        shutil.copy2(source, target)
    return Attachment(target, media_link(store_path, target.name, base_url), bool(base_url))
