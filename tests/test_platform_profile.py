"""The platform profile: probed at Test connection against a real server, kept in both workspace backends."""

from __future__ import annotations

from pathlib import Path

from openmisto_plugin.core.open311.client import Open311Client, without_key
from openmisto_plugin.core.open311.probe import probe
from openmisto_plugin.core.open311.profile import NO, PAGING_NEXT_URL, UNKNOWN, YES, PlatformProfile
from openmisto_plugin.core.store.gpkg import GeoPackageStore


def test_reference_server_offers_every_feature(refserver) -> None:
    client = Open311Client(refserver.base_url, api_key=refserver.keys["moderator"], fmt="auto", retries=0)
    profile = probe(client)
    assert (profile.json, profile.xml, profile.format) == (YES, YES, "json")
    assert profile.paging == PAGING_NEXT_URL
    assert profile.updated_after == YES
    assert profile.extensions == YES
    assert profile.history == YES
    assert profile.write_back == YES  # the POST naming no report answered 400: the call exists
    assert "400" in profile.evidence["write_back"]
    assert profile.districts == profile.departments == profile.discovery == YES
    assert profile.jurisdiction_needed == NO
    assert profile.missing() == []
    assert profile.accepts_responses and profile.dock_notice() == ""


def test_probe_changes_nothing_on_the_platform(fresh_refserver) -> None:
    client = Open311Client(fresh_refserver.base_url, api_key=fresh_refserver.keys["moderator"], retries=0)
    before = fresh_refserver.stats()["applied_total"]
    probe(client)
    assert fresh_refserver.stats()["applied_total"] == before


def test_test_connection_lists_the_profile(refserver) -> None:
    client = Open311Client(refserver.base_url, api_key=refserver.keys["viewer"], retries=0)
    text = client.test_connection()
    assert client.profile is not None
    for line in client.profile.lines():
        assert line in text
    assert refserver.keys["viewer"] not in text + client.profile.to_json()


def test_profile_round_trip_and_unknown_keys() -> None:
    profile = PlatformProfile(base_url="http://x/", paging="none", result_cap=50, write_back=NO)
    profile.note("history", NO, "GET http://x/servicerequestupdates.json answered 404: Not Found")
    again = PlatformProfile.from_json(profile.to_json().replace('"json":', '"from_the_future": 1, "json":'))
    assert again == profile
    assert again.missing() == ["history", "write_back"]
    assert "QGIS" in again.dock_notice()
    assert PlatformProfile.from_json("not json") is None and PlatformProfile.from_json(None) is None
    assert PlatformProfile().write_back == UNKNOWN


def _profile() -> PlatformProfile:
    profile = PlatformProfile(base_url="http://127.0.0.1/open311/v2/", format="xml", json=NO, xml=YES)
    profile.note("write_back", NO, "POST http://127.0.0.1/open311/v2/servicerequestupdates.xml answered 404")
    return profile


def test_gpkg_store_keeps_the_profile(tmp_path: Path) -> None:
    path = tmp_path / "w.gpkg"
    with GeoPackageStore.create(path) as store:
        assert store.platform_profile() is None
        store.save_platform_profile(_profile())
    with GeoPackageStore.open(path) as store:
        assert store.platform_profile() == _profile()


def test_postgis_store_keeps_the_profile(pg_store) -> None:
    assert pg_store.platform_profile() is None
    pg_store.save_platform_profile(_profile())
    assert pg_store.platform_profile() == _profile()


def test_messages_never_show_the_key() -> None:
    url = "http://h/open311/v2/requests.json?page=2&api_key=s3cret&page_size=5"
    assert without_key(url) == "http://h/open311/v2/requests.json?page=2&page_size=5"
    assert without_key("http://h/x.json?api_key=s3cret") == "http://h/x.json"


def test_push_side_updates_the_stored_flag(tmp_path: Path) -> None:
    from openmisto_plugin.core.open311.profile import update_stored

    with GeoPackageStore.create(tmp_path / "w.gpkg") as store:
        store.save_platform_profile(_profile())
        kept = update_stored(store, "http://127.0.0.1/open311/v2/", write_back=(YES, "POST … answered 200"))
        assert store.platform_profile().write_back == YES == kept.write_back
        assert store.platform_profile().format == "xml"  # the rest stays
        other = update_stored(store, "http://elsewhere/open311/v2/", history=(NO, None))
        assert other.base_url == "http://elsewhere/open311/v2/" and other.write_back == UNKNOWN
