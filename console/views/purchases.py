"""Purchases (``/console/purchases``): the gold bought by the cooperatives in scope, filtered
by day, site and miner, each receipt's SMS status, who recorded it; the same list as CSV or
XLSX. A buyer sees miners by name only (``ledger.access.view_of``)."""

from __future__ import annotations

import datetime as dt

from flask import request
from sqlalchemy import select

from console import auth
from console.pages import bp, by_code, out_of_scope, paginate, render, text
from console.sheets import download
from console.words import SMS_STATUS, translated
from ledger import access, authors, db, units
from ledger.days import parse_day
from ledger.errors import LedgerError
from ledger.members import name_key
from ledger.models import Member, Message, MessageKind, Purchase, Site
from ledger.money import major

#: Most rows one export holds.
MAX_EXPORT = 20_000


def _filters(session, coops: list[int]) -> tuple:
    query = select(Purchase).where(Purchase.cooperative_id.in_(coops))
    args, problems = request.args, {}
    for name, compare in (("since", ">="), ("until", "<=")):
        raw = (args.get(name) or "").strip()
        if raw:
            try:
                day = parse_day(raw, name)
            except LedgerError:
                problems[name] = True
                continue
            start = dt.datetime.combine(day, dt.time())
            if compare == ">=":
                query = query.where(Purchase.purchased_at >= start)
            else:
                query = query.where(Purchase.purchased_at < start + dt.timedelta(days=1))
    if (args.get("site") or "").strip():
        site = by_code(Site, args["site"])
        query = query.where(Purchase.site_id == (site.id if site else None))
    miner = text(args.get("miner"))
    if miner:
        query = query.where(
            Purchase.miner_id.in_(
                select(Member.id).where(Member.name_key.contains(name_key(miner), autoescape=True))
            )
        )
    return query.order_by(Purchase.purchased_at.desc(), Purchase.id.desc()), problems


def sms_status(session, ids: list[int]) -> dict[int, str]:
    causes = {f"purchase:{i}": i for i in ids}
    rows = session.execute(
        select(Message.cause, Message.status).where(
            Message.kind == MessageKind.RECEIPT, Message.cause.in_(list(causes))
        )
    ).all()
    return {causes[cause]: status.value for cause, status in rows}


@bp.get("/purchases")
def purchases():
    session = db.session()
    coops = access.cooperative_ids(session, auth.actor())
    if not coops:
        out_of_scope()
    query, problems = _filters(session, coops)
    fmt = request.args.get("format")
    if fmt in ("csv", "xlsx") and not problems:
        found = list(session.scalars(query.limit(MAX_EXPORT)))
        status = sms_status(session, [p.id for p in found])
        header = (
            "receipt", "purchased_at_utc", "site", "miner_id", "miner", "weight_grams",
            "fineness", "price_per_gram", "currency", "total", "sms", "recorded_by",
        )  # fmt: skip
        rows = (
            (
                p.receipt_number,
                p.purchased_at.isoformat(timespec="seconds"),
                p.site.code,
                p.miner_id,
                p.miner.name,
                str(units.grams(p.weight_mg)),
                "" if p.fineness_ppm is None else str(units.fraction(p.fineness_ppm)),
                str(major(p.price_per_gram, p.currency)),
                p.currency,
                str(major(p.total, p.currency)),
                status.get(p.id, ""),
                p.recorded_by or "",
            )
            for p in found
        )
        return download("purchases", fmt, header, rows)
    page = paginate(query)
    status = sms_status(session, [p.id for p in page.items])
    names = {p.recorded_by: authors.label(session, p.recorded_by) for p in page.items}
    return render(
        "purchases.html",
        page=page,
        status=status,
        names=names,
        problems=problems,
        args=request.args,
        words=translated(SMS_STATUS),
    ), (422 if problems else 200)
