"""Moderator and officer workflows (core/workflow.py): checks, actions, queue, duplicates, routing, autoassign,
and the end-to-end run against the reference server."""

from __future__ import annotations

import json
import random
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from qgis.core import QgsGeometry, QgsPointXY

from openmisto_plugin.core import autoassign, media, moderation, officer_response, outbox_view, routing_storage
from openmisto_plugin.core import workflow as wf
from openmisto_plugin.core.model import Service, ServiceRequest
from openmisto_plugin.core.open311.client import Open311Client
from openmisto_plugin.core.open311.errors import Open311Error
from openmisto_plugin.core.rules import RulesError
from openmisto_plugin.core.store import GeoPackageStore
from openmisto_plugin.core.store.workspace import Workspace
from openmisto_plugin.core.sync import SyncEngine
from openmisto_plugin.core.timeutil import KYIV, now_utc
from tests.test_anonymise import jpeg_with_exif

pytestmark = pytest.mark.usefixtures("qgis_app")

ROOT = Path(__file__).resolve().parent.parent
ROUTING_EXAMPLE = ROOT / "server" / "data" / "routing_example.json"
LAT, LONG = 47.653, 34.112
MODERATOR = wf.Actor("moderator")
ROADS = wf.Actor("officer", "roads")
UJKG = wf.Actor("officer", "ujkg")


def _req(sid: str, code: str = "for_triage", *, days_ago: float = 1, dlat: float = 0.0, dlong: float = 0.0, **kw):
    requested = kw.pop("requested", now_utc() - timedelta(days=days_ago))
    return ServiceRequest(
        service_request_id=sid,
        lat=LAT + dlat,
        long=LONG + dlong,
        status="closed" if code in wf.CLOSED_CODES else "open",
        external_status_code=code,
        service_code=kw.pop("service_code", "roads.pothole"),
        service_name=kw.pop("service_name", "Ями на дорозі"),
        description=kw.pop("description", f"report {sid}"),
        address=kw.pop("address", "вул. Центральна, 12"),
        requested_datetime=requested,
        updated_datetime=requested,
        **kw,
    )


@pytest.fixture()
def store(tmp_path):
    s = GeoPackageStore.create(str(tmp_path / "ws.gpkg"))
    s.upsert_services(
        [
            Service("roads.pothole", "Ями на дорозі"),
            Service("light.broken", "Не світить ліхтар"),
            Service("green.trees", "Дерева"),
        ]
    )
    s.upsert_departments([{"code": c, "name": c.upper()} for c in ("roads", "ujkg", "landscaping")])
    s.upsert_requests(
        [
            _req("1", days_ago=3),
            _req("2", "investigating", days_ago=5, dlong=0.01),
            _req("3", "action_scheduled", agency_responsible="roads", dlong=0.01),
            _req("4", "in_progress", agency_responsible="ujkg", service_code="light.broken", dlong=0.01),
            _req("5", "fixed", agency_responsible="roads", dlong=0.01),
            _req("6", days_ago=2, dlat=0.0001),  # ~11 m north of 1
            _req("7", days_ago=2, dlat=0.0003),  # ~33 m
            _req("8", days_ago=2, dlat=0.001),  # ~111 m: too far
            _req("9", days_ago=60, dlat=0.00005),  # too long ago
            _req("10", days_ago=2, dlat=0.00002, service_code="green.trees"),  # other category
        ]
    )
    yield s
    s.close()


def outbox_count(store) -> int:
    return len(store.outbox_entries())


# -- checks: refused before anything is written --------------------------------------------------------------


