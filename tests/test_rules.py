"""Routing suggestions: zone beats category, priorities, no rule, loading from rows and JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from qgis.core import QgsGeometry

from openmisto_plugin.core.rules import KIND_CATEGORY, KIND_ZONE, RoutingRules, RulesError, Zone

LAT, LONG = 47.653, 34.112  # Pokrov centre


def square(long0: float, lat0: float, size: float) -> str:
    long1, lat1 = long0 + size, lat0 + size
    return f"POLYGON(({long0} {lat0}, {long1} {lat0}, {long1} {lat1}, {long0} {lat1}, {long0} {lat0}))"


CATEGORIES = [("roads.pothole", "roads"), ("lights.out", "housing")]
ZONES = [
    ("Centre", "landscaping", 1, square(34.10, 47.64, 0.03)),  # holds the centre
    ("Market", "transport", 5, square(34.110, 47.650, 0.005)),  # inside Centre, higher priority
    ("Park", "education", 5, square(34.111, 47.652, 0.002)),  # inside Market, same priority, smaller
    ("Far", "social", 9, square(34.20, 47.70, 0.01)),
]


@pytest.fixture
def rules() -> RoutingRules:
    return RoutingRules.from_rows(CATEGORIES, ZONES)


def test_category_rule_when_no_zone(rules: RoutingRules) -> None:
    suggestion = rules.suggest("roads.pothole", 47.60, 34.00)
    assert suggestion is not None
    assert (suggestion.department, suggestion.kind, suggestion.rule_name) == ("roads", KIND_CATEGORY, "roads.pothole")
    assert suggestion.rule_description == "category roads.pothole → department roads"


def test_zone_beats_category(rules: RoutingRules) -> None:
    suggestion = rules.suggest("roads.pothole", 47.645, 34.105)  # only in Centre
    assert suggestion is not None
    assert (suggestion.department, suggestion.kind) == ("landscaping", KIND_ZONE)
    assert suggestion.rule_description == "zone «Centre» → department landscaping"


def test_highest_priority_zone_wins(rules: RoutingRules) -> None:
    suggestion = rules.suggest("lights.out", 47.651, 34.1105)  # Centre (1) and Market (5)
    assert suggestion is not None and suggestion.department == "transport"
    assert [z.name for z in rules.zones_at(47.651, 34.1105)] == ["Market", "Centre"]


def test_equal_priority_smaller_zone_wins(rules: RoutingRules) -> None:
    assert [z.name for z in rules.zones_at(47.653, 34.112)] == ["Park", "Market", "Centre"]
    assert rules.suggest(None, 47.653, 34.112).department == "education"


def test_point_on_border_counts_as_inside(rules: RoutingRules) -> None:
    assert rules.suggest("x", 47.705, 34.20).department == "social"  # west edge
    assert rules.suggest("x", 47.70, 34.205).department == "social"  # south edge


def test_no_rule_gives_none(rules: RoutingRules) -> None:
    assert rules.suggest("trees.fallen", 47.60, 34.00) is None
    assert rules.suggest(None, None, None) is None
    assert RoutingRules().suggest("roads.pothole", LAT, LONG) is None


def test_no_position_falls_back_to_category(rules: RoutingRules) -> None:
    assert rules.suggest("roads.pothole", None, None).department == "roads"
    assert rules.suggest("roads.pothole", float("nan"), LONG).department == "roads"


def test_many_zones_through_the_index() -> None:
    size = 0.001
    zones = []
    for i in range(60):
        for j in range(60):
            zones.append(
                Zone(f"cell {i},{j}", f"d{i}-{j}", 0, QgsGeometry.fromWkt(square(34 + i * size, 47 + j * size, size)))
            )
    rules = RoutingRules({}, zones)
    suggestion = rules.suggest("x", 47 + 17.5 * size, 34 + 42.5 * size)
    assert suggestion is not None and suggestion.department == "d42-17"
    assert rules.suggest("x", 46.9, 33.9) is None


def test_from_json(tmp_path: Path) -> None:
    path = tmp_path / "routing.json"
    path.write_text(
        json.dumps(
            {
                "categories": dict(CATEGORIES),
                "zones": [{"name": n, "department": d, "priority": p, "wkt": w} for n, d, p, w in ZONES],
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    rules = RoutingRules.from_json(path)
    assert rules.suggest("lights.out", 47.60, 34.00).department == "housing"
    assert rules.suggest("lights.out", 47.653, 34.112).department == "education"


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ('{"categories": {"a": "b"},\n "zones": [\n  {"name": "Z", }\n]}', ["line 3"]),
        ('{"zones": [{"name": "Z", "department": "d"}]}', ["zone 1", "wkt"]),
        ('{"zones": [{"name": "Z", "department": "d", "wkt": "POLYGON((oops))"}]}', ["«Z»", "WKT"]),
        ('{"zones": [{"name": "L", "department": "d", "wkt": "LINESTRING(0 0, 1 1)"}]}', ["«L»", "polygon"]),
        ('{"zones": [{"name": "P", "department": "d", "priority": "high", "wkt": "POINT(0 0)"}]}', ["«P»", "high"]),
        ("[1, 2]", ["JSON object"]),
    ],
)
def test_from_json_errors_name_the_file(tmp_path: Path, content: str, words: list[str]) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(RulesError) as info:
        RoutingRules.from_json(path)
    message = str(info.value)
    assert str(path) in message
    for word in words:
        assert word in message


def test_missing_json_file(tmp_path: Path) -> None:
    with pytest.raises(RulesError, match=r"missing\.json"):
        RoutingRules.from_json(tmp_path / "missing.json")


def test_from_json_reads_the_reference_example() -> None:
    """The example shipped with the reference server (``category_rules`` key) routes its categories."""
    example = Path(__file__).resolve().parents[1] / "server" / "data" / "routing_example.json"
    expected = json.loads(example.read_text(encoding="utf-8"))["category_rules"]
    rules = RoutingRules.from_json(example)
    for code, department in expected.items():
        assert rules.suggest(code, 47.653, 34.112).department == department


def test_from_json_takes_a_geojson_zone(tmp_path: Path) -> None:
    """A zone drawn elsewhere and saved as GeoJSON routes like its WKT twin."""
    ring = [[34.10, 47.64], [34.12, 47.64], [34.12, 47.66], [34.10, 47.66], [34.10, 47.64]]
    path = tmp_path / "routing.json"
    path.write_text(
        json.dumps(
            {
                "zones": [
                    {
                        "name": "Парк",
                        "department": "landscaping",
                        "geometry": {"type": "Polygon", "coordinates": [ring]},
                    }
                ]
            }
        ),
        encoding="utf-8",
    )
    rules = RoutingRules.from_json(path)
    assert rules.suggest("roads.pothole", 47.65, 34.11).department == "landscaping"
    assert rules.suggest("roads.pothole", 47.70, 34.11) is None
    broken = {
        "zones": [{"name": "Парк", "department": "landscaping", "geometry": {"type": "Polygon", "coordinates": 7}}]
    }
    path.write_text(json.dumps(broken), encoding="utf-8")
    with pytest.raises(RulesError, match="zone 1 lacks wkt"):
        RoutingRules.from_json(path)  # an unreadable GeoJSON geometry is no geometry
