"""Benchmark data, written fast: bulk inserts of members, their accounts and holdings, and a
generated journal (server-side, ``generate_series`` on PostgreSQL).

Members get valid, distinct DRC numbers and the same PIN (see ``defaults.PIN``), each with
its own hash (a PIN hash is bound to its member).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import bindparam, insert, select, text, update
from sqlalchemy.orm import Session

from bench.defaults import PIN
from ledger import gold, pins, vsla
from ledger.journal import account_key
from ledger.models import (
    Account,
    AccountKind,
    Cooperative,
    Group,
    Holding,
    Member,
    MemberStatus,
    utcnow,
)

LANGUAGES = ("sw", "fr", "ln")
#: Rows per INSERT statement when the rows are built in Python.
CHUNK = 5_000


def phone(n: int) -> str:
    """A valid Vodacom DRC number (``+24381`` and 7 digits), distinct for each ``n``."""
    return f"+24381{n:07d}"


def cooperative(session: Session, code: str = "COOPBENCH") -> Cooperative:
    return gold.create_cooperative(session, code, f"Cooperative {code.title()}")


def groups(session: Session, coop: Cooperative | None, count: int, prefix: str = "G") -> list:
    return [
        vsla.create_group(
            session,
            code=f"{prefix}{n:05d}",
            name=f"Groupe {prefix}{n}",
            currency="CDF",
            share_value=1000_00,
            social_fund_contribution=200_00,
            service_charge_bp=1000,
            meeting_weekday=n % 7,
            meeting_time=dt.time(15, 0),
            cycle_start=dt.date(2025, 1, 6),
            cooperative=coop,
        )
        for n in range(count)
    ]


def members(
    session: Session,
    count: int,
    *,
    coop: Cooperative | None = None,
    group_list: list[Group] | None = None,
    first_number: int = 1,
    languages: tuple[str, ...] = LANGUAGES,
    roles: str = "member",
    with_pin: bool = False,
) -> list[tuple[int, str]]:
    """``count`` active members (``group_list`` round-robin, 25 to a group when given);
    returns their (id, phone)."""
    now = utcnow()
    first_id = (session.scalar(select(Member.id).order_by(Member.id.desc()).limit(1)) or 0) + 1
    rows = []
    for i in range(count):
        n = first_number + i
        group = group_list[i // 25 % len(group_list)] if group_list else None
        rows.append(
            {
                "phone": phone(n),
                "name": f"Membre {n}",
                "name_key": f"membre {n}",
                "gender": "F" if n % 5 else "M",
                "language": languages[n % len(languages)],
                "roles": roles,
                "status": MemberStatus.ACTIVE,
                "opted_out": False,
                "pin_hash": None,
                "pin_failures": 0,
                "group_id": group.id if group else None,
                "cooperative_id": coop.id if coop else (group.cooperative_id if group else None),
                "created_at": now,
                "updated_at": now,
            }
        )
    for start in range(0, len(rows), CHUNK):
        session.execute(insert(Member), rows[start : start + CHUNK])
    session.flush()
    found = session.execute(
        select(Member.id, Member.phone).where(Member.id >= first_id).order_by(Member.id)
    ).all()
    if with_pin:  # a PIN hash is bound to its member: one each, after the ids are known
        hashes = [
            {"_id": member_id, "_hash": pins.hash_pin(PIN, member_id)} for member_id, _ in found
        ]
        table = Member.__table__
        for start in range(0, len(hashes), CHUNK):
            session.execute(
                update(table)
                .where(table.c.id == bindparam("_id"))
                .values(pin_hash=bindparam("_hash")),
                hashes[start : start + CHUNK],
            )
    return [(member_id, number) for member_id, number in found]


def positions(session: Session, group_list: list[Group]) -> None:
    """Every group member's savings: shares held this cycle, and the accounts the savings
    screen reads (savings and social contributions) with balances to match."""
    for group in group_list:
        cycle = vsla.current_cycle(session, group)
        ids = session.scalars(select(Member.id).where(Member.group_id == group.id)).all()
        holdings, accounts = [], []
        for member_id in ids:
            shares = 1 + member_id % 40
            holdings.append({"cycle_id": cycle.id, "member_id": member_id, "shares": shares})
            for kind, balance in (
                (AccountKind.SAVINGS, -shares * group.share_value),
                (AccountKind.SOCIAL_CONTRIBUTIONS, -4 * group.social_fund_contribution),
            ):
                accounts.append(
                    {
                        "key": account_key(kind, group.currency, group.id, member_id, None),
                        "kind": kind,
                        "currency": group.currency,
                        "group_id": group.id,
                        "member_id": member_id,
                        "balance": balance,
                    }
                )
        if ids:
            session.execute(insert(Holding), holdings)
            session.execute(insert(Account), accounts)
    session.flush()


# -- a generated journal ---------------------------------------------------------------------


def journal_accounts(session: Session, group_list: list[Group]) -> None:
    """Each group's loan-fund cash account and each member's savings account."""
    rows = []
    for group in group_list:
        rows.append(_account_row(AccountKind.LOAN_FUND_CASH, group, None))
        for member_id in session.scalars(select(Member.id).where(Member.group_id == group.id)):
            rows.append(_account_row(AccountKind.SAVINGS, group, member_id))
    session.execute(insert(Account), rows)
    session.flush()


def _account_row(kind: AccountKind, group: Group, member_id: int | None) -> dict:
    return {
        "key": account_key(kind, group.currency, group.id, member_id, None),
        "kind": kind,
        "currency": group.currency,
        "group_id": group.id,
        "member_id": member_id,
        "balance": 0,
    }


#: Share purchases as entries: members in turn, two lines each (cash in, savings credited).
_ENTRIES_PG = """
INSERT INTO entries (kind, currency, group_id, member_id, occurred_on, memo, created_at)
SELECT 'shares', 'CDF', m.group_id, m.id, DATE '2025-01-06' + CAST(s.i / :members * 7 AS integer),
       'generated', now() AT TIME ZONE 'UTC'