def test_status_the_workflow_does_not_allow_is_refused_and_not_written(store):
    with pytest.raises(wf.WorkflowError) as err:
        officer_response.respond(store, ROADS, "3", "investigating")
    assert "«" in str(err.value) and "Allowed next" in str(err.value)
    with pytest.raises(wf.WorkflowError, match="moderator cannot set"):
        officer_response.respond(store, MODERATOR, "3", "in_progress")  # the officer's status
    with pytest.raises(wf.WorkflowError):
        wf.accept(store, MODERATOR, "3")  # assigned already: no way back to "accepted"
    with pytest.raises(wf.WorkflowError):
        officer_response.respond(store, ROADS, "1", "fixed", "done")  # not assigned to roads
    assert outbox_count(store) == 0
    assert store.report("1")["external_status_code"] == "for_triage"


def test_viewer_and_wrong_department_are_refused_in_words(store):
    with pytest.raises(wf.WorkflowError, match="read-only"):
        wf.accept(store, wf.Actor("viewer"), "1")
    with pytest.raises(wf.WorkflowError) as err:
        officer_response.respond(store, ROADS, "4", "fixed", "Замінили лампу")
    text = str(err.value)
    assert "ujkg" in text and "roads" in text and "moderator" in text
    with pytest.raises(wf.WorkflowError, match="moderator"):
        wf.assign(store, ROADS, ["1"], "roads")
    assert outbox_count(store) == 0


def test_answer_required_for_closed_statuses_and_planned_needs_a_date(store):
    with pytest.raises(wf.WorkflowError, match="answer"):
        officer_response.respond(store, ROADS, "3", "fixed", "   ")
    with pytest.raises(wf.WorkflowError, match="planned date"):
        officer_response.respond(store, ROADS, "3", "planned", "after the winter")
    with pytest.raises(wf.WorkflowError, match="past"):
        officer_response.respond(store, ROADS, "3", "planned", "soon", planned_date=date.today() - timedelta(days=3))
    with pytest.raises(wf.WorkflowError, match="Procedure"):
        officer_response.respond(
            store, ROADS, "3", "planned", "next year", planned_date=date.today() + timedelta(days=200)
        )
    assert outbox_count(store) == 0
    # in_progress needs no answer; planned within the term is fine
    officer_response.respond(store, ROADS, "3", "in_progress")
    planned_day = date.today() + timedelta(days=7)
    result = officer_response.respond(
        store, ROADS, "3", "planned", "Ремонт після поставки асфальту", planned_date=planned_day
    )
    report = store.report("3")
    assert report["external_status_code"] == "planned"
    assert (
        datetime.fromisoformat(report["expected_datetime"].replace("Z", "+00:00")).astimezone(KYIV).date()
        == planned_day
    )
    assert "Ремонт після поставки асфальту" in result.preview and planned_day.strftime("%d.%m.%Y") in result.preview
    entry = next(e for e in store.outbox_entries() if e.update_id == result.update_id)
    assert entry.payload["external_status_code"] == "planned" and entry.payload["expected_datetime"]


def test_moderator_actions_write_report_history_and_outbox(store):
    u1 = wf.accept(store, MODERATOR, "1")
    u2 = wf.reject(store, MODERATOR, "7", "spam")
    with pytest.raises(wf.WorkflowError, match="reason"):
        wf.close_not_remit(store, MODERATOR, "6", "")
    u3 = wf.close_not_remit(store, MODERATOR, "6", "Це приватна територія")
    u4 = wf.recategorise(store, MODERATOR, "10", "light.broken")
    u5 = wf.mark_duplicate(store, MODERATOR, "8", "1")
    assert store.report("1")["external_status_code"] == "investigating"
    assert store.report("7")["external_status_code"] == "hidden" and store.report("7")["status"] == "closed"
    assert store.report("6")["status_notes"] == "Це приватна територія"
    assert store.report("10")["service_code"] == "light.broken"
    dup = store.report("8")
    assert dup["external_status_code"] == "duplicate" and dup["duplicate_of"] == "1"
    assert "1" in dup["status_notes"]
    assert {e.update_id for e in store.outbox_entries(["pending"])} == {u1, u2, u3, u4, u5}
    history = outbox_view.history(store, "8")
    assert [(h["external_status_code"], h["author"], h["origin"]) for h in history] == [
        ("duplicate", "moderator", "local")
    ]
    with pytest.raises(wf.WorkflowError):
        wf.mark_duplicate(store, MODERATOR, "9", "8")  # 8 is itself a duplicate
    with pytest.raises(wf.WorkflowError):
        wf.recategorise(store, MODERATOR, "9", "no.such")


