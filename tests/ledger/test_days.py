"""Days from outside: read strictly and kept within the books' range where they come in, so
no date sum further on (the day after, a 30-day charge period, a year-long cycle) overflows.
Out of range is a clear refusal on its field, never an OverflowError."""

from __future__ import annotations

import datetime as dt

import pytest

from ledger import days, loans, meetings, shareout, vsla
from ledger.errors import LedgerError
from tests import factories
from tests.ledger.test_ledger_rules import refused

EDGES = [dt.date(9999, 12, 31), dt.date(1, 1, 1), dt.date(2100, 1, 1), dt.date(1999, 12, 31)]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("2025-01-06", None),
        ("2099-12-31", None),
        ("2000-01-01", None),
        ("9999-12-31", "out_of_range"),
        ("2100-01-01", "out_of_range"),
        ("0001-01-01", "out_of_range"),
        ("2025-W02-1", "bad_date"),  # an ISO week date: fromisoformat reads it, we do not
        ("20250106", "bad_date"),
        ("2025-02-30", "bad_date"),
        ("+2025-01-06", "bad_date"),
        ("२०२५-०१-०६", "bad_date"),
        ("", "bad_date"),
        (None, "bad_date"),
        (20250106, "bad_date"),
    ],
)
def test_parse_day(text, code):
    if code is None:
        assert days.parse_day(text, "since") == dt.date.fromisoformat(text)
        return
    with pytest.raises(LedgerError) as caught:
        days.parse_day(text, "since")
    assert (caught.value.code, caught.value.field) == (code, "since")


@pytest.mark.parametrize("day", EDGES)
def test_the_books_refuse_days_out_of_range(session, day):
    group = factories.group(session)
    saver = factories.member(session, group)
    session.commit()
    actions = {
        "cycle_start": lambda: factories.group(session, code="G9", cycle_start=day),
        "date": lambda: meetings.record_meeting(session, group, day, [saver], []),
        "loan": lambda: loans.disburse(session, group, saver, 100, 1, day),
        "repayment": lambda: loans.repay(session, group, saver, 100, day),
        "expense": lambda: vsla.record_expense(session, group, 100, day, "padlock"),
        "share-out": lambda: shareout.share_out(session, group, day),
        "leaving": lambda: shareout.member_leaves(session, saver, day),
    }
    for name, action in actions.items():
        err = refused(session, "out_of_range", action)
        assert "range" in err.message, name


def test_cli_dates_out_of_range_are_usage_errors(runner):
    for args in (
        ["report", "indicators", "--until", "9999-12-31"],
        ["report", "indicators", "--as-of", "9999-12-31"],
        ["report", "flags", "--since", "0001-01-01"],
        ["report", "scan", "--until", "9999-12-31"],
    ):
        result = runner.invoke(args=args)
        assert result.exit_code == 2, (args, result.output)
        assert "out of range" in result.output
        assert not isinstance(result.exception, OverflowError)
