"""Human-friendly, unique, gapless identifiers from a locked per-series counter."""

from django.db import transaction

from bss.models import NumberSequence


def next_number(series: str, *, prefix: str | None = None, width: int = 8) -> str:
    """Return the next number of a series, e.g. ``CU00000042``.

    The counter row is locked for the rest of the caller's transaction, so numbers are
    gapless when the caller commits and never reused when it rolls back.
    """
    with transaction.atomic():
        seq, _ = NumberSequence.objects.select_for_update().get_or_create(
            series=series, defaults={"prefix": prefix if prefix is not None else series, "width": width}
        )
        # get_or_create does not lock a freshly created row on every backend; re-select it.
        seq = NumberSequence.objects.select_for_update().get(pk=seq.pk)
        seq.last_value += 1
        seq.save(update_fields=["last_value"])
        return f"{seq.prefix}{seq.last_value:0{seq.width}d}"
