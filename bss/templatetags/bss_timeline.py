"""``{% timeline history %}``: HistoryEntry rows as a readable timeline (bss.audit.display)."""

from django import template

from bss.audit.display import timeline as build_timeline

register = template.Library()


@register.inclusion_tag("bss/_timeline.html")
def timeline(entries, caption="", empty="No history yet.", css="table table-sm align-top"):
    """``entries``: a HistoryEntry queryset or list (already filtered and sliced by the caller)."""
    return {"items": build_timeline(entries or []), "caption": caption, "empty": empty, "css": css}
