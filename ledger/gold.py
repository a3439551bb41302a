"""Gold: cooperatives, mine sites, purchases with their receipts, lots and posted prices."""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger import events, journal, payouts, sites, units
from ledger.codes import by_code, clean_code
from ledger.days import local_day_of
from ledger.defaults import MAX_PRICE_PER_GRAM_MINOR, MAX_PURCHASE_MG
from ledger.errors import LedgerError
from ledger.members import clean_name
from ledger.models import (
    AccountKind,
    Cooperative,
    EntryKind,
    Lot,
    LotOperation,
    LotStatus,
    Member,
    MemberStatus,
    PayoutMethod,
    PricePost,
    Purchase,
    Site,
    SiteStatus,
    utcnow,
)
from ledger.money import check_currency, exponent, round_half_up, to_decimal

#: Receipt and lot numbers: no 0/O or 1/I, so they read back unambiguously over the phone.
_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def _random(n: int) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(n))


def _unused_number(session: Session, column, make) -> str:
    """A fresh random number not yet in ``column``. Five random characters give 33 million
    a day; checking first keeps a rare repeat from failing a purchase (the unique index still
    guards two writers drawing the same one in the same instant)."""
    for _ in range(8):
        candidate = make()
        if session.scalar(select(column).where(column == candidate)) is None:
            return candidate
    raise LedgerError("busy", "could not draw a new number; try again")  # pragma: no cover


def create_cooperative(session: Session, code: object, name: object) -> Cooperative:
    code = clean_code(code)
    if by_code(session, Cooperative, code) is not None:
        raise LedgerError("exists", f"cooperative {code} already exists", "code")
    coop = Cooperative(code=code, name=clean_name(name))
    session.add(coop)
    session.flush()
    return coop


def parse_grams(value: object, field: str = "weight_grams") -> int:
    """Grams with up to 3 decimals, as whole milligrams."""
    grams = to_decimal(value, field, 3)
    mg = units.milligrams(grams)
    if mg <= 0:
        raise LedgerError("not_positive", f"{field} must be more than zero", field)
    return mg


def parse_fineness(value: object) -> int | None:
    """Fineness as a fraction (``"0.925"``), stored as parts per million."""
    if value is None or value == "":
        return None
    fraction = to_decimal(value, "fineness", 6)
    if not Decimal(0) < fraction <= 1:
        raise LedgerError("out_of_range", "fineness is a fraction such as 0.925", "fineness")
    return units.ppm(fraction)


def parse_coordinate(value: object, field: str, limit: int) -> int | None:
    if value is None or value == "":
        return None
    number = to_decimal(value, field, 6)
    if abs(number) > limit:
        raise LedgerError("out_of_range", f"{field} must be between -{limit} and {limit}", field)
    return units.micro_degrees(number)


def local_day(at: dt.datetime | None = None) -> dt.date:
    """The deployment's local day of ``at`` (naive UTC; default now)."""
    return local_day_of(at or utcnow())


def create_site(
    session: Session,
    *,
    code: object,
    name: object,
    cooperative: Cooperative,
    capacity_mg_per_month: int,
    status: object = SiteStatus.BLUE,
    lat: object = None,
    lon: object = None,
    inspected_on: dt.date | None = None,
    deadline: dt.date | None = None,
) -> Site:
    """A new site. A green or yellow rating counts from ``inspected_on`` (default today);
    a yellow site's deadline defaults to 3 months after it."""
    code = clean_code(code)
    if by_code(session, Site, code) is not None:
        raise LedgerError("exists", f"site {code} already exists", "code")
    site = Site(
        code=code,
        name=clean_name(name),
        cooperative_id=cooperative.id,
        capacity_mg_per_month=capacity_mg_per_month,
        status=SiteStatus.BLUE,
        lat_micro=parse_coordinate(lat, "lat", 90),
        lon_micro=parse_coordinate(lon, "lon", 180),
    )
    rating = sites.parse_status(status)
    if rating != SiteStatus.BLUE or inspected_on is not None or deadline is not None:
        today = local_day()
        sites.rate(site, rating, inspected_on=inspected_on or today, deadline=deadline, today=today)
    session.add(site)
    session.flush()
    sites.record_creation(session, site)
    return site


