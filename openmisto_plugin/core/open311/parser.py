"""Tolerant parsing of Open311 GeoReport v2 answers (JSON and XML) into model objects.

Real servers break the spec (DESIGN.md §3). The rules here:

* a **page** that cannot be read at all (truncated JSON/XML, not a list, HTML, an error
  body) raises :class:`ParseError`, so the caller keeps its store as it was;
* a **record** that cannot be used (no id, a broken datetime) is skipped with a
  :class:`SkippedRecord` and a logged reason; the rest of the page is kept;
* accepted deviations: capitalised statuses, datetimes without a zone (taken as
  Europe/Kyiv), with microseconds or ``Z``, numbers as strings (also with a decimal
  comma), empty strings for null, ``lat``/``long`` as strings, keywords as a list.

Positions (``core/positions.py``): no report is dropped for its position. A record without a
usable one (missing, empty, ``0,0``, not a number, out of range) is kept with ``lat``/``long``
``None``, ``position_flag = "missing"`` and the reason in ``position_note``. The city's area
(``expected_bbox``, ``xmin, ymin, xmax, ymax`` in lon/lat; without one, the bulk of the
positions of the same answer) decides the rest: a record whose swapped position falls inside
the area and whose given one does not is repaired (``position_source = "repaired_swap"``,
logged); a position more than ``positions.FAR_KM`` beyond the area is kept and flagged
``far_outside``. Without an area a swap cannot be told from a valid far-away point (Pokrov
47.65 N 34.11 E swapped is 34.11 N 47.65 E, both in range): valid positions stay as given.

``ServiceRequest.extended`` holds ``extended_attributes`` plus unknown top-level keys with their
JSON types (numbers stay numbers, a GeoJSON geometry stays GeoJSON), normalised so that the JSON
and the XML of one record give the same dict: text is stripped; empty text, ``"null"``, an empty
element, ``xsi:nil``, an empty list or object are null; null members of the top level are dropped
(nested ones stay, so lists keep their positions); XML text that is a JSON number (no leading zero,
at most 15 integer digits) or ``true``/``false`` becomes a number or a boolean, as the JSON would
have it — except under identifier keys (``id``, ``code``, ``duplicate_of``, ``…_id(s)``,
``…_code(s)``), whose values are text in both formats (a JSON ``2411`` there is ``"2411"``), since
XML cannot tell the id ``"12"`` from the number 12; an XML element whose children share one
name is a list when there are several, or when its name is their plural (``notes``/``note``,
``coordinates``/``position``) or they are ``item``s, so a one-element list stays a list. XML
element names keep their case inside extension data (the record's own fields are matched in lower
case). Datetimes (``assigned_datetime``…) are checked and written as ISO text.
"""

from __future__ import annotations

import json
import logging
import math
import re
import xml.etree.ElementTree as ET  # nosec B405 - see _xml_root: no DTD/entities reach the parser
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import wraps
from typing import Any, TypeVar
from xml.parsers import expat

from ..model import ParsedPage, RequestUpdate, Service, ServiceRequest, SkippedRecord
from ..positions import FLAG_FAR, FLAG_MISSING, SOURCE_PLATFORM, SOURCE_SWAP, bulk_area, far_outside, inside
from ..statuses import STATUSES
from ..timeutil import parse, parse_reason
from .errors import ParseError

__all__ = [
    "ParseError",
    "detect_format",
    "parse_datetime",
    "parse_discovery",
    "parse_error_message",
    "parse_post_response",
    "parse_requests",
    "parse_services",
    "parse_updates",
]

log = logging.getLogger(__name__)

BBox = tuple[float, float, float, float]

#: XML elements nested deeper than this make the answer unreadable (Open311 needs about 5 levels).
MAX_XML_DEPTH = 64
_Result = TypeVar("_Result")


def _bounded(parse: Callable[..., _Result]) -> Callable[..., _Result]:
    """Any answer nested too deeply for Python (JSON or XML) becomes a :class:`ParseError`, never a
    ``RecursionError`` that would escape the sync."""

    @wraps(parse)
    def guarded(*args: Any, **kwargs: Any) -> _Result:
        try:
            return parse(*args, **kwargs)
        except RecursionError:
            raise ParseError("the answer is nested too deeply to be read") from None

    return guarded


