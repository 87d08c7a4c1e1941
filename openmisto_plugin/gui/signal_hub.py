"""The plugin's signals: its parts connect to these instead of calling each other.

One :class:`PluginSignals` lives as long as the plugin (``plugin.hub``). A part that changes something emits
the news; the parts that show it connect to the news they need (see ``plugin.py`` for the wiring).
"""

from __future__ import annotations

from qgis.PyQt.QtCore import QObject, pyqtSignal


class PluginSignals(QObject):
    """The news the plugin's parts tell each other."""

    #: The settings point at another workspace: the GUI store was closed, the next need opens the new one.
    workspaceChanged = pyqtSignal()
    #: The workspace's data changed (a sync, the user's action, others' changes in a shared one): read it again.
    dataChanged = pyqtSignal()
    #: The user changed reports here: send the changes (a sync, or one more after the running one).
    changesMade = pyqtSignal()
    #: New settings (a ``PluginSettings``) are in force.
    settingsChanged = pyqtSignal(object)
    #: Open the detail view of this report (its ``service_request_id``).
    reportRequested = pyqtSignal(str)
    #: One line for the message bar: text and a ``Qgis.MessageLevel``.
    messageRequested = pyqtSignal(str, int)
    #: The project's reports layer is this one now (a ``QgsVectorLayer``, None when it was removed).
    reportsLayerChanged = pyqtSignal(object)
    #: The settings dialog is wanted (e.g. a sync without a platform address).
    settingsRequested = pyqtSignal()
