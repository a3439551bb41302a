"""The savings-group year through the API: corrections, cash count and close (with the
members' SMS), rules between cycles, a write-off, a leaver, expenses, the share-out preview
and the SMS at the share-out. Scope: the group's officer or a coordinator; anyone else gets
the answer an unknown group, meeting, member or loan gets."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from ledger.models import Entry, Flag, Loan, Meeting, Message, MessageKind
from locales import translator
from tests.ledger_checks import assert_books_balance

MONDAY = dt.date(2025, 1, 6)


def count(session, model, *where) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(model).where(*where))


def a_meeting(api, world, day=MONDAY) -> dict:
    a, b, c = world.members
    answer = api(
        "POST",
        "/groups/VSLA1/meetings",
        {
            "date": day.isoformat(),
            "records": [
                {"member_id": a.id, "shares": 5, "social_fund": 200},
                {"member_id": b.id, "shares": 4, "fine": 500, "fine_reason": "late"},
                {"member_id": c.id, "shares": 3},
            ],
        },
        as_="officer",
    )
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def test_a_meeting_corrected_counted_and_closed(api, world, session):
    a, b, c = world.members
    meeting_id = a_meeting(api, world)["meeting_id"]
    base = f"/groups/VSLA1/meetings/{meeting_id}"

    # Out of scope: the other group's officer learns nothing; a buyer's role is refused.
    for path, body in (
        (f"{base}/records/{b.id}/reverse", {"reason": "typo"}),
        (f"{base}/cash-count", {"loan_fund": 1, "social_fund": 0}),
        (f"{base}/close", {}),
    ):
        assert api("POST", path, body, as_="officer_other").status_code == 404
        assert api("POST", path, body, as_="buyer").status_code == 403
    assert api("POST", f"/groups/VSLA2/meetings/{meeting_id}/close", {}).status_code == 404
    assert api("POST", "/groups/VSLA1/meetings/999999/close", {}).status_code == 404

    # B's fine was a mistake: reverse her record (shares and fine), then re-record her shares.
    assert api("POST", f"{base}/records/{b.id}/reverse", {}, as_="officer").status_code == 422
    answer = api("POST", f"{base}/records/{b.id}/reverse", {"reason": "no fine"}, as_="officer")
    assert answer.status_code == 201, answer.get_json()
    assert len(answer.get_json()["reversed"]) == 2
    assert answer.get_json()["member"]["shares"] == 0
    statement = api("GET", f"/members/{b.phone}/statement", as_="officer").get_json()
    assert [line["reversed"] for line in statement["recent"] if line["kind"] == "fine"] == [True]
    a_day = {"date": MONDAY.isoformat(), "records": [{"member_id": b.id, "shares": 4}]}
    assert api("POST", "/groups/VSLA1/meetings", a_day, as_="officer").status_code == 201

    # The box: 12 shares of 1,000 FC and 200 FC of social fund; counted 100 FC short.
    entries = count(session, Entry)
    assert api("POST", f"{base}/cash-count", {"loan_fund": -5, "social_fund": 0}).status_code == 422
    assert api("POST", f"{base}/close", {}, as_="officer").get_json()["code"] == "count_first"
    assert count(session, Entry) == entries
    counted = {"loan_fund": "11900", "social_fund": 200}
    answer = api("POST", f"{base}/cash-count", counted, as_="officer")
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["loan_fund"] == {
        "counted": "11900.00",
        "books": "12000.00",
        "difference": "-100.00",
    }
    assert answer.get_json()["flagged"] is True
    (flag,) = api("GET", "/groups/VSLA1/flags", as_="coordinator").get_json()["flags"]
    assert flag["kind"] == "cash_count_difference"
    assert flag["details"]["loan_fund_difference"] == -10_000
    assert api("GET", "/groups/VSLA1/flags", as_="officer_other").status_code == 404
    assert api("GET", "/flags", as_="buyer").get_json()["flags"] == []

    answer = api("POST", f"{base}/close", {}, as_="officer", headers={"Idempotency-Key": "c1"})
    assert answer.status_code == 201, answer.get_json()
    again = api("POST", f"{base}/close", {}, as_="officer", headers={"Idempotency-Key": "c1"})
    assert again.headers["Idempotent-Replayed"] == "true"
    assert count(session, Message, Message.kind == MessageKind.MEETING) == 3
    sms = session.scalar(select(Message).where(Message.member_id == a.id))
    t = translator(a.language)
    assert t.money(5_200_00, "CDF") in sms.body  # paid: 5 shares and the social fund
    assert t.money(5_000_00, "CDF") in sms.body  # saved: her 5 shares

    # Closed: no more records; a correction is the coordinator's.
    late = {"date": MONDAY.isoformat(), "records": [{"member_id": c.id, "shares": 1}]}
    assert api("POST", "/groups/VSLA1/meetings", late, as_="officer").get_json()["code"] == (
        "meeting_closed"
    )
    reverse = (f"{base}/records/{c.id}/reverse", {"reason": "she was absent"})
    assert api("POST", *reverse, as_="officer").status_code == 403
    assert api("POST", *reverse, as_="coordinator").status_code == 201
    shown = api("GET", base, as_="officer").get_json()
    assert shown["closed"] is True and shown["loan_fund"]["books"] == "12000.00"
    assert_books_balance(session)


def test_rules_between_cycles(api, world, session):
    assert api("PATCH", "/groups/VSLA1", {"meeting_time": "10:00"}, as_="officer").status_code == (
        200
    )
    answer = api("PATCH", "/groups/VSLA1", {"charge_period": "4_weeks", "leaver_rule": "x"})
    assert answer.status_code == 422 and answer.get_json()["field"] == "leaver_rule"
    answer = api(
        "PATCH", "/groups/VSLA1", {"charge_period": "4_weeks", "leaver_rule": "savings_and_profit"}
    )
    assert answer.get_json()["charge_period"] == "4_weeks"
    a_meeting(api, world)
    answer = api("PATCH", "/groups/VSLA1", {"share_value": 2000}, as_="officer")
    assert answer.get_json()["code"] == "cycle_started"
    assert api(
        "PATCH", "/groups/VSLA1", {"meeting_weekday": 2}, as_="officer_other"
    ).status_code == (404)
    assert api("PATCH", "/groups/VSLA1", {"colour": "red"}).status_code == 422


def test_write_off_leaver_expense_and_share_out(api, world, session):
    a, _b, c = world.members
    a_meeting(api, world)
    loan_day = {
        "date": (MONDAY + dt.timedelta(days=7)).isoformat(),
        "records": [{"member_id": a.id, "loan": 2000, "loan_term_months": 1}],
    }
    assert api("POST", "/groups/VSLA1/meetings", loan_day, as_="officer").status_code == 201
    loan = session.scalar(select(Loan).where(Loan.member_id == a.id))
    path = f"/loans/{loan.id}/write-off"
    assert api("POST", path, {"reason": "gone"}, as_="officer_other").status_code == 404
    assert api("POST", path, {}, as_="officer").status_code == 422
    answer = api("POST", path, {"reason": "she moved to Bunia"}, as_="officer")
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["written_off"] == "2200.00"
    assert api("POST", path, {"reason": "again"}).get_json()["code"] == "closed"

    expense = {"amount": 300, "memo": "stationery", "date": "2025-01-14"}
    assert api("POST", "/groups/VSLA1/expenses", expense, as_="officer").status_code == 201
    assert api("POST", "/groups/VSLA1/expenses", expense, as_="officer_other").status_code == 404

    leave = {"date": "2025-01-15", "rule": "savings_only"}
    assert api(
        "POST", f"/groups/VSLA1/members/{c.id}/leave", leave, as_="officer_other"
    ).status_code == (404)
    answer = api("POST", f"/groups/VSLA1/members/{c.id}/leave", leave, as_="officer")
    assert answer.status_code == 201, answer.get_json()
    assert (answer.get_json()["payout"], answer.get_json()["status"]) == ("3000.00", "inactive")
    (sms,) = session.scalars(select(Message).where(Message.kind == MessageKind.LEAVER))
    assert sms.member_id == c.id and translator(c.language).money(3_000_00, "CDF") in sms.body

    # Fund: 12,000 FC of shares + 500 fine - 2,000 lent - 300 expense - 3,000 to C = 7,200
    # over A 5 and B 4 shares: 800 FC a share (the write-off and expense shared by all).
    preview = api("GET", "/groups/VSLA1/share-out", as_="officer", query={"date": "2025-01-20"})
    assert preview.status_code == 200, preview.get_json()
    body = preview.get_json()
    assert (body["fund"], body["value_per_share"], body["still_owing"]) == ("7200.00", "800.00", [])
    assert api("GET", "/groups/VSLA1/share-out", as_="officer_other").status_code == 404
    answer = api("POST", "/groups/VSLA1/share-out", {"date": "2025-01-20"}, as_="officer")
    assert answer.status_code == 201, answer.get_json()
    assert count(session, Message, Message.kind == MessageKind.SHARE_OUT) == 2
    assert_books_balance(session)


def test_closing_needs_no_sms_when_the_group_switched_it_off(api, world, session):
    api("PATCH", "/groups/VSLA1", {"meeting_sms": False}, as_="officer")
    meeting_id = a_meeting(api, world)["meeting_id"]
    base = f"/groups/VSLA1/meetings/{meeting_id}"
    api("POST", f"{base}/cash-count", {"loan_fund": 12500, "social_fund": 200}, as_="officer")
    assert api("POST", f"{base}/close", {}, as_="officer").status_code == 201
    assert count(session, Message, Message.kind == MessageKind.MEETING) == 0
    assert count(session, Flag) == 0
    assert session.get(Meeting, meeting_id).closed_at is not None
