"""The one form pattern of the portal (docs/portal.md#forms).

Every form rendered with ``{{ form }}`` or ``{% include "_form_fields.html" %}`` gets:

- an error summary at the top (``role=alert``) listing every problem at once, each linking to its field;
- a required mark (``*`` plus "required" for screen readers) on required fields, which also carry ``required``;
- ``aria-invalid`` on fields in error and ``aria-describedby`` pointing at their help text and errors;
- Bootstrap's classes chosen from the widget (``form-control``, ``form-select``, ``form-check-input``).

Nothing per form: a new app's forms look and behave the same by default.
"""

from django import forms
from django.forms.renderers import TemplatesSetting


class BssFormRenderer(TemplatesSetting):
    """Forms and fields render through templates/bss/forms/ (settings.FORM_RENDERER)."""

    form_template_name = "bss/forms/form.html"
    field_template_name = "bss/forms/field.html"


CHECK_WIDGETS = (forms.CheckboxInput,)
CHOICE_LIST_WIDGETS = (forms.RadioSelect, forms.CheckboxSelectMultiple)
SELECT_WIDGETS = (forms.Select, forms.SelectMultiple)


def widget_css_class(widget) -> str:
    if isinstance(widget, CHECK_WIDGETS + CHOICE_LIST_WIDGETS):
        return "form-check-input"
    if isinstance(widget, SELECT_WIDGETS):
        return "form-select"
    if isinstance(widget, forms.FileInput):
        return "form-control"
    return "form-control"


def is_check(bound_field) -> bool:
    return isinstance(bound_field.field.widget, CHECK_WIDGETS)


def is_choice_list(bound_field) -> bool:
    return isinstance(bound_field.field.widget, CHOICE_LIST_WIDGETS)


def render_widget(bound_field) -> str:
    """The field's widget with the pattern's classes and ARIA attributes (see the module docstring)."""
    widget = bound_field.field.widget
    attrs = {}
    existing = widget.attrs.get("class", "")
    if not any(c.startswith(("form-", "btn")) for c in existing.split()):
        attrs["class"] = f"{existing} {widget_css_class(widget)}".strip()
    if bound_field.errors:
        attrs["class"] = f"{attrs.get('class', existing)} is-invalid".strip()
        attrs["aria-invalid"] = "true"
    described = []
    if bound_field.help_text:
        described.append(f"{bound_field.auto_id}_helptext")
    if bound_field.errors:
        described.append(f"{bound_field.auto_id}_error")
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if bound_field.field.required and not is_choice_list(bound_field) and not is_check(bound_field):
        attrs["aria-required"] = "true"
    return bound_field.as_widget(attrs=attrs)


class ReportPeriodForm(forms.Form):
    """The period of a management report: UTC days, the last one included; both optional (the report service
    chooses the default, e.g. the last 30 days). ``period()`` gives the half-open [since, until) datetimes."""

    since = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}),
                            help_text="first day (UTC); default: 30 days ago")
    until = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}),
                            help_text="last day, included (UTC); default: today")

    def period(self):
        import datetime as dt

        def start_of(day):
            return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC) if day else None

        since, until = self.cleaned_data.get("since"), self.cleaned_data.get("until")
        return start_of(since), start_of(until + dt.timedelta(days=1)) if until else None
