"""What the ``openmisto:`` algorithms share: the ``WORKSPACE`` parameter, opening the workspace, settings defaults."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from qgis.core import (
    QgsProcessingAlgorithm,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingParameterString,
)

from ..core.i18n import tr

if TYPE_CHECKING:
    from ..core.store.base import ReportStore

log = logging.getLogger(__name__)


def setting_default(name: str) -> Any:
    """Default from the plugin's settings: ``name`` is one of :mod:`core.settings`' readers (``"platform_url"``…)."""
    from ..core import settings

    try:
        value = getattr(settings, name)()
    except Exception:  # a default must never break the toolbox
        log.warning("The setting %s could not be read; no default", name, exc_info=True)
        return None
    return value or None


class OpenMistoAlgorithm(QgsProcessingAlgorithm):
    """Base of the provider's algorithms (each subclass is created without arguments)."""

    WORKSPACE = "WORKSPACE"

    def createInstance(self) -> OpenMistoAlgorithm:
        """A fresh copy (Processing runs each execution on its own instance)."""
        return type(self)()

    def add_workspace_parameter(self, description: str | None = None) -> None:
        """The ``WORKSPACE`` string parameter, defaulting to the plugin's workspace."""
        self.addParameter(
            QgsProcessingParameterString(
                self.WORKSPACE,
                description or tr("Workspace: a GeoPackage file, or postgres:service=… schema=… (shared PostGIS)"),
                defaultValue=setting_default("workspace_path"),
            )
        )

    def workspace_value(self, parameters: dict[str, Any], context: QgsProcessingContext) -> str:
        """The ``WORKSPACE`` parameter, stripped."""
        return self.parameterAsString(parameters, self.WORKSPACE, context).strip()

    @contextmanager
    def open_workspace(
        self, workspace: str, *, create: bool = False, also: tuple[type[BaseException], ...] = ()
    ) -> Iterator[ReportStore]:
        """The workspace's store for a ``with`` block, closed after it.

        A store error (or one of ``also``), opening it or in the block, becomes a
        :class:`QgsProcessingException` "the workspace … cannot be used".
        """
        from ..core.store.factory import open_store

        with self.workspace_errors(workspace, also=also):
            store = open_store(workspace, create=create)
            try:
                yield store
            finally:
                store.close()

    @contextmanager
    def workspace_errors(self, workspace: str, *, also: tuple[type[BaseException], ...] = ()) -> Iterator[None]:
        """A store error (or one of ``also``) in the block becomes a :class:`QgsProcessingException`
        "the workspace … cannot be used"."""
        from ..core.store.factory import describe
        from ..core.store.failures import WORKSPACE_ERRORS

        try:
            yield
        except (*WORKSPACE_ERRORS, *also) as exc:
            raise QgsProcessingException(
                tr("The workspace {0} cannot be used: {1}").format(describe(workspace), exc)
            ) from exc
