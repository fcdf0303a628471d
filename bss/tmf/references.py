"""TMF entity references (RelatedParty, ProductSpecificationRef, ProductOfferingRef, ...): resolved
to a local row when they name one of ours, otherwise kept as sent. An unresolvable reference is
never a 400 on any TMF API (ARCHITECTURE.md, validation policy): the CTKs and partners refer to
parties, offerings and specifications we have never seen.

    row, kept = resolve_reference(body["productSpecification"], ProductSpecification.objects,
                                  by=("pk", "code"))
    # row: the specification we hold, or None; kept: the reference as the client sent it
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db.models import Model, QuerySet

from .ids import local_id

# The attributes a reference keeps when it is stored (anything else in it is dropped).
REFERENCE_ATTRIBUTES = ("id", "href", "name", "version", "role", "@referredType", "@type", "@baseType",
                        "@schemaLocation")


def kept_reference(ref: dict, extra_attributes: Sequence[str] = ()) -> dict:
    """The reference as sent, limited to its reference attributes (id, href, name, @referredType...)
    and ``extra_attributes`` (those of a richer reference shape, e.g. a BundledProductOffering's
    lifecycleStatus)."""
    return {k: ref[k] for k in (*REFERENCE_ATTRIBUTES, *extra_attributes) if k in ref and ref[k] is not None}


def resolve_reference(ref: dict | None, queryset: QuerySet, *, by: Sequence[str] = ("pk",),
                      referred_types: Iterable[str] | None = None,
                      extra_attributes: Sequence[str] = ()) -> tuple[Model | None, dict | None]:
    """(the local row the reference names or None, the reference as sent or None).

    ``by``: the columns an id may name, tried in order ("pk" takes only ids that can be one of
    our primary keys; e.g. ("pk", "code") also accepts a product offering's code). With
    ``referred_types``, a reference whose @referredType is another type is not ours (kept as sent).
    ``extra_attributes``: attributes besides REFERENCE_ATTRIBUTES that the kept reference keeps."""
    if not ref:
        return None, None
    kept = kept_reference(ref, extra_attributes)
    if referred_types is not None and ref.get("@referredType") is not None:
        if str(ref["@referredType"]).lower() not in {t.lower() for t in referred_types}:
            return None, kept
    key = str(ref.get("id") if ref.get("id") is not None else "").strip()
    if not key:
        return None, kept
    for column in by:
        if column == "pk":
            pk = local_id(key)
            row = queryset.filter(pk=pk).first() if pk is not None else None
        else:
            row = queryset.filter(**{column: key}).first()
        if row is not None:
            return row, kept
    return None, kept


def resolve_references(refs: Iterable[dict] | None, queryset: QuerySet, *, by: Sequence[str] = ("pk",),
                       referred_types: Iterable[str] | None = None,
                       extra_attributes: Sequence[str] = ()) -> tuple[list[Model], list[dict]]:
    """(the local rows, the references that name nothing of ours, kept as sent)."""
    rows, unresolved = [], []
    for ref in refs or []:
        row, kept = resolve_reference(ref, queryset, by=by, referred_types=referred_types,
                                      extra_attributes=extra_attributes)
        if row is not None:
            rows.append(row)
        elif kept:
            unresolved.append(kept)
    return rows, unresolved
