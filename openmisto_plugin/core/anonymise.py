"""What public outputs leave out of citizens' data: contacts, names, house numbers, photo metadata.

:func:`mask_personal` masks free text (the public atlas prints citizens' text only when the working
group switches it on, and then through this function); :func:`street_only` keeps the street of an
address; :func:`strip_photo_metadata` writes a photo without its EXIF/XMP/IPTC (GPS position, device,
owner). The formats covered are those Ukrainian citizens write, listed in ``tests/test_anonymise.py``.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

MASK = "***"

_UP = "А-ЯІЇЄҐ"
_LOW = "а-яіїєґ'’ʼ"
_WORD = f"[{_UP}][{_LOW}]+"
_DASHES = "\\-‐‑‒–—"
_SPACES = " \u00a0\u202f\u2009\t"

# --- phones: +380 50 123 45 67, 050-123-45-67, 050.123.45.67, (0562) 12-34-56, 2-34-56, NBSP/dashes/dots
_PHONE = re.compile(rf"(?<![\w.])(?:\+\s?)?\(?\d[\d{_SPACES}().{_DASHES}]{{3,}}\d(?!\w)")
_DATE = re.compile(r"\d{1,2}[./]\d{1,2}[./]\d{2,4}|\d{4}-\d{2}-\d{2}|\d{1,2}[.:]\d{2}")
_LOCAL5 = re.compile(rf"\d[{_SPACES}.{_DASHES}]\d\d[{_SPACES}.{_DASHES}]\d\d")

# --- e-mails: name@domain.ua, name (at) domain, name [at] domain, full-width ＠, "собака"
_AT = (
    r"(?:\s*(?:@|＠|﹫|\(\s*at\s*\)|\[\s*at\s*\]|\{\s*at\s*\}|\(\s*собака\s*\)|\[\s*собака\s*\])\s*"
    r"|\s+(?:at|собака)\s+)"
)
_DOT = r"(?:\s*(?:\.|\(\s*dot\s*\)|\[\s*dot\s*\]|．)\s*|\s+(?:dot|крапка)\s+)"
_EMAIL = re.compile(rf"[\w.+\-]+{_AT}[\w\-]+(?:{_DOT}[\w\-]+)*", re.IGNORECASE)

# --- names: "Іваненко Іван Іванович", "Іван Іванович Іваненко", "І. І. Іваненко", "Петренко О.В."
# Common Ukrainian given names (nominative), for a surname written beside one.
_GIVEN_NAMES = (
    "Олександр Олександра Андрій Анна Ганна Антон Богдан Богдана Валентина Валентин Валерій Василь Віктор "
    "Вікторія Віталій Володимир Галина Дмитро Дарина Євген Євгенія Іван Ірина Ігор Катерина Людмила Любов "
    "Марія Максим Микола Михайло Наталія Наталя Надія Оксана Олег Олена Ольга Петро Роман Сергій Світлана "
    "Софія Степан Тарас Тетяна Юлія Юрій Ярослав Ярослава Лариса Леонід Лідія Мирослав Мирослава Павло "
    "Раїса Руслан Станіслав Тамара Уляна Федір Христина Яна Денис Артем Владислав Віра Зоя Інна Алла Вадим"
)


def _declined(name: str) -> str:
    """A given name in any case: "Іван" → Івана, Іванові, Іваном…; "Олена" → Олени, Олені, Оленою…"""
    if name.endswith("ій"):  # Сергій: Сергія, Сергію, Сергієм, Сергієві
        return name[:-1] + "(?:й|я|ю|єм|єві)"
    if name.endswith("ія"):  # Марія: Марії, Марію, Марією
        return name[:-1] + "(?:я|ї|ю|єю|є)"
    if name.endswith(("а", "я")):  # Олена: Олени, Олені, Олену, Оленою; Наталя: Наталі, Наталю, Наталею
        return name[:-1] + "(?:а|я|и|і|ї|у|ю|ою|ею|єю|о|е|є)"
    if name.endswith("о"):  # Петро: Петра, Петру, Петром, Петрові
        return name[:-1] + "(?:о|а|у|ом|ові)"
    return name + "(?:|а|я|у|ю|ом|ем|ові|еві|е)"  # Іван: Івана, Іванові, Іваном; Ігор: Ігоря, Ігорем


_GIVEN = "(?:" + "|".join(_declined(n) for n in _GIVEN_NAMES.split(" ")) + ")"
# Patronymics in any case: Іванович(а, у, ем), Іванівна (Іванівни, Іванівні, Іванівною)
_PATRONYMIC = (
    f"[{_UP}][{_LOW}]+(?:(?:ович|евич|йович)(?:а|у|ем|еві|еві|і)?|(?:івн|ївн|овн|евн|ічн|иничн)(?:а|и|і|у|ою|о))"
)
# Typical Ukrainian surnames in any case: Петренко (Петренка, Петренку, Петренком), Шевчук (Шевчука…),
# Вишневський/Вишневська (Вишневського, Вишневському, Вишневської, Вишневською…)
_SURNAME = (
    f"[{_UP}][{_LOW}]+(?:енк(?:о|а|у|ом|ові)|(?:чук|щук|юк|ук)(?:|а|у|ом|ові|еві)"
    f"|(?:ськ|цьк)(?:ий|ого|ому|им|ім|а|ої|ій|у|ою))"
)
_INITIAL = f"[{_UP}A-Z]\\.[{_SPACES}]?"
_NAMES = [
    re.compile(rf"\b{_WORD}[{_SPACES}]+{_WORD}[{_SPACES}]+{_PATRONYMIC}\b"),  # Surname Name Patronymic
    re.compile(rf"\b{_WORD}[{_SPACES}]+{_PATRONYMIC}(?:[{_SPACES}]+{_WORD})?\b"),  # Name Patronymic [Surname]
    re.compile(rf"(?<!\w){_INITIAL}(?:{_INITIAL})?{_WORD}(?:-{_WORD})?"),  # І. І. Іваненко
    re.compile(rf"\b{_WORD}(?:-{_WORD})?[{_SPACES}]+[{_UP}A-Z]\.[{_SPACES}]?(?:[{_UP}A-Z]\.?)?(?!\w)"),  # Петренко О.В.
    # a typical Ukrainian surname beside a name, in any case: "Коваленко Олена", "Івана Петренка"
    re.compile(rf"\b{_SURNAME}[{_SPACES}]+{_WORD}\b|\b{_GIVEN}[{_SPACES}]+{_SURNAME}\b"),
    # any capitalised word beside a common given name: "Мороз Ірина", "Ірина Мороз"
    re.compile(rf"\b{_WORD}[{_SPACES}]+{_GIVEN}\b|\b{_GIVEN}[{_SPACES}]+{_WORD}\b"),
]

# --- addresses: the street stays, the house and flat go ("вул Центральна 12 кв 5", "пр. Миру, 7/2")
_STREET = (
    r"(?i:вул(?:иця)?|пр(?:осп(?:ект)?)?|пров(?:улок)?|бул(?:ьвар)?|пл(?:оща)?|майдан|шосе|узвіз|наб(?:ережна)?"
    r"|мкр|ж/м|str|st|ave)"
)
_HOUSE_NUMBER = r"\d+[\w]?(?:\s?[/\-]\s?\d*\w?)?"
_HOUSE_WORD = r"(?i:буд(?:инок|инку|инка)?|кв(?:артира|артирі|артири)?|корп(?:ус)?|під'їзд|під’їзд|оф(?:іс)?|apt)"
_FLAT = rf"(?:[,{_SPACES}]*{_HOUSE_WORD}\.?[{_SPACES}]*{_HOUSE_NUMBER})"
_ADDRESS = re.compile(
    rf"(\b{_STREET}\.?[{_SPACES}]*(?:[{_UP}0-9][\w'’ʼ\-]*)(?:[{_SPACES}]+[{_UP}][\w'’ʼ\-]*)*)"
    rf"(?:[,{_SPACES}]+(?i:буд(?:инок)?\.?[{_SPACES}]*)?{_HOUSE_NUMBER}(?!\w){_FLAT}*)",
)
_LOOSE_HOUSE = re.compile(rf"\b{_HOUSE_WORD}\.?[{_SPACES}]*{_HOUSE_NUMBER}(?!\w)")
_TRAILING_HOUSE = re.compile(
    rf"(?:[,{_SPACES}]+(?:буд(?:инок)?\.?[{_SPACES}]*)?{_HOUSE_NUMBER}(?!\w){_FLAT}*)[,{_SPACES}]*$", re.IGNORECASE
)


def _mask_phone(match: re.Match) -> str:
    text = match.group(0)
    digits = sum(c.isdigit() for c in text)
    if _DATE.fullmatch(text.strip()):
        return text
    if digits >= 6 or (digits == 5 and _LOCAL5.fullmatch(text.strip())):
        return MASK
    return text


def mask_personal(text: str | None) -> str:
    """``text`` with phone numbers, e-mails, personal names and house/flat numbers masked."""
    out = _EMAIL.sub(MASK, text or "")
    out = _ADDRESS.sub(lambda m: m.group(1) + " " + MASK, out)
    out = _LOOSE_HOUSE.sub(MASK, out)
    out = _PHONE.sub(_mask_phone, out)
    for pattern in _NAMES:
        out = pattern.sub(MASK, out)
    return out


def street_only(address: str | None) -> str:
    """``вул. Центральна, 12`` / ``вул Центральна 12 кв 5`` → the street alone."""
    return _TRAILING_HOUSE.sub("", (address or "").strip()).strip(" ,")


# --------------------------------------------------------------------------- photos

_KEEP_AS_IS = {".gif"}  # GIF carries no EXIF; Qt cannot write it


class PhotoError(ValueError):
    """The photo cannot be read (or written without its metadata)."""


def strip_photo_metadata(source: str | Path, target: str | Path, quality: int = 92) -> Path:
    """Write ``source`` to ``target`` without metadata (EXIF GPS and device, XMP, IPTC, comments).

    The image is decoded and encoded again with Qt in the same format, turned upright by its EXIF
    orientation first (the tag goes with the rest). A format Qt cannot write (GIF) is copied: it has
    no EXIF. A format Qt cannot read raises :class:`PhotoError`.
    """
    from qgis.PyQt.QtGui import QImageReader, QImageWriter

    source, target = Path(source), Path(target)
    suffix = source.suffix.lower()
    if suffix in _KEEP_AS_IS:
        shutil.copyfile(source, target)
        return target
    reader = QImageReader(str(source))
    reader.setAutoTransform(True)
    image = reader.read()
    if image.isNull():
        raise PhotoError(reader.errorString())
    fmt = bytes(reader.format()).decode() or suffix.lstrip(".")
    writer = QImageWriter(str(target), fmt.encode())
    if fmt in ("jpeg", "jpg", "webp"):
        writer.setQuality(quality)
    if not writer.write(image):
        raise PhotoError(writer.errorString())
    return target


__all__ = ["MASK", "PhotoError", "mask_personal", "street_only", "strip_photo_metadata"]
