"""The one place where values from the platform or the user are escaped for where they go.

Every kind of escaping has one function here and is used everywhere that kind of text is built:

- SQL (subset strings, WHERE clauses): :func:`sql_literal`, :func:`sql_identifier`, :func:`sql_in`;
- QGIS expressions: :func:`expression_literal`, :func:`expression_field`;
- text shown by widgets that render HTML (message bar, tooltips, rich labels): :func:`html_text`;
- spreadsheet cells (CSV, XLSX): :func:`spreadsheet_cell`;
- a file name made from a value: :func:`file_name_component`;
- one segment of a URL path: :func:`url_path_segment`;
- codes kept in the workspace (district, department, category, report ids): :func:`is_valid_code`,
  :func:`valid_code_rows`.

No value ever becomes part of an OGR or QGIS data source string: layers are filtered with
``setSubsetString`` (or ``QgsDataSourceUri.setSql``). The OGR provider writes the subset back into its
data source (``…|subset=<sql>``) and reads it again when the layer is cloned or the project reopened, and
a ``|`` there starts a new option (``|option:PRELUDE_STATEMENTS=…`` runs SQL on the GeoPackage). So a
SQLite literal never contains ``|`` or a control character: such a value is written with ``char(…)``.
"""

from __future__ import annotations

import html
import logging
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar
from urllib.parse import quote

log = logging.getLogger(__name__)

T = TypeVar("T")

# ---------------------------------------------------------------------------------------------- SQL

# Characters a SQLite literal may carry as they are; anything else makes the literal a char(...) call.
_SQLITE_UNSAFE = re.compile(r"[|\x00-\x1f\x7f]")


def sql_literal(value: Any, dialect: str = "sqlite") -> str:
    """``value`` as an SQL string literal of ``dialect`` (``sqlite`` or ``postgres``).

    SQLite: a value with ``|`` or a control character becomes ``char(n, …)`` so that the subset string
    never carries a data source separator (see the module docstring). PostgreSQL cannot store NUL:
    it is dropped.
    """
    text = str(value)
    if dialect == "postgres":
        return "'" + text.replace("\x00", "").replace("'", "''") + "'"
    if _SQLITE_UNSAFE.search(text):
        return "char(" + ", ".join(str(ord(c)) for c in text) + ")"
    return "'" + text.replace("'", "''") + "'"


def sql_identifier(name: str) -> str:
    """A double-quoted SQL identifier (column or table name)."""
    if _SQLITE_UNSAFE.search(name):
        raise ValueError(f"not a usable SQL identifier: {name!r}")
    return '"' + name.replace('"', '""') + '"'


def sql_in(column: str, values: Iterable[Any], dialect: str = "sqlite") -> str:
    """``"column" = 'v'`` or ``"column" IN ('a', 'b')``; ``values`` are deduplicated in order."""
    unique = list(dict.fromkeys(str(v) for v in values))
    if not unique:
        return "0 = 1"
    if len(unique) == 1:
        return f"{sql_identifier(column)} = {sql_literal(unique[0], dialect)}"
    return f"{sql_identifier(column)} IN ({', '.join(sql_literal(v, dialect) for v in unique)})"


_APOSTROPHES = "'’ʼ`"
_GLOB_SPECIAL = {"*": "[*]", "?": "[?]", "[": "[[]", "]": "[]]", "|": "?"}


def glob_pattern(word: str) -> str:
    """A case-insensitive SQLite ``GLOB`` pattern matching ``word`` anywhere (``*[вВ][уУ][лЛ]*``).

    Apostrophes match each other (Ukrainian text mixes ``'``, ``’`` and ``ʼ``); ``|`` (which cannot
    travel in an OGR data source) matches any one character.
    """
    parts = []
    for char in word:
        if char in _APOSTROPHES:
            parts.append("[" + _APOSTROPHES + "]")
        elif char in _GLOB_SPECIAL:
            parts.append(_GLOB_SPECIAL[char])
        else:
            low, up = char.lower(), char.upper()
            variants = "".join(dict.fromkeys(c for c in (low, up, char) if len(c) == 1))
            parts.append(f"[{variants}]" if len(variants) > 1 else char)
    return "*" + "".join(parts) + "*"


_REGEX_SPECIAL = set(".^$*+?()[]{}|\\")


def regex_pattern(word: str) -> str:
    """The PostgreSQL regular expression matching what :func:`glob_pattern` matches (``[вВ][уУ][лЛ]``).

    Case-sensitive with explicit letter classes, as the GLOB: independent of the database's locale.
    """
    parts = []
    for char in word:
        if char in _APOSTROPHES:
            parts.append("[" + _APOSTROPHES + "]")
        elif char == "|":
            parts.append(".")
        elif char in _REGEX_SPECIAL:
            parts.append("\\" + char)
        else:
            low, up = char.lower(), char.upper()
            variants = "".join(dict.fromkeys(c for c in (low, up, char) if len(c) == 1))
            parts.append(f"[{variants}]" if len(variants) > 1 else char)
    return "".join(parts)


