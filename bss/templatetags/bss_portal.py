"""Template tags of the page-building pattern (bss.panels) and the chart pattern (bss.charts)."""

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from bss import panels as registry

register = template.Library()


@register.simple_tag(takes_context=True)
def panels(context, page, obj, self_service=False):
    """Every panel of ``page`` for ``obj`` this user may see, each in the panel frame (bss/_panel.html)."""
    request = context["request"]
    parts = []
    flat = context.flatten()
    for rendered in registry.panels_for(page, obj, request, self_service=self_service):
        ctx = {**flat, **rendered.context, "panel": rendered.panel, "obj": obj, "selfservice": self_service}
        parts.append(render_to_string("bss/_panel.html", ctx, request=request))
    return mark_safe("".join(parts))  # each part is a rendered (escaped) template


@register.inclusion_tag("bss/_flags.html", takes_context=True)
def flags(context, page, obj):
    return {"flags": registry.flags_for(page, obj, context["request"].user)}


@register.inclusion_tag("bss/_work_queues.html", takes_context=True)
def work_queues(context):
    return {"queues": registry.work_queues_for(context["request"])}


@register.inclusion_tag("bss/_chart.html")
def chart(spec):
    """A chart (bss.charts.Chart): a canvas for Chart.js plus the same data as a table."""
    return {"chart": spec}