# Keys of extended_attributes that map onto ServiceRequest fields.
_EXT_FIELDS = ("external_status_code", "district", "duplicate_of")
# Open311 request keys that map onto ServiceRequest fields (the rest goes to `extended`).
_REQUEST_TEXT_FIELDS = (
    "service_code",
    "service_name",
    "description",
    "agency_responsible",
    "service_notice",
    "status_notes",
    "address",
    "media_url",
)
_REQUEST_TIME_FIELDS = ("requested_datetime", "updated_datetime", "expected_datetime")
_KNOWN_REQUEST_KEYS = {
    "service_request_id",
    "status",
    "lat",
    "long",
    "extended_attributes",
    *_REQUEST_TEXT_FIELDS,
    *_REQUEST_TIME_FIELDS,
    *_EXT_FIELDS,
}
# Datetime-valued extended attributes: validated and normalised to ISO text in `extended`.
_EXT_TIME_FIELDS = ("assigned_datetime", "deadline", "closed_datetime", "moderated_datetime")

# XML element names: list containers and their record elements.
_XML_LISTS = {
    "requests": ({"service_requests", "requests", "servicerequests"}, {"request", "service_request"}),
    "services": ({"services"}, {"service"}),
    # FixMyStreet's feed is <service_requests_updates>; others write <service_request_updates>
    "updates": (
        {"service_requests_updates", "service_request_updates", "request_updates", "servicerequestupdates", "updates"},
        {"request_update", "service_request_update", "update"},
    ),
}
# JSON wrapper objects some servers put around the list.
_JSON_WRAPPERS = {
    "requests": ("service_requests", "requests", "results", "data"),
    "services": ("services", "results", "data"),
    "updates": (
        "service_requests_updates",
        "service_request_updates",
        "request_updates",
        "updates",
        "results",
        "data",
    ),
}
# XML list elements whose items are not named by dropping the plural's "s" (server/formats.py: SINGULAR).
_XML_PLURALS = {"coordinates": "position"}


# --------------------------------------------------------------------------- helpers


def detect_format(body: bytes, content_type: str | None = None) -> str | None:
    """``"json"``, ``"xml"``, ``"html"`` or ``None`` (empty/unknown), from the body first."""
    head = body[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"[", b"{")):
        return "json"
    if head.startswith((b"<!doctype html", b"<html")) or (b"<html" in head and b"<?xml" not in head):
        return "html"
    if head.startswith(b"<"):
        return "xml"
    ctype = (content_type or "").lower()
    if "json" in ctype:
        return "json"
    if "html" in ctype:
        return "html"
    if "xml" in ctype:
        return "xml"
    return None


def _clean(value: Any) -> Any:
    """Strip strings; empty strings and the literal ``null`` become ``None``."""
    if isinstance(value, str):
        value = value.strip()
        if value == "" or value.lower() in ("null", "none"):
            return None
    return value


def _text(value: Any) -> str | None:
    """A value as text (numbers as strings too, ``2411.0`` as ``"2411"``), or ``None``."""
    value = _clean(value)
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _number(value: Any) -> float | None:
    """A finite float from a number or a string (decimal comma accepted); ``None`` if absent.

    Raises ``ValueError`` when a value is present but is not a number.
    """
    value = _clean(value)
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"not a number: {value!r}")
    number = float(value) if isinstance(value, (int, float)) else float(str(value).replace(",", "."))
    if not math.isfinite(number):
        raise ValueError(f"not a finite number: {value!r}")
    return number


def _bool(value: Any) -> bool:
    value = _clean(value)
    if isinstance(value, str):
        return value.lower() in ("true", "1", "yes", "y")
    return bool(value)


def parse_datetime(value: Any) -> datetime | None:
    """An aware datetime from W3C/ISO text (:func:`core.timeutil.parse`); ``None`` for null/empty.

    Accepts ``Z``, ``+02:00``, ``+0200``, ``+02``, any number of fraction digits, a space
    instead of ``T``, a date alone; text without a zone is Europe/Kyiv local time.
    Raises ``ValueError`` for anything else.
    """
    when, reason = parse_reason(_clean(value))
    if reason:
        raise ValueError(reason)
    return when


def _decode(body: bytes | str) -> str:
    if isinstance(body, str):
        return body
    return body.decode("utf-8-sig", errors="replace")


def _load_json(body: bytes | str) -> Any:
    try:
        return json.loads(_decode(body))
    except ValueError as exc:
        raise ParseError(f"the JSON answer is broken or truncated ({exc})") from None
    except RecursionError:
        raise ParseError("the JSON answer is nested too deeply to be read") from None


class _DtdFoundError(Exception):
    """Raised from expat's handlers: the document has a DTD (entities could expand or reach out)."""


def _refuse_dtd(*_args: Any) -> None:
    raise _DtdFoundError


