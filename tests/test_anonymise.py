"""Masking citizens' free text and photo metadata for public outputs (issue 10, item 7).

The lists are formats Ukrainians really write (phone numbers as printed on Ukrainian sites and signs,
e-mails written to dodge spam robots, names as written in complaints, addresses as typed in the
Pokrov platform's address field). Each sample sits in a sentence: the sample goes, the words around stay.
"""

from __future__ import annotations

import re
import struct
from pathlib import Path

import pytest

from openmisto_plugin.core.anonymise import MASK, mask_personal, street_only, strip_photo_metadata

NBSP = "\u00a0"

PHONES = [
    "+380 50 123 45 67",
    "+380501234567",
    "+38 (050) 123-45-67",
    "+38(067)1234567",
    "050-123-45-67",
    "050.123.45.67",
    "050 123 45 67",
    f"050{NBSP}123{NBSP}45{NBSP}67",
    f"+380{NBSP}66{NBSP}765{NBSP}43{NBSP}21",
    "(0562) 12-34-56",
    "(05667) 4-12-34",
    "0566741234",
    "2-34-56",
    "4-12-34",
    "23-45-67",
    "234567",
    "063–123–45–67",  # en dashes
    "063—123—45—67",  # em dashes
]

EMAILS = [
    "ivan.petrenko@ukr.net",
    "olena_k+skarga@gmail.com",
    "ivan (at) ukr.net",
    "ivan [at] ukr.net",
    "ivan(at)ukr(dot)net",
    "ivan＠ukr.net",
    "ivan @ ukr.net",
    "ivan собака ukr.net",
]

NAMES = [
    "Іваненко Іван Іванович",
    "Іван Іванович Іваненко",
    "Коваленко Олена Петрівна",
    "І. І. Іваненко",
    "І.І. Іваненко",
    "Петренко О.В.",
    "Петренко О. В.",
    "Шевчук Наталія",
    "Бондар Андрій Миколайович",
    "Мороз Ірина",
    "Ірина Мороз",
    # declined: the forms citizens write in "передайте Івану Петренку", "скарга на Олену Коваленко"
    "Івана Петренка",
    "Івану Петренку",
    "Олені Коваленко",
    "Сергієм Шевчуком",
    "Петра Вишневського",
    "Марії Іванівни",
    "Миколі Петровичу",
    "Оленою Вишневською",
    "Андрія Бондаря",
]

ADDRESSES = [
    ("вул Центральна 12 кв 5", "вул Центральна"),
    ("вул. Центральна, 12", "вул. Центральна"),
    ("пр. Миру, 7/2", "пр. Миру"),
    ("просп. Миру 7/2, кв. 15", "просп. Миру"),
    ("вулиця Героїв України, буд. 3а", "вулиця Героїв України"),
    ("пров. Тихий 4-б", "пров. Тихий"),
]
LOOSE_HOUSES = ["будинку 12", "буд. 7/2", "кв. 15", "квартирі 3"]

# What must survive masking (so the mask is not a blunt "delete all digits").
KEEP = ["12.03.2026", "2026", "10:30", "5 ям", "№ 17", "вул. Центральна"]


@pytest.mark.parametrize("sample", PHONES + EMAILS + NAMES)
def test_contacts_and_names_are_masked(sample: str) -> None:
    text = f"Яма біля магазину, пишіть {sample} — дякую"
    masked = mask_personal(text)
    digits = re.sub(r"\D", "", sample)
    assert sample not in masked and MASK in masked
    if len(digits) >= 5:
        assert digits not in re.sub(r"\D", "", masked), masked
    assert masked.startswith("Яма біля магазину, пишіть ") and masked.endswith(" — дякую"), masked


@pytest.mark.parametrize(("address", "street"), ADDRESSES)
def test_house_and_flat_numbers_are_masked(address: str, street: str) -> None:
    masked = mask_personal(f"Прорвало трубу: {address}, з ранку")
    assert street in masked and not re.search(r"\d", masked), masked
    assert street_only(address) == street


@pytest.mark.parametrize("sample", LOOSE_HOUSES)
def test_loose_house_numbers_are_masked(sample: str) -> None:
    masked = mask_personal(f"Мешкаю в {sample}, тече дах")
    assert not re.search(r"\d", masked) and masked.endswith(", тече дах"), masked


def test_harmless_text_is_kept() -> None:
    text = "З 12.03.2026 о 10:30 на вул. Центральна біля школи 5 ям, звернення № 17 у 2026 році"
    masked = mask_personal(text)
    for kept in KEEP:
        assert kept in masked, (kept, masked)


# --------------------------------------------------------------------------- photo metadata


def _exif_app1(latitude: float = 47.65) -> bytes:
    """A real EXIF APP1 segment with a camera model and a GPS IFD (little-endian TIFF)."""
    model = b"OpenMisto Test Phone\x00"
    entries_ifd0 = 2
    ifd0_offset = 8
    ifd0_size = 2 + entries_ifd0 * 12 + 4
    model_offset = ifd0_offset + ifd0_size
    gps_offset = model_offset + len(model)
    gps_entries = 2
    gps_size = 2 + gps_entries * 12 + 4
    rational_offset = gps_offset + gps_size
    degrees = int(latitude)
    minutes = int((latitude - degrees) * 60)
    tiff = b"II*\x00" + struct.pack("<I", ifd0_offset)
    tiff += struct.pack("<H", entries_ifd0)
    tiff += struct.pack("<HHII", 0x0110, 2, len(model), model_offset)  # Model
    tiff += struct.pack("<HHII", 0x8825, 4, 1, gps_offset)  # GPS IFD pointer
    tiff += struct.pack("<I", 0)
    tiff += model
    tiff += struct.pack("<H", gps_entries)
    tiff += struct.pack("<HHI4s", 0x0001, 2, 2, b"N\x00\x00\x00")  # GPSLatitudeRef
    tiff += struct.pack("<HHII", 0x0002, 5, 3, rational_offset)  # GPSLatitude
    tiff += struct.pack("<I", 0)
    tiff += struct.pack("<IIIIII", degrees, 1, minutes, 1, 0, 1)
    payload = b"Exif\x00\x00" + tiff
    return b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload


def jpeg_with_exif(path: Path) -> Path:
    """A real JPEG photo (64 × 48) carrying a camera model and a GPS position."""
    from qgis.PyQt.QtGui import QColor, QImage

    image = QImage(64, 48, QImage.Format.Format_RGB32)
    image.fill(QColor("#3a7"))
    plain = path.with_suffix(".plain.jpg")
    assert image.save(str(plain), b"JPEG")
    data = plain.read_bytes()
    assert data[:2] == b"\xff\xd8"
    path.write_bytes(data[:2] + _exif_app1() + data[2:])
    return path


def test_photo_loses_its_gps_and_device(tmp_path: Path, qgis_app) -> None:
    from PIL import Image

    source = jpeg_with_exif(tmp_path / "photo.jpg")
    with Image.open(source) as before:  # control: the test photo does carry GPS and the device
        exif = before.getexif()
        assert exif.get(0x0110) == "OpenMisto Test Phone" and exif.get_ifd(0x8825)
    target = strip_photo_metadata(source, tmp_path / "public.jpg")
    data = target.read_bytes()
    assert b"Exif" not in data and b"OpenMisto Test Phone" not in data
    with Image.open(target) as after:
        assert not after.getexif() and after.size == (64, 48)
