"""Bill inquiry's parts of the portal (bss.panels). Bill inquiry handling (issue 12) fills this panel with the
customer's disputes; until then it says so."""

from bss.panels import Panel, register_panel

register_panel(Panel("disputes", "Bill disputes", "customers/panels/empty.html", order=60, self_service=True,
                     empty_text="No bill disputes."))