def _check_no_dtd(raw: bytes) -> None:
    """Refuse any DOCTYPE or entity declaration anywhere in the document, in any encoding expat reads.

    A first pass of expat with only these handlers set (C speed); Open311 answers never need a DTD.
    """
    checker = expat.ParserCreate()
    checker.StartDoctypeDeclHandler = _refuse_dtd
    checker.EntityDeclHandler = _refuse_dtd
    checker.ExternalEntityRefHandler = _refuse_dtd
    try:
        checker.Parse(raw, True)
    except _DtdFoundError:
        raise ParseError("the XML answer declares a DTD or entities; refused") from None
    except expat.ExpatError:
        pass  # broken XML: ElementTree says where
    except (LookupError, ValueError) as exc:  # an encoding in the declaration that Python does not know
        raise ParseError(f"the XML answer names an encoding that cannot be read ({exc})") from None


def _xml_root(body: bytes | str) -> ET.Element:
    raw = body.encode("utf-8") if isinstance(body, str) else body
    _check_no_dtd(raw)
    try:
        return ET.fromstring(raw)  # noqa: S314 - entity declarations refused above; expat resolves no external entity  # nosec B314
    except ET.ParseError as exc:
        raise ParseError(f"the XML answer is broken or truncated ({exc})") from None
    except (LookupError, ValueError) as exc:
        raise ParseError(f"the XML answer names an encoding that cannot be read ({exc})") from None


def _local(tag: str) -> str:
    """Element name without a namespace, lower-case."""
    return tag.rsplit("}", 1)[-1].lower()


def _name(tag: str) -> str:
    """Element name without a namespace, as written."""
    return tag.rsplit("}", 1)[-1]


def _is_list(parent: str, child: str, count: int) -> bool:
    """Do ``count`` children all named ``child`` (lower case) make ``parent`` a list?"""
    if count > 1 or child == "item":
        return True
    plurals = (child + "s", child + "es", child[:-1] + "ies" if child.endswith("y") else None)
    return parent in plurals or _XML_PLURALS.get(parent) == child


def _xml_value(elem: ET.Element, depth: int = 0) -> Any:
    """An element as Python: text for leaves, list for same-named children, else dict."""
    if depth > MAX_XML_DEPTH:
        raise ParseError(f"the XML answer is nested too deeply (more than {MAX_XML_DEPTH} levels)")
    nil = {_local(k): v for k, v in elem.attrib.items()}.get("nil")
    if nil in ("true", "1"):
        return None
    children = list(elem)
    if not children:
        return elem.text.strip() if elem.text else ""
    lower = [_local(c.tag) for c in children]
    if len(set(lower)) == 1 and _is_list(_local(elem.tag), lower[0], len(children)):
        return [_xml_value(c, depth + 1) for c in children]
    names = [_name(c.tag) for c in children]
    result: dict[str, Any] = {}
    for name, child in zip(names, children):
        value = _xml_value(child, depth + 1)
        if name in result:
            if not isinstance(result[name], list):
                result[name] = [result[name]]
            result[name].append(value)
        else:
            result[name] = value
    return result


def _records(body: bytes | str, fmt: str | None, what: str) -> list[Any]:
    """The list of raw records of a page (dicts, or anything for bad entries)."""
    return _records_of_kind(body, fmt, what)[0]


def _lower_keys(record: Any) -> Any:
    """An XML record with its own field names in lower case (nested extension data keeps its case)."""
    if not isinstance(record, dict):
        return record
    return {key.lower(): value for key, value in record.items()}


def _records_of_kind(body: bytes | str, fmt: str | None, what: str) -> tuple[list[Any], str]:
    """:func:`_records` and the format the page was read as (``"json"`` or ``"xml"``)."""
    if isinstance(body, bytes) and not body.strip():
        raise ParseError("the answer is empty")
    kind = fmt or detect_format(body if isinstance(body, bytes) else body.encode("utf-8"))
    if kind == "html":
        raise ParseError("the answer is an HTML page, not Open311 data")
    if kind == "json":
        data = _load_json(body)
        if isinstance(data, dict):
            for key in _JSON_WRAPPERS[what]:
                if isinstance(data.get(key), list):
                    return data[key], kind
            message = _error_from_json(data)
            if message:
                raise ParseError(f"the platform answered with an error: {message}")
            raise ParseError(f"expected a list of {what}, got a JSON object")
        if not isinstance(data, list):
            raise ParseError(f"expected a list of {what}, got {type(data).__name__}")
        # an error list ([{"code", "description"}]): checked entry by entry first, which stops at the
        # first real record (joining every record's description of a 5 000-record page cost ~20 ms)
        if data and all(isinstance(r, dict) and "code" in r and ("description" in r or "detail" in r) for r in data):
            message = _error_from_json(data)
            if message:
                raise ParseError(f"the platform answered with an error: {message}")
        return data, kind
    if kind == "xml":
        root = _xml_root(body)
        containers, items = _XML_LISTS[what]
        tag = _local(root.tag)
        if tag == "errors" or tag == "error":
            raise ParseError(f"the platform answered with an error: {_error_from_xml(root)}")
        if tag in items:
            return [_lower_keys(_xml_value(root))], kind
        if tag not in containers:
            raise ParseError(f"expected an XML list of {what}, got <{root.tag}>")
        records = []
        for child in root:
            if _local(child.tag) in items:
                value = _xml_value(child)
                records.append(_lower_keys(value) if isinstance(value, dict) else {})
            else:
                log.info("ignored unexpected XML element <%s> in a list of %s", child.tag, what)
        return records, kind
    raise ParseError("the answer is neither JSON nor XML")


