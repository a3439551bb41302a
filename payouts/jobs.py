"""Worker jobs: plain functions over ids (and the periodic scan that calls them). Each
reloads from the database, claims, commits before the provider call, settles, commits.

Exactly once towards the provider: a payout is claimed by one worker (a conditional
``UPDATE``), and carries its reference as the provider's idempotency key. A call whose
answer is lost (a timeout, a worker killed mid-call, Redis or the worker restarted) leaves
the payout ``unknown``: it is never sent again blindly, only settled by the provider's
status for that reference (or its callback).
"""

from __future__ import annotations

import functools
import logging

from ledger import db
from ledger import payouts as books
from ledger.models import Member, Payout, utcnow
from ledger.premiums import reconcile
from payouts import settings
from payouts.gateways import Outcome, PayoutGateway, Request, Result, make_gateway

log = logging.getLogger("sanduku.payouts")


@functools.cache
def _gateway(current: settings.Settings) -> PayoutGateway:
    return make_gateway(current)


def gateway() -> PayoutGateway:
    return _gateway(settings.current())


def request_for(session, payout: Payout) -> Request:
    member = session.get(Member, payout.member_id)
    return Request(
        reference=payout.reference,
        msisdn=member.phone.lstrip("+"),
        amount=payout.amount,
        currency=payout.currency,
        description=f"Sanduku {payout.cause.split(':')[0].replace('_line', '')}",
    )


def _settle(session, payout: Payout, result: Result) -> str:
    s = settings.current()
    state = books.settle(
        session,
        payout,
        result.outcome.value,
        now=utcnow(),
        provider_id=result.provider_id,
        reason=result.reason,
        max_attempts=s.max_attempts,
        backoff=s.retry_backoff,
        query_after=s.query_interval,
    )
    session.commit()
    log.info("payout %s: %s (%s)", payout.reference, state, result.reason or "-")
    return state


def send_payouts(ids: list[int]) -> dict[str, int]:
    """Send these payouts (those still pending): one provider call each."""
    session = db.session()
    s = settings.current()
    tally: dict[str, int] = {}
    try:
        for payout_id in ids:
            payout = books.claim(session, payout_id, utcnow(), s.claim_timeout)
            if payout is None:
                session.rollback()
                continue
            request = request_for(session, payout)
            # The claim is committed before the provider is called, and no transaction is
            # open during the call (SQLite's writer lock, a PostgreSQL row lock).
            session.commit()
            result = gateway().send(request)
            state = _settle(session, payout, result)
            tally[state] = tally.get(state, 0) + 1
    finally:
        db.session.remove()
    return tally


def settle_unknown(ids: list[int]) -> dict[str, int]:
    """Ask the provider about these unknown payouts."""
    session = db.session()
    tally: dict[str, int] = {}
    try:
        asked = [
            (payout, request_for(session, payout))
            for payout in books.unknown_due(session, utcnow(), max(len(ids), 1))
            if payout.id in ids
        ]
        session.commit()  # nothing held open while the provider answers
        for payout, request in asked:
            result = gateway().query(request)
            if result.outcome == Outcome.RETRY:
                state = "pending" if books.never_arrived(session, payout, utcnow()) else "?"
                session.commit()
            else:
                state = _settle(session, payout, result)
            tally[state] = tally.get(state, 0) + 1
    finally:
        db.session.remove()
    return tally


def scan_payouts() -> dict[str, object]:
    """The periodic work: dead workers' claims become unknown, unknown payouts are asked
    about, retries whose wait is over and new payouts are sent."""
    session = db.session()
    s = settings.current()
    now = utcnow()
    stale = books.stale_claims(session, now)
    unknown = [p.id for p in books.unknown_due(session, now, s.batch)]
    session.commit()
    asked = settle_unknown(unknown) if unknown else {}
    session = db.session()
    ids = books.due(session, utcnow(), s.batch)
    session.commit()
    sent = send_payouts(ids) if ids else {}
    session = db.session()
    flagged = reconcile.flag_stale_unknown(session, utcnow(), s.unknown_flag_hours)
    session.commit()
    return {"stale": stale, "asked": asked, "sent": sent, "flagged": flagged}


def receive_callback(data: dict) -> str:
    """A provider's result for one payout: settles it once; a repeat is a no-op."""
    parsed = gateway().parse_callback(data)
    if parsed is None:
        return "unreadable"
    session = db.session()
    payout = books.by_reference(session, parsed.reference)
    if payout is None:
        session.rollback()
        return "unknown reference"
    return _settle(session, payout, parsed.result)
