"""Groups, meetings, share-out and statements through the API."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from ledger.models import Attendance, ChargeMethod, Entry, Group, Loan, Meeting
from tests import factories
from tests.ledger_checks import assert_books_balance

MONDAY = dt.date(2025, 1, 6)


def count(session, model) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(model))


def group_body(**changes) -> dict:
    body = {
        "code": "VSLA-KOMANDA",
        "name": "Tujenge Komanda",
        "cooperative": "COOPBUNIA",
        "currency": "CDF",
        "share_value": 2000,
        "social_fund_contribution": "500",
        "service_charge_rate": "0.10",
        "service_charge_method": "declining",
        "loan_cap_multiple": 3,
        "max_shares": 5,
        "meeting_weekday": 3,
        "meeting_time": "16:30",
        "cycle_start": "2025-02-06",
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def test_create_group(api, world, session):
    answer = api("POST", "/groups", group_body())
    assert answer.status_code == 201, answer.get_json()
    body = answer.get_json()
    assert body["share_value"] == "2000.00"
    assert body["service_charge_rate"] == "0.1000"
    assert body["meeting_time"] == "16:30"
    assert body["cycle"] == {"number": 1, "start": "2025-02-06", "end": "2026-02-05"}
    group = session.scalar(select(Group).where(Group.code == "VSLA-KOMANDA"))
    assert (group.share_value, group.social_fund_contribution, group.service_charge_bp) == (
        200_000,
        50_000,
        1000,
    )
    assert group.service_charge_method == ChargeMethod.DECLINING
    assert (group.meeting_weekday, group.meeting_time) == (3, dt.time(16, 30))
    assert group.cooperative_id == world.coop.id
    assert api("GET", "/groups/vsla-komanda").get_json() == body


def test_group_defaults_and_zero_social_fund(api, world, session):
    body = group_body(
        social_fund_contribution=0,
        service_charge_method=None,
        loan_cap_multiple=None,
        max_shares=None,
    )
    assert api("POST", "/groups", body).status_code == 201
    group = session.scalar(select(Group).where(Group.code == "VSLA-KOMANDA"))
    assert (group.social_fund_contribution, group.loan_cap_multiple, group.max_shares) == (0, 3, 5)
    assert group.service_charge_method == ChargeMethod.FLAT


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"code": "VSLA1"}, "code"),
        ({"code": "has space"}, "code"),
        ({"code": "X" * 33}, "code"),
        ({"name": "N" * 81}, "name"),
        ({"name": 5}, "name"),
        ({"cooperative": "NOPE"}, "cooperative"),
        ({"cooperative": None}, "cooperative"),
        ({"currency": "XAF"}, "currency"),
        ({"share_value": 0}, "share_value"),
        ({"share_value": "-1000"}, "share_value"),
        ({"share_value": "1e400"}, "share_value"),
        ({"share_value": 10**30}, "share_value"),
        ({"share_value": "10.001"}, "share_value"),
        ({"share_value": True}, "share_value"),
        ({"social_fund_contribution": -5}, "social_fund_contribution"),
        ({"social_fund_contribution": None}, "social_fund_contribution"),
        ({"service_charge_rate": "10"}, "service_charge_rate"),
        ({"service_charge_rate": "-0.1"}, "service_charge_rate"),
        ({"service_charge_rate": "0.123456"}, "service_charge_rate"),
        ({"service_charge_method": "compound"}, "service_charge_method"),
        ({"loan_cap_multiple": 0}, "loan_cap_multiple"),
        ({"loan_cap_multiple": 2.5}, "loan_cap_multiple"),
        ({"max_shares": 11}, "max_shares"),
        ({"meeting_weekday": 7}, "meeting_weekday"),
        ({"meeting_weekday": "Monday"}, "meeting_weekday"),
        ({"meeting_time": "25:00"}, "meeting_time"),
        ({"meeting_time": "3pm"}, "meeting_time"),
        ({"meeting_time": "1²:00"}, "meeting_time"),  # a digit, not 0-9
        ({"cycle_start": "2025-02-30"}, "cycle_start"),
        ({"cycle_start": "9999-12-31"}, "cycle_start"),
        ({"cycle_start": "1900-01-01"}, "cycle_start"),
        ({"cycle_start": 20250206}, "cycle_start"),
        ({"extra": 1}, "extra"),
    ],
)
def test_group_refusals(api, world, session, changes, field):
    before = count(session, Group)
    answer = api("POST", "/groups", group_body(**changes))
    assert answer.status_code in (409, 422), answer.get_json()
    assert answer.get_json()["field"] == field
    assert count(session, Group) == before


def test_unknown_group_in_the_path_is_404(api, world):
    assert api("GET", "/groups/NOPE").status_code == 404
    assert api("POST", "/groups/NOPE/meetings", {"date": "2025-01-06"}).status_code == 404
    assert api("POST", "/groups/bad%20code!/share-out", {}).status_code == 404


def test_record_meeting(api, world, session):
    a, b, c = world.members
    answer = api(
        "POST",
        "/groups/VSLA1/meetings",
        {
            "date": "2025-01-06",
            "present": [a.phone, b.id],
            "records": [
                {"phone": a.phone, "shares": 3, "social_fund": 200},
                {"member_id": b.id, "shares": "2", "social_fund": "200", "fine": 50},
            ],
        },
        as_="officer",
    )
    assert answer.status_code == 201, answer.get_json()
    body = answer.get_json()
    assert (body["group"], body["date"], body["currency"]) == ("VSLA1", "2025-01-06", "CDF")
    rows = {row["member_id"]: row for row in body["members"]}
    assert rows[a.id] | {"phone": "", "name": ""} == {
        "member_id": a.id,
        "phone": "",
        "name": "",
        "present": True,
        "shares_bought": 3,
        "shares": 3,
        "savings": "3000.00",
        "social_fund": "200.00",
        "loan_outstanding": "0.00",
    }
    assert (rows[b.id]["savings"], rows[b.id]["present"]) == ("2000.00", True)
    assert (rows[c.id]["present"], rows[c.id]["savings"]) == (False, "0.00")

    # A loan the next week: cap 3x savings; the first 10 % charge is booked at once.
    week2 = api(
        "POST",
        "/groups/VSLA1/meetings",
        {
            "date": "2025-01-13",
            "records": [{"phone": a.phone, "loan": 4000, "loan_term_months": 1}],
        },
        as_="officer",
    )
    assert week2.status_code == 201, week2.get_json()
    rows = {row["member_id"]: row for row in week2.get_json()["members"]}
    assert rows[a.id]["loan_outstanding"] == "4400.00"
    assert_books_balance(session)

    statement = api(
        "GET", f"/members/{a.phone}/statement?as_of=2025-01-20", as_="officer"
    ).get_json()
    assert statement["as_of"] == "2025-01-20"
    assert statement["savings"] == {"shares": 3, "amount": "3000.00"}
    assert statement["social_fund"] == "200.00"
    assert statement["currency"] == "CDF"
    (loan,) = statement["loans"]
    assert loan | {"id": 0} == {
        "id": 0,
        "principal": "4000.00",
        "charge": "400.00",
        "paid": "0.00",
        "outstanding": "4400.00",
        "disbursed_on": "2025-01-13",
        "due_on": "2025-02-12",
        "status": "open",
    }
    kinds = [t["kind"] for t in statement["recent"]]
    assert kinds[:2] == ["service_charge", "loan"]
    assert {"shares", "social_fund"} <= set(kinds)

    # Past its second period and its due date, with no meeting since: the statement counts
    # the charge that period started (the next meeting books it), as the member's phone does.
    later = api("GET", f"/members/{a.phone}/statement?as_of=2025-02-13", as_="officer").get_json()
    (loan,) = later["loans"]
    assert (loan["charge"], loan["outstanding"], loan["status"]) == ("800.00", "4800.00", "overdue")
    bad = api("GET", f"/members/{a.phone}/statement?as_of=9999-12-31", as_="officer")
    assert bad.status_code == 422 and bad.get_json()["field"] == "as_of"


@pytest.mark.parametrize(
    ("records", "field"),
    [
        # The second record breaks a rule of the books: the first is not kept either.
        ([{"idx": 0, "shares": 2}, {"idx": 1, "loan": 999_999}], "loan"),
        ([{"idx": 0, "shares": 2}, {"idx": 1, "shares": 6}], "records[1].shares"),
        ([{"idx": 0, "shares": 2}, {"idx": 1, "grant": 100}], "grant"),
        ([{"idx": 0, "shares": 2}, {"idx": 1, "repayment": 100}], "repayment"),
        ([{"idx": 0, "shares": 2}, {"idx": 0, "fine": 100}], "records"),  # twice
        ([{"idx": 0, "shares": 2}, {"phone": "0899999999", "shares": 1}], "records[1].phone"),
        ([{"idx": 0, "shares": 2}, {"member_id": 99999}], "records[1].member_id"),
        ([{"idx": 0, "shares": 2}, {"shares": 1}], "records[1].phone"),
        ([{"idx": 0, "shares": 2}, {"idx": 1, "social_fund": -200}], "records[1].social_fund"),
        ([{"idx": 0, "shares": 2}, {"idx": 1, "fine": "0"}], "records[1].fine"),
        ([{"idx": 0, "shares": 2}, {"idx": 1, "fine": 1e300}], "records[1].fine"),
        (
            [{"idx": 0, "shares": 2}, {"idx": 1, "loan_term_months": 2}],
            "records[1].loan_term_months",
        ),
        (
            [{"idx": 0, "shares": 2}, {"idx": 1, "loan": 100, "loan_term_months": 4}],
            "records[1].loan_term_months",
        ),
        ([{"idx": 0, "shares": 2}, {"idx": 1, "colour": "red"}], "records[1].colour"),
        ([{"idx": 0, "shares": 2}, "a string"], "records[1]"),
        ([{"idx": 0, "shares": 2}, {"idx": 1, "shares": {"n": 1}}], "records[1].shares"),
    ],
)
def test_meeting_is_all_or_nothing(api, world, session, records, field):
    members = world.members
    body_records = []
    for record in records:
        if isinstance(record, dict) and "idx" in record:
            record = dict(record)  # the table is shared by both databases: do not change it
            record = {"phone": members[record.pop("idx")].phone, **record}
        body_records.append(record)
    before = (count(session, Entry), count(session, Meeting), count(session, Attendance))
    answer = api("POST", "/groups/VSLA1/meetings", {"date": "2025-01-06", "records": body_records})
    assert answer.status_code in (409, 422), answer.get_json()
    assert answer.get_json()["field"] == field, answer.get_json()
    assert (count(session, Entry), count(session, Meeting), count(session, Attendance)) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "date"),
        ({"date": "2024-12-30"}, "date"),  # before the cycle
        ({"date": (dt.date.today() + dt.timedelta(days=3)).isoformat()}, "date"),
        ({"date": "06/01/2025"}, "date"),
        ({"date": "2025-01-06", "present": "everyone"}, "present"),
        ({"date": "2025-01-06", "present": [True]}, "present[0]"),
        ({"date": "2025-01-06", "present": [0]}, "present[0]"),
        ({"date": "2025-01-06", "present": [{"phone": "x"}]}, "present[0]"),
        ({"date": "2025-01-06", "records": {"phone": "x"}}, "records"),
        ({"date": "2025-01-06", "records": [{}] * 101}, "records"),
    ],
)
def test_meeting_refusals(api, world, session, body, field):
    answer = api("POST", "/groups/VSLA1/meetings", body)
    assert answer.status_code == 422, answer.get_json()
    assert answer.get_json()["field"] == field
    assert count(session, Meeting) == 0


def test_member_of_another_group_is_refused(api, world, session):
    outsider = factories.member(session, world.other_group, name="Outsider")
    session.commit()
    answer = api(
        "POST", "/groups/VSLA1/meetings", {"date": "2025-01-06", "present": [outsider.phone]}
    )
    assert answer.status_code == 422
    assert answer.get_json()["code"] == "other_group"


def test_shared_phone_in_a_meeting(api, world, session):
    a = world.members[0]
    # A relative in another group shares the phone: within VSLA1 the phone is enough.
    factories.member(session, world.other_group, number=a.phone, name="Relative")
    session.commit()
    ok = api("POST", "/groups/VSLA1/meetings", {"date": "2025-01-06", "present": [a.phone]})
    assert ok.status_code == 201
    # A second member of VSLA1 on the same phone: the phone no longer says who.
    twin = factories.member(session, world.group, number=a.phone, name="Twin")
    session.commit()
    ambiguous = api(
        "POST",
        "/groups/VSLA1/meetings",
        {"date": "2025-01-13", "records": [{"phone": a.phone, "shares": 1}]},
    )
    assert ambiguous.status_code == 409
    assert ambiguous.get_json()["field"] == "records[0].phone"
    assert "member_id" in ambiguous.get_json()["error"]
    by_id = api(
        "POST",
        "/groups/VSLA1/meetings",
        {"date": "2025-01-13", "records": [{"member_id": twin.id, "phone": a.phone, "shares": 1}]},
    )
    assert by_id.status_code == 201
    mismatch = api(
        "POST",
        "/groups/VSLA1/meetings",
        {"date": "2025-01-13", "records": [{"member_id": twin.id, "phone": "0812345678"}]},
    )
    assert mismatch.get_json()["code"] == "phone_mismatch"
    statement = api("GET", f"/members/{a.phone}/statement")
    assert statement.status_code == 409
    assert api("GET", f"/members/{a.phone}/statement?member_id={twin.id}").status_code == 200


def test_share_out(api, world, session):
    a, b, c = world.members
    api(
        "POST",
        "/groups/VSLA1/meetings",
        {
            "date": "2025-01-06",
            "records": [
                {"phone": a.phone, "shares": 3},
                {"phone": b.phone, "shares": 1, "fine": 100},
            ],
        },
    )
    answer = api("POST", "/groups/VSLA1/share-out", {"date": "2025-12-29"}, as_="officer")
    assert answer.status_code == 201, answer.get_json()
    body = answer.get_json()
    # Fund 4,100 FC over 4 shares: 1,025 FC a share.
    assert (body["fund"], body["total_shares"], body["value_per_share"]) == (
        "4100.00",
        4,
        "1025.00",
    )
    payouts = {p["member_id"]: p for p in body["payouts"]}
    assert payouts[a.id]["payout"] == "3075.00"
    assert payouts[b.id]["payout"] == "1025.00"
    assert c.id not in payouts
    assert body["total_paid"] == "4100.00"
    assert_books_balance(session)
    group = api("GET", "/groups/VSLA1").get_json()
    assert group["cycle"]["number"] == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"date": "2024-01-01"}, "date"),
        ({"date": "3000-01-01"}, "date"),
        ({"date": 5}, "date"),
        ({"when": "today"}, "when"),
    ],
)
def test_share_out_refusals(api, world, body, field):
    answer = api("POST", "/groups/VSLA1/share-out", body)
    assert answer.status_code == 422
    assert answer.get_json()["field"] == field


def test_share_out_refused_while_a_borrower_cannot_settle(api, world, session):
    a, b, _ = world.members
    api(
        "POST",
        "/groups/VSLA1/meetings",
        {
            "date": "2025-01-06",
            "records": [{"phone": a.phone, "shares": 5}, {"phone": b.phone, "shares": 1}],
        },
    )
    api(
        "POST",
        "/groups/VSLA1/meetings",
        {
            "date": "2025-01-13",
            "records": [{"phone": b.phone, "loan": 3000, "loan_term_months": 3}],
        },
    )
    before = count(session, Entry)
    answer = api("POST", "/groups/VSLA1/share-out", {"date": "2025-12-29"})
    assert answer.status_code == 422
    assert answer.get_json()["code"] == "unsettled"
    assert count(session, Entry) == before
    assert count(session, Loan) == 1


def test_statement_of_a_member_without_group(api, world):
    answer = api("GET", f"/members/{world.miner.phone}/statement")
    assert answer.status_code == 422
    assert answer.get_json()["code"] == "no_group"
