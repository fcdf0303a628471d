"""Benchmarks (never timed unit tests). Prints a Markdown table to paste into the README.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bss_bench .venv/bin/python bench/run.py [search] [--n 100000]
"""

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bss.settings")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("which", nargs="*", default=["search", "feasibility"])
    parser.add_argument("--n", type=int, default=100_000)
    args = parser.parse_args()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    if "search" in args.which:
        from bench.bench_customer_search import run

        print(f"\n### Identify contact: customer_search on {args.n:,} customers\n")
        print("| case | query | hits | median ms | SQL queries |\n|---|---|---|---|---|")
        for r in run(args.n):
            print(f"| {r['case']} | `{r['query']}` | {r['hits']} | {r['median_ms']:.1f} | {r['queries']} |")

    if "feasibility" in args.which:
        from bench.bench_feasibility import run as run_feasibility

        r = run_feasibility()
        print("\n### Feasibility: 10 items against 200 rules\n")
        print("| items | rules | rule evaluations traced | SQL queries | median ms |\n|---|---|---|---|---|")
        print(f"| {r['items']} | {r['rules']} | {r['traced']} | {r['queries']} | {r['median_ms']:.1f} |")


if __name__ == "__main__":
    main()