# ---------------------------------------------------------------------------------------------- expressions


def expression_literal(value: Any) -> str:
    """``value`` as a QGIS expression literal (``QgsExpression.quotedValue``)."""
    from qgis.core import QgsExpression

    return QgsExpression.quotedValue(value)


def expression_field(name: str) -> str:
    """A field reference in a QGIS expression (``QgsExpression.quotedColumnRef``)."""
    from qgis.core import QgsExpression

    return QgsExpression.quotedColumnRef(name)


# ---------------------------------------------------------------------------------------------- text


def html_text(value: Any) -> str:
    """Text for a widget that renders HTML (message bar, tooltip): shown literally, line breaks kept."""
    return html.escape("" if value is None else str(value), quote=True).replace("\n", "<br>")


def rich_plain_text(value: Any) -> str:
    """Markup that Qt always takes as rich text and that shows ``value`` literally ('' stays '').

    Qt guesses whether text is HTML; escaped text without a tag would be shown with its entities.
    """
    text = "" if value is None else str(value)
    return f"<p>{html_text(text)}</p>" if text else ""


# Spreadsheets run a cell that starts with one of these as a formula (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def spreadsheet_cell(value: Any) -> Any:
    """``value`` safe for a CSV or XLSX cell: text that a spreadsheet would run as a formula gets ``'``.

    Numbers (and None) are returned as they are; so is text that reads as a plain number (``-3``, ``-0,5``).
    """
    if not isinstance(value, str) or not value.startswith(_FORMULA_START):
        return value
    if re.fullmatch(r"[+-]?\d+(?:[.,]\d+)?", value):
        return value
    return "'" + value


_FILE_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def file_name_component(value: Any, fallback: str = "file", max_length: int = 80) -> str:
    """``value`` as one safe file name component: no separators, no ``..``, no reserved names.

    Letters of any script stay (``Центральний`` stays readable); unsafe runs become ``_``.
    """
    text = unicodedata.normalize("NFC", "" if value is None else str(value))
    text = _FILE_UNSAFE.sub("_", text).strip(" .")
    text = text[:max_length].rstrip(" .")
    if not text or text.upper().split(".")[0] in _WINDOWS_RESERVED:
        return fallback
    return text


def url_path_segment(value: Any) -> str:
    """``value`` as one percent-encoded URL path segment (``/``, ``?``, ``#``, ``%`` all encoded).

    ``.``, ``..`` and the empty string are refused (``ValueError``): as a segment they name another path.
    """
    text = "" if value is None else str(value)
    if text in ("", ".", ".."):
        raise ValueError(f"not usable as a URL path segment: {text!r}")
    return quote(text, safe="")


# ---------------------------------------------------------------------------------------------- codes

# A code (district, department, category, report id) as platforms write them: letters and digits of any
# script, then also "_", ".", ":", "-" and single inner spaces; at most 100 characters. Real examples:
# "171", "4e090d24992b941e78000001", "CSROWR-12", "import:3qp16kaphhsc78uc422l", "pivdenno_zakhidnyi".
CODE_PATTERN = re.compile(r"[^\W_](?:[\w.:\-]| (?! ))*", re.UNICODE)
CODE_MAX_LENGTH = 100


def is_valid_code(value: Any) -> bool:
    """Whether ``value`` is a code the workspace keeps (see :data:`CODE_PATTERN`)."""
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        return False
    text = str(value)
    return 0 < len(text) <= CODE_MAX_LENGTH and not text.endswith(" ") and bool(CODE_PATTERN.fullmatch(text))


def valid_code_rows(rows: Iterable[T], code_of: Callable[[T], Any], kind: str) -> list[T]:
    """The ``rows`` whose code is valid; each other one is skipped with a logged reason.

    ``kind`` names the code in the log (``district``, ``department``, ``category``).
    """
    kept: list[T] = []
    for row in rows:
        code = code_of(row)
        if is_valid_code(code):
            kept.append(row)
        else:
            log.warning("Skipped a %s with an invalid code %s (allowed: letters, digits, _ . : -)", kind, ascii(code))
    return kept


def codes_only(values: Sequence[Any]) -> list[str]:
    """The valid codes of ``values`` as text (invalid ones dropped with a logged reason)."""
    return [str(v) for v in valid_code_rows(values, lambda v: v, "code")]


__all__ = [
    "CODE_PATTERN",
    "codes_only",
    "expression_field",
    "expression_literal",
    "file_name_component",
    "html_text",
    "is_valid_code",
    "rich_plain_text",
    "spreadsheet_cell",
    "sql_identifier",
    "sql_in",
    "sql_literal",
    "url_path_segment",
    "valid_code_rows",
]