def _record_id(record: Any, key: str) -> str | None:
    return _text(record.get(key)) if isinstance(record, dict) else None


# --------------------------------------------------------------------------- requests


# (lat, long, position_source, position_flag, position_note)
Position = tuple[float | None, float | None, str | None, str | None, str | None]


def _missing(reason: str) -> Position:
    return None, None, None, FLAG_MISSING, reason


def _position(lat_raw: Any, long_raw: Any, area: BBox | None) -> Position:
    """Where a record is, judged against the city's ``area`` (module docstring)."""
    try:
        lat = _number(lat_raw)
        lon = _number(long_raw)
    except ValueError:
        return _missing(f"position is not a number (lat={lat_raw!r}, long={long_raw!r})")
    if lat is None or lon is None:
        return _missing("no position (lat/long missing)")
    if lat == 0 and lon == 0:
        return _missing("position 0,0 (no real location)")
    given_valid = -90 <= lat <= 90 and -180 <= lon <= 180
    swap_valid = -90 <= lon <= 90 and -180 <= lat <= 180
    if swap_valid and inside(area, lon, lat) and not inside(area, lat, lon):
        return lon, lat, SOURCE_SWAP, None, f"lat/long swapped by the platform (lat={lat}, long={lon})"
    if given_valid:
        if far_outside(area, lat, lon):
            return lat, lon, SOURCE_PLATFORM, FLAG_FAR, f"far outside the city's area (lat={lat}, long={lon})"
        return lat, lon, SOURCE_PLATFORM, None, None
    if swap_valid:
        return _missing(f"latitude {lat} out of range; lat/long look swapped ({lat}, {lon})")
    return _missing(f"position out of range (lat={lat}, long={lon})")


def _page_area(records: Iterable[Any]) -> BBox | None:
    """The bulk of the usable positions of a page (:func:`positions.bulk_area`), for want of a city area."""
    points = []
    for record in records:
        if record.__class__ is not dict:
            continue
        try:
            lat = _number(record.get("lat"))
            lon = _number(record.get("long"))
        except (ValueError, TypeError):
            continue
        if lat is not None and lon is not None:
            points.append((lat, lon))
    return bulk_area(points)


def _status(raw: Any) -> tuple[str, str | None]:
    """Open311 state and, if the raw status is a detailed code, that code."""
    text = (_text(raw) or "open").lower().replace(" ", "_")
    if text in ("open", "opened"):
        return "open", None
    if text in ("closed", "close"):
        return "closed", None
    if text in STATUSES:
        return STATUSES[text].open311, text
    return "open", None


_XML_NUMBER = re.compile(r"-?(?:0|[1-9]\d{0,14})(\.\d+)?([eE][+-]?\d{1,3})?")


def _xml_scalar(text: str) -> Any:
    """XML text as the JSON value it stands for: a number or a boolean when it is written as one."""
    if text == "true":
        return True
    if text == "false":
        return False
    match = _XML_NUMBER.fullmatch(text)
    if match is None:
        return text
    if match.group(1) is None and match.group(2) is None:
        return int(text)
    number = float(text)
    return number if math.isfinite(number) else text


def _normalise(value: Any, xml: bool = False) -> Any:
    """Extension data alike in JSON and XML, with its JSON types (module docstring); ``None`` if empty."""
    if value.__class__ is str:  # the common leaf first (as _text does it)
        value = value.strip()
        if not value or (len(value) == 4 and value.lower() in _NULL_WORDS):
            return None
        return _xml_scalar(value) if xml else value
    if value is None or value.__class__ is bool or value.__class__ is int:
        return value
    if value.__class__ is float:
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(key): _member(key, item, xml) for key, item in value.items()} or None
    if isinstance(value, list):
        return [_normalise(item, xml) for item in value] or None
    return _text(value)


