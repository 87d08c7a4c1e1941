"""``python -m server --db PATH --port N [--host 127.0.0.1] [--seed-if-empty] [--reports N] [--seed S]
[--plain [--xml-only] [--result-cap N]]``."""

from __future__ import annotations

import argparse
import ipaddress
import json
import signal
import socket
import sys

from . import db, generate, httpd
from .app import DEFAULT_RESULT_CAP, Mode


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(socket.gethostbyname(host)).is_loopback
    except (OSError, ValueError):
        return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m server", description="Open City reference server (Open311).")
    parser.add_argument("--db", required=True, help="SQLite database made by server.generate")
    parser.add_argument("--port", type=int, default=8311, help="TCP port (0 picks a free one; default 8311)")
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind (default 127.0.0.1)")
    parser.add_argument("--seed-if-empty", action="store_true", help="generate the database when it is missing")
    parser.add_argument("--reports", type=int, default=generate.DEFAULT_REPORTS, help="reports to generate")
    parser.add_argument("--seed", type=int, default=generate.DEFAULT_SEED, help="generator seed")
    parser.add_argument("--enable-test-hooks", action="store_true", help="serve /_test/fault, reset_faults, stats")
    parser.add_argument("--quiet", action="store_true", help="do not log each request")
    parser.add_argument(
        "--plain",
        action="store_true",
        help="a plain GeoReport v2 server: no paging, no updated_after, no servicerequestupdates, "
        "no districts/departments",
    )
    parser.add_argument("--xml-only", action="store_true", help="answer in XML only (JSON is optional in Open311)")
    parser.add_argument(
        "--result-cap",
        type=int,
        default=DEFAULT_RESULT_CAP,
        help=f"with --plain: reports per answer at most (default {DEFAULT_RESULT_CAP})",
    )
    args = parser.parse_args(argv)

    if not _loopback(args.host):
        parser.error(f"--host {args.host}: this test server binds loopback addresses only")
    if not db.has_data(args.db):
        if not args.seed_if_empty:
            parser.error(f"{args.db} holds no data; make it with `python -m server.generate` or add --seed-if-empty")
        summary = generate.generate(args.db, reports=args.reports, seed=args.seed)
        print(json.dumps(summary, ensure_ascii=False), flush=True)

    def stop(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    if args.result_cap < 1:
        parser.error("--result-cap must be 1 or more")
    mode = Mode(plain=args.plain, xml_only=args.xml_only, result_cap=args.result_cap)
    httpd.serve(args.db, args.host, args.port, test_hooks=args.enable_test_hooks, quiet=args.quiet, mode=mode)
    return 0


if __name__ == "__main__":
    sys.exit(main())
