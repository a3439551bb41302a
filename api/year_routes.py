"""The routes of the savings-group year (rules, corrections, the cash count, closing,
leavers, joiners, expenses, the share-out preview, write-offs): part of ``api.routes``' table."""

from __future__ import annotations

from api import schemas, year, year_schemas
from api.route import OFFICER, Route

ROUTES: tuple[Route, ...] = (
    Route(
        "PATCH",
        "/groups/<code>",
        year.update_group,
        OFFICER,
        "Change the group's rules: money rules between cycles only (before the cycle's first"
        " meeting); meeting day and time, name and meeting SMS any time",
        year_schemas.GROUP_PATCH,
        answer=schemas.GROUP_OUT,
    ),
    Route(
        "GET",
        "/groups/<code>/meetings/<meeting_id>",
        year.show_meeting,
        OFFICER,
        "A meeting: its cash count, whether it is closed, each member's balances",
    ),
    Route(
        "POST",
        "/groups/<code>/meetings/<meeting_id>/records/<member_id>/reverse",
        year.reverse_record,
        OFFICER,
        "Reverse everything a member did at a meeting (reversing entries, never edits); a"
        " closed meeting is corrected by a coordinator only",
        year_schemas.REVERSE,
        201,
    ),
    Route(
        "POST",
        "/groups/<code>/meetings/<meeting_id>/cash-count",
        year.cash_count,
        OFFICER,
        "The box counted: answers the books' figures and the difference (a difference is"
        " flagged for the coordinator); a recount replaces it",
        year_schemas.CASH_COUNT,
        201,
    ),
    Route(
        "POST",
        "/groups/<code>/meetings/<meeting_id>/close",
        year.close,
        OFFICER,
        "Close a counted meeting: no more records, only corrections; each member present"
        " gets an SMS (unless the group switched it off)",
        year_schemas.CLOSE,
        201,
    ),
    Route(
        "POST",
        "/groups/<code>/members/<member_id>/leave",
        year.leave,
        OFFICER,
        "A member leaves mid-cycle: her payout by the rule (savings_only or"
        " savings_and_profit; the group's by default); she becomes inactive and gets an SMS",
        year_schemas.LEAVE,
        201,
    ),
    Route(
        "POST",
        "/groups/<code>/members/<member_id>/join",
        year.join,
        OFFICER,
        "A member joins (or comes back) mid-cycle; she buys shares from her first meeting",
        year_schemas.JOIN,
        201,
    ),
    Route(
        "POST",
        "/groups/<code>/expenses",
        year.expense,
        OFFICER,
        "The group's own expense (stationery, a new box), paid from the loan fund",
        year_schemas.EXPENSE,
        201,
    ),
    Route(
        "GET",
        "/groups/<code>/share-out",
        year.share_out_preview,
        OFFICER,
        "The share-out as it would be: fund, value per share, each payout, and who still owes"
        " (wait, net against the payout, or write off)",
        query=(("date", "the day, YYYY-MM-DD (today, local)"),),
    ),
    Route(
        "GET",
        "/groups/<code>/flags",
        year.flags,
        OFFICER,
        "The group's flags (a cash count that differed from the books), newest first",
    ),
    Route(
        "POST",
        "/loans/<loan_id>/write-off",
        year.write_off,
        OFFICER,
        "Write a loan off (a group decision): the loss is shared by everyone's shares at the"
        " share-out, which the borrower no longer blocks",
        year_schemas.WRITE_OFF,
        201,
    ),
)