_ID_KEYS = frozenset({"id", "code", "duplicate_of"})
_ID_SUFFIXES = ("_id", "_ids", "_code", "_codes")


_ID_KEY_CACHE: dict[str, bool] = {}


def _is_id_key(key: str) -> bool:
    """Does ``key`` name an identifier (text in JSON and XML alike)? (Cached: a page repeats its keys.)"""
    known = _ID_KEY_CACHE.get(key)
    if known is None:
        lower = key.lower()
        known = lower in _ID_KEYS or lower.endswith(_ID_SUFFIXES)
        if len(_ID_KEY_CACHE) < 10_000:
            _ID_KEY_CACHE[key] = known
    return known


def _as_ids(value: Any) -> Any:
    """Identifier values as text (numbers and booleans; lists item by item)."""
    if value is None or value.__class__ is str or isinstance(value, dict):
        return value
    if isinstance(value, list):
        return [_as_ids(item) for item in value]
    return _text(value)


def _member(key: Any, value: Any, xml: bool) -> Any:
    """One member of extension data, normalised (identifier keys: text)."""
    if isinstance(key, str) and _is_id_key(key):
        return _as_ids(_normalise(value, False))
    return _normalise(value, xml)


def _extension_dict(raw: dict[str, Any], xml: bool = False) -> dict[str, Any]:
    """``raw`` normalised, its null members dropped."""
    extended: dict[str, Any] = {}
    for key, value in raw.items():
        value = _member(key, value, xml)
        if value is not None:
            extended[str(key)] = value
    return extended


