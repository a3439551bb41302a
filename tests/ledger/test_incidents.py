"""Incident reports in the books: kept with site, category and text, an open flag raised and
told in the coordinators' digest, the reporter hidden when anonymous, seen by the
coordinators of the report's cooperative only, reviewed through its flag."""

from __future__ import annotations

import pytest

from ledger import access, incidents
from ledger.errors import LedgerError
from ledger.evidence import review
from ledger.models import Flag, FlagKind, FlagStatus, Incident, IncidentChannel
from tests import factories


@pytest.fixture
def place(session):
    coop = factories.cooperative(session)
    other = factories.cooperative(session, "COOPARU", "Aru")
    site = factories.site(session, coop, "MBS-03")
    miner = factories.member(session, roles="member,miner", coop=coop, site=site)
    session.commit()
    return coop, other, site, miner


def _report(session, place, **given):
    _coop, _other, site, miner = place
    values = dict(
        text="  Watu wenye silaha\n wanatoza kodi  ",
        category="armed_group",
        channel=IncidentChannel.USSD,
        site=site,
        reporter=miner,
        phone=miner.phone,
    )
    return incidents.report(session, **{**values, **given})


def test_a_report_is_kept_and_raises_an_open_flag_told_in_the_digest(session, place):
    coop, _other, site, miner = place
    incident = _report(session, place)
    session.commit()
    assert incident.reference == f"I-{incident.id}"
    assert incident.text == "Watu wenye silaha wanatoza kodi"
    assert (incident.cooperative_id, incident.site_id) == (coop.id, site.id)
    assert (incident.reporter_member_id, incident.reporter_phone) == (miner.id, miner.phone)
    flag = incident.flag
    assert flag.kind == FlagKind.INCIDENT and flag.status == FlagStatus.OPEN
    assert flag.key == f"incident:{incident.id}" and flag.member_id is None
    assert "Watu" not in flag.reason + flag.details  # the words are the coordinators' only
    untold = review.untold(session)
    assert untold[coop.id] == [flag]
    assert review.summary(session, untold[coop.id]) == [(FlagKind.INCIDENT, 1, ["MBS-03"])]


def test_an_anonymous_report_keeps_neither_member_nor_phone(session, place):
    incident = _report(session, place, anonymous=True)
    session.commit()
    assert incident.anonymous
    assert (incident.reporter_member_id, incident.reporter_phone) == (None, None)
    shown = incidents.as_dict(session, incident)
    assert shown["reporter"] == {"anonymous": True}


def test_without_a_site_the_reporter_s_cooperative_follows_it(session, place):
    coop, _other, _site, _miner = place
    incident = _report(session, place, site=None)
    assert (incident.site_id, incident.cooperative_id) == (None, coop.id)
    stranger = _report(session, place, site=None, reporter=None, phone="+243810000099")
    session.commit()
    assert stranger.cooperative_id is None
    told = [f for flags in review.untold(session).values() for f in flags]
    assert stranger.flag not in told  # nobody to tell


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"text": "   "}, "text"),
        ({"text": None}, "text"),
        ({"category": "theft"}, "category"),
        ({"category": None}, "category"),
    ],
)
def test_bad_reports_are_refused_and_nothing_is_written(session, place, given, field):
    with pytest.raises(LedgerError) as refused:
        _report(session, place, **given)
    assert refused.value.field == field
    session.rollback()
    assert session.query(Incident).count() == 0 and session.query(Flag).count() == 0


def test_a_long_report_is_cut_not_refused(session, place):
    incident = _report(session, place, text="x" * 5000)
    assert len(incident.text) == 1000


def test_only_the_cooperative_s_coordinators_see_and_review_it(session, place):
    coop, other, _site, _miner = place
    incident = _report(session, place)
    session.commit()
    mine = access.Actor(coordinates=coop.id)
    assert incidents.list_incidents(session, mine) == [incident]
    assert incidents.list_incidents(session, access.Actor(everywhere=True)) == [incident]
    for outsider in (
        access.Actor(coordinates=other.id),
        access.Actor(buys_for=coop.id),
        access.Actor(officer_of=1),
        access.NOBODY,
    ):
        assert incidents.list_incidents(session, outsider) == []
        assert not incidents.may_see(outsider, incident)
    assert incidents.may_see(mine, incident)


def test_the_review_is_the_flag_s(session, place):
    incident = _report(session, place)
    session.commit()
    with pytest.raises(LedgerError):
        incidents.review_incident(session, incident, "dismissed", None)  # why, first
    incidents.review_incident(session, incident, "dismissed", "a quarrel, no armed men")
    session.commit()
    assert incident.flag.status == FlagStatus.DISMISSED
    everywhere = access.Actor(everywhere=True)
    assert incidents.list_incidents(session, everywhere, status=FlagStatus.OPEN) == []
    assert incidents.list_incidents(session, everywhere, status=FlagStatus.DISMISSED) == [incident]
    assert incidents.as_dict(session, incident)["review"]["note"] == "a quarrel, no armed men"
