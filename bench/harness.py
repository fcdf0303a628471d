"""The benchmark harness: every case is measured beside its floor (its "twin") and judged by
the ratio of their throughputs against a declared target.

A benchmark module registers a function that returns rows:

    from bench.harness import Row, benchmark, per_second, timed

    @benchmark("mything", title="My thing against its floor")
    def run(ctx):
        yield Row(case="my thing", ours=timed(lambda: my_thing(), queries=3),
                  twin=timed(lambda: bare_sql()), target=0.5)

and bench/run.py lists the module in BENCHMARKS. A row without a twin is reported as an
absolute number (with its query count); a row without a target is reported, never judged.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field


@dataclass
class Measure:
    """One side of a comparison: a throughput (higher is better) and the SQL queries it took."""

    per_second: float
    unit: str = "req/s"  # "req/s" under HTTP load, "ops/s" for in-process timing
    queries: int | None = None
    note: str = ""  # e.g. errors seen under load

    @property
    def median_ms(self) -> float:
        return 1000 / self.per_second if self.per_second else float("inf")

    def text(self) -> str:
        if self.unit == "ops/s":  # in-process: the time of one call reads better than a rate
            ms = self.median_ms
            return f"{ms:.2f} ms" if ms < 10 else f"{ms:.1f} ms"
        return f"{self.per_second:,.0f} {self.unit}"


@dataclass
class Row:
    case: str
    ours: Measure
    twin: Measure | None = None
    twin_label: str = ""
    target: float | None = None  # ours / twin throughput at least this

    @property
    def ratio(self) -> float | None:
        if self.twin is None or not self.twin.per_second:
            return None
        return self.ours.per_second / self.twin.per_second

    @property
    def verdict(self) -> str:
        if self.ours.note or (self.twin and self.twin.note):
            return "FAIL (errors)"
        if self.target is None or self.ratio is None:
            return "report"
        return "pass" if self.ratio >= self.target else "FAIL"

    @property
    def failed(self) -> bool:
        return self.verdict.startswith("FAIL")


@dataclass
class Benchmark:
    name: str
    title: str
    func: Callable[[Context], Iterable[Row]]


@dataclass
class Context:
    """What bench/run.py hands every benchmark: the options and shared, lazily made fixtures."""

    options: dict = field(default_factory=dict)
    cache: dict = field(default_factory=dict)

    def once(self, key: str, make: Callable[[], object]):
        if key not in self.cache:
            self.cache[key] = make()
        return self.cache[key]


REGISTRY: dict[str, Benchmark] = {}


def benchmark(name: str, *, title: str):
    def register(func):
        REGISTRY[name] = Benchmark(name=name, title=title, func=func)
        return func

    return register


def timed(call: Callable[[], object], *, repeat: int = 20, warmup: int = 2,
          queries: int | None = None) -> Measure:
    """In-process timing: the median of ``repeat`` calls, as a rate."""
    for _ in range(warmup):
        call()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        call()
        times.append(time.perf_counter() - t0)
    return Measure(per_second=1 / statistics.median(times), unit="ops/s", queries=queries)


def per_second(value: float, *, queries: int | None = None, unit: str = "req/s", note: str = "") -> Measure:
    return Measure(per_second=value, unit=unit, queries=queries, note=note)


def _queries(row: Row) -> str:
    ours = "—" if row.ours.queries is None else str(row.ours.queries)
    if row.twin is None:
        return ours
    twin = "—" if row.twin.queries is None else str(row.twin.queries)
    return f"{ours} / {twin}"


def markdown_table(rows: list[Row]) -> str:
    lines = ["| case | ours | twin | ratio | target | result | queries per request (ours / twin) |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        twin = "—" if r.twin is None else r.twin.text() + (f" ({r.twin_label})" if r.twin_label else "")
        ratio = "—" if r.ratio is None else f"{r.ratio:.0%}" if r.ratio >= 0.1 else f"{r.ratio:.1%}"
        target = "—" if r.target is None else f"≥ {r.target:.0%}"
        cells = [r.case, r.ours.text(), twin, ratio, target, r.verdict, _queries(r)]
        lines.append("| " + " | ".join(cells) + " |")
    notes = [f"- {r.case}: {m.note}" for r in rows for m in (r.ours, r.twin) if m is not None and m.note]
    return "\n".join(lines + ([""] + notes if notes else []))
