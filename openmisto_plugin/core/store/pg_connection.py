"""Where a PostGIS workspace lives, and how to reach it without keeping credentials anywhere.

A :class:`PgConnectionInfo` names the database the way QGIS does (a saved PostgreSQL connection, a
``pg_service.conf`` service, or host/port/database, each optionally with an ``authcfg``) plus the
workspace schema. It gives:

- :meth:`PgConnectionInfo.connect_kwargs`: psycopg2/libpq keywords for *this process*; a password
  is resolved at connection time from the QGIS authentication database (``authcfg``) or left to
  libpq (service file, ``~/.pgpass``, ``PG*`` environment). It is never stored, logged or returned
  by :meth:`describe`/:meth:`to_uri`.
- :meth:`PgConnectionInfo.qgis_uri`: a :class:`QgsDataSourceUri` for ``postgres`` layers with the
  service/authcfg and without any password, so a saved project holds no secret.
- :meth:`PgConnectionInfo.to_uri` / :func:`parse_uri`: the text form kept in the plugin settings and
  passed to ``openmisto:sync`` (``postgres:service=city schema=openmisto`` or
  ``postgres:connection=City schema=openmisto``).
"""

from __future__ import annotations

import logging
import os
import re
import shlex
from dataclasses import dataclass, field, replace
from typing import Any

from ..i18n import tr

log = logging.getLogger(__name__)

DEFAULT_SCHEMA = "openmisto"
URI_PREFIX = "postgres:"
_SECRET_KEYS = ("password",)
# Keys of the text form (``key=value`` pairs after ``postgres:``).
_URI_KEYS = ("connection", "service", "host", "port", "dbname", "user", "sslmode", "authcfg", "schema")
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class PgConnectionError(Exception):
    """The PostgreSQL connection cannot be resolved (unknown saved connection, bad schema name…)."""


def valid_schema(name: str) -> str:
    """``name`` if it is a plain lower-case SQL identifier (it is put into SQL text), else raise."""
    if not _IDENTIFIER.match(name or ""):
        raise PgConnectionError(
            tr("The schema name {name} is not valid: use lower-case letters, digits and _.").format(name=name)
        )
    return name


@dataclass(frozen=True)
class PgConnectionInfo:
    """A PostgreSQL database and the workspace schema in it (no password, ever)."""

    service: str | None = None
    host: str | None = None
    port: int | None = None
    dbname: str | None = None
    user: str | None = None
    sslmode: str | None = None
    authcfg: str | None = None
    schema: str = DEFAULT_SCHEMA
    connection: str | None = None  # the QGIS saved connection it came from (for messages only)
    options: dict[str, str] = field(default_factory=dict, compare=False)  # other libpq keywords

    def __post_init__(self) -> None:
        valid_schema(self.schema)

    # -- forms ---------------------------------------------------------------
    def with_schema(self, schema: str) -> PgConnectionInfo:
        return replace(self, schema=valid_schema(schema))

    def to_uri(self) -> str:
        """Text form for settings and ``openmisto:sync``: ``postgres:service=city schema=openmisto``."""
        parts = []
        for key in _URI_KEYS:
            value = getattr(self, key)
            if key == "connection" and (self.service or self.host or self.dbname):
                continue  # resolved already: keep the explicit parameters
            if value not in (None, ""):
                parts.append(f"{key}={shlex.quote(str(value))}")
        return URI_PREFIX + " ".join(parts)

    def describe(self) -> str:
        """Human-readable, secret-free: ``service city, schema openmisto``."""
        where = (
            f"service {self.service}"
            if self.service
            else f"{self.host or 'localhost'}:{self.port or 5432}/{self.dbname or ''}"
        )
        if self.connection:
            where = f"{self.connection} ({where})"
        return f"{where}, schema {self.schema}"

    def key(self) -> str:
        """Identity of the workspace (database + schema) for locks and caches; no credentials."""
        return f"{self.service or ''}|{self.host or ''}|{self.port or ''}|{self.dbname or ''}|{self.schema}"

    # -- psycopg2 --------------------------------------------------------------
    def connect_kwargs(self, application_name: str = "openmisto") -> dict[str, Any]:
        """libpq keywords for psycopg2.connect; the password (if any) comes from the authcfg now."""
        kwargs: dict[str, Any] = dict(self.options)
        for key in ("service", "host", "dbname", "user", "sslmode"):
            value = getattr(self, key)
            if value:
                kwargs[key] = value
        if self.port:
            kwargs["port"] = int(self.port)
        kwargs["application_name"] = application_name[:63]
        if self.authcfg:
            user, password = _auth_credentials(self.authcfg)
            if user:
                kwargs["user"] = user
            if password:
                kwargs["password"] = password
        return kwargs

    # -- QGIS --------------------------------------------------------------------
    def qgis_uri(self, table: str | None = None, geometry_column: str | None = None, key_column: str | None = None):
        """A :class:`QgsDataSourceUri` for the ``postgres`` provider, without a password."""
        from qgis.core import QgsDataSourceUri

        uri = QgsDataSourceUri()
        sslmode = _qgis_sslmode(self.sslmode)
        if self.service:
            uri.setConnection(self.service, self.dbname or "", self.user or "", "", sslmode, self.authcfg or "")
        else:
            uri.setConnection(
                self.host or "",
                str(self.port or ""),
                self.dbname or "",
                self.user or "",
                "",
                sslmode,
                self.authcfg or "",
            )
        if table is not None:
            uri.setDataSource(self.schema, table, geometry_column or None, "", key_column or "")
        return uri


