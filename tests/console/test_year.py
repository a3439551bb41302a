"""The group's year on the console: a member's record reversed with a reason (a closed
meeting by a coordinator only), the box counted and the meeting closed, the share-out
previewed then done, a member who leaves, a loan written off. Each form checks scope first,
marks a bad field and writes nothing, and writes once when sent twice."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from sqlalchemy import func, select

from ledger import closing
from ledger.meetings import MeetingRecord, record_meeting
from ledger.models import (
    ConsoleSubmission,
    Cycle,
    Entry,
    EntryKind,
    Flag,
    Loan,
    LoanStatus,
    Meeting,
    Member,
    MemberStatus,
)

LAST_WEEK = dt.date.today() - dt.timedelta(days=7)


def count(session, model, *where) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model).where(*where))


def hidden(page: str, action: str) -> dict[str, str]:
    """The hidden fields (CSRF token, key, date) of the form posting to ``action``."""
    start = page.index(f'action="{action}"') if action else page.index('<form method="post">')
    form = page[start : page.index("</form>", start)]
    return {
        name: html.unescape(value)
        for name, value in re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', form)
    }


def any_form(page: str) -> dict[str, str]:
    """A valid token and a fresh key, as a form of this page would carry them."""
    return {"csrf_token": hidden(page, "/console/logout")["csrf_token"], "key": "c" * 32}


def meeting_with_records(session, world, loan: int = 0, on: dt.date = LAST_WEEK) -> Meeting:
    """Everyone buys 5 shares (5 000 FC each) and pays the social fund; A may borrow."""
    a, b, c = world.members
    records = [
        MeetingRecord(a, shares=5, social_fund=200_00, loan=loan, loan_term_months=3),
        MeetingRecord(b, shares=5, social_fund=200_00),
        MeetingRecord(c, shares=5),
    ]  # fmt: skip
    meeting = record_meeting(session, world.group, on, [a, b, c], records)
    session.commit()
    return meeting


def base(meeting) -> str:
    return f"/console/groups/VSLA1/meetings/{meeting.id}"


# -- corrections ------------------------------------------------------------------------------


def test_a_record_is_reversed_with_a_reason_and_shown_reversed(as_, session, world):
    meeting = meeting_with_records(session, world)
    a = world.members[0]
    client = as_("officer")
    page = client.get(base(meeting)).text
    action = f"{base(meeting)}/records/{a.id}/reverse"
    form = hidden(page, action)
    entries = count(session, Entry)

    empty = client.post(action, data={**form, "reason": "  "})
    assert empty.status_code == 422 and 'aria-invalid="true"' in empty.text
    assert count(session, Entry) == entries

    done = client.post(action, data={**form, "reason": "5 shares typed for 2"})
    assert done.status_code == 302
    reversals = session.scalars(select(Entry).where(Entry.kind == EntryKind.REVERSAL)).all()
    assert len(reversals) == 2  # her shares and her social fund
    officer = world.staff["officer"]
    assert {r.recorded_by for r in reversals} == {f"console:{officer.id}"}
    again = client.post(action, data={**form, "reason": "5 shares typed for 2"})  # sent twice
    assert again.status_code == 302 and count(session, Entry) == entries + 2

    shown = client.get(base(meeting)).text
    assert "<del>" in shown and "5 shares typed for 2" in shown
    assert action not in shown  # nothing of hers stands to reverse
    passbook = client.get(f"/console/members/{a.id}").text
    assert "<del>" in passbook


def test_a_reversal_the_books_refuse_says_why_and_writes_nothing(as_, session, world):
    meeting = meeting_with_records(session, world, loan=2000_00)
    a = world.members[0]
    loan = session.scalar(select(Loan))
    later = LAST_WEEK + dt.timedelta(days=3)
    record_meeting(session, world.group, later, [a], [MeetingRecord(a, repayment=500_00)])
    session.commit()
    client = as_("officer")
    action = f"{base(meeting)}/records/{a.id}/reverse"
    form = hidden(client.get(base(meeting)).text, action)
    entries = count(session, Entry)
    answer = client.post(action, data={**form, "reason": "wrong loan"})
    assert answer.status_code == 422 and 'class="error"' in answer.text
    assert count(session, Entry) == entries
    assert session.get(Loan, loan.id).status == LoanStatus.OPEN


def test_a_closed_meeting_is_corrected_by_a_coordinator_only(as_, session, world):
    meeting = meeting_with_records(session, world)
    closing.count_cash(session, meeting, 15000_00, 400_00)
    closing.close_meeting(session, meeting)
    session.commit()
    a = world.members[0]
    action = f"{base(meeting)}/records/{a.id}/reverse"
    officer = as_("officer")
    page = officer.get(base(meeting)).text
    assert action not in page  # no reverse form for her
    entries = count(session, Entry)
    refused = officer.post(action, data={**any_form(page), "reason": "typo"})
    assert refused.status_code == 403 and 'class="error"' in refused.text
    assert count(session, Entry) == entries

    coordinator = as_("coordinator")
    form = hidden(coordinator.get(base(meeting)).text, action)
    assert coordinator.post(action, data={**form, "reason": "typo"}).status_code == 302
    assert count(session, Entry) == entries + 2


# -- the cash count and closing ---------------------------------------------------------------


def test_the_box_is_counted_against_the_books_then_the_meeting_closed(as_, session, world):
    meeting = meeting_with_records(session, world)
    client = as_("officer")
    page = client.get(base(meeting)).text
    action = f"{base(meeting)}/cash-count"
    form = hidden(page, action)

    bad = client.post(action, data={**form, "loan_fund": "-5", "social_fund": "abc"})
    assert bad.status_code == 422 and bad.text.count('aria-invalid="true"') == 2
    session.expire_all()
    assert session.get(Meeting, meeting.id).counted_at is None

    close = f"{base(meeting)}/close"
    early = client.post(close, data=form)
    assert early.status_code == 422  # count the box first
    assert session.get(Meeting, meeting.id).closed_at is None

    counted = client.post(action, data={**form, "loan_fund": "14 500", "social_fund": "400"})
    assert counted.status_code == 302
    shown = client.get(base(meeting)).text
    assert "15 000" in shown or "15.000" in shown  # the books: 15 shares of 1 000 FC
    assert count(session, Flag, Flag.group_id == world.group.id) == 1  # 500 FC short
    assert "-500" in client.get("/console/groups/VSLA1").text  # shown on the group's page

    form = hidden(shown, close)
    assert client.post(close, data=form).status_code == 302
    assert client.post(close, data=form).status_code == 302  # sent twice: once
    session.expire_all()
    assert session.get(Meeting, meeting.id).closed_at is not None
    again = client.post(close, data=any_form(client.get(base(meeting)).text))
    assert again.status_code == 422  # closed already: said, not a 500
    recount = client.post(
        action, data={**hidden(shown, action), "loan_fund": "1", "social_fund": "1"}
    )
    assert recount.status_code == 422  # a closed meeting takes no count
    assert 'class="error"' in recount.text  # said above the page, where the form was
    blank = client.post(action, data={**hidden(shown, action), "loan_fund": ""})
    assert blank.status_code == 422  # the form is gone: the refusal is said above it
    assert 'class="error"' in blank.text


# -- the share-out ----------------------------------------------------------------------------


def test_the_share_out_is_previewed_then_done_once(as_, session, world):
    meeting_with_records(session, world, loan=2000_00)
    client = as_("officer")
    preview = client.get("/console/groups/VSLA1/share-out")
    assert preview.status_code == 200
    assert "Amani A" in preview.text and "Amani C" in preview.text
    assert count(session, Cycle, Cycle.closed_at.is_not(None)) == 0  # nothing written

    bad = client.get("/console/groups/VSLA1/share-out?date=2026-02-30")
    assert bad.status_code == 422 and 'aria-invalid="true"' in bad.text
    ahead = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    form = hidden(preview.text, "")
    refused = client.post("/console/groups/VSLA1/share-out", data={**form, "date": ahead})
    assert (
        refused.status_code == 422 and count(session, Cycle, Cycle.group_id == world.group.id) == 1
    )

    done = client.post("/console/groups/VSLA1/share-out", data=form)
    assert done.status_code == 302
    shared = count(session, Entry, Entry.kind == EntryKind.SHARE_OUT)
    assert shared == 3
    assert client.post("/console/groups/VSLA1/share-out", data=form).status_code == 302
    assert count(session, Entry, Entry.kind == EntryKind.SHARE_OUT) == 3
    assert count(session, Cycle, Cycle.group_id == world.group.id) == 2
    assert session.get(Loan, session.scalar(select(Loan.id))).status == LoanStatus.REPAID


def test_a_borrower_who_owes_more_than_her_share_out_blocks_it(as_, session, world):
    meeting_with_records(session, world, loan=14000_00)
    page = as_("coordinator").get("/console/groups/VSLA1/share-out").text
    assert 'class="error"' in page and '<form method="post">' not in page
    assert "/console/groups/VSLA1/loans" in page  # the write-off is one step away


# -- a member leaves, a loan written off ------------------------------------------------------


def test_a_member_leaves_by_the_rule_chosen(as_, session, world):
    meeting_with_records(session, world)
    b = world.members[1]
    path = f"/console/groups/VSLA1/members/{b.id}/leave"
    client = as_("officer")
    page = client.get(path).text
    form = hidden(page, "")
    bad = client.post(path, data={**form, "date": "yesterday", "rule": "all_of_it"})
    assert bad.status_code == 422 and bad.text.count('aria-invalid="true"') >= 2
    assert count(session, Entry, Entry.kind == EntryKind.SHARE_OUT) == 0

    good = {**form, "date": dt.date.today().isoformat(), "rule": "savings_only"}
    assert client.post(path, data=good).status_code == 302
    assert client.post(path, data=good).status_code == 302  # sent twice: paid once
    assert count(session, Entry, Entry.kind == EntryKind.SHARE_OUT) == 1
    member = session.get(Member, b.id)
    assert member.status == MemberStatus.INACTIVE
    assert "<form" not in client.get(path).text.split("<main>")[1].split("</main>")[0]


def test_a_loan_is_written_off_with_a_reason(as_, session, world):
    meeting_with_records(session, world, loan=2000_00)
    loan = session.scalar(select(Loan))
    client = as_("officer")
    page = client.get("/console/groups/VSLA1/loans").text
    assert "Amani A" in page
    action = f"/console/groups/VSLA1/loans/{loan.id}/write-off"
    form = hidden(page, action)
    empty = client.post(action, data={**form, "reason": ""})
    assert empty.status_code == 422 and 'aria-invalid="true"' in empty.text
    assert count(session, Entry, Entry.kind == EntryKind.WRITE_OFF) == 0
    assert client.post(action, data={**form, "reason": "moved to Bunia"}).status_code == 302
    assert client.post(action, data={**form, "reason": "moved to Bunia"}).status_code == 302
    assert count(session, Entry, Entry.kind == EntryKind.WRITE_OFF) == 1
    assert session.get(Loan, loan.id).status == LoanStatus.WRITTEN_OFF


# -- scope ------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["officer_other", "buyer", "buyer_other"])
def test_nobody_outside_the_group_reaches_its_year(as_, session, world, who):
    meeting = meeting_with_records(session, world, loan=2000_00)
    loan = session.scalar(select(Loan))
    a = world.members[0]
    client = as_(who)
    token = any_form(client.get("/console/members").text)["csrf_token"]
    gets = [
        base(meeting),
        "/console/groups/VSLA1/share-out",
        "/console/groups/VSLA1/loans",
        f"/console/groups/VSLA1/members/{a.id}/leave",
    ]
    for path in gets:
        assert client.get(path).status_code == 404, path
    data = {"csrf_token": token, "key": "a" * 32, "reason": "x", "date": "2026-01-01",
            "rule": "savings_only", "loan_fund": "1", "social_fund": "1"}  # fmt: skip
    posts = [
        f"{base(meeting)}/records/{a.id}/reverse",
        f"{base(meeting)}/cash-count",
        f"{base(meeting)}/close",
        "/console/groups/VSLA1/share-out",
        f"/console/groups/VSLA1/members/{a.id}/leave",
        f"/console/groups/VSLA1/loans/{loan.id}/write-off",
    ]
    entries = count(session, Entry)
    for path in posts:
        assert client.post(path, data=data).status_code == 404, path
    assert count(session, Entry) == entries and count(session, ConsoleSubmission) == 0


def test_another_groups_meeting_member_or_loan_is_unknown_here(as_, session, world):
    outsider = world.outsider
    other = record_meeting(
        session, world.other_group, LAST_WEEK, [outsider], [MeetingRecord(outsider, shares=2)]
    )
    session.commit()
    client = as_("officer")
    assert client.get(f"/console/groups/VSLA1/meetings/{other.id}").status_code == 404
    assert client.get(f"/console/groups/VSLA2/meetings/{other.id}").status_code == 404
    assert client.get(f"/console/groups/VSLA1/members/{outsider.id}/leave").status_code == 404
    assert client.get("/console/groups/VSLA1/meetings/99999999999").status_code == 404
    meeting = meeting_with_records(session, world)
    page = client.get(base(meeting)).text
    form = {**hidden(page, f"{base(meeting)}/cash-count"), "reason": "x"}
    answer = client.post(f"{base(meeting)}/records/{outsider.id}/reverse", data=form)
    assert answer.status_code == 404
    assert count(session, Entry, Entry.kind == EntryKind.REVERSAL) == 0
