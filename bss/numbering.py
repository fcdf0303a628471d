"""Human-friendly, unique, gapless identifiers from a locked per-series counter."""

from django.db import connection, transaction

from bss.models import NumberSequence


def next_number(series: str, *, prefix: str | None = None, width: int = 8) -> str:
    """Return the next number of a series, e.g. ``CU00000042``.

    One statement: the counter row is incremented and locked for the rest of the caller's
    transaction, so numbers are gapless when the caller commits and the increment is undone
    when it rolls back. A series seen for the first time is created, then incremented the same way.
    """
    with connection.cursor() as cur:
        cur.execute(f"UPDATE {NumberSequence._meta.db_table} SET last_value = last_value + 1 "
                    "WHERE series = %s RETURNING prefix, width, last_value", [series])
        row = cur.fetchone()
    if row is None:
        with transaction.atomic():  # two first callers at once: one creates, the other finds it
            NumberSequence.objects.get_or_create(
                series=series, defaults={"prefix": prefix if prefix is not None else series, "width": width})
        return next_number(series, prefix=prefix, width=width)
    seq_prefix, seq_width, value = row
    return f"{seq_prefix}{value:0{seq_width}d}"
