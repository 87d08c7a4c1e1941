"""PostGIS store benchmark: a full sync into PostGIS against GeoPackage and ``ogr2ogr -f PostgreSQL``, then
8 concurrent clients recording 1 000 responses (and pushing them through the shared outbox).

Usage: ``.venv/bin/python bench/bench_postgis.py [--reports 100000] [--clients 8] [--responses 1000]``

Starts its own PostgreSQL with ``tools/pg-start.sh`` (durable settings: fsync on) and its own reference
server on a generated city; stops both at the end. Times are wall-clock on whatever machine runs it.

1. Full sync (``SyncEngine.pull(full=True)``, HTTP + parsing + store) of N reports into a new PostGIS
   workspace and into a new GeoPackage; then the store alone (``upsert_requests`` of the same reports
   in pages of 1 000) into both, and ``ogr2ogr -f PostgreSQL`` of a GeoJSON of the same reports (one
   transaction, COPY, GiST index) as the reference. Ratios: PostGIS / GeoPackage, PostGIS / ogr2ogr.
2. ``--clients`` clients (threads, one connection each) record ``--responses`` responses in total on
   random open reports with optimistic locking (a conflict is re-read and applied again, as a user
   would); then the same clients push the shared outbox at once. Checked: every response is in the
   outbox and the history exactly once, each report's version grew by its number of responses, the
   platform applied every update_id exactly once and saw no replay.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qgis.core import QgsApplication  # noqa: E402

PAGE = 1000


def timed(label: str, fn, *args, **kw) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn(*args, **kw)
    elapsed = time.perf_counter() - start
    print(f"  {label:<58} {elapsed:8.2f} s", flush=True)
    return elapsed, value


def engine_for(store, client, **kw):
    from openmisto_plugin.core.sync import SyncEngine

    return SyncEngine(store, client, **kw)


def write_geojson(store, path: Path) -> int:
    """The synced reports as a GeoJSON FeatureCollection (the same columns the store keeps)."""
    from openmisto_plugin.core.store.base import PLATFORM_COLUMNS

    cols = ["service_request_id", *PLATFORM_COLUMNS]
    rows = store.query(f"SELECT {', '.join(cols)} FROM reports ORDER BY fid")
    with path.open("w", encoding="utf-8") as out:
        out.write('{"type":"FeatureCollection","features":[\n')
        for n, row in enumerate(rows):
            feature = {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [row["long"], row["lat"]]},
                "properties": row,
            }
            out.write(("," if n else "") + json.dumps(feature, ensure_ascii=False) + "\n")
        out.write("]}\n")
    return len(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--responses", type=int, default=1000)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory and the cluster")
    args = parser.parse_args(argv)

    app = QgsApplication([], False)
    app.initQgis()
    from openmisto_plugin.core.open311.client import Open311Client
    from openmisto_plugin.core.store import GeoPackageStore
    from openmisto_plugin.core.store.postgis import PostGisStore, VersionConflictError
    from openmisto_plugin.core.sync import FULL_START
    from server.generate import generate
    from tests.fixtures_postgis import pg_admin, start_cluster, stop_cluster
    from tests.fixtures_server import start_refserver

    work = Path(tempfile.mkdtemp(prefix="openmisto-bench-pg-"))
    print(f"Benchmark: {args.reports} reports, {args.clients} clients, {args.responses} responses ({work})")
    cluster = start_cluster(fast=False)
    server = None
    try:
        info = cluster.info
        db_path = work / "server.sqlite"
        timed(f"generate the city ({args.reports} reports)", generate, db_path, reports=args.reports, seed=args.seed)
        server = start_refserver(db_path, work / "server.log", test_hooks=True)

        def client(key: str = "moderator-key") -> Open311Client:
            return Open311Client(server.base_url, api_key=key, page_size=PAGE, retries=2)

        print("1. Full sync and bulk store")
        pg = PostGisStore.create(info.with_schema("bench_sync"))
        t_pg_sync, pulled = timed("sync -> PostGIS (HTTP + parse + store)", engine_for(pg, client()).pull, full=True)
        gpkg = GeoPackageStore.create(str(work / "bench.gpkg"))
        t_gpkg_sync, pulled_gpkg = timed(
            "sync -> GeoPackage (HTTP + parse + store)", engine_for(gpkg, client()).pull, full=True
        )
        assert pulled.new == pg.count() == pulled_gpkg.new == gpkg.count(), (pulled.new, pulled_gpkg.new)

        # the store alone, the same reports, pages of 1 000
        requests = []
        for page in client().iter_request_pages(start_date=FULL_START, extensions=True):
            requests.extend(page.requests)
        pg_bulk = PostGisStore.create(info.with_schema("bench_bulk"))
        gpkg_bulk = GeoPackageStore.create(str(work / "bulk.gpkg"))

        def bulk(store) -> None:
            for start in range(0, len(requests), PAGE):
                store.upsert_requests(requests[start : start + PAGE])

        t_pg_store, _ = timed(f"store only -> PostGIS ({len(requests)} reports, 1 000 per transaction)", bulk, pg_bulk)
        t_gpkg_store, _ = timed("store only -> GeoPackage (same)", bulk, gpkg_bulk)
        t_pg_resync, _ = timed("store only -> PostGIS again, all unchanged", bulk, pg_bulk)

        geojson = work / "reports.geojson"
        write_geojson(pg, geojson)
        conn = pg_admin(info)
        with conn.cursor() as cur:
            cur.execute("CREATE SCHEMA bench_ogr")
        conn.close()
        dsn = f"PG:host={info.host} port={info.port} dbname={info.dbname} user={info.user}"
        command = [
            "ogr2ogr",
            "-f",
            "PostgreSQL",
            dsn,
            str(geojson),
            "-nln",
            "bench_ogr.reports",
            "-lco",
            "GEOMETRY_NAME=geom",
            "-lco",
            "FID=fid",
            "-lco",
            "SPATIAL_INDEX=GIST",
            "-gt",
            "unlimited",
        ]
        t_ogr, done = timed("ogr2ogr -f PostgreSQL (same reports, GeoJSON)", subprocess.run, command, check=False)
        if done.returncode != 0:
            raise RuntimeError("ogr2ogr failed")
        n_bulk = len(requests)
        print(
            f"  ratios: sync PostGIS/GeoPackage {t_pg_sync / t_gpkg_sync:.2f}; store PostGIS/GeoPackage "
            f"{t_pg_store / t_gpkg_store:.2f}; store PostGIS/ogr2ogr {t_pg_store / t_ogr:.2f}; "
            f"sync PostGIS/ogr2ogr {t_pg_sync / t_ogr:.2f}"
        )
        print(
            f"  PostGIS store: {n_bulk / t_pg_store:,.0f} reports/s new,"
            f" {n_bulk / t_pg_resync:,.0f} reports/s unchanged"
        )

        print(f"2. {args.clients} clients, {args.responses} responses on one workspace")
        ws = info.with_schema("bench_sync")
        open_ids = [
            r["service_request_id"] for r in pg.query("SELECT service_request_id FROM reports WHERE status = 'open'")
        ]
        rng = random.Random(args.seed)
        targets = [rng.choice(open_ids[:500]) for _ in range(args.responses)]  # 500 hot reports: real contention
        before = {
            r["service_request_id"]: r["version"] for r in pg.query("SELECT service_request_id, version FROM reports")
        }
        per_client = [targets[k :: args.clients] for k in range(args.clients)]
        clients = [PostGisStore.open(ws) for _ in range(args.clients)]
        conflicts = Counter()
        barrier = threading.Barrier(args.clients)

        def record(k: int) -> list[str]:
            store = clients[k]
            made = []
            barrier.wait()
            for n, rid in enumerate(per_client[k]):
                fields = {"external_status_code": "in_progress", "description": f"Клієнт {k}, відповідь {n}"}
                while True:
                    version = store.report(rid)["version"]
                    try:
                        made.append(store.record_local_update(rid, fields, f"officer{k}", base_version=version))
                        break
                    except VersionConflictError:
                        conflicts[k] += 1  # read again and re-apply, as the user would
            return made

        with ThreadPoolExecutor(args.clients) as pool:
            t_record, made = timed(
                f"record {args.responses} responses, {args.clients} clients at once",
                lambda: list(pool.map(record, range(args.clients))),
            )
        update_ids = [u for m in made for u in m]
        outbox = pg.outbox_entries()
        local = pg.query("SELECT update_id FROM request_updates WHERE origin = 'local'")
        after = {
            r["service_request_id"]: r["version"] for r in pg.query("SELECT service_request_id, version FROM reports")
        }
        grown = sum(after[r] - before[r] for r in after)
        lost = args.responses - len(set(update_ids) & {e.update_id for e in outbox})
        duplicated = (
            len(outbox) - len({e.update_id for e in outbox}) + (len(local) - len({r["update_id"] for r in local}))
        )
        assert len(update_ids) == args.responses and grown == args.responses, (len(update_ids), grown)
        assert lost == 0 and duplicated == 0 and len(outbox) == args.responses
        print(
            f"  {args.responses / t_record:,.0f} responses/s; lost {lost}, duplicated {duplicated}; "
            f"optimistic-lock conflicts re-applied: {sum(conflicts.values())}; versions grew by {grown}"
        )

        stats_before = server.stats()
        push_barrier = threading.Barrier(args.clients)

        def push(k: int) -> int:
            store = clients[k]
            engine = engine_for(store, client(), push_limit=1)
            push_barrier.wait()
            sent = 0
            while True:
                result = engine.push()
                sent += result.sent
                if result.sent == 0 and not store.pending_outbox(claim=False):
                    return sent
                if result.sent == 0:
                    time.sleep(0.01)  # the rest is leased by other clients

        with ThreadPoolExecutor(args.clients) as pool:
            t_push, sent = timed(
                f"push the shared outbox, {args.clients} clients at once",
                lambda: list(pool.map(push, range(args.clients))),
            )
        stats = server.stats()
        applied = {u: stats["applied"].get(u, 0) - stats_before["applied"].get(u, 0) for u in update_ids}
        twice = sum(1 for v in applied.values() if v > 1)
        missing = sum(1 for v in applied.values() if v == 0)
        replays = sum(stats["replayed"].values()) - sum(stats_before["replayed"].values())
        states = Counter(e.state for e in pg.outbox_entries())
        print(
            f"  {sum(sent) / t_push:,.0f} entries/s; per client {sent}; platform: missing {missing}, applied twice "
            f"{twice}, replays {replays}; outbox {dict(states)}"
        )
        for c in clients:
            c.close()
        for s in (pg, gpkg, pg_bulk, gpkg_bulk):
            s.close()
        ok = missing == 0 and twice == 0 and replays == 0 and states.get("sent") == args.responses
        print("OK" if ok else "FAILED")
        return 0 if ok else 1
    finally:
        if server is not None:
            server.stop()
        if not args.keep:
            stop_cluster(cluster)
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"kept {work} and the cluster {cluster.env.get('OPENMISTO_PG_DIR')}")


if __name__ == "__main__":
    sys.exit(main())