def _json_safe(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def parse_request(record: Any, expected_bbox: BBox | None = None, xml: bool = False) -> ServiceRequest | SkippedRecord:
    """One raw record (dict) as a :class:`ServiceRequest`, or why it was skipped.

    ``expected_bbox``: the city's area (module docstring); ``xml``: the record was read from XML
    (its extension text is typed as the JSON would have it).
    """
    if not isinstance(record, dict):
        return SkippedRecord(None, f"not a record ({type(record).__name__})")
    rid = _text(record.get("service_request_id"))
    if rid is None:
        return SkippedRecord(None, "no service_request_id")
    lat, lon, source, flag, note = _position(record.get("lat"), record.get("long"), expected_bbox)

    times: dict[str, datetime | None] = {}
    for name in _REQUEST_TIME_FIELDS:
        try:
            times[name] = parse_datetime(record.get(name))
        except (ValueError, TypeError):
            return SkippedRecord(rid, f"broken {name}: {record.get(name)!r}")

    ext_raw = record.get("extended_attributes")
    extended = _extension_dict(ext_raw, xml) if isinstance(ext_raw, dict) else {}
    ext_times: dict[str, datetime | None] = {}
    for name in _EXT_TIME_FIELDS:
        if name in extended:
            try:
                when = parse_datetime(extended[name])
            except (ValueError, TypeError):
                return SkippedRecord(rid, f"broken extended_attributes.{name}: {extended[name]!r}")
            ext_times[name] = when
            extended[name] = _json_safe(when)
    for key, value in record.items():
        if key not in _KNOWN_REQUEST_KEYS and key not in extended:
            value = _member(key, value, xml)
            if value is not None:
                extended[key] = value
    if source == SOURCE_SWAP:
        log.info("report %s: %s; repaired to lat=%s, long=%s", rid, note, lat, lon)
    elif flag is not None:
        log.info("report %s kept with its position flagged %s: %s", rid, flag, note)

    status, detailed = _status(record.get("status"))
    external = _text(extended.get("external_status_code")) or _text(record.get("external_status_code")) or detailed
    texts = {name: _text(record.get(name)) for name in _REQUEST_TEXT_FIELDS}
    return ServiceRequest(
        service_request_id=rid,
        lat=lat,
        long=lon,
        status=status,
        external_status_code=external.lower() if external else None,
        requested_datetime=times["requested_datetime"],
        updated_datetime=times["updated_datetime"],
        expected_datetime=times["expected_datetime"],
        district=_text(extended.get("district")) or _text(record.get("district")),
        duplicate_of=_text(extended.get("duplicate_of")) or _text(record.get("duplicate_of")),
        extended=extended,
        assigned_datetime=ext_times.get("assigned_datetime"),
        position_source=source,
        position_flag=flag,
        position_note=note,
        **texts,
    )


# --------------------------------------------------------------------------- fast path
#
# Most records of a real server are well formed: text fields are text (or null), lat/long are numbers
# inside the expected box, datetimes are W3C text with an offset. For those, ``_fast_request`` builds
# the same ServiceRequest as ``parse_request`` in one pass, without the per-field helper chain, and
# parses datetimes once per distinct text (cache) with ``timeutil.parse`` (quick for the fixed W3C
# shapes). Anything it does not recognise makes it return ``None``, and the record goes through the
# tolerant ``parse_request`` (which also gives the reasons for skipped records). tests/test_parser.py
# checks that both paths give identical records.

_DT_CACHE: dict[str, datetime] = {}
_DT_CACHE_MAX = 20_000  # about two pages of distinct datetimes (~3 MB); cleared when full
_NULL_WORDS = ("null", "none")


def _cached_datetime(text: str) -> datetime | None:
    """:func:`parse_datetime` of non-empty text, cached by the text; ``None`` when it is not a datetime."""
    when = _DT_CACHE.get(text)
    if when is not None:
        return when
    when = parse(text)
    if when is None:
        return None
    if len(_DT_CACHE) >= _DT_CACHE_MAX:
        _DT_CACHE.clear()
    _DT_CACHE[text] = when
    return when


def _fast_text(value: Any) -> str | None:
    """:func:`_text`, with the common cases (text, null) first."""
    if value.__class__ is str:
        value = value.strip()
        if not value or (len(value) == 4 and value.lower() in _NULL_WORDS):
            return None
        return value
    if value is None:
        return None
    return _text(value)


def _fast_extended(raw: dict[str, Any]) -> dict[str, Any]:
    """:func:`_extension_dict` of a JSON dict, flat values first."""
    extended: dict[str, Any] = {}
    for key, value in raw.items():
        if value is None:
            continue
        if value.__class__ is str:
            value = value.strip()
            if not value or (len(value) == 4 and value.lower() in _NULL_WORDS):
                continue
        else:
            value = _member(key, value, False)
            if value is None:
                continue
        extended[key] = value  # JSON object keys are text
    return extended


def _fast_request(record: dict[str, Any], bbox: BBox | None) -> ServiceRequest | None:
    """``parse_request(record)`` for a well-formed record; ``None`` for anything unusual."""
    get = record.get
    lat = get("lat")
    lon = get("long")
    if lat.__class__ is not float:
        if lat.__class__ is not int:
            return None
        lat = float(lat)
    if lon.__class__ is not float:
        if lon.__class__ is not int:
            return None
        lon = float(lon)
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0) or (lat == 0 and lon == 0):
        return None
    if bbox is not None and not (bbox[0] <= lon <= bbox[2] and bbox[1] <= lat <= bbox[3]):
        return None  # maybe swapped: the tolerant path decides
    rid = _fast_text(get("service_request_id"))
    if rid is None:
        return None

    cache = _DT_CACHE
    times = []
    for name in _REQUEST_TIME_FIELDS:
        raw = get(name)
        if raw is None:
            times.append(None)
            continue
        if raw.__class__ is not str:
            return None
        when = cache.get(raw) or _cached_datetime(raw)
        if when is None:
            return None  # empty, "null" or broken: the tolerant path tells which
        times.append(when)

    ext_raw = get("extended_attributes")
    if ext_raw is None:
        extended: dict[str, Any] = {}
    elif ext_raw.__class__ is dict:
        extended = _fast_extended(ext_raw)
    else:
        return None
    assigned = None
    for name in _EXT_TIME_FIELDS:
        raw = extended.get(name)
        if raw is None:
            continue
        if raw.__class__ is not str:
            return None
        when = cache.get(raw) or _cached_datetime(raw)
        if when is None:
            return None
        extended[name] = when.isoformat()
        if name == "assigned_datetime":
            assigned = when
    if len(record) > len(_KNOWN_REQUEST_KEYS) or not _KNOWN_REQUEST_KEYS.issuperset(record):
        for key, value in record.items():
            if key not in _KNOWN_REQUEST_KEYS and key not in extended:
                value = _member(key, value, False)
                if value is not None:
                    extended[key] = value

    raw = get("status")
    if raw == "open":
        status, detailed = "open", None
    elif raw == "closed":
        status, detailed = "closed", None
    else:
        status, detailed = _status(raw)
    external = extended.get("external_status_code")
    if external.__class__ is not str:
        external = _text(external)
    external = external or _fast_text(get("external_status_code")) or detailed
    district = extended.get("district")
    if district.__class__ is not str:
        district = _text(district)
    duplicate_of = extended.get("duplicate_of")
    if duplicate_of.__class__ is not str:
        duplicate_of = _text(duplicate_of)
    return ServiceRequest(
        rid,
        lat,
        lon,
        status,
        external.lower() if external else None,
        _fast_text(get("service_code")),
        _fast_text(get("service_name")),
        _fast_text(get("description")),
        _fast_text(get("agency_responsible")),
        _fast_text(get("service_notice")),
        _fast_text(get("status_notes")),
        times[0],
        times[1],
        times[2],
        _fast_text(get("address")),
        _fast_text(get("media_url")),
        district or _fast_text(get("district")),
        duplicate_of or _fast_text(get("duplicate_of")),
        extended,
        assigned,
        SOURCE_PLATFORM,
    )