def sites_open_for_purchase(
    session: Session, cooperative_id: int, day: dt.date | None = None
) -> list[Site]:
    """The cooperative's sites a purchase may be recorded at on ``day`` (default today):
    not red, after expiry (a yellow site past its deadline counts as red), by name."""
    day = day or local_day()
    return [
        site
        for site in session.scalars(
            select(Site).where(Site.cooperative_id == cooperative_id).order_by(Site.name, Site.id)
        )
        if sites.status_on(site, day).status != SiteStatus.RED
    ]


def price_to_minor(value: object, currency: str, field: str = "price_per_gram") -> int:
    minor = int(to_decimal(value, field, exponent(currency)).scaleb(exponent(currency)))
    if minor <= 0:
        raise LedgerError("not_positive", f"{field} must be more than zero", field)
    if minor > MAX_PRICE_PER_GRAM_MINOR[currency]:
        raise LedgerError("too_large", f"{field} is far above any real gold price", field)
    return minor


def purchase_lot(session: Session, site: Site, lot_number: str | None) -> Lot:
    """The named lot, or the site's open purchase lot (a new one when there is none), locked
    for the rest of the transaction and read fresh: a seal or a combination cannot slip
    between the check that it is open and the purchase going in."""
    locked = dict(populate_existing=True)
    if lot_number:
        lot = session.scalar(
            select(Lot)
            .where(Lot.lot_number == lot_number.strip().upper())
            .with_for_update(key_share=True)
            .execution_options(**locked)
        )
        if lot is None:
            raise LedgerError("unknown_lot", f"unknown lot {lot_number}", "lot")
        if lot.status != LotStatus.OPEN:
            raise LedgerError("lot_closed", f"lot {lot.lot_number} is {lot.status.value}", "lot")
        if lot.site_id != site.id:
            raise LedgerError("lot_site", f"lot {lot.lot_number} is for another site", "lot")
        return lot
    lot = session.scalar(
        select(Lot)
        .where(
            Lot.site_id == site.id,
            Lot.status == LotStatus.OPEN,
            Lot.operation == LotOperation.PURCHASE,
        )
        .order_by(Lot.id.desc())
        .limit(1)
        .with_for_update(key_share=True)
        .execution_options(**locked)
    )
    if lot is None:
        lot = Lot(
            lot_number=_unused_number(
                session,
                Lot.lot_number,
                lambda: f"L-{site.code[:12]}-{utcnow():%y%m%d}-{_random(4)}",
            ),
            cooperative_id=site.cooperative_id,
            site_id=site.id,
            operation=LotOperation.PURCHASE,
            creator_role=2,
            mass_mg=0,
            fine_mg=0,
            status=LotStatus.OPEN,
        )
        session.add(lot)
        session.flush()
    return lot


def purchase_total(weight_mg: int, price_per_gram: int) -> int:
    """What a purchase costs in minor units: weight x price per gram, rounded half up."""
    return round_half_up(Decimal(weight_mg) * price_per_gram / units.MG_PER_GRAM)


