"""A report's flag on the console's flag page: its cooperative's coordinator sees it, the
cooperative's buyer does not (a report may be about him)."""

from __future__ import annotations

from ledger import incidents
from ledger.models import IncidentChannel


def test_a_report_s_flag_is_the_coordinator_s_alone(session, world, as_):
    incidents.report(
        session,
        text="armed men at the pit",
        category="armed_group",
        channel=IncidentChannel.SMS,
        site=world.site,
        phone="+243810000077",
    )
    session.commit()
    assert "armed_group" in as_("coordinator").get("/console/flags").text
    page = as_("buyer").get("/console/flags")
    assert page.status_code == 200 and "armed_group" not in page.text