def test_bulk_assign_skips_what_cannot_be_assigned_and_reassignment_keeps_history(store):
    result = wf.assign(store, MODERATOR, ["1", "2", "3", "5"], "roads")
    assert sorted(result.update_ids) == ["1", "2"]
    reasons = dict(result.skipped)
    assert "already assigned" in reasons["3"] and "closed" in reasons["5"]
    with pytest.raises(wf.WorkflowError, match="Unknown department"):
        wf.assign(store, MODERATOR, ["1"], "nowhere")
    wf.assign(store, MODERATOR, ["1"], "ujkg")
    assert store.report("1")["agency_responsible"] == "ujkg"
    assert [h["agency_responsible"] for h in outbox_view.history(store, "1")] == ["roads", "ujkg"]
    with pytest.raises(wf.WorkflowError):
        wf.assign(store, MODERATOR, ["5"], "roads", strict=True)


def test_bulk_assign_moves_a_report_in_work_only_when_asked_and_says_what_happens_to_each(store):
    # 1 new, 2 accepted, 4 in progress with ujkg, 5 closed: the walkthrough's "13 of 13" in small.
    plan = wf.plan_assignment(store, MODERATOR, ["1", "2", "4", "5"], "landscaping")
    assert plan.assign == {"1": "landscaping", "2": "landscaping"}
    assert plan.reassign == {}
    reasons = dict(plan.skip)
    assert "closed" in reasons["5"] and "UJKG is working on it" in reasons["4"]  # its name in the workspace
    result = wf.assign(store, MODERATOR, ["1", "2", "4", "5"], "landscaping", reassign_in_work=False)
    assert sorted(result.update_ids) == ["1", "2"]
    assert store.report("4")["agency_responsible"] == "ujkg"
    assert store.report("4")["external_status_code"] == "in_progress"

    chosen = wf.plan_assignment(store, MODERATOR, ["4", "5"], "landscaping", reassign_in_work=True)
    assert chosen.reassign == {"4": ("ujkg", "in_progress", "landscaping")} and chosen.assign == {}
    wf.assign(store, MODERATOR, ["4"], "landscaping", reassign_in_work=True)
    assert store.report("4")["agency_responsible"] == "landscaping"


def test_moderation_queue_oldest_first_with_working_days(store):
    now = datetime(2026, 3, 16, 10, 0, tzinfo=KYIV)  # a Monday
    store.upsert_requests(
        [
            _req("20", requested=datetime(2026, 3, 13, 9, 0, tzinfo=KYIV)),  # Friday
            _req("21", requested=datetime(2026, 3, 16, 8, 0, tzinfo=KYIV)),  # this morning
            _req("22", requested=datetime(2026, 3, 9, 12, 0, tzinfo=KYIV)),  # last Monday
        ]
    )
    queue = [q for q in moderation.moderation_queue(store, now) if q.service_request_id in ("20", "21", "22")]
    assert [q.service_request_id for q in queue] == ["22", "20", "21"]
    assert [q.waited_working_days for q in queue] == [5, 1, 0]
    assert [q.overdue for q in queue] == [True, False, False]  # Friday's is due Monday 18:00
    ids = [q.service_request_id for q in moderation.moderation_queue(store)]
    assert "2" in ids and "3" not in ids and "5" not in ids
    times = [q.requested_datetime for q in moderation.moderation_queue(store)]
    assert times == sorted(times)


