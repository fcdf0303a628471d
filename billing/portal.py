"""Billing's parts of the portal (bss.panels). Bill invoice management (issue 11) fills this panel with the
balance, bills and payments; until then it says so."""

from bss.panels import Panel, register_panel

register_panel(Panel("balance", "Balance and bills", "customers/panels/empty.html", order=50, self_service=True,
                     empty_text="No bills yet."))
