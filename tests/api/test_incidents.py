"""`GET /api/v1/incidents` and `PATCH /api/v1/incidents/{id}`: a coordinator reads the reports
(the reporter unless anonymous) and confirms or dismisses them; buyers and officers are
refused, and a buyer's flag list does not show that a report was made."""

from __future__ import annotations

import pytest

from ledger import incidents
from ledger.models import FlagStatus, Incident, IncidentChannel


@pytest.fixture
def reports(world, session):
    named = incidents.report(
        session,
        text="Kodi ya kizuizi barabarani",
        category="illegal_tax",
        channel=IncidentChannel.SMS,
        site=world.site,
        reporter=world.miner,
        phone=world.miner.phone,
    )
    hidden = incidents.report(
        session,
        text="Watoto wanachimba",
        category="child_labour",
        channel=IncidentChannel.USSD,
        site=world.site,
        reporter=world.miner,
        phone=world.miner.phone,
        anonymous=True,
    )
    session.commit()
    return named, hidden


def test_a_coordinator_reads_them_the_reporter_hidden_when_anonymous(api, world, reports):
    named, hidden = reports
    answer = api("GET", "/incidents")
    assert answer.status_code == 200
    listed = answer.get_json()["incidents"]
    assert [i["reference"] for i in listed] == [hidden.reference, named.reference]
    assert listed[1]["reporter"] == {
        "anonymous": False,
        "member_id": world.miner.id,
        "name": world.miner.name,
        "phone": world.miner.phone,
    }
    assert listed[0]["reporter"] == {"anonymous": True}
    assert world.miner.phone not in str(listed[0]) and world.miner.name not in str(listed[0])
    assert listed[1] | {"created_at": None} == {
        "id": named.id,
        "reference": named.reference,
        "category": "illegal_tax",
        "text": "Kodi ya kizuizi barabarani",
        "channel": "sms",
        "site": "SITE1",
        "cooperative": "COOPBUNIA",
        "created_at": None,
        "reporter": listed[1]["reporter"],
        "flag_id": named.flag_id,
        "status": "open",
        "review": {"by": None, "at": None, "note": None},
    }


def test_dismiss_then_the_open_list_no_longer_shows_it(api, world, session, reports):
    named, hidden = reports
    answer = api("PATCH", f"/incidents/{named.id}", {"status": "dismissed", "note": "paid tax"})
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["status"] == "dismissed" and body["review"]["note"] == "paid tax"
    assert body["review"]["by"] == f"token:{world.token_ids['coordinator']}"
    opened = api("GET", "/incidents", query={"status": "open"}).get_json()["incidents"]
    assert [i["id"] for i in opened] == [hidden.id]
    session.expire_all()
    assert session.get(Incident, named.id).flag.status == FlagStatus.DISMISSED
    flags = api("GET", "/flags", query={"kind": "incident", "status": "dismissed"}).get_json()
    assert [f["id"] for f in flags["flags"]] == [named.flag_id]  # one review, two doors


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "dismissed"}, "note"),
        ({"status": "closed"}, "status"),
        ({}, "status"),
        ({"status": "confirmed", "why": "x"}, "why"),
        ({"status": "confirmed", "note": "x" * 201}, "note"),
    ],
)
def test_bad_reviews_are_422_and_change_nothing(api, session, reports, body, field):
    named, _hidden = reports
    answer = api("PATCH", f"/incidents/{named.id}", body)
    assert answer.status_code == 422 and answer.get_json()["field"] == field
    session.expire_all()
    assert session.get(Incident, named.id).flag.status == FlagStatus.OPEN


def test_a_bad_status_filter_is_422(api, reports):
    answer = api("GET", "/incidents", query={"status": "closed"})
    assert answer.status_code == 422 and answer.get_json()["field"] == "status"


@pytest.mark.parametrize("who", ["buyer", "buyer_other", "officer", "officer_other"])
def test_buyers_and_officers_are_refused(api, session, reports, who):
    named, _hidden = reports
    assert api("GET", "/incidents", as_=who).status_code == 403
    answer = api("PATCH", f"/incidents/{named.id}", {"status": "confirmed"}, as_=who)
    assert answer.status_code == 403
    session.expire_all()
    assert session.get(Incident, named.id).flag.status == FlagStatus.OPEN


def test_a_buyer_s_flag_list_shows_no_report(api, reports):
    for query in ({}, {"kind": "incident"}):
        flags = api("GET", "/flags", as_="buyer", query=query).get_json()["flags"]
        assert "incident" not in [f["kind"] for f in flags]
    assert len(api("GET", "/flags", query={"kind": "incident"}).get_json()["flags"]) == 2


@pytest.mark.parametrize("forged", ["999999", "0", "-1", "abc", "1e3", "99999999999999999999"])
def test_forged_ids_are_404(api, reports, forged):
    answer = api("PATCH", f"/incidents/{forged}", {"status": "confirmed"})
    assert answer.status_code == 404 and answer.get_json()["code"] == "unknown_incident"


def test_a_buyer_s_indicators_do_not_count_reports(api, reports):
    assert "incident" not in api("GET", "/indicators", as_="buyer").get_json()["flags"]
    assert api("GET", "/indicators").get_json()["flags"]["incident"] == 2
