"""Pokrov sample data generator: ``python -m server.generate --db PATH --reports N --seed S [--now ISO]``.

The same seed and ``--now`` give the same database, byte for byte in content. Reports are spread over the six
months before ``now`` (default: today 00:00 UTC) and carry consistent histories: received -> moderated ->
assigned -> the department's responses. Some are overdue, some duplicates, some hidden spam, and a few
descriptions hold a phone number or a name (for anonymisation tests).
"""

from __future__ import annotations

import argparse
import bisect
import json
import math
import os
import random
import sqlite3
import time
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

from . import db, pokrov_data
from .timefmt import KYIV, parse_param

DEFAULT_SEED = 311
DEFAULT_REPORTS = 3000
HISTORY_DAYS = 182
DAY = 86400
HOUR = 3600
ROUTING_EXAMPLE = Path(__file__).resolve().parent / "data" / "routing_example.json"

# Final status a report is heading for (recent reports stop earlier: nothing happens after "now").
TARGET_WEIGHTS: dict[str, float] = {
    "fixed": 36,
    "action_scheduled": 9,
    "in_progress": 8,
    "planned": 5,
    "no_further_action": 5,
    "not_councils_responsibility": 6,
    "duplicate": 5,
    "hidden": 4,
    "investigating": 3,
    "for_triage": 2,
}
OPEN_TARGETS = frozenset({"for_triage", "investigating", "action_scheduled", "in_progress", "planned"})
# Older reports are mostly settled: the chance that one is still open falls after this many days...
SETTLE_AFTER_DAYS = 10
SETTLE_SCALE_DAYS = 12
# ...down to this floor, which keeps a realistic tail of long-overdue reports.
STILL_OPEN_FLOOR = 0.07
# Share of the reports still waiting for the moderator that repeat an earlier report (same category, a few metres,
# within 30 days) nobody has marked yet: what the Duplicates dialog finds at its default 50 m / 30 days.
PENDING_DUPLICATE_SHARE = 0.3
# Categories that only come up in their season (months).
SEASONS: dict[str, frozenset[int]] = {
    "roads.snow": frozenset({11, 12, 1, 2, 3}),
    "housing.heating": frozenset({10, 11, 12, 1, 2, 3, 4}),
    "green.grass": frozenset({4, 5, 6, 7, 8, 9, 10}),
}


@dataclass(frozen=True)
class Step:
    """One entry in a report's history."""

    code: str
    ts: int
    author: str
    agency: str | None
    text: str
    media_url: str | None = None
    planned_ts: int | None = None


@dataclass(frozen=True)
class Placed:
    """What a later duplicate needs to know about an earlier report."""

    service_code: str
    lat: float
    long: float
    district: str
    address: str
    code: str = ""  # the report's status now (a pending duplicate never copies a closed-as-duplicate one)


def default_now() -> datetime:
    """Today 00:00 UTC."""
    today = datetime.now(timezone.utc).date()
    return datetime(today.year, today.month, today.day, tzinfo=timezone.utc)


def db_time(ts: int) -> str:
    """Epoch seconds -> database text."""
    t = time.gmtime(ts)
    return f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}T{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d}.000Z"


