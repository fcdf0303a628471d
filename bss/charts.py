"""The chart pattern (docs/portal.md#charts): a view builds a ``Chart``; ``{% chart spec %}`` renders a canvas that
bss/static/js/charts.js draws with the vendored Chart.js, and the same numbers as a table for screen readers and
for anyone without JavaScript. The data travels through ``json_script`` (no inline script: the CSP forbids it).

    chart = Chart("customers-by-status", "Customers by status", kind="bar",
                  labels=["Prospect", "Active"], series=[Series("Customers", [3, 40])])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

KINDS = ("bar", "line", "doughnut", "pie")


@dataclass(frozen=True)
class Series:
    label: str
    values: list[int | Decimal]


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    labels: list[str]
    series: list[Series]
    kind: str = "bar"
    unit: str = ""  # shown after each value in the table ("€", "orders")
    description: str = ""  # one sentence of what the chart shows, read by screen readers
    extra: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"Unknown chart kind {self.kind!r}; use one of {', '.join(KINDS)}")
        for s in self.series:
            if len(s.values) != len(self.labels):
                raise ValueError(f"Series {s.label!r} has {len(s.values)} values for {len(self.labels)} labels")

    @property
    def element_id(self) -> str:
        return f"chart-{self.key}"

    @property
    def data_id(self) -> str:
        return f"chart-{self.key}-data"

    @property
    def data(self) -> dict:
        """What charts.js reads (money as strings: JSON has no Decimal, and nothing here is float)."""
        return {"kind": self.kind, "labels": list(self.labels), "title": self.title,
                "series": [{"label": s.label, "values": [str(v) if isinstance(v, Decimal) else v for v in s.values]}
                           for s in self.series]}

    @property
    def rows(self) -> list[tuple[str, list]]:
        return [(label, [s.values[i] for s in self.series]) for i, label in enumerate(self.labels)]

    @property
    def summary(self) -> str:
        if self.description:
            return self.description
        parts = [f"{label}: {', '.join(str(v) for v in values)}" for label, values in self.rows]
        return f"{self.title}. " + "; ".join(parts)
