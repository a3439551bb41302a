"""Coordinators are told by SMS, once, when a site turns red or a yellow deadline nears:
found by a periodic scan (the day injected), in each coordinator's language, one segment."""

from __future__ import annotations

import datetime as dt

from ledger import sites
from ledger.models import MessageKind
from locales.gsm7 import encoding_and_segments
from sms import alerts, settings
from tests import factories
from tests.sms.conftest import messages


def test_red_and_near_deadline_sites_alert_each_coordinator_once(session):
    coop = factories.cooperative(session)
    other = factories.cooperative(session, "COOPARU", "Aru")
    fr = factories.member(session, roles="member,coordinator", coop=coop, language="fr")
    ln = factories.member(session, roles="member,coordinator", coop=coop, language="ln")
    factories.member(session, roles="member,coordinator", coop=other)  # another cooperative's
    factories.member(session, roles="member,buyer", coop=coop)  # not a coordinator
    red = factories.site(session, coop, "RED1")
    near = factories.site(session, coop, "NEAR1")
    day = dt.date(2025, 3, 10)
    sites.change_status(session, red, "red", inspected_on=day, today=day)
    sites.change_status(
        session, near, "yellow", inspected_on=day, today=day, deadline=dt.date(2025, 3, 20)
    )
    session.commit()
    s = settings.current()
    assert alerts.write_site_alerts(session, s, day) == 4
    assert alerts.write_site_alerts(session, s, day) == 0  # once, however often it runs
    sent = messages(kind=MessageKind.ALERT)
    assert {(m.member_id, m.cause.split(":")[0]) for m in sent} == {
        (fr.id, "site_red"),
        (ln.id, "site_red"),
        (fr.id, "site_deadline"),
        (ln.id, "site_deadline"),
    }
    bodies = {(m.member_id, m.cause.split(":")[0]): m.body for m in sent}
    assert "RED1" in bodies[(fr.id, "site_red")] and "rouge" in bodies[(fr.id, "site_red")]
    assert "20/03/2025" in bodies[(ln.id, "site_deadline")]
    for m in sent:
        assert encoding_and_segments(m.body) == ("GSM-7", 1)
