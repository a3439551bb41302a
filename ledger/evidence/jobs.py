"""Periodic work for the worker (its schedule is in ``worker.py``): plain functions that use
the process's session, act, commit and return a small summary (the worker removes the
session after each task)."""

from __future__ import annotations

import datetime as dt

from ledger import db
from ledger.days import parse_day
from ledger.evidence import flags, settings
from ledger.evidence.defaults import SCAN_DAYS


def scan_flags(days: int = SCAN_DAYS, until: str | None = None) -> dict:
    """Recompute every flag for purchases of the last ``days`` local days (up to ``until``,
    an ISO date, default today). Idempotent: safe to run often and from several workers."""
    s = settings.current()
    last = parse_day(until, "until") if until else s.today()
    session = db.session()
    try:
        summary = flags.scan(session, last - dt.timedelta(days=days - 1), last, s)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return summary.as_dict()
