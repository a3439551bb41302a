"""Meeting reminders: found by a periodic scan of the database, with the amount due when a
loan falls due, in each member's language, once however often the scan runs."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from ledger.loans import open_loans, position
from ledger.meetings import MeetingRecord, record_meeting
from ledger.models import MemberStatus, MessageKind, MessageStatus
from locales import translator
from sms import reminders, settings
from tests import factories
from tests.sms.conftest import messages, wait_until

FC = 100


def group_meeting(weekday: int, hour: int, evening=18, before=2):
    return SimpleNamespace(
        meeting_weekday=weekday,
        meeting_time=dt.time(hour),
        remind_evening_hour=evening,
        remind_hours_before=before,
    )


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (dt.datetime(2026, 3, 1, 17, 59), None),  # Sunday, before 18:00
        (dt.datetime(2026, 3, 1, 18, 0), MessageKind.REMINDER_EVE),
        (dt.datetime(2026, 3, 1, 23, 59), MessageKind.REMINDER_EVE),
        (dt.datetime(2026, 3, 2, 9, 0), None),  # Monday morning: the evening one is stale
        (dt.datetime(2026, 3, 2, 13, 0), MessageKind.REMINDER_DAY),  # 2 h before 15:00
        (dt.datetime(2026, 3, 2, 15, 0), None),  # the meeting has begun
    ],
)
def test_which_reminder_is_due(now, expected):
    found = reminders.due_reminder(group_meeting(0, 15), now)
    assert (found[0] if found else None) == expected
    if found:
        assert found[1] == dt.datetime(2026, 3, 2, 15, 0)


def test_groups_without_reminders_get_none():
    assert (
        reminders.due_reminder(group_meeting(0, 15, None, None), dt.datetime(2026, 3, 2, 14))
        is None
    )


def test_reminders_go_out_once_with_the_amount_due(session, fake, workers):
    tz = ZoneInfo(settings.current().tz)
    now_local = dt.datetime.now(tz).replace(second=0, microsecond=0, tzinfo=None)
    meeting = now_local + dt.timedelta(hours=1)
    group = factories.group(session, cycle_start=now_local.date() - dt.timedelta(days=60))
    group.meeting_weekday = meeting.weekday()
    group.meeting_time = meeting.time()
    borrower = factories.member(session, group, language="fr", name="Neema Kahindo")
    saver = factories.member(session, group, language="ln", name="Mbɔ́tɛ Lisanga")
    saver.opted_out = True  # reminders are not broadcasts: they still go
    left = factories.member(session, group, language="sw")
    session.flush()
    record_meeting(
        session,
        group,
        now_local.date() - dt.timedelta(days=40),
        [borrower, saver, left],
        [
            MeetingRecord(borrower, shares=5, loan=8_000 * FC, loan_term_months=1),
            MeetingRecord(saver, shares=5),
        ],
    )
    left.status = MemberStatus.INACTIVE
    session.commit()
    (loan,) = open_loans(session, borrower)
    assert loan.due_on < meeting.date()  # due (overdue) by the meeting
    session.commit()  # end the read: SQLite would keep the workers waiting on its lock

    workers.start()
    fake.wait_for(lambda: len(fake.accepted()) == 2, 10, "two reminders")
    wait_until(
        lambda: [m.status for m in messages()] == [MessageStatus.SENT] * 2, 5, "reminders sent"
    )
    rows = messages()
    assert {(m.member_id, m.kind, m.language) for m in rows} == {
        (borrower.id, MessageKind.REMINDER_DAY, "fr"),
        (saver.id, MessageKind.REMINDER_DAY, "ln"),
    }
    assert all(m.expires_at is not None for m in rows)
    (to_borrower,) = fake.texts_to(borrower.phone)
    assert "Neema" in to_borrower and meeting.strftime("%H:%M") in to_borrower
    # What the loan will owe on the meeting day: the period started 30 days after the loan
    # counts though no meeting has booked it yet (the figure the member's phone shows too).
    owed = position(loan, meeting.date()).outstanding
    assert owed == loan.outstanding + 800 * FC
    assert translator("fr").money(owed, "CDF") in to_borrower
    (to_saver,) = fake.texts_to(saver.phone)
    assert "Mbote" in to_saver and "due" not in to_saver

    # The worker scans every half second; another scan here writes nothing new either.
    assert reminders.write_due(session, settings.current()) == 0
    assert len(messages()) == 2 and fake.accepted() == {borrower.phone: 1, saver.phone: 1}