def test_duplicate_candidates_nearest_first(store):
    found = moderation.duplicate_candidates(store, "1")
    assert [c.service_request_id for c in found] == ["6", "7"]
    assert 10 < found[0].distance_m < 12 and 30 < found[1].distance_m < 35
    assert [c.service_request_id for c in moderation.duplicate_candidates(store, "1", max_m=200)] == ["6", "7", "8"]
    assert "9" in [c.service_request_id for c in moderation.duplicate_candidates(store, "1", days=90)]
    wf.mark_duplicate(store, MODERATOR, "6", "1")
    assert [c.service_request_id for c in moderation.duplicate_candidates(store, "1")] == ["7"]


# -- routing and autoassign --------------------------------------------------------------------------------------


def _zone_json(tmp_path) -> Path:
    square = f"POLYGON(({LONG - 0.0002} {LAT - 0.0002},{LONG + 0.0002} {LAT - 0.0002},{LONG + 0.0002} {LAT + 0.00015},"
    square += f"{LONG - 0.0002} {LAT + 0.00015},{LONG - 0.0002} {LAT - 0.0002}))"
    data = {
        "category_rules": {"roads.pothole": "roads", "light.broken": "ujkg"},
        "zones": [{"name": "Парк Шахтарів", "department": "landscaping", "priority": 5, "wkt": square}],
    }
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_routing_rules_import_save_load_and_suggest(store, tmp_path):
    example = routing_storage.read_routing_json(ROUTING_EXAMPLE)  # the server's example uses "category_rules"
    assert example.category_rules["roads.pothole"] == "roads" and len(example.category_rules) > 20
    routing_storage.import_routing_json(store, _zone_json(tmp_path))
    rules = routing_storage.load_routing_rules(store)
    assert rules.category_rules == {"roads.pothole": "roads", "light.broken": "ujkg"}
    assert [z.name for z in rules.zones] == ["Парк Шахтарів"]
    suggestions = autoassign.suggest_departments(store, ["1", "6", "8", "4", "10"])
    assert suggestions["1"].department == "landscaping" and suggestions["1"].kind == "zone"
    assert "Парк Шахтарів" in suggestions["1"].rule_description
    assert suggestions["6"].department == "landscaping"  # 11 m north: still in the zone
    assert suggestions["8"].department == "roads" and suggestions["8"].kind == "category"
    assert suggestions["10"] is None or suggestions["10"].kind == "zone"
    bad = tmp_path / "bad.json"
    bad.write_text('{"zones": [{"name": "x"}]}', encoding="utf-8")
    with pytest.raises(RulesError, match="zone 1 lacks"):
        routing_storage.read_routing_json(bad)
    bad.write_text('{"categories": {"a": "b"},\n "zones": [}', encoding="utf-8")
    with pytest.raises(RulesError, match="line 2"):
        routing_storage.read_routing_json(bad)


def test_autoassign_applies_rules_to_unassigned_accepted(store, tmp_path):
    routing_storage.import_routing_json(store, _zone_json(tmp_path))
    store.upsert_requests(
        [
            _req("30", "investigating", dlat=0.01),
            _req("31", "investigating", dlat=0.01, service_code="light.broken"),
            _req("32", "investigating", dlat=0.01, service_code="green.trees"),  # no rule
            _req("33", "investigating", dlat=0.01, agency_responsible="roads"),  # already has one
            _req("34", "investigating", dlong=0.0001),  # in the park zone
        ]
    )
    trial = autoassign.autoassign(store, dry_run=True)
    assert trial.considered == 5 and trial.assigned == 4 and outbox_count(store) == 0
    result = autoassign.autoassign(store)
    assert result.by_department == {"landscaping": 1, "roads": 2, "ujkg": 1}
    assert result.by_rule_kind == {"zone": 1, "category": 3}
    assert result.no_rule == ["32"]
    assert store.report("34")["agency_responsible"] == "landscaping"  # the zone beats the category
    assert store.report("30")["agency_responsible"] == "roads"
    assert store.report("31")["external_status_code"] == "action_scheduled"
    assert outbox_count(store) == 4
    assert "assigned: 4" in result.summary()
    assert autoassign.autoassign(store).considered == 1  # only 32 is left


