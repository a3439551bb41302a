"""Mine sites' ICGLR status over time: what an inspection said, what it means on a given day
(a green rating expires to blue after a year; a yellow site past its deadline counts as red),
and every change of status or capacity kept with who, when, from, to and why.

Every rule takes the day it is asked about, so expiry is computed, never waited for.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.days import check_day
from ledger.defaults import (
    GREEN_VALID_MONTHS,
    SITE_ALERT_WINDOW_DAYS,
    SITE_DEADLINE_WARNING_DAYS,
    YELLOW_DEADLINE_MONTHS,
)
from ledger.errors import LedgerError
from ledger.models import Site, SiteChange, SiteStatus

#: The four ICGLR colours, and the names the API also accepts for them.
COLOURS = ("green", "yellow", "red", "blue")
ALIASES = {"not_inspected": SiteStatus.BLUE, "blue": SiteStatus.BLUE}


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day when it has no such day)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def parse_status(value: object) -> SiteStatus:
    """``green``, ``yellow``, ``red``, ``blue`` (or its older name ``not_inspected``)."""
    text = value.strip().lower() if isinstance(value, str) else ""
    if text in ALIASES:
        return ALIASES[text]
    try:
        return SiteStatus(text)
    except ValueError:
        raise LedgerError(
            "bad_status", "status is green, yellow, red or blue (not inspected)", "status"
        ) from None


@dataclass(frozen=True)
class StatusNow:
    """A site's status on one day, and since/until when it holds."""

    status: SiteStatus
    #: The rating given at the last inspection (differs from ``status`` once expired).
    rated: SiteStatus
    #: The first day of ``status`` when known (the inspection, or the day after an expiry).
    since: dt.date | None
    #: The last day ``status`` holds without a new inspection (None: until one).
    until: dt.date | None
    expired: bool

    @property
    def colour(self) -> str:
        return self.status.colour


def green_until(inspected_on: dt.date) -> dt.date:
    return add_months(inspected_on, GREEN_VALID_MONTHS) - dt.timedelta(days=1)


def default_deadline(inspected_on: dt.date) -> dt.date:
    return add_months(inspected_on, YELLOW_DEADLINE_MONTHS)


def status_on(site: Site, day: dt.date) -> StatusNow:
    """What ``site`` counts as on local ``day``. A rating without an inspection day (rows
    from before dates were kept) does not expire."""
    rated, inspected = site.status, site.inspected_on
    if rated == SiteStatus.GREEN and inspected is not None:
        until = green_until(inspected)
        if day > until:
            return StatusNow(SiteStatus.BLUE, rated, until + dt.timedelta(days=1), None, True)
        return StatusNow(rated, rated, inspected, until, False)
    if rated == SiteStatus.YELLOW:
        deadline = site.deadline or (default_deadline(inspected) if inspected else None)
        if deadline is not None and day > deadline:
            return StatusNow(SiteStatus.RED, rated, deadline + dt.timedelta(days=1), None, True)
        return StatusNow(rated, rated, inspected, deadline, False)
    return StatusNow(rated, rated, inspected, None, False)


def refuse_if_red(site: Site, day: dt.date) -> StatusNow:
    """The site's status on ``day``; a red site (rated red, or yellow past its deadline)
    refuses purchases."""
    now = status_on(site, day)
    if now.status == SiteStatus.RED:
        why = "its yellow deadline passed" if now.expired else "rated red"
        raise LedgerError(
            "red_site",
            f"site {site.code} is red ({why}{f' on {now.since}' if now.since else ''}):"
            " no purchases from it until it is inspected again",
            "site",
            site=site.code,
        )
    return now


def _note(note: object) -> str | None:
    if note is None:
        return None
    if not isinstance(note, str) or len(note.strip()) > 200:
        raise LedgerError("too_long", "note is at most 200 characters", "note")
    return note.strip() or None


def rate(
    site: Site,
    status: object,
    *,
    inspected_on: dt.date,
    today: dt.date,
    deadline: dt.date | None = None,
) -> SiteStatus:
    """Set an inspection's rating on ``site`` (no history: see ``change_status``). Green and
    yellow count from the inspection day; a yellow site's deadline defaults to 3 months
    after it."""
    new = parse_status(status)
    check_day(inspected_on, "inspected_on")
    if inspected_on > today:
        raise LedgerError("future", "inspected_on is after today", "inspected_on")
    if deadline is not None:
        check_day(deadline, "deadline")
        if new != SiteStatus.YELLOW:
            raise LedgerError("no_deadline", "only a yellow site has a deadline", "deadline")
        if deadline < inspected_on:
            raise LedgerError("out_of_range", "deadline is before inspected_on", "deadline")
    elif new == SiteStatus.YELLOW:
        deadline = default_deadline(inspected_on)
    site.status, site.inspected_on, site.deadline = new, inspected_on, deadline
    return new


