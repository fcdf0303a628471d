"""The customer lifecycle in the portal: which status changes the role and the lifecycle allow now (django-fsm's
available transitions, never every status), and the form that asks for the reason."""

from dataclasses import dataclass

from django import forms

from .models import Customer

STATUS_PERMISSION = "customers.change_customer_status"
LABELS = {"activate": "Activate", "suspend": "Suspend", "resume": "Resume", "close": "Close", "reopen": "Reopen"}
DESTRUCTIVE = {"suspend", "close"}  # these ask for confirmation with the consequences stated


@dataclass(frozen=True)
class StatusAction:
    transition: str
    label: str
    target: str
    destructive: bool


def status_actions(customer: Customer, user) -> list[StatusAction]:
    """The status changes ``user`` may make on ``customer`` now, in lifecycle order."""
    if not user.has_perm(STATUS_PERMISSION):
        return []
    actions = [StatusAction(t.name, LABELS.get(t.name, t.name.capitalize()), str(t.target), t.name in DESTRUCTIVE)
               for t in customer.get_available_status_transitions()]
    order = list(LABELS)
    return sorted(actions, key=lambda a: order.index(a.transition) if a.transition in order else len(order))


def status_action_to(customer: Customer, user, target: str) -> StatusAction | None:
    return next((a for a in status_actions(customer, user) if a.target == target), None)


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Customer.Status.choices, widget=forms.HiddenInput)
    reason = forms.CharField(max_length=255, label="Reason", help_text="Recorded in the customer's history.",
                             widget=forms.Textarea(attrs={"rows": 2}))