@_bounded
def parse_requests(
    body: bytes | str, fmt: str | None = None, expected_bbox: BBox | None = None, fast: bool = True
) -> ParsedPage:
    """A page of ``GET requests`` (or ``requests/{id}``); raises :class:`ParseError` if unreadable.

    ``expected_bbox``: the city's area; without one, the bulk of this page's positions stands for it.
    ``fast=False`` sends every record through the tolerant path (for tests; the results are the same).
    """
    page = ParsedPage()
    kept = page.requests
    records, kind = _records_of_kind(body, fmt, "requests")
    area = expected_bbox if expected_bbox is not None else _page_area(records)
    xml = kind == "xml"
    fast = fast and not xml
    for record in records:
        if fast and record.__class__ is dict:
            result = _fast_request(record, area)
            if result is not None:
                kept.append(result)
                continue
        result = parse_request(record, area, xml)
        if isinstance(result, SkippedRecord):
            log.warning("skipped report %s: %s", result.record_id or "(no id)", result.reason)
            page.skipped.append(result)
        else:
            page.requests.append(result)
    return page


# --------------------------------------------------------------------------- services


@_bounded
def parse_services(
    body: bytes | str, fmt: str | None = None, skipped: list[SkippedRecord] | None = None
) -> list[Service]:
    """``GET services`` as a list of :class:`Service`; records without a code are skipped."""
    services: list[Service] = []
    for record in _records(body, fmt, "services"):
        code = _record_id(record, "service_code")
        if code is None:
            reason = "no service_code" if isinstance(record, dict) else "not a record"
            log.warning("skipped service: %s", reason)
            if skipped is not None:
                skipped.append(SkippedRecord(None, reason))
            continue
        keywords = record.get("keywords")
        if isinstance(keywords, list):
            keywords = ", ".join(str(k) for k in keywords if _clean(k) is not None)
        services.append(
            Service(
                service_code=code,
                service_name=_text(record.get("service_name")) or code,
                description=_text(record.get("description")),
                group=_text(record.get("group")),
                keywords=_text(keywords),
                type=_text(record.get("type")),
                metadata=_bool(record.get("metadata")),
            )
        )
    return services


# --------------------------------------------------------------------------- updates


def parse_update(record: Any) -> RequestUpdate | SkippedRecord:
    """One raw ``request_update`` as a :class:`RequestUpdate`, or why it was skipped."""
    if not isinstance(record, dict):
        return SkippedRecord(None, f"not a record ({type(record).__name__})")
    uid = _text(record.get("update_id"))
    rid = _text(record.get("service_request_id"))
    if uid is None:
        return SkippedRecord(rid, "update without update_id")
    if rid is None:
        return SkippedRecord(uid, "update without service_request_id")
    try:
        when = parse_datetime(record.get("updated_datetime"))
    except (ValueError, TypeError):
        return SkippedRecord(uid, f"broken updated_datetime: {record.get('updated_datetime')!r}")
    status = _text(record.get("status"))
    external = _text(record.get("external_status_code"))
    return RequestUpdate(
        update_id=uid,
        service_request_id=rid,
        updated_datetime=when,
        status=status.lower() if status else None,
        external_status_code=external.lower() if external else None,
        description=_text(record.get("description")),
        agency_responsible=_text(record.get("agency_responsible")),
        media_url=_text(record.get("media_url")),
    )


def _fast_update(record: dict[str, Any]) -> RequestUpdate | None:
    """``parse_update(record)`` for a well-formed entry; ``None`` for anything unusual."""
    get = record.get
    uid = _fast_text(get("update_id"))
    rid = _fast_text(get("service_request_id"))
    raw = get("updated_datetime")
    if uid is None or rid is None or raw.__class__ is not str:
        return None
    when = _DT_CACHE.get(raw) or _cached_datetime(raw)
    if when is None:
        return None
    status = _fast_text(get("status"))
    external = _fast_text(get("external_status_code"))
    return RequestUpdate(
        uid,
        rid,
        when,
        status.lower() if status else None,
        external.lower() if external else None,
        _fast_text(get("description")),
        _fast_text(get("agency_responsible")),
        _fast_text(get("media_url")),
    )


