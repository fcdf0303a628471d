"""What a user may do on a customer's page: one place for the role (permission) and the state rules, read by the
templates (which show only allowed actions) and the views (which refuse the rest with the styled 403).

A closed customer offers only what a closed customer allows: a note (and Reopen, from the lifecycle:
customers.lifecycle_forms). The services refuse the rest as well
(customers.services, orders.services), so the API and admin follow the same rules.
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import Customer


@dataclass(frozen=True)
class CustomerAction:
    key: str
    label: str
    perm: str | tuple[str, ...]
    open_only: bool = True  # not for a closed customer


ACTIONS = {a.key: a for a in (
    CustomerAction("edit_contact", "Edit", "customers.change_contact"),
    CustomerAction("add_contact", "Add contact", "customers.add_contact"),
    CustomerAction("open_account", "Open billing account", "customers.add_billingaccount"),
    CustomerAction("add_address", "Add address", "customers.add_address"),
    CustomerAction("qualify", "Qualify offerings", "orders.add_offeringqualification"),
    CustomerAction("credit_check", "Credit check", "orders.add_creditcheck"),
    CustomerAction("add_note", "Add note", "customers.add_customernote", open_only=False),
)}


def allowed(customer: Customer, user, key: str) -> bool:
    action = ACTIONS[key]
    perms = (action.perm,) if isinstance(action.perm, str) else action.perm
    if not user.has_perms(perms):
        return False
    return not (action.open_only and customer.status == Customer.Status.CLOSED)


def allowed_actions(customer: Customer, user) -> dict[str, bool]:
    """{action key: allowed} for the template: ``{% if can.add_contact %}``."""
    return {key: allowed(customer, user, key) for key in ACTIONS}
