"""A member's statement costs the same few indexed queries however long the journal is."""

import datetime as dt

from sqlalchemy import event

from ledger import db
from ledger.meetings import MeetingRecord as R
from ledger.meetings import record_meeting
from ledger.statement import member_statement
from tests import factories


def statements_for_statement(session, member) -> list[str]:
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        seen.append(statement)

    engine = db.engine()
    event.listen(engine, "before_cursor_execute", record)
    try:
        member_statement(session, member, dt.date.today())
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return seen


def test_statement_does_not_scan_the_journal(session):
    group = factories.group(session, share_value=100)
    member, other = factories.member(session, group), factories.member(session, group)
    day = dt.date(2025, 1, 6)
    record_meeting(session, group, day, [member], [R(member, shares=1, social_fund=100)])
    session.commit()
    session.expire_all()
    few = statements_for_statement(session, member)
    for week in range(1, 41):  # 40 more meetings: 120 more entries for this member
        record_meeting(
            session,
            group,
            day + dt.timedelta(weeks=week),
            [member, other],
            [R(member, shares=5, social_fund=100, fine=50), R(other, shares=1)],
        )
    session.commit()
    session.expire_all()
    many = statements_for_statement(session, member)
    assert len(many) == len(few)
    # Balances come from maintained columns: nothing sums the journal's lines.
    assert not any("sum(" in s.lower() and "lines" in s.lower() for s in many)
    statement = member_statement(session, member, dt.date.today())
    assert statement["shares"] == 1 + 40 * 5
    assert statement["savings"] == 201 * 100
    assert len(statement["recent"]) == 10
