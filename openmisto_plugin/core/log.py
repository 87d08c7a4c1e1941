"""Python ``logging`` routed to QGIS's message log (tab "Відкрите Місто").

Core modules log with ``logging.getLogger(__name__)``; :func:`setup_logging`
attaches one handler to the package logger. Secrets are never logged: the
client logs URLs with the ``api_key`` parameter masked (see :func:`mask_secrets`), and every
key the plugin uses is remembered (:func:`remember_secret`) so that it is masked wherever it
appears: in a platform's error text, an exception, a URL written by someone else.
"""

from __future__ import annotations

import logging
import re
import threading

from qgis.core import Qgis, QgsMessageLog

LOGGER_NAME = "openmisto_plugin"
MESSAGE_LOG_TAG = "Відкрите Місто"

_LEVELS = {
    logging.DEBUG: Qgis.Info,
    logging.INFO: Qgis.Info,
    logging.WARNING: Qgis.Warning,
    logging.ERROR: Qgis.Critical,
    logging.CRITICAL: Qgis.Critical,
}

_SECRET_PATTERN = re.compile(r"(api_key=|x-api-key:\s*)[^&\s\"']+", re.IGNORECASE)
_SECRETS: set[str] = set()
_SECRETS_LOCK = threading.Lock()
#: Shorter values are not masked by value (they would mask ordinary words); the pattern still applies.
MIN_SECRET_LENGTH = 4


def remember_secret(value: str | None) -> None:
    """Mask ``value`` (an API key) wherever :func:`mask_secrets` sees it from now on."""
    if value and len(value) >= MIN_SECRET_LENGTH:
        with _SECRETS_LOCK:
            _SECRETS.add(value)


def mask_secrets(text: str) -> str:
    """Replace API keys (``api_key=…``, ``X-Api-Key: …`` and every remembered key) by ``***``."""
    text = _SECRET_PATTERN.sub(r"\1***", text)
    with _SECRETS_LOCK:
        secrets = sorted(_SECRETS, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, "***")
    return text


class QgsMessageLogHandler(logging.Handler):
    """Send log records to ``QgsMessageLog`` (thread-safe in QGIS)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = mask_secrets(self.format(record))
            level = _LEVELS.get(record.levelno, Qgis.Info)
            QgsMessageLog.logMessage(message, MESSAGE_LOG_TAG, level, notifyUser=False)
        except Exception:  # noqa: BLE001 - logging must never raise
            self.handleError(record)


def setup_logging(level: int = logging.INFO) -> logging.Logger:
    """Attach the QGIS handler once to the plugin's package logger."""
    logger = logging.getLogger(LOGGER_NAME)
    logger.setLevel(level)
    if not any(isinstance(h, QgsMessageLogHandler) for h in logger.handlers):
        handler = QgsMessageLogHandler()
        handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
        logger.addHandler(handler)
    return logger


def teardown_logging() -> None:
    """Remove the QGIS handler (plugin unload)."""
    logger = logging.getLogger(LOGGER_NAME)
    for handler in list(logger.handlers):
        if isinstance(handler, QgsMessageLogHandler):
            logger.removeHandler(handler)
