"""Translations: every tr() string of the plugin has a Ukrainian translation, and the .qm works."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from qgis.PyQt.QtCore import QCoreApplication, QTranslator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "i18n"))

import update_ts  # noqa: E402

PLACEHOLDER = re.compile(r"\{[^{}]*\}")


@pytest.fixture(scope="module")
def code_strings() -> dict[str, update_ts.Message]:
    messages, _warnings = update_ts.extract()
    assert len(messages) > 100  # the extraction found the plugin's strings
    return messages


@pytest.fixture(scope="module")
def ts_messages() -> dict[str, update_ts.Message]:
    assert update_ts.TS_FILE.exists(), "i18n/openmisto_uk.ts is missing: run i18n/update_ts.py"
    return update_ts.read_ts()


def test_every_string_has_a_ukrainian_translation(code_strings, ts_messages):
    missing = [s for s in code_strings if s not in ts_messages]
    untranslated = [
        s for s in code_strings if s in ts_messages and (not ts_messages[s].translation.strip() or ts_messages[s].kind)
    ]
    assert not missing, "not in i18n/openmisto_uk.ts (run i18n/update_ts.py and translate): " + repr(missing)
    assert not untranslated, "no Ukrainian translation in i18n/openmisto_uk.ts: " + repr(untranslated)


def test_translations_keep_placeholders(code_strings, ts_messages):
    wrong = []
    for source in code_strings:
        message = ts_messages.get(source)
        if (
            message
            and message.translation
            and sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(message.translation))
        ):
            wrong.append((source, message.translation))
    assert not wrong, "placeholders differ between source and translation: " + repr(wrong)


def test_extraction_finds_literal_calls(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "a.py").write_text(
        'from x import tr\nA = tr("Hello")\nB = self.tr("World")\nC = tr(name)\nD = tr("Hel" "lo")\n',
        encoding="utf-8",
    )
    messages, warnings = update_ts.extract(package)
    assert list(messages) == ["Hello", "World"]
    assert len(warnings) == 1


def test_merge_keeps_translations_and_marks_new_and_vanished():
    code = {"A": update_ts.Message("A", ["f.py"]), "B": update_ts.Message("B", ["f.py"])}
    existing = {"A": update_ts.Message("A", translation="А"), "Old": update_ts.Message("Old", translation="Старе")}
    merged = {m.source: m for m in update_ts.merge(code, existing)}
    assert merged["A"].translation == "А" and merged["A"].kind == ""
    assert merged["B"].kind == "unfinished"
    assert merged["Old"].kind == "vanished"
    text = update_ts.render(list(merged.values()))
    assert '<translation type="unfinished"></translation>' in text


def _compiled_qm(tmp_path: Path) -> Path:
    lrelease = shutil.which("lrelease")
    if lrelease is None:
        built = ROOT / "i18n" / "openmisto_uk.qm"
        if not built.exists():
            pytest.skip("lrelease (qttools5-dev-tools) is not installed and no .qm is built")
        return built
    target = tmp_path / "openmisto_uk.qm"
    subprocess.run([lrelease, "-silent", str(update_ts.TS_FILE), "-qm", str(target)], check=True, timeout=60)
    return target


def test_qm_loads_and_translates(qgis_app, tmp_path):
    translator = QTranslator()
    assert translator.load(str(_compiled_qm(tmp_path)))
    assert translator.translate("OpenMisto", "Sync now") == "Синхронізувати зараз"
    assert translator.translate("OpenMisto", "New, awaiting moderation") == "Нове, на модерації"
    QCoreApplication.installTranslator(translator)
    try:
        from openmisto_plugin.core import statuses
        from openmisto_plugin.core.i18n import tr

        assert tr("Open City") == "Відкрите Місто"
        assert statuses.label("not_councils_responsibility") == "Не належить до компетенції"
    finally:
        QCoreApplication.removeTranslator(translator)
    assert tr("Open City") == "Open City"


def test_dialog_buttons_speak_ukrainian(qgis_app):
    """Standard OK/Cancel/Close buttons are labelled by the plugin's translation, not left in Qt's English."""
    from qgis.PyQt.QtCore import QCoreApplication, QTranslator
    from qgis.PyQt.QtWidgets import QDialogButtonBox

    from openmisto_plugin.core.paths import i18n_dir
    from openmisto_plugin.gui.common import button_box

    translator = QTranslator()
    assert translator.load(str(i18n_dir() / "openmisto_uk.qm"))
    QCoreApplication.installTranslator(translator)
    try:
        box = button_box(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.Close
        )
        texts = [
            box.button(b).text()
            for b in (
                QDialogButtonBox.StandardButton.Ok,
                QDialogButtonBox.StandardButton.Cancel,
                QDialogButtonBox.StandardButton.Close,
            )
        ]
        expected = [QCoreApplication.translate("OpenMisto", t) for t in ("OK", "Cancel", "Close")]
    finally:
        QCoreApplication.removeTranslator(translator)
    assert texts == expected, texts
    assert "Cancel" not in texts and "Close" not in texts, texts


def test_questions_speak_ukrainian(qgis_app, tmp_path):
    """Yes/No of the plugin's questions (reject, bulk assign, dropping changes) are Ukrainian, not Qt's English."""
    from qgis.PyQt.QtWidgets import QMessageBox

    from openmisto_plugin.gui.common import plain_message_box, translate_buttons

    translator = QTranslator()
    assert translator.load(str(_compiled_qm(tmp_path)))
    QCoreApplication.installTranslator(translator)
    try:
        yes, no = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No
        box = translate_buttons(plain_message_box(None, "t", "x", yes | no, QMessageBox.Icon.Question))
        texts = [box.button(yes).text(), box.button(no).text()]
    finally:
        QCoreApplication.removeTranslator(translator)
    assert texts == ["Так", "Ні"], texts


def test_the_demo_qgis_has_qt_s_own_ukrainian_translation():
    """QGIS labels Qt's own dialogs (the file dialog's Open/Save/Cancel) from qtbase_uk.qm: tools/system-deps.sh
    installs it (qttranslations5-l10n), and it translates the file dialog's buttons."""
    from qgis.PyQt.QtCore import QLibraryInfo

    try:
        where = QLibraryInfo.location(QLibraryInfo.LibraryLocation.TranslationsPath)
    except AttributeError:  # Qt6
        where = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    translator = QTranslator()
    assert translator.load("qtbase_uk", where), f"no qtbase_uk.qm in {where}: run tools/system-deps.sh"
    assert translator.translate("QFileDialog", "&Open") not in ("", "&Open")
    assert "qttranslations5-l10n" in (ROOT / "tools" / "system-deps.sh").read_text(encoding="utf-8")