def _qgis_sslmode(text: str | None) -> Any:
    from qgis.core import QgsDataSourceUri

    if not text:
        return QgsDataSourceUri.SslPrefer
    return QgsDataSourceUri.decodeSslMode(text)


def _auth_credentials(authcfg: str) -> tuple[str | None, str | None]:
    """User and password of a QGIS authentication configuration (Basic method), resolved in memory."""
    from qgis.core import QgsApplication, QgsAuthMethodConfig

    manager = QgsApplication.authManager()
    config = QgsAuthMethodConfig()
    if manager is None or not manager.loadAuthenticationConfig(authcfg, config, True):
        raise PgConnectionError(
            tr("The QGIS authentication configuration {id} cannot be read (is the master password set?).").format(
                id=authcfg
            )
        )
    return config.config("username") or None, config.config("password") or None


def from_qgis_connection(name: str, schema: str = DEFAULT_SCHEMA) -> PgConnectionInfo:
    """A saved QGIS PostgreSQL connection (Browser > PostgreSQL) by name.

    Reads the connection's URI from the provider (works on QGIS 3.22 and 3.40); a password
    saved in the connection is dropped here: such a connection should use an authcfg or a
    service file (docs/postgis.md); libpq then still finds ``~/.pgpass``.
    """
    from qgis.core import QgsDataSourceUri, QgsProviderRegistry

    metadata = QgsProviderRegistry.instance().providerMetadata("postgres")
    connection = None
    if metadata is not None:
        try:
            connection = metadata.findConnection(name)
        except Exception as exc:  # noqa: BLE001 - QgsProviderConnectionException and friends
            log.debug("findConnection(%s): %s", name, exc)
    if connection is None:
        raise PgConnectionError(tr("There is no saved PostgreSQL connection named {name}.").format(name=name))
    uri = QgsDataSourceUri(connection.uri())
    if uri.password():
        log.warning("The saved connection %s holds a password; it is not copied into the workspace settings", name)
    return PgConnectionInfo(
        service=uri.service() or None,
        host=uri.host() or None,
        port=int(uri.port()) if uri.port() else None,
        dbname=uri.database() or None,
        user=uri.username() or None,
        sslmode=_sslmode_text(uri),
        authcfg=uri.authConfigId() or None,
        schema=schema,
        connection=name,
    )


def _sslmode_text(uri: Any) -> str | None:
    from qgis.core import QgsDataSourceUri

    mode = uri.sslMode()
    if mode in (QgsDataSourceUri.SslPrefer,):
        return None
    return QgsDataSourceUri.encodeSslMode(mode) or None


def saved_connection_names() -> list[str]:
    """Names of QGIS's saved PostgreSQL connections, for a settings combo box."""
    from qgis.core import QgsProviderRegistry

    metadata = QgsProviderRegistry.instance().providerMetadata("postgres")
    if metadata is None:
        return []
    return sorted(metadata.connections(False).keys())


def from_environment(schema: str | None = None) -> PgConnectionInfo:
    """From ``OPENMISTO_PG_SERVICE`` (a service name) or libpq's ``PG*`` variables (no PGPASSWORD)."""
    schema = schema or os.environ.get("OPENMISTO_PG_SCHEMA") or DEFAULT_SCHEMA
    service = os.environ.get("OPENMISTO_PG_SERVICE") or os.environ.get("PGSERVICE")
    port = os.environ.get("PGPORT")
    return PgConnectionInfo(
        service=service or None,
        host=None if service else os.environ.get("PGHOST") or None,
        port=None if service or not port else int(port),
        dbname=None if service else os.environ.get("PGDATABASE") or None,
        user=None if service else os.environ.get("PGUSER") or None,
        schema=schema,
    )


def parse_uri(text: str) -> PgConnectionInfo:
    """The text form back: ``postgres:service=city schema=openmisto`` (or ``connection=<saved name>``).

    A ``password`` key is refused: credentials belong in an authcfg, a service file or ~/.pgpass.
    """
    if not text.startswith(URI_PREFIX):
        raise PgConnectionError(tr("Not a PostgreSQL workspace: {uri}").format(uri=text))
    values: dict[str, str] = {}
    for token in shlex.split(text[len(URI_PREFIX) :]):
        key, sep, value = token.partition("=")
        if not sep:
            raise PgConnectionError(tr("Cannot read {part} in {uri}").format(part=token, uri=_mask(text)))
        if key in _SECRET_KEYS:
            raise PgConnectionError(
                tr("A password in the workspace address is not allowed: use an authcfg, a service or ~/.pgpass.")
            )
        values[key] = value
    schema = values.pop("schema", DEFAULT_SCHEMA)
    unknown = set(values) - set(_URI_KEYS)
    if unknown:
        raise PgConnectionError(tr("Unknown keys in {uri}: {keys}").format(uri=text, keys=", ".join(sorted(unknown))))
    if "connection" in values:
        info = from_qgis_connection(values["connection"], schema)
        return replace(info, authcfg=values.get("authcfg") or info.authcfg)
    return PgConnectionInfo(
        service=values.get("service"),
        host=values.get("host"),
        port=int(values["port"]) if values.get("port") else None,
        dbname=values.get("dbname"),
        user=values.get("user"),
        sslmode=values.get("sslmode"),
        authcfg=values.get("authcfg"),
        schema=schema,
    )


def _mask(text: str) -> str:
    return re.sub(r"(password=)\S+", r"\1***", text)


__all__ = [
    "DEFAULT_SCHEMA",
    "URI_PREFIX",
    "PgConnectionError",
    "PgConnectionInfo",
    "from_environment",
    "from_qgis_connection",
    "parse_uri",
    "saved_connection_names",
    "valid_schema",
]
