"""bench.harness: each case beside its twin, judged by the ratio against its target."""

import pytest

from bench.harness import Row, markdown_table, per_second, timed


def test_ratio_is_ours_over_the_twin_and_judged_against_the_target():
    row = Row(case="read", ours=per_second(60, queries=8), twin=per_second(100, queries=4), target=0.5)
    assert row.ratio == pytest.approx(0.6)
    assert row.verdict == "pass"
    assert Row(case="write", ours=per_second(20), twin=per_second(100), target=0.25).verdict == "FAIL"


def test_errors_under_load_fail_the_row_whatever_the_ratio():
    row = Row(case="x", ours=per_second(100, note="3 of 50 requests failed"), twin=per_second(100), target=0.5)
    assert row.failed and row.verdict == "FAIL (errors)"


def test_a_row_without_twin_or_target_is_reported_not_judged():
    assert Row(case="feasibility", ours=per_second(12, unit="ops/s", queries=6)).verdict == "report"
    search = Row(case="search", ours=per_second(40, unit="ops/s"), twin=per_second(9000, unit="ops/s"))
    assert search.verdict == "report"


def test_the_table_shows_both_sides_their_queries_and_the_verdict():
    rows = [Row(case="TMF GET one", ours=per_second(220, queries=8), twin=per_second(400, queries=4),
                twin_label="bare DRF retrieve", target=0.5),
            Row(case="search", ours=per_second(1000 / 23, unit="ops/s", queries=8),
                twin=per_second(1000 / 0.05, unit="ops/s", queries=1))]
    table = markdown_table(rows).splitlines()
    assert table[0].startswith("| case | ours | twin | ratio | target | result |")
    assert table[2] == "| TMF GET one | 220 req/s | 400 req/s (bare DRF retrieve) | 55% | ≥ 50% | pass | 8 / 4 |"
    assert table[3] == "| search | 23.0 ms | 0.05 ms | 0.2% | — | report | 8 / 1 |"


def test_timed_measures_a_rate():
    m = timed(lambda: None, repeat=5, warmup=0, queries=0)
    assert m.unit == "ops/s" and m.per_second > 0 and m.queries == 0
