"""A Qt slot's unexpected exception is logged as a warning with its traceback and told in the message bar,
not swallowed (issue 12): ``gui.common.logged_slot``."""

from __future__ import annotations

import logging

from qgis.core import Qgis
from qgis.PyQt.QtCore import QObject, pyqtSignal

from openmisto_plugin.gui.common import logged_slot


class Sender(QObject):
    clicked = pyqtSignal(str)


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_a_failing_slot_logs_a_warning_with_its_traceback_and_tells_the_user(qgis_iface):
    bar = qgis_iface.messageBar()
    bar.messages = {k: [] for k in bar.messages}
    handler = Records()
    logger = logging.getLogger("openmisto_plugin")
    logger.addHandler(handler)
    seen: list[str] = []

    @logged_slot(lambda: "Could not open the report")
    def open_report(number: str) -> None:
        seen.append(number)
        raise KeyError(f"no report {number}")

    sender = Sender()
    sender.clicked.connect(open_report)
    try:
        sender.clicked.emit("4217")  # the exception must not reach Qt
    finally:
        logger.removeHandler(handler)
    assert seen == ["4217"]
    warnings = [r for r in handler.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "open_report" in warnings[0].getMessage()
    assert warnings[0].exc_info is not None and warnings[0].exc_info[0] is KeyError
    shown = bar.get_messages(Qgis.Warning)
    assert len(shown) == 1 and "Could not open the report" in shown[0] and "no report 4217" in shown[0], shown


def test_a_quiet_part_logs_and_returns_its_default_and_a_working_one_its_value(qgis_iface):
    bar = qgis_iface.messageBar()
    bar.messages = {k: [] for k in bar.messages}
    handler = Records()
    logger = logging.getLogger("openmisto_plugin")
    logger.addHandler(handler)

    @logged_slot(default=({}, 0))
    def counts(fail: bool) -> tuple[dict[str, int], int]:
        if fail:
            raise OSError("disk I/O error")
        return {"open": 3}, 1

    try:
        assert counts(False) == ({"open": 3}, 1)
        assert handler.records == []
        assert counts(True) == ({}, 0)
    finally:
        logger.removeHandler(handler)
    assert [r.levelno for r in handler.records] == [logging.WARNING]
    assert bar.get_messages(Qgis.Warning) == []  # no failure line given: the log only