@_bounded
def parse_updates(
    body: bytes | str, fmt: str | None = None, skipped: list[SkippedRecord] | None = None, fast: bool = True
) -> list[RequestUpdate]:
    """``GET servicerequestupdates`` (FixMyStreet); bad entries go to ``skipped``.

    ``fast=False`` sends every entry through the tolerant path (for tests; the results are the same).
    """
    updates: list[RequestUpdate] = []
    for record in _records(body, fmt, "updates"):
        if fast and record.__class__ is dict:
            update = _fast_update(record)
            if update is not None:
                updates.append(update)
                continue
        result = parse_update(record)
        if isinstance(result, SkippedRecord):
            log.warning("skipped update %s: %s", result.record_id or "(no id)", result.reason)
            if skipped is not None:
                skipped.append(result)
        else:
            updates.append(result)
    return updates


# --------------------------------------------------------------------------- misc answers


def _lower_all(value: Any) -> Any:
    """Every key of a parsed XML structure in lower case (the small answers read field by field)."""
    if isinstance(value, dict):
        return {str(k).lower(): _lower_all(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_lower_all(v) for v in value]
    return value


def _plain(value: Any) -> Any:
    """Empty strings to ``None`` inside a parsed structure."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return _clean(value)


@_bounded
def parse_post_response(body: bytes | str, fmt: str | None = None) -> dict[str, Any]:
    """The first entry of a POST answer (``[{service_request_id, service_notice}]`` or an update)."""
    if isinstance(body, bytes) and not body.strip():
        return {}
    kind = fmt or detect_format(body if isinstance(body, bytes) else body.encode("utf-8"))
    if kind == "json":
        data = _load_json(body)
    elif kind == "xml":
        data = _lower_all(_xml_value(_xml_root(body)))
        if isinstance(data, dict) and len(data) == 1:
            data = next(iter(data.values()))
    else:
        raise ParseError("the answer is neither JSON nor XML")
    if isinstance(data, list):
        data = data[0] if data else {}
    if not isinstance(data, dict):
        raise ParseError(f"unexpected answer to a POST: {type(data).__name__}")
    return _plain(data)


@_bounded
def parse_discovery(body: bytes | str, fmt: str | None = None) -> dict[str, Any]:
    """``GET discovery`` as a plain dict (``changeset``, ``contact``, ``endpoints``...)."""
    kind = fmt or detect_format(body if isinstance(body, bytes) else body.encode("utf-8"))
    if kind == "json":
        data = _load_json(body)
    elif kind == "xml":
        root = _xml_root(body)
        data = _lower_all(_xml_value(root))
        if _local(root.tag) != "discovery" and isinstance(data, dict) and "discovery" in data:
            data = data["discovery"]
    elif kind == "html":
        raise ParseError("the answer is an HTML page, not Open311 data")
    else:
        raise ParseError("the answer is neither JSON nor XML")
    if isinstance(data, list) and len(data) == 1:
        data = data[0]
    if not isinstance(data, dict):
        raise ParseError("the discovery answer is not an object")
    return _plain(data)


def _error_from_json(data: Any) -> str | None:
    entries = data if isinstance(data, list) else [data]
    if isinstance(data, dict):
        for key in ("errors", "error"):
            if isinstance(data.get(key), list):
                entries = data[key]
            elif isinstance(data.get(key), str):
                return data[key]
    messages = []
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        text = _text(entry.get("description")) or _text(entry.get("detail")) or _text(entry.get("message"))
        if text:
            messages.append(text)
    return "; ".join(messages) or None


def _error_from_xml(root: ET.Element) -> str | None:
    errors = [root] if _local(root.tag) == "error" else [e for e in root.iter() if _local(e.tag) == "error"]
    messages = []
    for err in errors:
        for child in err:
            if _local(child.tag) in ("description", "detail", "message") and child.text and child.text.strip():
                messages.append(child.text.strip())
    return "; ".join(messages) or None


def parse_error_message(body: bytes | str, fmt: str | None = None) -> str | None:
    """What an error body says: ``[{"code","description"}]``, ``{"code","detail"}`` or XML ``<errors>``."""
    try:
        raw = body if isinstance(body, bytes) else body.encode("utf-8")
        kind = fmt if fmt in ("json", "xml") else detect_format(raw)
        if kind == "json":
            return _error_from_json(_load_json(raw))
        if kind == "xml":
            return _error_from_xml(_xml_root(raw))
    except (ParseError, RecursionError):
        return None
    text = _decode(body).strip()
    if text and detect_format(text.encode("utf-8")) is None and len(text) <= 300:
        return text  # a short plain-text error
    return None
