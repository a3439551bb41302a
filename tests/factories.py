"""Small builders for test data, one per domain noun. Phone numbers are valid DRC numbers."""

from __future__ import annotations

import datetime as dt
import itertools
import json

from ledger import gold, members, vsla
from ledger.models import (
    ChargeMethod,
    Cooperative,
    Flag,
    FlagKind,
    Group,
    Member,
    Site,
    SiteStatus,
)

_seq = itertools.count(1)


def phone(n: int | None = None) -> str:
    """A valid Vodacom DRC number, different on every call unless ``n`` is given."""
    n = next(_seq) if n is None else n
    return f"+24381{n:07d}"


def cooperative(
    session, code: str = "COOPBUNIA", name: str = "Cooperative de Bunia"
) -> Cooperative:
    return gold.create_cooperative(session, code, name)


def site(
    session,
    coop: Cooperative,
    code: str = "SITE1",
    *,
    capacity_grams: int = 3000,
    status: SiteStatus = SiteStatus.GREEN,
) -> Site:
    return gold.create_site(
        session,
        code=code,
        name=f"Mine {code}",
        cooperative=coop,
        capacity_mg_per_month=capacity_grams * 1000,
        status=status,
        lat="1.566",
        lon="30.25",
    )


def group(
    session,
    coop: Cooperative | None = None,
    code: str = "VSLA1",
    *,
    currency: str = "CDF",
    share_value: int = 1000_00,
    social: int = 200_00,
    rate_bp: int = 1000,
    method: ChargeMethod = ChargeMethod.FLAT,
    cycle_start: dt.date = dt.date(2025, 1, 6),
    **rules,
) -> Group:
    return vsla.create_group(
        session,
        code=code,
        name=f"Groupe {code}",
        currency=currency,
        share_value=share_value,
        social_fund_contribution=social,
        service_charge_bp=rate_bp,
        service_charge_method=method,
        meeting_weekday=0,
        meeting_time=dt.time(15, 0),
        cycle_start=cycle_start,
        cooperative=coop,
        **rules,
    )


def member(
    session,
    grp: Group | None = None,
    *,
    name: str | None = None,
    gender: str = "F",
    language: str = "sw",
    roles: str = "member",
    number: str | None = None,
    site: Site | None = None,
    coop: Cooperative | None = None,
) -> Member:
    n = next(_seq)
    created, _ = members.save_member(
        session,
        phone=number or phone(n),
        name=name or f"Member {n}",
        gender=gender,
        language=language,
        group=grp,
        roles=roles,
        site=site,
        cooperative_id=coop.id if coop else None,
    )
    return created


def box_count_flag(session, group: Group) -> Flag:
    """A savings group's own flag: its box, counted today, 500 FC short of the books."""
    flag = Flag(
        kind=FlagKind.CASH_COUNT_DIFFERENCE,
        key=f"cash_count:test:{group.id}",
        group_id=group.id,
        day=dt.date.today(),
        reason=f"{group.code}: box counted against the books",
        details=json.dumps(
            {
                "meeting_id": 1,
                "currency": group.currency,
                "loan_fund_difference": -500_00,
                "social_fund_difference": 0,
            }
        ),
    )
    session.add(flag)
    session.commit()
    return flag
