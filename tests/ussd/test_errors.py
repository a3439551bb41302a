"""The books' refusals as members read them: each says which fund is short, and a member who
has left is "no longer in the group", never "no more"."""

from __future__ import annotations

import datetime as dt

import pytest

from ledger import gold, meetings
from ledger.errors import LedgerError
from ledger.meetings import MeetingRecord
from ledger.models import MemberStatus
from locales import LANGUAGES, translator
from tests import factories
from ussd.errors import explain

FC = 100
DAY = dt.date(2025, 1, 13)


def refusal(session, group, record: MeetingRecord) -> LedgerError:
    with pytest.raises(LedgerError) as caught:
        meetings.record_meeting(session, group, DAY, [record.member], [record])
    session.rollback()
    return caught.value


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_short_fund_is_named(session, lang):
    group = factories.group(session)
    member = factories.member(session, group)
    meetings.record_meeting(
        session, group, DAY, [member], [MeetingRecord(member, shares=2, social_fund=200 * FC)]
    )
    session.commit()
    t = translator(lang)
    loan = refusal(session, group, MeetingRecord(member, loan=5_000 * FC))
    grant = refusal(session, group, MeetingRecord(member, grant=5_000 * FC))
    assert (loan.code, grant.code) == ("fund_short", "fund_short")
    assert explain(t, loan, "CDF") == t.gettext(
        "The loan fund holds only {available}.", available=t.money(2_000 * FC, "CDF")
    )
    assert explain(t, grant, "CDF") == t.gettext(
        "The social fund holds only {available}.", available=t.money(200 * FC, "CDF")
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_member_who_left_is_no_longer_in_the_group(session, lang):
    coop = factories.cooperative(session)
    site = factories.site(session, coop)
    group = factories.group(session, coop)
    member = factories.member(session, group, coop=coop)
    member.status = MemberStatus.INACTIVE
    session.commit()
    t = translator(lang)
    left = refusal(session, group, MeetingRecord(member, shares=1))
    assert explain(t, left) == t.gettext("No longer in the group.")
    with pytest.raises(LedgerError) as caught:
        gold.record_purchase(
            session, miner=member, site=site, weight_mg=1000, price_per_gram=95_00, currency="USD"
        )
    assert explain(t, caught.value) == t.gettext("No longer a member.")


def test_an_unknown_field_falls_back_to_the_code():
    t = translator("sw")
    error = LedgerError("fund_short", "short", "somewhere", available=100)
    assert explain(t, error, "CDF") == t.gettext(
        "The loan fund holds only {available}.", available=t.money(100, "CDF")
    )