def change_status(
    session: Session,
    site: Site,
    status: object,
    *,
    note: object = None,
    inspected_on: dt.date,
    today: dt.date,
    deadline: dt.date | None = None,
) -> SiteChange:
    """Record an inspection's rating, kept in the site's history with what it counted as
    before (on ``today``, after expiry) and the note."""
    note = _note(note)
    old = status_on(site, today)
    new = rate(site, status, inspected_on=inspected_on, today=today, deadline=deadline)
    change = SiteChange(
        site_id=site.id,
        field="status",
        old_value=old.colour,
        new_value=new.colour,
        inspected_on=inspected_on,
        deadline=site.deadline,
        note=note,
    )
    session.add(change)
    session.flush()
    return change


def change_capacity(
    session: Session, site: Site, capacity_mg_per_month: int, note: object = None
) -> SiteChange | None:
    """A new estimate of what the site produces a month (None: it was already that)."""
    if not isinstance(capacity_mg_per_month, int) or capacity_mg_per_month < 0:
        raise LedgerError("out_of_range", "capacity is zero or more", "capacity_grams_per_month")
    if capacity_mg_per_month == site.capacity_mg_per_month:
        return None
    change = SiteChange(
        site_id=site.id,
        field="capacity",
        old_value=str(site.capacity_mg_per_month),
        new_value=str(capacity_mg_per_month),
        note=_note(note),
    )
    site.capacity_mg_per_month = capacity_mg_per_month
    session.add(change)
    session.flush()
    return change


def record_creation(session: Session, site: Site) -> None:
    """The first lines of a new site's history: its status and capacity as created."""
    for field, value in (("status", site.status.colour), ("capacity", site.capacity_mg_per_month)):
        session.add(
            SiteChange(
                site_id=site.id,
                field=field,
                new_value=str(value),
                inspected_on=site.inspected_on if field == "status" else None,
                deadline=site.deadline if field == "status" else None,
            )
        )
    session.flush()


def history(session: Session, site: Site) -> list[SiteChange]:
    return list(
        session.scalars(
            select(SiteChange)
            .where(SiteChange.site_id == site.id)
            .order_by(SiteChange.at, SiteChange.id)
        )
    )


# -- what the coordinators are told -------------------------------------------------------------


@dataclass(frozen=True)
class SiteAlert:
    site: Site
    #: ``red`` (the site counts as red) or ``deadline`` (a yellow deadline is near).
    kind: str
    #: The day it turned red, or the deadline: with ``kind``, what makes the alert one.
    day: dt.date

    @property
    def cause(self) -> str:
        return f"site_{self.kind}:{self.site.id}:{self.day.isoformat()}"


def _red_news(session: Session, site: Site, now: StatusNow) -> tuple[dt.date, dt.date] | None:
    """(the day the site counts as red from, the day that became known): a yellow deadline
    passing is known that day; a red rating when it was recorded."""
    if now.expired:
        return (now.since, now.since) if now.since else None
    last = session.scalar(
        select(SiteChange.at)
        .where(SiteChange.site_id == site.id, SiteChange.field == "status")
        .order_by(SiteChange.at.desc(), SiteChange.id.desc())
        .limit(1)
    )
    since = site.inspected_on or (last.date() if last else None)
    if since is None:
        return None
    return since, max(since, last.date()) if last else since


def alerts_due(
    session: Session, today: dt.date, cooperative_id: int | None = None
) -> list[SiteAlert]:
    """Sites that turned red in the last ``SITE_ALERT_WINDOW_DAYS`` days, and yellow sites
    whose deadline is at most ``SITE_DEADLINE_WARNING_DAYS`` days away."""
    query = select(Site).where(Site.status.in_((SiteStatus.RED, SiteStatus.YELLOW)))
    if cooperative_id is not None:
        query = query.where(Site.cooperative_id == cooperative_id)
    due = []
    for site in session.scalars(query.order_by(Site.id)):
        now = status_on(site, today)
        if now.status == SiteStatus.RED:
            news = _red_news(session, site, now)
            if news is not None and today - news[1] <= dt.timedelta(days=SITE_ALERT_WINDOW_DAYS):
                due.append(SiteAlert(site, "red", news[0]))
        elif now.until is not None and (now.until - today).days <= SITE_DEADLINE_WARNING_DAYS:
            due.append(SiteAlert(site, "deadline", now.until))
    return due


def as_dict(site: Site, today: dt.date) -> dict:
    now = status_on(site, today)
    return {
        "status": now.status.value,
        "colour": now.colour,
        "icglr_code": now.status.icglr_code,
        "rated": now.rated.colour,
        "inspected_on": site.inspected_on.isoformat() if site.inspected_on else None,
        "deadline": site.deadline.isoformat() if site.deadline else None,
        "status_until": now.until.isoformat() if now.until else None,
        "expired": now.expired,
    }


def change_as_dict(change: SiteChange, who: str | None) -> dict:
    return {
        "at": change.at.isoformat() + "Z",
        "field": change.field,
        "from": change.old_value,
        "to": change.new_value,
        "inspected_on": change.inspected_on.isoformat() if change.inspected_on else None,
        "deadline": change.deadline.isoformat() if change.deadline else None,
        "note": change.note,
        "recorded_by": change.recorded_by,
        "who": who,
    }
