"""Human-friendly, unique identifiers per series: gapless from a locked counter, or (``gapless=False``) from a
database sequence that never makes two callers wait for each other."""

import re

from django.db import DatabaseError, connection, transaction

from bss.models import NumberSequence


def next_number(series: str, *, prefix: str | None = None, width: int = 8, gapless: bool = True) -> str:
    """Return the next number of a series, e.g. ``CU00000042``.

    Gapless (the default): one statement increments the counter row and keeps it locked for the rest of the
    caller's transaction, so numbers are gapless when the caller commits and the increment is undone when it
    rolls back; concurrent callers of the series queue behind each other until the first commits.

    ``gapless=False`` (an order number, where a gap left by a rolled-back order is harmless and the order
    intake must not serialize): on PostgreSQL a sequence per series (``nextval`` takes no lock a transaction
    keeps), started after the counter's last value the first time; the counter row keeps the prefix and
    width. Elsewhere (the embedded SQLite, which serializes writers anyway) the gapless counter.
    """
    if not gapless and connection.vendor == "postgresql":
        return _from_sequence(series, prefix=prefix, width=width)
    with connection.cursor() as cur:
        cur.execute(f"UPDATE {NumberSequence._meta.db_table} SET last_value = last_value + 1 "
                    "WHERE series = %s RETURNING prefix, width, last_value", [series])
        row = cur.fetchone()
    if row is None:
        _series(series, prefix=prefix, width=width)
        return next_number(series, prefix=prefix, width=width)
    seq_prefix, seq_width, value = row
    return f"{seq_prefix}{value:0{seq_width}d}"


def _series(series: str, *, prefix: str | None, width: int) -> NumberSequence:
    with transaction.atomic():  # two first callers at once: one creates, the other finds it
        seq, _ = NumberSequence.objects.get_or_create(
            series=series, defaults={"prefix": prefix if prefix is not None else series, "width": width})
    return seq


_formats: dict[str, tuple[str, int]] = {}  # series -> (prefix, width), per process: they never change


def _sequence_name(series: str) -> str:
    return "bss_seq_" + re.sub(r"[^a-z0-9_]", "_", series.lower())


def _from_sequence(series: str, *, prefix: str | None, width: int) -> str:
    name = _sequence_name(series)
    if series not in _formats:
        seq = _series(series, prefix=prefix, width=width)
        _formats[series] = (seq.prefix, seq.width)
    seq_prefix, seq_width = _formats[series]
    with connection.cursor() as cur:
        # to_regclass: NULL (and nextval of NULL: NULL) while the sequence does not exist, not an error that
        # would abort the caller's transaction
        cur.execute("SELECT nextval(to_regclass(%s))", [name])
        (value,) = cur.fetchone()
        if value is None:  # first use: the sequence continues after what the counter has handed out
            seq = _series(series, prefix=prefix, width=width)
            try:
                with transaction.atomic():
                    cur.execute(f'CREATE SEQUENCE IF NOT EXISTS "{name}" START WITH {seq.last_value + 1}')
            except DatabaseError:  # created by another transaction at the same moment
                pass
            cur.execute("SELECT nextval(to_regclass(%s))", [name])
            (value,) = cur.fetchone()
    return f"{seq_prefix}{value:0{seq_width}d}"
