"""``python -m server --db PATH --port N [--host 127.0.0.1] [--seed-if-empty] [--reports N] [--seed S]``."""

from __future__ import annotations

import argparse
import ipaddress
import json
import signal
import socket
import sys

from . import db, generate, httpd


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
    httpd.serve(args.db, args.host, args.port, test_hooks=args.enable_test_hooks, quiet=args.quiet)
    return 0


if __name__ == "__main__":
    sys.exit(main())
