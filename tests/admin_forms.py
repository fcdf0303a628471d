"""Helpers for admin form tests: post back what a browser would, read the errors shown."""

from django.forms import MultiWidget


def post_data(response, **overrides) -> dict:
    """What a browser would post back from an admin change page (main form and inlines)."""
    data = {}

    def add(form):
        for name in form.fields:
            bound = form[name]
            value = bound.value()
            if bound.field.show_hidden_initial:  # e.g. JSON fields with a callable default
                data[bound.html_initial_name] = bound.field.prepare_value(bound.initial)
            if value is None or value is False:
                continue
            if isinstance(bound.field.widget, MultiWidget):  # e.g. date + time inputs
                for i, part in enumerate(bound.field.widget.decompress(value)):
                    data[f"{bound.html_name}_{i}"] = "" if part is None else str(part)
                continue
            data[bound.html_name] = value

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        add(inline.formset.management_form)
        for form in inline.formset.forms:
            add(form)
    data.update(overrides)
    data["_save"] = "Save"
    return data


def form_errors(response) -> str:
    """Every error the re-displayed admin page shows (main form and inlines)."""
    assert response.status_code == 200, "the form should be shown again with errors"
    out = [str(response.context["adminform"].form.errors)]
    for inline in response.context["inline_admin_formsets"]:
        out += [str(inline.formset.errors), str(inline.formset.non_form_errors())]
    return " ".join(out)
