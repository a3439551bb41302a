"""Demo data: a cooperative in Ituri, two mine sites, a savings group with a few weeks of
meetings and loans, miners with sales, a posted price, and a premium on the miners' lot
shared back to them. Seeding twice changes nothing."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger import enrolment, gold, members, pins, vsla
from ledger.codes import by_code
from ledger.meetings import MeetingRecord as R
from ledger.meetings import record_meeting
from ledger.models import Cooperative, Group, Member, SiteStatus
from ledger.premiums.approve import approve
from ledger.premiums.plan import plan_premium

#: Shown by ``sanduku demo`` so people know whom to dial as.
PEOPLE = [
    # phone, name, gender, language, roles
    ("+243810000001", "Furaha Kahindo", "F", "sw", "member"),
    ("+243810000001", "Baraka Kahindo", "M", "sw", "member,miner"),  # a shared household phone
    ("+243810000002", "Mapendo Ngabo", "F", "fr", "member,officer"),
    ("+243810000003", "Jean-Pierre Lokwa", "M", "ln", "member,miner"),
    ("+243810000004", "Esther Bahati", "F", "sw", "member"),
    ("+243810000005", "Neema Tsongo", "F", "en", "member,buyer"),
    ("+243810000006", "Dieudonne Ukumu", "M", "fr", "coordinator"),
]
FC = 100
#: The demo's enrolment codes, one per person, fixed so the README's examples work as
#: written. Everywhere else a code is drawn at random (``ledger.enrolment``).
CODES = {
    "Furaha Kahindo": "100001",
    "Baraka Kahindo": "100002",
    "Mapendo Ngabo": "100003",
    "Jean-Pierre Lokwa": "100004",
    "Esther Bahati": "100005",
    "Neema Tsongo": "100006",
    "Dieudonne Ukumu": "100007",
}

#: The demo's console passwords (``sanduku demo`` prints them): the coordinator, the officer
#: and the buyer. Everywhere else a password is chosen with ``sanduku user password``.
CONSOLE_PASSWORDS = {
    "Dieudonne Ukumu": "demo-coordinator",
    "Mapendo Ngabo": "demo-officer",
    "Neema Tsongo": "demo-buyer",
}


def console_logins(session: Session) -> list[tuple[Member, str]]:
    """The demo's staff members and their console passwords (to be hashed by the console)."""
    found = []
    for phone, name, *_rest in PEOPLE:
        if name in CONSOLE_PASSWORDS:
            member = session.scalar(
                select(Member).where(Member.phone == phone, Member.name == name)
            )
            if member is not None:
                found.append((member, CONSOLE_PASSWORDS[name]))
    return found


def seed(session: Session, today: dt.date | None = None) -> bool:
    """Write the demo data unless it is there. Returns whether anything was written."""
    if by_code(session, Cooperative, "COOPBUNIA") is not None:
        return False
    today = today or dt.date.today()
    coop = gold.create_cooperative(session, "COOPBUNIA", "Cooperative miniere de Bunia")
    mine = gold.create_site(
        session,
        code="MGB-01",
        name="Mongbwalu Adidi",
        cooperative=coop,
        capacity_mg_per_month=4_000_000,
        status=SiteStatus.GREEN,
        lat="1.9500",
        lon="30.0330",
    )
    gold.create_site(
        session,
        code="IGA-02",
        name="Iga Barriere",
        cooperative=coop,
        capacity_mg_per_month=1_500_000,
        status=SiteStatus.NOT_INSPECTED,
    )
    start = today - dt.timedelta(weeks=8)
    start -= dt.timedelta(days=start.weekday())  # a Monday
    group = vsla.create_group(
        session,
        code="UMOJA",
        name="Umoja wa Akina Mama",
        currency="CDF",
        share_value=1_000 * FC,
        social_fund_contribution=200 * FC,
        service_charge_bp=1000,
        meeting_weekday=today.weekday(),
        meeting_time=dt.time(15, 0),
        cycle_start=start,
        cooperative=coop,
    )
    people = []
    for phone, name, gender, language, roles in PEOPLE:
        member, _ = members.save_member(
            session,
            phone=phone,
            name=name,
            gender=gender,
            language=language,
            group=group if roles != "coordinator" else None,
            roles=roles,
            site=mine if "miner" in roles else None,
            cooperative_id=coop.id,
            id_document=f"CD-ITU-{len(people) + 1:05d}",
        )
        people.append(member)
    savers = [m for m in people if m.group_id == group.id]
    for week in range(7):
        day = start + dt.timedelta(weeks=week)
        records = [
            R(m, shares=1 + (i + week) % 5, social_fund=200 * FC) for i, m in enumerate(savers)
        ]
        if week == 3:
            records[0].loan, records[0].loan_term_months = 10_000 * FC, 2
        if week == 5:
            records[0].repayment = 4_000 * FC
        record_meeting(session, group, day, savers, records)
    buyer = next(m for m in people if m.has_role("buyer"))
    gold.post_price(session, coop, usd_per_gram=9_550, cdf_per_gram=27_000_000)
    sales = ((people[1], 2_350, 900_000), (people[3], 5_125, 920_000), (people[1], 1_800, None))
    for miner, grams, fineness in sales:
        lot = gold.record_purchase(
            session,
            miner=miner,
            site=mine,
            weight_mg=grams,
            price_per_gram=9_550,
            currency="USD",
            buyer=buyer,
            fineness_ppm=fineness,
        ).lot
    # The lot sold with a responsible-gold premium: 10% to the group's social fund, the rest
    # to the two miners by fine gold (the sale without an assay at the lot's average), paid
    # in cash against the code in each miner's SMS.
    premium = plan_premium(
        session,
        cooperative=coop,
        amount=20_00,
        currency="USD",
        basis="fine_grams",
        lots=[lot.lot_number],
        community_share="0.10",
        community_group=group,
        note="responsible gold premium, demo",
    )
    approve(session, premium, approver=None, on=today)
    return True


def issue_codes(session: Session) -> list[tuple[Member, enrolment.Issued]]:
    """A fresh enrolment code for every demo person without a PIN (the earlier one is
    voided), so the demo can be tried at once, whenever it is started."""
    issued = []
    for phone, name, *_rest in PEOPLE:
        member = session.scalar(select(Member).where(Member.phone == phone, Member.name == name))
        if member is not None and not pins.has_pin(member):
            issued.append((member, enrolment.issue(session, member, code=CODES[name])))
    return issued


def demo_group(session: Session) -> Group | None:
    return by_code(session, Group, "UMOJA")
