"""Labels of the SLA history codes (bss.audit.display; docs/portal/history.md)."""

LABELS = {
    "sla.business_calendar.created": "Business calendar created",
    "sla.business_calendar.updated": "Business calendar changed",
    "sla.business_calendar.hours_set": "Business hours set",
    "sla.business_calendar.holidays_set": "Holidays set",
    "sla.holiday.created": "Holiday added",
    "sla.holiday.updated": "Holiday changed",
    "sla.sla_target.created": "SLA target created",
    "sla.sla_target.updated": "SLA target changed",
    "sla.sla_target.escalation_steps_set": "SLA escalation steps set",
    "sla.clock.started": "SLA clock started",
    "sla.clock.paused": "SLA clock paused",
    "sla.clock.resumed": "SLA clock resumed",
    "sla.clock.stopped": "SLA clock stopped",
    "sla.clock.met": "SLA met",
    "sla.clock.breached": "SLA breached",
    "sla.clock.escalated": "SLA escalated",
    "sla.clock.jeopardy_changed": "SLA jeopardy level changed",
    "sla.clock.projection_updated": "Projected completion changed",
    "sla.clock.committed_date_set": "Committed date set",
}