class KyivClock:
    """Kyiv offsets by UTC day (cached): good enough to place generated events in working hours."""

    def __init__(self) -> None:
        self._offsets: dict[int, int] = {}

    def offset(self, ts: int) -> int:
        day = ts // DAY
        if day not in self._offsets:
            moment = datetime.fromtimestamp(day * DAY + 12 * HOUR, KYIV)
            self._offsets[day] = int(moment.utcoffset().total_seconds())
        return self._offsets[day]

    def working_time(self, ts: int, rng: random.Random) -> int:
        """Move ``ts`` into Monday-Friday 08:00-17:00 Kyiv time (next working morning if outside)."""
        offset = self.offset(ts)
        local = ts + offset
        day, seconds = divmod(local, DAY)
        weekday = (day + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
        if weekday < 5 and 8 * HOUR <= seconds < 17 * HOUR:
            return ts
        if weekday < 5 and seconds < 8 * HOUR:
            target_day = day
        else:
            target_day = day + 1
            while (target_day + 3) % 7 >= 5:
                target_day += 1
        return target_day * DAY + 8 * HOUR + rng.randrange(0, 3 * HOUR, 60) - offset


class Geometry:
    """District polygons and point sampling inside them."""

    def __init__(self, rng: random.Random) -> None:
        self.districts = pokrov_data.district_rings()
        self.weights = [weight for *_, weight in self.districts]
        self.hotspots: dict[str, list[tuple[float, float]]] = {}
        for code, _name, ring, _weight in self.districts:
            self.hotspots[code] = [self._uniform_point(ring, rng) for _ in range(3)]

    @staticmethod
    def contains(ring: list[tuple[float, float]], lon: float, lat: float) -> bool:
        """Even-odd ray casting."""
        inside = False
        for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
            if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
                inside = not inside
        return inside

    def ring(self, code: str) -> list[tuple[float, float]]:
        return next(ring for c, _n, ring, _w in self.districts if c == code)

    def _uniform_point(self, ring: list[tuple[float, float]], rng: random.Random) -> tuple[float, float]:
        xs, ys = [p[0] for p in ring], [p[1] for p in ring]
        while True:
            lon, lat = rng.uniform(min(xs), max(xs)), rng.uniform(min(ys), max(ys))
            if self.contains(ring, lon, lat):
                return lon, lat

    def point(self, rng: random.Random) -> tuple[str, float, float]:
        """A district and a point inside it (clustered around a few hotspots for a readable heat map)."""
        code, _name, ring, _weight = rng.choices(self.districts, weights=self.weights)[0]
        if rng.random() < 0.45:
            hot_lon, hot_lat = rng.choice(self.hotspots[code])
            for _ in range(10):
                lon, lat = rng.gauss(hot_lon, 0.0022), rng.gauss(hot_lat, 0.0015)
                if self.contains(ring, lon, lat):
                    return code, round(lat, 6), round(lon, 6)
        lon, lat = self._uniform_point(ring, rng)
        return code, round(lat, 6), round(lon, 6)

    def near(self, place: Placed, rng: random.Random) -> tuple[float, float]:
        """A point a few metres from ``place``, inside the same district."""
        ring = self.ring(place.district)
        for _ in range(10):
            lat, lon = place.lat + rng.uniform(-0.0002, 0.0002), place.long + rng.uniform(-0.0003, 0.0003)
            if self.contains(ring, lon, lat):
                return round(lat, 6), round(lon, 6)
        return place.lat, place.long


class ReportFactory:
    """Builds reports and their histories, one after the other, from one random stream."""

    def __init__(self, rng: random.Random, now_ts: int) -> None:
        self.rng = rng
        self.now_ts = now_ts
        self.clock = KyivClock()
        self.geometry = Geometry(rng)
        self.categories = pokrov_data.CATEGORIES
        self.category_weights = [c[6] for c in self.categories]
        self.department_of = {c[0]: c[3] for c in self.categories}
        self.department_names = {d[0]: d[1] for d in pokrov_data.DEPARTMENTS}
        self.department_codes = [d[0] for d in pokrov_data.DEPARTMENTS]
        self.targets = list(TARGET_WEIGHTS)
        self.target_weights = list(TARGET_WEIGHTS.values())
        self.placed: list[Placed] = []
        self.requested: list[int] = []
        # Its own stream: the pending duplicates change only the reports they touch, not the rest of the data.
        seed = rng.getstate()[1][0]
        self.duplicate_rng = random.Random(seed)  # noqa: S311 - reproducible sample data, not secrets  # nosec B311

    # -- pieces of a report ---------------------------------------------------------------------------------
    def requested_times(self, count: int) -> list[int]:
        """Submission times over the last six months, mostly in the daytime, sorted."""
        rng, start = self.rng, self.now_ts - HISTORY_DAYS * DAY
        times = []
        for _ in range(count):
            day = start // DAY + rng.randrange(HISTORY_DAYS)
            local_seconds = rng.randrange(7 * HOUR, 22 * HOUR) if rng.random() < 0.85 else rng.randrange(DAY)
            ts = day * DAY + local_seconds
            ts -= self.clock.offset(ts)
            times.append(min(max(ts, start), self.now_ts - 60))
        times.sort()
        return times

    def category(self, ts: int) -> tuple:
        month = time.gmtime(ts).tm_mon
        for _ in range(6):
            category = self.rng.choices(self.categories, weights=self.category_weights)[0]
            if month in SEASONS.get(category[0], frozenset(range(1, 13))):
                return category
        return category

    def contact(self) -> tuple[str | None, str | None, str | None, str | None]:
        rng = self.rng
        if rng.random() < 0.15:
            return None, None, None, None
        first, first_lat = rng.choice(pokrov_data.FIRST_NAMES)
        last, last_lat = rng.choice(pokrov_data.LAST_NAMES)
        email = f"{first_lat}.{last_lat}{rng.randrange(10, 99)}@mail.example" if rng.random() < 0.8 else None
        phone = f"+380{rng.choice(pokrov_data.PHONE_PREFIXES)}{rng.randrange(1000000, 9999999)}"
        phone = phone if rng.random() < 0.6 else None
        return first, last, email, phone

    def description(self, service_code: str, house: str, spam: bool, contact: tuple) -> str:
        rng = self.rng
        if spam:
            return rng.choice(pokrov_data.SPAM_TEXTS)
        text = rng.choice(pokrov_data.PROBLEMS[service_code]).format(house=house)
        if rng.random() < 0.6:
            text += " " + rng.choice(pokrov_data.ADDITIONS)
        first, last, _email, phone = contact
        chance = rng.random()
        if chance < 0.03 and phone:
            text += f" Мій телефон {phone}, телефонуйте у будь-який час."
        elif chance < 0.06 and first:
            text = f"Звертаюся я, {last} {first}, мешкаю в будинку {house}. " + text
        return text

    # -- history --------------------------------------------------------------------------------------------
    def answer(self, code: str, **values: object) -> str:
        return self.rng.choice(pokrov_data.ANSWERS[code]).format(**values)

    def history(self, report_id: int, t0: int, target: str, department: str, original: int | None) -> list[Step]:
        """Steps from submission towards ``target``; steps after ``now`` are dropped."""
        rng, work = self.rng, self.clock.working_time
        officer = f"officer:{department}"
        steps = [Step("for_triage", t0, "platform", None, pokrov_data.RECEIVED_TEXT)]
        moderated = work(t0 + rng.randrange(HOUR, 30 * HOUR), rng)
        if target == "for_triage":
            pass
        elif target in ("hidden", "duplicate") or (target == "not_councils_responsibility" and rng.random() < 0.5):
            text = self.answer(target, original=original)
            steps.append(Step(target, moderated, "moderator", None, text))
        else:
            accepted_first = target == "investigating" or rng.random() < 0.7
            if accepted_first:
                steps.append(Step("investigating", moderated, "moderator", None, self.answer("investigating")))
            if target != "investigating":
                assigned = work(moderated + (rng.randrange(HOUR, 2 * DAY) if accepted_first else 0), rng)
                if rng.random() < 0.06:  # first sent to the wrong department, then reassigned
                    wrong = rng.choice([d for d in self.department_codes if d != department])
                    text = self.answer("action_scheduled", department=self.department_names[wrong])
                    steps.append(Step("action_scheduled", assigned, "moderator", wrong, text))
                    assigned = work(assigned + rng.randrange(4 * HOUR, 3 * DAY), rng)
                text = self.answer("action_scheduled", department=self.department_names[department])
                steps.append(Step("action_scheduled", assigned, "moderator", department, text))
                steps += self.responses(report_id, assigned, target, department, officer)
        return self.until_now(steps)

    def responses(self, report_id: int, assigned: int, target: str, department: str, officer: str) -> list[Step]:
        """The department's steps after an assignment."""
        rng, work = self.rng, self.clock.working_time
        steps: list[Step] = []
        if target == "action_scheduled":
            return steps
        t = assigned
        if target == "in_progress" or (target in ("fixed", "no_further_action", "planned") and rng.random() < 0.5):
            t = work(t + rng.randrange(2 * HOUR, 8 * DAY), rng)
            steps.append(Step("in_progress", t, officer, department, self.answer("in_progress")))
        if target == "planned" or (target == "fixed" and rng.random() < 0.15):
            t = work(t + rng.randrange(HOUR, 6 * DAY), rng)
            planned = work(t + rng.randrange(5 * DAY, 40 * DAY), rng)
            text = self.answer("planned", planned=time.strftime("%d.%m.%Y", time.gmtime(planned)))
            steps.append(Step("planned", t, officer, department, text, planned_ts=planned))
        if target in ("fixed", "no_further_action", "not_councils_responsibility"):
            slow = rng.random() < 0.25  # answered after the Procedure's deadline
            t = work(t + rng.randrange(HOUR, (30 if slow else 12) * DAY), rng)
            text = self.answer(target, date=time.strftime("%d.%m.%Y", time.gmtime(t)))
            media = None
            if target == "fixed" and rng.random() < 0.3:
                media = f"{pokrov_data.MEDIA_BASE_URL}{report_id}-fixed.jpg"
            steps.append(Step(target, t, officer, department, text, media_url=media))
        return steps

    def until_now(self, steps: list[Step]) -> list[Step]:
        """Keep the steps that already happened, each strictly after the previous one."""
        kept = [steps[0]]
        for step in steps[1:]:
            ts = max(step.ts, kept[-1].ts + 60)
            if ts > self.now_ts:
                break
            kept.append(step if ts == step.ts else replace(step, ts=ts))
        return kept

    # -- one report -----------------------------------------------------------------------------------------
    def still_open_chance(self, t0: int) -> float:
        """How likely a report made at ``t0`` is still open now: old reports are mostly closed."""
        age_days = (self.now_ts - t0) / DAY
        return max(STILL_OPEN_FLOOR, math.exp(-max(0.0, age_days - SETTLE_AFTER_DAYS) / SETTLE_SCALE_DAYS))

    def original_for(self, t0: int) -> int | None:
        """An earlier report (within 30 days) for a duplicate, or ``None``."""
        count = len(self.requested)
        low = bisect.bisect_left(self.requested, t0 - 30 * DAY, 0, count)
        if low >= count:
            return None
        return self.rng.randrange(low, count) + 1

    def pending_original(self, t0: int) -> Placed | None:
        """An earlier report (same 30 days, not itself closed as a duplicate or hidden) that a report still waiting
        for the moderator repeats, for :data:`PENDING_DUPLICATE_SHARE` of those reports; else ``None``."""
        rng = self.duplicate_rng
        if rng.random() >= PENDING_DUPLICATE_SHARE:
            return None
        count = len(self.requested)
        low = bisect.bisect_left(self.requested, t0 - 30 * DAY, 0, count)
        choices = [p for p in self.placed[low:count] if p.code not in ("duplicate", "hidden")]
        return rng.choice(choices) if choices else None

    def report(self, report_id: int, t0: int) -> tuple[tuple, list[tuple]]:
        """One row for ``requests`` and its rows for ``updates``."""
        rng = self.rng
        target = rng.choices(self.targets, weights=self.target_weights)[0]
        if target in OPEN_TARGETS and rng.random() > self.still_open_chance(t0):
            target = "fixed" if rng.random() < 0.85 else "no_further_action"
        original = self.original_for(t0) if target == "duplicate" else None
        if target == "duplicate" and original is None:
            target = "hidden"
        if original is not None:
            place = self.placed[original - 1]
            service_code, district = place.service_code, place.district
            lat, lon = self.geometry.near(place, rng)
            address = place.address
        else:
            service_code = self.category(t0)[0]
            district, lat, lon = self.geometry.point(rng)
            street = rng.choice(pokrov_data.DISTRICT_STREETS[district])
            address = f"{street}, {rng.randrange(1, 120)}"
            repeated = self.pending_original(t0) if target in ("for_triage", "investigating") else None
            if repeated is not None:  # the same problem reported again, not marked yet
                service_code, district, address = repeated.service_code, repeated.district, repeated.address
                lat, lon = self.geometry.near(repeated, self.duplicate_rng)
        house = address.rsplit(", ", 1)[-1]
        department = self.department_of[service_code]
        contact = self.contact()
        description = self.description(service_code, house, target == "hidden" and rng.random() < 0.6, contact)
        media_url = f"{pokrov_data.MEDIA_BASE_URL}{report_id}.jpg" if rng.random() < 0.35 else None
        steps = self.history(report_id, t0, target, department, original)

        last = steps[-1]
        assignments = [s for s in steps if s.code == "action_scheduled"]
        agency = assignments[-1].agency if assignments else None
        assigned_ts = assignments[-1].ts if assignments else None
        planned = [s.planned_ts for s in steps if s.planned_ts]
        expected_ts = planned[-1] if last.code == "planned" else (assigned_ts + 14 * DAY if assigned_ts else None)
        notes = [rng.choice(pokrov_data.INTERNAL_NOTES)] if len(steps) > 1 and rng.random() < 0.08 else []
        row = (
            report_id,
            service_code,
            last.code,
            description,
            last.text if len(steps) > 1 else None,
            agency,
            pokrov_data.SERVICE_NOTICE,
            db_time(t0),
            db_time(last.ts),
            db_time(expected_ts) if expected_ts else None,
            db_time(assigned_ts) if assigned_ts else None,
            address,
            lat,
            lon,
            media_url,
            district,
            original if last.code == "duplicate" else None,
            json.dumps(notes, ensure_ascii=False) if notes else None,
            *contact,
        )
        updates = [
            (
                str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                report_id,
                step.code,
                step.text,
                step.agency,
                step.media_url,
                db_time(step.ts),
                db_time(step.ts),
                step.author,
                "generator",
            )
            for step in steps
        ]
        self.placed.append(Placed(service_code, lat, lon, district, address, last.code))
        self.requested.append(t0)
        return row, updates


def reference_rows() -> dict[str, list[tuple]]:
    """Rows of the small tables: districts, departments, services, API keys."""
    districts = [
        (code, name, json.dumps([[lon, lat] for lon, lat in ring]), i)
        for i, (code, name, ring, _w) in enumerate(pokrov_data.district_rings())
    ]
    departments = [(*dept, i) for i, dept in enumerate(pokrov_data.DEPARTMENTS)]
    services = [
        (code, name, description, keywords, group, department, i)
        for i, (code, name, group, department, keywords, description, _w) in enumerate(pokrov_data.CATEGORIES)
    ]
    keys = [("moderator-key", "moderator", None), ("viewer-key", "viewer", None)]
    keys += [(f"officer-{dept[0]}-key", "officer", dept[0]) for dept in pokrov_data.DEPARTMENTS]
    return {"districts": districts, "departments": departments, "services": services, "api_keys": keys}


def routing_example() -> dict:
    """The category -> department rules of the sample city (the plugin's routing demo reads this)."""
    return {
        "description": "Pokrov sample data: which department handles each category (service_code).",
        "category_rules": {code: department for code, _n, _g, department, *_ in pokrov_data.CATEGORIES},
    }


def generate(
    db_path: str | Path, reports: int = DEFAULT_REPORTS, seed: int = DEFAULT_SEED, now: datetime | None = None
) -> dict:
    """Build a new database at ``db_path`` (replacing any file there) and return a summary."""
    now = now or default_now()
    now_ts = int(now.timestamp())
    rng = random.Random(seed)  # noqa: S311 - reproducible sample data, not secrets  # nosec B311
    factory = ReportFactory(rng, now_ts)
    target = Path(db_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    building = target.with_name(target.name + ".building")
    building.unlink(missing_ok=True)

    conn = sqlite3.connect(str(building), isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        conn.executescript(db.SCHEMA)
        conn.execute("BEGIN")
        for table, rows in reference_rows().items():
            marks = ", ".join("?" * len(rows[0]))
            conn.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)  # noqa: S608 - generator's own table names and ? marks; values are bound  # nosec B608
        meta = {
            "schema_version": db.SCHEMA_VERSION,
            "seed": str(seed),
            "reports": str(reports),
            "now": db_time(now_ts),
            "generator": "server.generate",
        }
        conn.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
        request_sql = f"INSERT INTO requests VALUES ({', '.join('?' * 22)})"  # noqa: S608 - generator's own table names and ? marks; values are bound  # nosec B608
        update_sql = (
            "INSERT INTO updates (update_id, service_request_id, external_status_code, description, "
            "agency_responsible, media_url, updated_utc, client_utc, author, origin) VALUES (?,?,?,?,?,?,?,?,?,?)"
        )
        batch_requests: list[tuple] = []
        batch_updates: list[tuple] = []
        for report_id, t0 in enumerate(factory.requested_times(reports), start=1):
            row, updates = factory.report(report_id, t0)
            batch_requests.append(row)
            batch_updates.extend(updates)
            if len(batch_requests) >= 5000:
                conn.executemany(request_sql, batch_requests)
                conn.executemany(update_sql, batch_updates)
                batch_requests, batch_updates = [], []
        conn.executemany(request_sql, batch_requests)
        conn.executemany(update_sql, batch_updates)
        conn.execute("COMMIT")
        conn.executescript(db.INDEXES)
        conn.execute("ANALYZE")
        summary = dict(conn.execute("SELECT external_status_code, count(*) FROM requests GROUP BY 1 ORDER BY 1"))
    finally:
        conn.close()
    os.replace(building, target)
    for suffix in ("-wal", "-shm"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    return {"db": str(target), "reports": reports, "seed": seed, "now": db_time(now_ts), "statuses": summary}


def write_routing_example(path: Path = ROUTING_EXAMPLE) -> None:
    """Write the routing example file (kept in git for the plugin's demo)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(routing_example(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m server.generate", description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="SQLite file to create (replaced if it exists)")
    parser.add_argument("--reports", type=int, default=DEFAULT_REPORTS, help="number of reports (default 3000)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    parser.add_argument("--now", help="the moment the data ends, W3C datetime (default today 00:00 UTC)")
    parser.add_argument("--routing-example", action="store_true", help=f"also write {ROUTING_EXAMPLE.name}")
    args = parser.parse_args(argv)
    now = parse_param("--now", args.now) if args.now else None
    started = time.perf_counter()
    summary = generate(args.db, reports=args.reports, seed=args.seed, now=now)
    if args.routing_example:
        write_routing_example()
    summary["seconds"] = round(time.perf_counter() - started, 2)
    print(json.dumps(summary, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