def test_autoassign_processing_algorithm(store, tmp_path, openmisto_provider):
    from qgis import processing

    path = store.path
    rules = _zone_json(tmp_path)
    store.close()
    out = processing.run("openmisto:autoassign", {"WORKSPACE": path, "RULES": str(rules), "DRY_RUN": True})
    assert out["CONSIDERED"] == 1 and out["ASSIGNED"] == 1 and out["NO_RULE"] == 0
    with Workspace(path).opened() as again:
        assert not again.outbox_entries() and not routing_storage.load_routing_rules(again).zones
    out = processing.run("openmisto:autoassign", {"WORKSPACE": path, "RULES": str(rules), "SAVE_RULES": True})
    assert out["ASSIGNED"] == 1 and out["QUEUED"] == 1
    with Workspace(path).opened() as again:
        assert again.report("2")["agency_responsible"] == "roads"
        assert len(again.outbox_entries(["pending"])) == 1
        assert routing_storage.load_routing_rules(again).zones  # imported rules stay in the workspace
    out = processing.run("openmisto:autoassign", {"WORKSPACE": path})
    assert out["CONSIDERED"] == 0


# -- photos and preview ------------------------------------------------------------------------------------------


def test_media_folder_is_beside_a_geopackage_and_in_the_settings_for_postgis(tmp_path):
    """Photos go where they always went: ``<stem>_media`` beside the file, ``<settings>/openmisto/<schema>_media``."""
    from qgis.core import QgsApplication

    assert media.media_folder(tmp_path / "pokrov.gpkg") == tmp_path / "pokrov_media"
    assert media.media_folder(str(tmp_path / "місто.gpkg")) == tmp_path / "місто_media"
    settings = Path(QgsApplication.qgisSettingsDirPath()) / "openmisto"
    assert media.media_folder("postgres:service=city schema=pokrov") == settings / "pokrov_media"
    assert media.media_folder("postgres:service=city") == settings / "openmisto_media"  # the default schema


def test_photo_is_copied_and_linked_public_or_internal(store, tmp_path):
    photo = jpeg_with_exif(tmp_path / "яма.JPG")
    internal = officer_response.respond(store, ROADS, "3", "in_progress", "Виїхали на місце", photo_path=photo)
    assert internal.attachment.local_path.parent == media.media_folder(store.path)
    copied = internal.attachment.local_path.read_bytes()
    assert copied.startswith(b"\xff\xd8") and b"Exif" in photo.read_bytes() and b"Exif" not in copied
    assert internal.attachment.link.startswith("file://") and not internal.attachment.public
    entry = next(e for e in store.outbox_entries() if e.update_id == internal.update_id)
    assert "media_url" not in entry.payload  # the platform takes http(s) links only
    assert outbox_view.history(store, "3")[-1]["media_url"] == internal.attachment.link
    assert "Photo" not in internal.preview

    media.set_media_base_url(store, "https://misto.pokrov.example/media/")
    public = officer_response.respond(store, ROADS, "3", "fixed", "Яму залатано", photo_path=photo)
    assert public.attachment.public
    assert public.attachment.link == "https://misto.pokrov.example/media/" + public.attachment.local_path.name
    entry = next(e for e in store.outbox_entries() if e.update_id == public.update_id)
    assert entry.payload["media_url"] == public.attachment.link
    assert public.attachment.link in public.preview
    assert b"Exif" not in public.attachment.local_path.read_bytes()  # no GPS, no device on the web
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff not a picture")
    with pytest.raises(wf.WorkflowError, match="metadata"):  # published only when it can be cleaned
        media.attach_photo(store.path, "3", broken, base_url="https://misto.pokrov.example/media/")
    assert media.attach_photo(store.path, "3", broken).local_path.read_bytes() == broken.read_bytes()  # internal
    with pytest.raises(wf.WorkflowError):
        media.set_media_base_url(store, "ftp://x")
    text_file = tmp_path / "notes.txt"
    text_file.write_text("x")
    with pytest.raises(wf.WorkflowError, match="not a photo"):
        media.attach_photo(store.path, "3", text_file)