def record_purchase(
    session: Session,
    *,
    miner: Member,
    site: Site,
    weight_mg: int,
    price_per_gram: int,
    currency: str,
    buyer: Member | None = None,
    fineness_ppm: int | None = None,
    lot_number: str | None = None,
    at: dt.datetime | None = None,
    payment: PayoutMethod | str = PayoutMethod.CASH,
) -> Purchase:
    """Write a purchase, its journal entry and its place in a lot. A site that is red on
    the purchase's local day (rated red, or yellow past its deadline) is refused; the status
    it had is kept with the purchase. Paid by mobile money, its payout is written with it
    (``ledger.payouts``); in cash it is handed over at the counter, as before."""
    currency = check_currency(currency)
    try:
        payment = PayoutMethod(payment)
    except ValueError:
        raise LedgerError("bad_payment", "payment is cash or mobile_money", "payment") from None
    # One purchase at a time per site, read fresh: a downgrade committed a moment ago counts.
    session.scalar(
        select(Site)
        .where(Site.id == site.id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )
    status_then = sites.refuse_if_red(site, local_day(at))
    if miner.status != MemberStatus.ACTIVE:
        raise LedgerError("inactive", "the miner is not an active member", "miner")
    if not isinstance(weight_mg, int) or not 0 < weight_mg <= MAX_PURCHASE_MG:
        raise LedgerError(
            "out_of_range", "weight must be more than 0 and at most 10 kg", "weight_grams"
        )
    total = purchase_total(weight_mg, price_per_gram)
    if total <= 0:
        raise LedgerError("not_positive", "the total rounds to nothing", "weight_grams")
    lot = purchase_lot(session, site, lot_number)
    purchase = Purchase(
        receipt_number=_unused_number(
            session, Purchase.receipt_number, lambda: f"R{utcnow():%y%m%d}-{_random(5)}"
        ),
        cooperative_id=site.cooperative_id,
        site_id=site.id,
        miner_id=miner.id,
        buyer_id=buyer.id if buyer else None,
        lot_id=lot.id,
        weight_mg=weight_mg,
        fineness_ppm=fineness_ppm,
        price_per_gram=price_per_gram,
        currency=currency,
        total=total,
        purchased_at=at or utcnow(),
        site_status=status_then.status,
    )
    # In SQL, so no purchase's weight is lost to another's; NULL (fine gold unknown) stays so.
    lot.mass_mg = Lot.mass_mg + weight_mg
    if fineness_ppm is not None:
        lot.fine_mg = Lot.fine_mg + units.fine_mg(weight_mg, fineness_ppm)
    else:
        lot.fine_mg = None
    entry = journal.post(
        session,
        EntryKind.GOLD_PURCHASE,
        currency,
        [
            (
                journal.account(
                    session, AccountKind.GOLD_STOCK, currency, cooperative_id=site.cooperative_id
                ),
                total,
            ),
            (
                journal.account(
                    session, AccountKind.GOLD_CASH, currency, cooperative_id=site.cooperative_id
                ),
                -total,
            ),
        ],
        occurred_on=(at or utcnow()).date(),
        cooperative_id=site.cooperative_id,
        member_id=miner.id,
        memo=f"gold {weight_mg} mg",
    )
    purchase.entry_id = entry.id
    session.add(purchase)
    session.flush()
    if payment == PayoutMethod.MOBILE_MONEY:
        payouts.create(
            session,
            member=miner,
            cooperative_id=site.cooperative_id,
            amount=total,
            currency=currency,
            method=payment,
            cause=f"purchase:{purchase.id}",
        )
    events.emit(events.PURCHASE_RECORDED, session, purchase)
    return purchase


def post_price(
    session: Session,
    cooperative: Cooperative,
    usd_per_gram: int,
    cdf_per_gram: int | None = None,
    posted_by: Member | None = None,
) -> PricePost:
    post = PricePost(
        cooperative_id=cooperative.id,
        usd_per_gram=usd_per_gram,
        cdf_per_gram=cdf_per_gram,
        posted_by_id=posted_by.id if posted_by else None,
        posted_at=utcnow(),
    )
    session.add(post)
    session.flush()
    events.emit(events.PRICE_POSTED, session, post)
    return post


def price_audience(session: Session, cooperative_id: int) -> list[tuple[int, str, str]]:
    """Who a cooperative's posted price goes to: (member id, phone, language) of every
    active, opted-in member of it, by id (the SMS outbox sends one per phone and language)."""
    return list(
        session.execute(
            select(Member.id, Member.phone, Member.language)
            .where(
                Member.cooperative_id == cooperative_id,
                Member.status == MemberStatus.ACTIVE,
                Member.opted_out.is_(False),
                Member.left_on.is_(None),
            )
            .order_by(Member.id)
        ).all()
    )


def latest_price(session: Session, cooperative_id: int | None) -> PricePost | None:
    if cooperative_id is None:
        return None
    return session.scalar(
        select(PricePost)
        .where(PricePost.cooperative_id == cooperative_id)
        .order_by(PricePost.posted_at.desc(), PricePost.id.desc())
        .limit(1)
    )


def recent_purchases(session: Session, miner: Member, limit: int = 20) -> list[Purchase]:
    return list(
        session.scalars(
            select(Purchase)
            .where(Purchase.miner_id == miner.id)
            .order_by(Purchase.purchased_at.desc(), Purchase.id.desc())
            .limit(limit)
        )
    )
