"""Render the plugin icon ``resources/icons/openmisto.svg`` to the PNG that ``metadata.txt`` names.

The plugin repository and QGIS's plugin manager show ``icon=`` as a raster image, so the
metadata points at a PNG rendered from the SVG the toolbar uses::

    .venv/bin/python tools/make_icon.py            # writes resources/icons/openmisto.png (128 px)
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.PyQt.QtCore import Qt  # noqa: E402
from qgis.PyQt.QtGui import QGuiApplication, QImage, QPainter  # noqa: E402
from qgis.PyQt.QtSvg import QSvgRenderer  # noqa: E402


def render(svg: Path, png: Path, size: int) -> None:
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"make_icon: {svg} is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    if not image.save(str(png), "PNG"):
        raise SystemExit(f"make_icon: cannot write {png}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--svg", type=Path, default=ROOT / "resources" / "icons" / "openmisto.svg")
    parser.add_argument("--png", type=Path, default=ROOT / "resources" / "icons" / "openmisto.png")
    parser.add_argument("--size", type=int, default=128)
    args = parser.parse_args(argv)
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    render(args.svg, args.png, args.size)
    del app
    print(f"Wrote {args.png} ({args.size} px)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
