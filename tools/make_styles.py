"""Generate ``resources/styles/*.qml`` from the status model (``core/statuses.py``).

Run after a status colour or code changes::

    .venv/bin/python tools/make_styles.py            # write the files
    .venv/bin/python tools/make_styles.py --check    # exit 1 when a file is out of date

The reports style is a rule-based renderer: one rule per external status code
(colour from ``STATUSES[code].colour``, English label that the plugin replaces by
the translated ``statuses.label()`` at load time), a rule for unknown codes and,
drawn beneath, a red halo for overdue reports (``status = 'open' AND deadline < now()``).
Rule keys are stable (``status_<code>``, ``overdue``, ``other``) so the files do
not change between runs and the plugin finds each rule by its key.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["QT_HASH_SEED"] = "0"  # stable XML attribute order

from qgis.core import (  # noqa: E402
    QgsApplication,
    QgsFillSymbol,
    QgsMarkerSymbol,
    QgsPalLayerSettings,
    QgsRuleBasedRenderer,
    QgsSingleSymbolRenderer,
    QgsTextBufferSettings,
    QgsTextFormat,
    QgsVectorLayer,
    QgsVectorLayerSimpleLabeling,
)
from qgis.PyQt.QtGui import QColor, QFont  # noqa: E402

from openmisto_plugin.core.qgis_compat import LABEL_OVER_POINT, RENDER_POINTS  # noqa: E402
from openmisto_plugin.core.statuses import _LABELS, STATUS_CODES, STATUSES  # noqa: E402

STYLES_DIR = ROOT / "resources" / "styles"

OVERDUE_KEY = "overdue"
OTHER_KEY = "other"
STATUS_KEY_PREFIX = "status_"
OVERDUE_FILTER = '"status" = \'open\' AND "deadline" IS NOT NULL AND "deadline" < now()'
OVERDUE_COLOUR = "#d50000"
OTHER_COLOUR = "#bdbdbd"

# Pass 0: overdue halo; pass 1: closed reports; pass 2: open reports (on top).
PASS_HALO, PASS_CLOSED, PASS_OPEN = 0, 1, 2


def _marker(colour: str, size: float, stroke: str, stroke_width: float, opacity: float, level: int) -> QgsMarkerSymbol:
    symbol = QgsMarkerSymbol.createSimple(
        {
            "name": "circle",
            "color": colour,
            "outline_color": stroke,
            "outline_width": str(stroke_width),
            "outline_width_unit": "MM",
            "size": str(size),
            "size_unit": "MM",
        }
    )
    symbol.setOpacity(opacity)
    for layer in symbol.symbolLayers():
        layer.setRenderingPass(level)
    return symbol


def reports_renderer() -> QgsRuleBasedRenderer:
    """The rule-based renderer of the reports layer."""
    root = QgsRuleBasedRenderer.Rule(None)
    root.setRuleKey("root")

    halo_colour = QColor(OVERDUE_COLOUR)
    halo_colour.setAlpha(70)
    halo = _marker(halo_colour.name(QColor.NameFormat.HexArgb), 6.0, OVERDUE_COLOUR, 0.7, 1.0, PASS_HALO)
    overdue = QgsRuleBasedRenderer.Rule(halo, 0, 0, OVERDUE_FILTER, "Overdue")
    overdue.setRuleKey(OVERDUE_KEY)
    root.appendChild(overdue)

    for code in STATUS_CODES:
        status = STATUSES[code]
        if status.is_closed:
            symbol = _marker(status.colour, 2.4, "#ffffff", 0.2, 0.75, PASS_CLOSED)
        else:
            symbol = _marker(status.colour, 3.4, "#ffffff", 0.4, 1.0, PASS_OPEN)
        rule = QgsRuleBasedRenderer.Rule(symbol, 0, 0, f"\"external_status_code\" = '{code}'", _LABELS[code])
        rule.setRuleKey(STATUS_KEY_PREFIX + code)
        root.appendChild(rule)

    codes = ", ".join(f"'{c}'" for c in STATUS_CODES)
    other = QgsRuleBasedRenderer.Rule(
        _marker(OTHER_COLOUR, 2.6, "#616161", 0.3, 1.0, PASS_CLOSED),
        0,
        0,
        f'"external_status_code" IS NULL OR "external_status_code" NOT IN ({codes})',
        "Other status",
    )
    other.setRuleKey(OTHER_KEY)
    root.appendChild(other)

    renderer = QgsRuleBasedRenderer(root)
    renderer.setUsingSymbolLevels(True)
    return renderer


def districts_style(layer: QgsVectorLayer) -> None:
    """Outlined districts with their names."""
    fill = QgsFillSymbol.createSimple(
        {
            "color": "#1565c014",
            "outline_color": "#37474f",
            "outline_width": "0.6",
            "outline_style": "dash",
            "style": "solid",
        }
    )
    layer.setRenderer(QgsSingleSymbolRenderer(fill))
    settings = QgsPalLayerSettings()
    settings.fieldName = "name"
    text = QgsTextFormat()
    font = QFont("DejaVu Sans")
    font.setBold(True)
    text.setFont(font)
    text.setSize(9)
    text.setSizeUnit(RENDER_POINTS)
    text.setColor(QColor("#263238"))
    buffer = QgsTextBufferSettings()
    buffer.setEnabled(True)
    buffer.setSize(1.0)
    buffer.setColor(QColor("#ffffff"))
    text.setBuffer(buffer)
    settings.setFormat(text)
    settings.placement = LABEL_OVER_POINT
    layer.setLabeling(QgsVectorLayerSimpleLabeling(settings))
    layer.setLabelsEnabled(True)


# The memory layers each style is made on (and a committed style is loaded into by --check).
LAYER_SOURCES = {
    "reports.qml": "Point?crs=EPSG:4326&field=external_status_code:string&field=status:string&field=deadline:datetime",
    "districts.qml": "MultiPolygon?crs=EPSG:4326&field=code:string&field=name:string",
}
# Symbol layer ids (QGIS >= 3.30): a new random UUID on every save, also inside escaped symbol XML.
_SYMBOL_LAYER_ID = re.compile(r'(\bid=(?:"|&quot;))\{[0-9a-f-]{36}\}')


def _normalise(qml: str) -> str:
    """Drop what varies between runs or QGIS versions (version stamp, random symbol layer ids)."""
    qml = re.sub(r'<qgis [^>]*version="[^"]*"', lambda m: re.sub(r'version="[^"]*"', 'version=""', m.group(0)), qml)
    return _SYMBOL_LAYER_ID.sub(r"\1", qml)


def build(target: Path) -> list[Path]:
    """Write the .qml files into ``target`` and return their paths."""
    target.mkdir(parents=True, exist_ok=True)
    written = []

    reports = QgsVectorLayer(LAYER_SOURCES["reports.qml"], "reports", "memory")
    reports.setRenderer(reports_renderer())
    path = target / "reports.qml"
    _save(reports, path)
    written.append(path)

    districts = QgsVectorLayer(LAYER_SOURCES["districts.qml"], "districts", "memory")
    districts_style(districts)
    path = target / "districts.qml"
    _save(districts, path)
    written.append(path)
    return written


def _save(layer: QgsVectorLayer, path: Path) -> None:
    from qgis.core import QgsMapLayer

    categories = QgsMapLayer.Symbology | QgsMapLayer.Labeling | QgsMapLayer.Rendering
    message, ok = layer.saveNamedStyle(str(path), categories)
    if not ok:
        raise RuntimeError(f"cannot write {path}: {message}")
    path.write_text(_normalise(path.read_text(encoding="utf-8")), encoding="utf-8")


def resaved(committed: Path, target: Path) -> Path | None:
    """The committed style as the running QGIS writes it: loaded into a new layer and saved into ``target``.

    The files are written by one QGIS version; each version serialises a style its own way (QGIS 3.40 adds
    attributes and drops the legacy ``<prop>`` elements), so --check compares what this QGIS makes of the
    committed file with what it makes of the status model. ``None`` when the file is missing or unreadable.
    """
    if not committed.exists():
        return None
    layer = QgsVectorLayer(LAYER_SOURCES[committed.name], committed.stem, "memory")
    _message, ok = layer.loadNamedStyle(str(committed))
    if not ok:
        return None
    path = target / committed.name
    _save(layer, path)
    return path


def differences(made: Path, again: Path, committed_text: str) -> list[str]:
    """Where ``made`` (from the status model) and ``again`` (the committed file, resaved) differ, both written
    by the running QGIS.

    An attribute that the committed file never names is left out: the QGIS that wrote the file did not know it,
    so loading gives it a legacy default where a new style gets the current one (on QGIS 3.44 the label tab
    stops and line anchor text point).
    """
    found: list[str] = []

    def walk(a: ET.Element, b: ET.Element, where: str) -> None:
        for name in sorted(set(a.attrib) | set(b.attrib)):
            if a.attrib.get(name) != b.attrib.get(name) and f' {name}="' in committed_text:
                found.append(f"{where} {name}: {a.attrib.get(name)!r} != {b.attrib.get(name)!r}")
        if (a.text or "").strip() != (b.text or "").strip() or len(a) != len(b):
            found.append(f"{where}: other content")
            return
        for x, y in zip(a, b):
            walk(x, y, f"{where}/{x.tag}")

    walk(ET.parse(made).getroot(), ET.parse(again).getroot(), made.name)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare with the files in resources/styles")
    args = parser.parse_args()
    app = QgsApplication([], False)
    app.initQgis()
    try:
        if not args.check:
            for path in build(STYLES_DIR):
                print(f"wrote {path.relative_to(ROOT)}")
            return 0
        with tempfile.TemporaryDirectory() as tmp:
            made, committed = Path(tmp) / "made", Path(tmp) / "committed"
            committed.mkdir()
            stale = []
            for path in build(made):
                again = resaved(STYLES_DIR / path.name, committed)
                found = ["missing or unreadable"] if again is None else []
                found = found or differences(path, again, (STYLES_DIR / path.name).read_text(encoding="utf-8"))
                if found:
                    stale.append(path.name)
                    print("\n".join(found[:5]))
        if stale:
            print("out of date (run tools/make_styles.py): " + ", ".join(stale))
            return 1
        print("styles up to date")
        return 0
    finally:
        app.exitQgis()


if __name__ == "__main__":
    sys.exit(main())
