"""Customer interaction management's parts of the portal (bss.panels). The interactions issue (10) fills this panel
with the timeline across channels and the open cases; until then it says so."""

from bss.panels import Panel, register_panel

register_panel(Panel("interactions", "Interactions and cases", "customers/panels/empty.html", order=70,
                     empty_text="No interactions recorded yet."))
