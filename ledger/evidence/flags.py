"""Flags ("spot the liar"): signals that gold may come from somewhere other than it claims.

The checks (``checks.py``) turn purchases into ``Finding``s keyed by what they are about;
here they are stored, so computing them again (on the next purchase, in the periodic scan)
updates a flag instead of adding one, and read back.

Flags never block a purchase: the purchase hook runs in a savepoint and logs its own
failures, which the periodic scan then repairs.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ledger.evidence import review
from ledger.evidence import settings as settings_mod
from ledger.evidence.checks import (
    Finding,
    check_miner_outliers,
    check_multi_site,
    check_price,
    check_seller,
    check_site_capacity,
    check_site_status,
    month_start,
    multi_site_findings,
)
from ledger.evidence.prices import PostedPrices
from ledger.evidence.settings import Settings
from ledger.models import Flag, FlagKind, FlagStatus, Member, Purchase, Site

log = logging.getLogger(__name__)


@dataclass
class ScanSummary:
    since: dt.date
    until: dt.date
    purchases: int = 0
    created: int = 0
    updated: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "purchases": self.purchases,
            "created": self.created,
            "updated": self.updated,
            "by_kind": dict(sorted(self.by_kind.items())),
        }


# -- storing -----------------------------------------------------------------------------------


def _details_json(details: dict) -> str:
    return json.dumps(details, sort_keys=True, default=str)


def save(session: Session, findings: list[Finding]) -> tuple[int, int]:
    """Insert new flags and refresh the numbers of existing ones. Returns (created, updated)."""
    created = updated = 0
    keys = sorted({f.key for f in findings})
    existing: dict[str, Flag] = {}
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        existing.update(
            (x.key, x) for x in session.scalars(select(Flag).where(Flag.key.in_(chunk)))
        )
    for f in findings:
        body = _details_json(f.details)
        flag = existing.get(f.key)
        if flag is None:
            new = Flag(
                kind=f.kind,
                key=f.key,
                cooperative_id=f.cooperative_id,
                site_id=f.site_id,
                member_id=f.member_id,
                purchase_id=f.purchase_id,
                day=f.day,
                reason=f.reason[:200],
                details=body,
            )
            try:
                with session.begin_nested():
                    session.add(new)
                created += 1
                existing[f.key] = new
                continue
            except IntegrityError:  # a concurrent writer stored the same key first
                flag = session.scalar(select(Flag).where(Flag.key == f.key))
        if flag is not None and (flag.details != body or flag.reason != f.reason[:200]):
            review.reopen_if_changed(flag, body)  # a dismissed flag whose numbers changed
            flag.details, flag.reason = body, f.reason[:200]
            updated += 1
    session.flush()
    return created, updated


# -- entry points ------------------------------------------------------------------------------


def findings_for_purchase(
    session: Session, purchase: Purchase, s: Settings | None = None
) -> list[Finding]:
    s = s or settings_mod.current()
    site = session.get(Site, purchase.site_id)
    miner = session.get(Member, purchase.miner_id)
    day = s.local_day(purchase.purchased_at)
    return [
        *check_seller(purchase, miner, site, s),
        *check_site_status(purchase, site, s),
        *check_price(session, purchase, s),
        *check_site_capacity(session, site, day, s, purchase.id),
        *check_miner_outliers(session, site, day, s, purchase.id),
        *check_multi_site(session, purchase.miner_id, day, s, purchase.id),
    ]


def evaluate_purchase(
    session: Session, purchase: Purchase, s: Settings | None = None
) -> list[Flag]:
    """Compute and store every flag a purchase raises; returns the flags about it."""
    save(session, findings_for_purchase(session, purchase, s))
    return flags_for_purchase(session, purchase)


def flags_for_purchase(session: Session, purchase: Purchase) -> list[Flag]:
    """Flags first raised by this purchase (what a buyer should be told after recording it)."""
    return list(
        session.scalars(select(Flag).where(Flag.purchase_id == purchase.id).order_by(Flag.id))
    )


def on_purchase_recorded(session: Session, purchase: object) -> None:
    """``ledger.events.PURCHASE_RECORDED`` hook: flag inside the purchase's transaction, in a
    savepoint, so a failure here never costs the purchase (the scan catches up)."""
    if not isinstance(purchase, Purchase):
        return
    try:
        with session.begin_nested():
            evaluate_purchase(session, purchase)
    except Exception:
        log.exception("flags for purchase %s not computed; the periodic scan will", purchase.id)


def scan(
    session: Session,
    since: dt.date,
    until: dt.date,
    s: Settings | None = None,
    cooperative_id: int | None = None,
    today: dt.date | None = None,
) -> ScanSummary:
    """Recompute every flag for purchases made on local days ``since``..``until``; a site's
    status "now" is on ``today`` (default: the local day)."""
    s = s or settings_mod.current()
    summary = ScanSummary(since, until)
    query = select(Purchase).where(
        Purchase.purchased_at >= s.day_start(since),
        Purchase.purchased_at < s.day_start(until + dt.timedelta(days=1)),
    )
    if cooperative_id is not None:
        query = query.where(Purchase.cooperative_id == cooperative_id)
    purchases = list(session.scalars(query.order_by(Purchase.purchased_at, Purchase.id)))
    summary.purchases = len(purchases)
    sites = {
        site.id: site
        for site in session.scalars(select(Site).where(Site.id.in_({p.site_id for p in purchases})))
    }
    miners = {
        m.id: m
        for m in session.scalars(
            select(Member).where(Member.id.in_({p.miner_id for p in purchases}))
        )
    }
    table = PostedPrices(session, {p.cooperative_id for p in purchases}, s.day_start(since), s)
    findings: list[Finding] = []
    site_days: dict[tuple[int, dt.date], int] = {}
    site_months: dict[tuple[int, dt.date], int] = {}
    miner_days: dict[tuple[int, dt.date], list[Purchase]] = defaultdict(list)
    for p in purchases:
        site, day = sites[p.site_id], s.local_day(p.purchased_at)
        findings += check_seller(p, miners[p.miner_id], site, s)
        findings += check_site_status(p, site, s, today)
        findings += check_price(session, p, s, table)
        site_days.setdefault((p.site_id, day), p.id)
        site_months.setdefault((p.site_id, month_start(day)), p.id)
        miner_days[(p.miner_id, day)].append(p)
    for (site_id, day), pid in site_days.items():
        findings += check_site_capacity(session, sites[site_id], day, s, pid)
    for (site_id, month), pid in site_months.items():
        findings += check_miner_outliers(session, sites[site_id], month, s, pid)
    codes = {site_id: site.code for site_id, site in sites.items()}
    for (miner_id, day), rows in miner_days.items():
        if cooperative_id is None:  # every purchase of the day is loaded
            findings += multi_site_findings(miner_id, day, rows, codes, rows[0].id)
        else:  # other cooperatives' sales that day are not: ask the database
            findings += check_multi_site(session, miner_id, day, s, rows[0].id)
    if cooperative_id is not None:  # a scan of one cooperative writes only its flags
        findings = [f for f in findings if f.cooperative_id == cooperative_id]
    counts: dict[str, int] = defaultdict(int)
    for f in findings:
        counts[f.kind.value] += 1
    summary.by_kind = dict(counts)
    summary.created, summary.updated = save(session, findings)
    return summary


def list_flags(
    session: Session,
    *,
    cooperative_id: int | None = None,
    kind: FlagKind | None = None,
    status: FlagStatus | None = None,
    site_id: int | None = None,
    member_id: int | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    limit: int = 100,
    before_id: int | None = None,
    hidden: tuple[FlagKind, ...] = (),
) -> list[Flag]:
    """Flags, newest first, filtered, without the ``hidden`` kinds; page with ``before_id``
    (the last id seen)."""
    query = select(Flag)
    if hidden:
        query = query.where(Flag.kind.not_in(hidden))
    for column, value in (
        (Flag.cooperative_id, cooperative_id),
        (Flag.kind, kind),
        (Flag.status, status),
        (Flag.site_id, site_id),
        (Flag.member_id, member_id),
    ):
        if value is not None:
            query = query.where(column == value)
    if since is not None:
        query = query.where(Flag.day >= since)
    if until is not None:
        query = query.where(Flag.day <= until)
    if before_id is not None:
        query = query.where(Flag.id < before_id)
    return list(session.scalars(query.order_by(Flag.id.desc()).limit(limit)))


def flag_as_dict(flag: Flag) -> dict:
    return {
        "id": flag.id,
        "kind": flag.kind.value,
        "day": flag.day.isoformat(),
        "reason": flag.reason,
        "details": json.loads(flag.details),
        "cooperative_id": flag.cooperative_id,
        "site_id": flag.site_id,
        "member_id": flag.member_id,
        "purchase_id": flag.purchase_id,
        "created_at": flag.created_at.isoformat() + "Z",
        "updated_at": flag.updated_at.isoformat() + "Z",
        "status": flag.status.value,
        "review": {
            "by": flag.reviewed_by,
            "at": flag.reviewed_at.isoformat() + "Z" if flag.reviewed_at else None,
            "note": flag.review_note,
        },
        "notified_at": flag.notified_at.isoformat() + "Z" if flag.notified_at else None,
    }
