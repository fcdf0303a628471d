"""Template helpers of the form pattern (bss.forms)."""

from django import template

from bss import forms as bss_forms

register = template.Library()


@register.filter
def bss_widget(bound_field):
    return bss_forms.render_widget(bound_field)


@register.filter
def is_check(bound_field) -> bool:
    return bss_forms.is_check(bound_field)


@register.filter
def is_choice_list(bound_field) -> bool:
    return bss_forms.is_choice_list(bound_field)


@register.filter
def show_when(bound_field) -> str:
    """A field shown only for some values of another (``widget.attrs["data-show-when"] = "kind=individual"``,
    names without the form prefix): the wrapper carries it, bss/static/js/portal.js hides and shows."""
    return bound_field.field.widget.attrs.get("data-show-when", "")


@register.simple_tag
def form_problems(*forms):
    """Every error of the given forms, in field order, as (anchor id or "", label, message): the error
    summary lists them all at once, so a user fixes everything in one round."""
    problems = []
    for form in forms:
        if not form or not getattr(form, "errors", None):
            continue
        for message in form.non_field_errors():
            problems.append(("", "", message))
        for bound in form:
            for message in bound.errors:
                problems.append((bound.id_for_label or bound.auto_id, bound.label, message))
        for bound in form.hidden_fields():
            for message in bound.errors:
                problems.append(("", bound.label, message))
    return problems
