"""Benchmarks (never timed unit tests): every case beside its floor ("twin"), as one Markdown
table to paste into the README.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bss_bench .venv/bin/python bench/run.py \\
        [api] [search] [feasibility] [--n 100000] [--seconds 10] [--strict]

``--strict`` exits non-zero when a ratio misses its target (or a load run saw errors).
Adding a benchmark: a module with a ``@benchmark("name", title=...)`` function yielding
``bench.harness.Row``s, and one line in BENCHMARKS below.
"""

import argparse
import importlib
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# name -> module that registers it (in the order they run and print)
BENCHMARKS = {
    "search": "bench.bench_customer_search",
    "feasibility": "bench.bench_feasibility",
    "api": "bench.bench_api",
    "expiry": "bench.bench_reservation_expiry",
    "jeopardy": "bench.bench_order_jeopardy",
    "intake": "bench.bench_order_intake",
    "orderlists": "bench.bench_order_lists",
    "fulfilment": "bench.bench_fulfilment",
}


def environment() -> None:
    """Production-like: bench settings (product + twins), DEBUG off, the broker on Redis when it answers."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ.setdefault("DJANGO_DEBUG", "false")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-" + "x" * 40)
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    if "CELERY_BROKER_URL" not in os.environ:
        redis = subprocess.run(["redis-cli", "-h", "127.0.0.1", "-n", "9", "ping"], capture_output=True,
                               text=True, check=False) if _which("redis-cli") else None
        if redis is not None and redis.stdout.strip() == "PONG":
            os.environ["CELERY_BROKER_URL"] = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/9")


def _which(name: str) -> bool:
    import shutil

    return shutil.which(name) is not None


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("which", nargs="*", help=f"some of {', '.join(BENCHMARKS)} (default: all)")
    parser.add_argument("--n", type=int, default=100_000, help="customers loaded for search and API reads")
    parser.add_argument("--seconds", type=float, default=10, help="duration of each load run")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per side (best one counts)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()
    unknown = sorted(set(args.which) - set(BENCHMARKS))
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
    environment()
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from bench.harness import REGISTRY, Context, markdown_table
    from bench.load import generator_name

    if connection.vendor != "postgresql":
        sys.exit("bench/run.py loads 100,000 customers: point DATABASE_URL at a throw-away PostgreSQL database "
                 "(make bench uses postgres://postgres@127.0.0.1:5432/bss_bench)")
    call_command("migrate", verbosity=0)
    db = settings.DATABASES["default"]
    print(f"database: {connection.vendor} {db['NAME']} (CONN_MAX_AGE={db.get('CONN_MAX_AGE', 0)}); "
          f"DEBUG={settings.DEBUG}; broker: {settings.CELERY_BROKER_URL.split('://')[0]}; "
          f"load generator: {generator_name()}", flush=True)
    ctx = Context(options={"n": args.n, "seconds": args.seconds, "rounds": args.rounds})
    rows = []
    for name in args.which or list(BENCHMARKS):
        importlib.import_module(BENCHMARKS[name])
        bench = REGISTRY[name]
        print(f"running {name}: {bench.title}", file=sys.stderr, flush=True)
        rows += list(bench.func(ctx))
    print()
    print(markdown_table(rows))
    _purge_broker()
    missed = [r.case for r in rows if r.failed]
    if missed:
        print(f"\n{len(missed)} case(s) missed their target: {', '.join(missed)}")
        if args.strict:
            sys.exit(1)


def _purge_broker() -> None:
    """Nothing consumes the events the POST benchmark enqueued: drop them from the bench broker."""
    from django.conf import settings

    if settings.CELERY_BROKER_URL.startswith("redis://"):
        import redis

        redis.Redis.from_url(settings.CELERY_BROKER_URL).delete(*settings.BSS_QUEUES)


if __name__ == "__main__":
    main()
