"""The customer inventory's parts of the portal (bss.panels): the customer 360's own panels and flags, and
empty-state panels for the domains whose apps do not fill them yet."""

from bss.panels import Flag, Panel, register_flag, register_panel


def _history(customer, request):
    from bss.audit.models import HistoryEntry

    return {"history": HistoryEntry.objects.for_root(customer).select_related("actor")[:200]}


def _notes(customer, request):
    from customers.forms import NoteForm

    return {"note_form": NoteForm()}


register_panel(Panel("contacts", "Contacts", "customers/panels/contacts.html", order=10, self_service=True))
register_panel(Panel("accounts", "Billing accounts", "customers/panels/accounts.html", order=20, self_service=True))
register_panel(Panel("products", "Products", "customers/panels/products.html", order=30, self_service=True))
register_panel(Panel("addresses", "Addresses", "customers/panels/addresses.html", order=35, self_service=True))
register_panel(Panel("notes", "Notes", "customers/panels/notes.html", order=80, perm="customers.view_customernote",
                     context=_notes))
register_panel(Panel("history", "History", "customers/panels/history.html", order=90, wide=True, context=_history))


def is_vip(customer) -> bool:
    """VIP: the customer characteristic ``vip`` (TMF629 characteristic) set to a true value."""
    for c in customer.characteristics or ():
        if str(c.get("name", "")).lower() == "vip" and str(c.get("value", "")).lower() in ("true", "yes", "1"):
            return True
    return False


register_flag(Flag("vip", "VIP", is_vip, level="info", order=10, help="A VIP customer: handle with priority."))