def test_citizen_preview_is_plain_text_of_what_the_citizen_sees(store):
    report = store.report("3")
    text = officer_response.citizen_preview(report, "fixed", "<b>Яму</b> залатано", None, "https://x/1.jpg")
    assert text.splitlines() == [
        "Report No. 3: Ями на дорозі",
        "Address: вул. Центральна, 12",
        "Status: Resolved",
        "",
        "The city's answer:",
        "<b>Яму</b> залатано",
        "",
        "Photo: https://x/1.jpg",
    ]


# -- outbox view -------------------------------------------------------------------------------------------------


def test_outbox_rows_explain_states(store):
    uid = wf.assign(store, MODERATOR, ["1"], "roads").update_ids["1"]
    rows = outbox_view.outbox_rows(store)
    assert rows[0].state == "pending" and "department → roads" in rows[0].change
    assert rows[0].explanation == "Saved here; sent at the next synchronisation."
    store.mark_outbox_refused(uid, "Officers of 'ujkg' may update only their department's reports.", 403)
    row = outbox_view.outbox_rows(store)[0]
    assert row.state_label == "Refused by the platform"
    assert "no right" in row.explanation and "Officers of 'ujkg'" in row.explanation
    assert store.report("1")["external_status_code"] == "for_triage"  # the platform's value again
    assert outbox_view.retry_now(store, [uid]) == 1  # queued again as a new change
    pending = store.outbox_entries(["pending"])
    assert len(pending) == 1 and pending[0].update_id != uid and pending[0].payload["agency_responsible"] == "roads"
    assert store.report("1")["agency_responsible"] == "roads"
    # A platform that cannot be reached: the officer reads that the change is safe, not the transport's words.
    store.mark_outbox_failed(pending[0].update_id, "[unreachable] POST http://127.0.0.1:9/requests: refused", None)
    waiting = outbox_view.outbox_rows(store)[0]
    assert waiting.state == "pending" and "as soon as the platform is reachable" in waiting.explanation
    assert "unreachable" not in waiting.explanation and "http" not in waiting.explanation
    outbox_view.drop(store, pending[0].update_id)
    assert store.outbox_entries() == [] and store.report("1")["agency_responsible"] is None
    assert outbox_view.outbox_counts(store) == {"pending": 0, "sent": 0, "refused": 0, "conflict": 0}


# -- end to end against the reference server ---------------------------------------------------------------------


def _points_in_district(server, code: str, n: int, seed: int = 7) -> list[tuple[float, float]]:
    with server.db() as conn:
        ring = json.loads(conn.execute("SELECT ring_json FROM districts WHERE code = ?", (code,)).fetchone()[0])
    polygon = QgsGeometry.fromPolygonXY([[QgsPointXY(x, y) for x, y in ring]])
    box = polygon.boundingBox()
    rng = random.Random(seed)
    points: list[tuple[float, float]] = []
    while len(points) < n:
        x = rng.uniform(box.xMinimum(), box.xMaximum())
        y = rng.uniform(box.yMinimum(), box.yMaximum())
        if polygon.buffer(-0.0005, 4).contains(QgsGeometry.fromPointXY(QgsPointXY(x, y))):
            points.append((y, x))
    return points


def submit_reports(server, district: str, n: int, service_code: str = "roads.pothole") -> list[str]:
    """Citizens submit ``n`` reports in ``district`` (anonymous POST requests)."""
    citizen = Open311Client(server.base_url, retries=0)
    ids = []
    for number, (lat, long) in enumerate(_points_in_district(server, district, n)):
        answer = citizen.post_request(
            {"service_code": service_code, "lat": lat, "long": long, "description": f"Яма на дорозі №{number}"}
        )
        ids.append(str(answer["service_request_id"]))
    return ids


