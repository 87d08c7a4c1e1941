"""Serialisation of answers as JSON or XML (the URL's suffix chooses).

XML follows the Open311 GeoReport v2 shapes: a list becomes a root element holding one child per item
(``<service_requests><request>…``), ``None`` an empty element, booleans ``true``/``false``, nested lists a
plural element holding singular children (``<notes><note>…``).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET  # nosec B405 - the server only writes XML answers, it parses none
from typing import Any

JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"
FORMATS = {"json": JSON_TYPE, "xml": XML_TYPE}

# kind of answer -> (root element, item element)
XML_NAMES: dict[str, tuple[str, str]] = {
    "discovery": ("discovery", "discovery"),
    "services": ("services", "service"),
    "requests": ("service_requests", "request"),
    "updates": ("service_request_updates", "request_update"),
    "errors": ("errors", "error"),
    "departments": ("departments", "department"),
    "districts": ("districts", "district"),
    "stats": ("stats", "stats"),
}
# plural element -> singular child element, for lists nested in records
SINGULAR = {"notes": "note", "endpoints": "endpoint", "formats": "format", "coordinates": "position"}


def render(payload: Any, kind: str, fmt: str) -> bytes:
    """The body of an answer in ``fmt`` ("json" or "xml")."""
    if fmt == "xml":
        return render_xml(payload, kind)
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def render_xml(payload: Any, kind: str) -> bytes:
    root_name, item_name = XML_NAMES[kind]
    if isinstance(payload, list):
        root = ET.Element(root_name)
        for item in payload:
            _fill(ET.SubElement(root, item_name), item)
    else:
        root = ET.Element(root_name)
        _fill(root, payload)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8", xml_declaration=False)


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _fill(ET.SubElement(element, key), child)
    elif isinstance(value, list):
        child_name = SINGULAR.get(element.tag, "item")
        for child in value:
            _fill(ET.SubElement(element, child_name), child)
    else:
        element.text = _text(value)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def error_payload(status: int, description: str) -> list[dict[str, Any]]:
    """The Open311 error body: ``[{"code": 403, "description": "…"}]``."""
    return [{"code": status, "description": description}]
