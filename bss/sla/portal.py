"""SLA clocks' part of the portal (bss.panels): the staff home shows the clocks in jeopardy."""

from django.urls import reverse

from bss.panels import WorkQueue, register_work_queue


def _in_jeopardy(request) -> int:
    from bss.sla.models import SlaClock

    return SlaClock.objects.filter(state__in=SlaClock.OPEN_STATES).exclude(
        jeopardy_status=SlaClock.Jeopardy.ON_TRACK).count()


register_work_queue(WorkQueue("jeopardy", "Clocks at risk or in jeopardy", _in_jeopardy, order=30,
                              url=lambda request: reverse("admin:sla_slaclock_changelist") + "?jeopardy_status__exact=in_jeopardy",
                              perm="sla.view_slaclock"))