def workspace(server, key: str, path: Path) -> tuple[GeoPackageStore, SyncEngine]:
    store = GeoPackageStore.create(str(path))
    engine = SyncEngine(store, Open311Client(server.base_url, api_key=key, retries=1))
    engine.pull(full=True)
    return store, engine


def api_updates(server, ids) -> list[tuple[str, str, str, str]]:
    """(service_request_id, update_id, external_status_code, author) of the updates made through the API."""
    marks = ",".join("?" * len(ids))
    with server.db() as conn:
        rows = conn.execute(
            "SELECT service_request_id, update_id, external_status_code, author FROM updates"
            f" WHERE origin = 'api' AND service_request_id IN ({marks}) ORDER BY seq",
            [int(i) for i in ids],
        ).fetchall()
    return [(str(a), b, c, d) for a, b, c, d in rows]


def test_end_to_end_moderator_bulk_assigns_officer_responds_other_department_refused(fresh_refserver, tmp_path):
    server = fresh_refserver
    ids = submit_reports(server, "tsentralnyi", 50)

    # The moderator: the queue shows the new reports oldest first; accept all, bulk-assign by the rules.
    mod_store, mod_sync = workspace(server, server.keys["moderator"], tmp_path / "moderator.gpkg")
    queue = moderation.moderation_queue(mod_store)
    queued = [q.service_request_id for q in queue if q.service_request_id in ids]
    assert queued == ids  # submitted in this order: oldest first
    assert {mod_store.report(i)["district"] for i in ids} == {"tsentralnyi"}
    for sid in ids:
        wf.accept(mod_store, MODERATOR, sid)
    routing_storage.import_routing_json(mod_store, ROUTING_EXAMPLE)
    suggestions = autoassign.suggest_departments(mod_store, ids)
    assert {s.department for s in suggestions.values()} == {"roads"}
    result = wf.assign(mod_store, MODERATOR, ids, {sid: s.department for sid, s in suggestions.items()})
    assert result.assigned == 50 and not result.skipped
    pushed = mod_sync.push()
    assert (pushed.sent, pushed.refused, pushed.conflicts, pushed.retry_later) == (100, 0, 0, 0)

    # An officer of roads sees them and responds to each.
    roads_store, roads_sync = workspace(server, server.keys["officer:roads"], tmp_path / "roads.gpkg")
    assert all(roads_store.report(i)["external_status_code"] == "action_scheduled" for i in ids)
    responses = {}
    for n, sid in enumerate(ids):
        if n % 3 == 0:
            officer_response.respond(roads_store, ROADS, sid, "fixed", f"Яму №{n} залатано")
            responses[sid] = "fixed"
        elif n % 3 == 1:
            planned = date.today() + timedelta(days=5)
            officer_response.respond(
                roads_store, ROADS, sid, "planned", "Після поставки асфальту", planned_date=planned
            )
            responses[sid] = "planned"
        else:
            officer_response.respond(roads_store, ROADS, sid, "in_progress")
            responses[sid] = "in_progress"
    pushed = roads_sync.push()
    assert (pushed.sent, pushed.refused, pushed.conflicts) == (50, 0, 0)
    assert roads_sync.push().sent == 0  # nothing twice

    # The platform shows each change exactly once, in order, by the right author.
    local_ids = {e.update_id for e in mod_store.outbox_entries(["sent"])} | {
        e.update_id for e in roads_store.outbox_entries(["sent"])
    }
    updates = api_updates(server, ids)
    assert len(updates) == 150 and {u[1] for u in updates} == local_ids
    stats = server.stats()
    assert all(stats["applied"][uid] == 1 for uid in local_ids)
    for sid in ids:
        codes = [(code, author) for rid, _u, code, author in updates if rid == sid]
        assert codes == [
            ("investigating", "moderator"),
            ("action_scheduled", "moderator"),
            (responses[sid], "officer:roads"),
        ]
    with server.db() as conn:
        rows = dict(
            conn.execute(
                f"SELECT id, external_status_code FROM requests WHERE id IN ({','.join('?' * len(ids))})",
                [int(i) for i in ids],
            ).fetchall()
        )
    assert {str(k): v for k, v in rows.items()} == responses

    # The history after a pull: received, accepted, assigned, the response — each once, with its author.
    mod_sync.pull()
    history = outbox_view.history(mod_store, ids[0])
    assert [h["external_status_code"] for h in history] == ["for_triage", "investigating", "action_scheduled", "fixed"]
    assert len({h["update_id"] for h in history}) == 4
    assert [h["author"] for h in history[1:3]] == ["moderator", "moderator"]

    # An officer of another department: refused locally, in words...
    with pytest.raises(wf.WorkflowError) as err:
        officer_response.respond(mod_store, UJKG, ids[2], "fixed", "Не наше")
    assert "roads" in str(err.value) and "ujkg" in str(err.value)
    # ...and by the platform (403), explained to the user.
    ujkg = Open311Client(server.base_url, api_key=server.keys["officer:ujkg"], retries=0)
    with pytest.raises(Open311Error) as refused:
        ujkg.post_update({"service_request_id": ids[2], "external_status_code": "fixed", "description": "x"})
    assert refused.value.kind == "forbidden" and refused.value.http_status == 403
    message = refused.value.user_message()
    assert "refused" in message and "roads" in message and "Traceback" not in message

    # A stale workspace: the moderator moves a report to ujkg; the roads officer still has it as theirs.
    moved = ids[2]
    wf.assign(mod_store, MODERATOR, [moved], "ujkg")
    assert mod_sync.push().sent == 1
    officer_response.respond(roads_store, ROADS, moved, "fixed", "Залатали")
    pushed = roads_sync.push()
    assert (pushed.sent, pushed.refused) == (0, 1)
    row = outbox_view.outbox_rows(roads_store, ["refused"])[0]
    assert row.service_request_id == moved and row.http_status == 403
    assert "no right" in row.explanation and "assigned to ujkg" in row.explanation
    assert api_updates(server, [moved])[-1][2] == "action_scheduled"  # nothing applied
    mod_store.close()
    roads_store.close()