FROM generate_series(CAST(:first AS bigint), CAST(:last AS bigint)) AS s(i)
JOIN (SELECT id, group_id, row_number() OVER (ORDER BY id) - 1 AS k
      FROM members WHERE group_id IS NOT NULL) AS m ON m.k = s.i % CAST(:members AS bigint)
"""
_ENTRIES_SQLITE = """
INSERT INTO entries (kind, currency, group_id, member_id, occurred_on, memo, created_at)
WITH RECURSIVE s(i) AS (SELECT :first UNION ALL SELECT i + 1 FROM s WHERE i < :last)
SELECT 'shares', 'CDF', m.group_id, m.id,
       date('2025-01-06', '+' || ((s.i / :members) * 7) || ' days'), 'generated', datetime('now')
FROM s JOIN (SELECT id, group_id, row_number() OVER (ORDER BY id) - 1 AS k
             FROM members WHERE group_id IS NOT NULL) AS m ON m.k = s.i % CAST(:members AS bigint)
"""
_CASH_LINES = """
INSERT INTO lines (entry_id, account_id, amount)
SELECT e.id, a.id, 100000 FROM entries e
JOIN accounts a ON a.kind = 'loan_fund_cash' AND a.group_id = e.group_id
WHERE e.id > :after
"""
_SAVINGS_LINES = """
INSERT INTO lines (entry_id, account_id, amount)
SELECT e.id, a.id, -100000 FROM entries e
JOIN accounts a ON a.kind = 'savings' AND a.member_id = e.member_id
WHERE e.id > :after
"""
_BALANCES = """
UPDATE accounts SET balance = (SELECT coalesce(sum(amount), 0) FROM lines
                               WHERE lines.account_id = accounts.id)
"""


def grow_journal(session: Session, lines: int) -> int:
    """Add share-purchase entries until the journal has ``lines`` lines (two per entry);
    balances are brought up to date. Returns the number of lines now."""
    have = session.scalar(text("SELECT count(*) FROM lines"))
    entries_wanted = (lines - have) // 2
    if entries_wanted <= 0:
        return have
    in_groups = session.scalar(text("SELECT count(*) FROM members WHERE group_id IS NOT NULL"))
    after = session.scalar(text("SELECT coalesce(max(id), 0) FROM entries"))
    first = session.scalar(text("SELECT count(*) FROM entries"))
    sql = _ENTRIES_PG if session.get_bind().dialect.name == "postgresql" else _ENTRIES_SQLITE
    session.execute(
        text(sql), {"first": first, "last": first + entries_wanted - 1, "members": in_groups}
    )
    session.execute(text(_CASH_LINES), {"after": after})
    session.execute(text(_SAVINGS_LINES), {"after": after})
    session.execute(text(_BALANCES))
    have = session.scalar(text("SELECT count(*) FROM lines"))
    session.commit()
    return have
