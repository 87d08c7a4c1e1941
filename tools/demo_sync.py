"""PyQGIS helpers of the demo (tools/demo.sh, tools/launch_qgis.sh), run headless in the demo profile.

``profile``: write the plugin's settings (platform URL, workspace) into the profile given by
``QGIS_CUSTOM_CONFIG_PATH`` and, when the profile's auth DB has no master password yet, set one from
``--password-file`` (created with a random password when missing) and store the demo API key as an
authcfg. Prints ``{"authcfg": "..."}`` (empty when the key could not be stored: the user then enters
it in the plugin's Settings).

``project``: build a project (``.qgz``) with the workspace's layers, styled like the plugin does.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import (  # noqa: E402 - after the environment is set
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsProject,
    QgsRectangle,
    QgsReferencedRectangle,
    QgsSettings,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QCoreApplication  # noqa: E402


def master_password(password_file: Path) -> bool:
    """Unlock (or initialise) the auth DB with the password in ``password_file``; False when impossible."""
    manager = QgsApplication.authManager()
    if manager.isDisabled():
        return False
    if password_file.is_file():
        password = password_file.read_text(encoding="utf-8").splitlines()[0].strip()
    elif manager.masterPasswordHashInDatabase():
        return False  # someone else's master password: never guess or reset it
    else:
        password = secrets.token_urlsafe(18)
        password_file.parent.mkdir(parents=True, exist_ok=True)
        password_file.write_text(password + "\n", encoding="utf-8")
        password_file.chmod(0o600)
    return bool(manager.setMasterPassword(password, True))


def store_key(key: str) -> str:
    """Store ``key`` as the plugin does (``core/open311/auth.py``); return the authcfg id."""
    from openmisto_plugin.core.open311.auth import save_api_key

    return save_api_key(key, "Відкрите Місто (demo)", prompt=False)


def cmd_profile(args: argparse.Namespace) -> int:
    """Settings and demo key of the demo profile."""
    from openmisto_plugin.core.settings import PluginSettings

    settings = PluginSettings.load()
    settings.base_url = args.url
    settings.workspace_path = str(Path(args.workspace).resolve())
    settings.role = "moderator"
    authcfg = ""
    if args.key and master_password(Path(args.password_file)):
        try:
            authcfg = store_key(args.key)
        except Exception as exc:  # noqa: BLE001 - the demo goes on; the user enters the key by hand
            print(f"warning: could not store the demo key: {exc}", file=sys.stderr)
    if authcfg:
        settings.authcfg = authcfg
    else:
        print(
            f"note: the demo API key is not stored; enter '{args.key}' in Plugins > Відкрите Місто > Settings",
            file=sys.stderr,
        )
    settings.save()
    qs = QgsSettings()
    # Pokrov's staff work in Ukrainian: QGIS and the plugin follow this locale.
    qs.setValue("locale/overrideFlag", True)
    qs.setValue("locale/userLocale", "uk_UA")
    qs.setValue("locale/globalLocale", "uk_UA")
    qs.setValue("qgis/showTips", False)
    qs.setValue("qgis/checkVersion", False)  # no network at start-up
    qs.setValue("core/NewsFeed/https%3A%2F%2Ffeed.qgis.org/disabled", True)
    qs.sync()
    print(json.dumps({"authcfg": authcfg, "settings": QgsSettings().fileName()}))
    return 0


def _install_ukrainian() -> None:
    """Load the plugin's Ukrainian translation into this process, as the plugin does in QGIS."""
    from qgis.PyQt.QtCore import QCoreApplication, QTranslator

    from openmisto_plugin.core.paths import i18n_dir

    translator = QTranslator(QCoreApplication.instance())
    if translator.load(str(i18n_dir() / "openmisto_uk.qm")):
        QCoreApplication.installTranslator(translator)
    else:
        print("warning: no compiled Ukrainian translation (make translations)", file=sys.stderr)


def cmd_project(args: argparse.Namespace) -> int:
    """A project with the workspace layers, zoomed to the reports."""
    workspace = str(Path(args.workspace).resolve())
    project = QgsProject.instance()
    project.clear()
    project.setCrs(QgsCoordinateReferenceSystem("EPSG:3857"))
    project.setTitle("Відкрите Місто — Покров (demo)")
    _install_ukrainian()  # layer names, aliases and legend labels are saved in the project as shown
    try:
        from openmisto_plugin.core.project_layers import add_layers

        layers = add_layers(workspace, project)
    except ImportError:
        layers = {}
        for table in ("districts", "reports"):
            layer = QgsVectorLayer(f"{workspace}|layername={table}", table, "ogr")
            if layer.isValid():
                project.addMapLayer(layer)
                layers[table] = layer
    try:  # streets and house numbers under the reports (offline the tiles just do not load)
        from openmisto_plugin.core.basemap import add_basemap

        add_basemap(project)
    except ImportError:
        pass
    reports = layers.get("reports")
    if reports is not None and reports.featureCount() > 0:
        extent = QgsCoordinateTransform(reports.crs(), project.crs(), project).transformBoundingBox(reports.extent())
        extent.scale(1.1)
        project.viewSettings().setDefaultViewExtent(QgsReferencedRectangle(QgsRectangle(extent), project.crs()))
    if not project.write(args.output):
        print(f"error: cannot write {args.output}", file=sys.stderr)
        return 1
    count = reports.featureCount() if reports is not None else 0
    print(f"Project: {args.output} ({len(layers)} layers, {count} reports)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    profile = sub.add_parser("profile", help="plugin settings and demo key in the demo profile")
    profile.add_argument("--url", required=True)
    profile.add_argument("--workspace", required=True)
    profile.add_argument("--key", default="")
    profile.add_argument("--password-file", required=True)
    profile.set_defaults(func=cmd_profile)
    project = sub.add_parser("project", help="build the demo project")
    project.add_argument("--workspace", required=True)
    project.add_argument("--output", required=True)
    project.set_defaults(func=cmd_project)
    args = parser.parse_args(argv)
    # The names QGIS itself uses, so that QgsSettings reads and writes <profile>/QGIS/QGIS3.ini.
    QCoreApplication.setOrganizationName("QGIS")
    QCoreApplication.setOrganizationDomain("qgis.org")
    QCoreApplication.setApplicationName("QGIS3")
    app = QgsApplication([], False)
    app.initQgis()
    try:
        return args.func(args)
    finally:
        QgsProject.instance().clear()
        app.exitQgis()


if __name__ == "__main__":
    sys.exit(main())