def test_recategorise_reaches_the_platform_as_an_update(fresh_refserver, tmp_path):
    server = fresh_refserver
    [sid] = submit_reports(server, "molodizhnyi", 1, "green.trees")
    store, sync = workspace(server, server.keys["moderator"], tmp_path / "m.gpkg")
    uid = wf.recategorise(store, MODERATOR, sid, "roads.pothole")
    assert sync.push().sent == 1
    updates = api_updates(server, [sid])
    assert [u[1] for u in updates] == [uid]
    with server.db() as conn:
        notes = conn.execute("SELECT status_notes FROM requests WHERE id = ?", (int(sid),)).fetchone()[0]
    assert "Ями на дорозі" in notes or "roads.pothole" in notes
    store.close()


def test_end_to_end_duplicate_links_to_the_original(fresh_refserver, tmp_path):
    server = fresh_refserver
    first, second = submit_reports(server, "skhidnyi", 2)
    store, sync = workspace(server, server.keys["moderator"], tmp_path / "m.gpkg")
    wf.mark_duplicate(store, MODERATOR, second, first)
    assert sync.push().sent == 1
    with server.db() as conn:
        code, original = conn.execute(
            "SELECT external_status_code, duplicate_of FROM requests WHERE id = ?", (int(second),)
        ).fetchone()
    assert (code, str(original)) == ("duplicate", first)
    sync.pull()
    assert store.report(second)["duplicate_of"] == first
    assert [h["external_status_code"] for h in outbox_view.history(store, second)] == ["for_triage", "duplicate"]
    store.close()
