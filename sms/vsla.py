"""A savings group's SMS: each member present once a meeting closes (unless the group
switched it off), a leaver's payout, each member's payout at the share-out. Written into the
outbox in the same transaction as the event, in the member's language, one per member (a
shared phone gets one for each of its members, each with her own figures only)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from ledger import closing, events, vsla
from ledger.loans import loans_as_of
from ledger.models import Group, Meeting, Member, MessageKind
from ledger.shareout import Payout, SharedOut
from locales import translator
from sms import outbox, settings, templates


def _send(session: Session, member: Member, kind: MessageKind, cause: str, body) -> None:
    t = translator(member.language, settings.current().tz)
    outbox.add(
        session,
        phone=member.phone,
        member_id=member.id,
        kind=kind,
        language=t.language,
        body=body(t),
        cause=cause,
    )


def on_meeting_closed(session: Session, meeting: Meeting) -> None:
    group = session.get(Group, meeting.group_id)
    if not group.meeting_sms:
        return
    cycle = vsla.current_cycle(session, group)
    next_day = vsla.next_meeting(
        group, dt.datetime.combine(meeting.held_on + dt.timedelta(days=1), dt.time())
    ).date()
    for member in closing.present_members(session, meeting):
        figures = {
            "name": member.first_name,
            "day": meeting.held_on,
            "paid": closing.paid_at(session, meeting, member),
            "shares": vsla.shares_of(session, cycle, member),
            "savings": vsla.savings_of(session, member),
            "loan": sum(p.outstanding for p in loans_as_of(session, member, meeting.held_on)),
            "next_day": next_day,
            "currency": group.currency,
        }
        _send(
            session,
            member,
            MessageKind.MEETING,
            f"meeting:{meeting.id}",
            lambda t, f=figures: templates.meeting_done(t, **f),
        )


def on_member_left(session: Session, payout: Payout) -> None:
    member = session.get(Member, payout.member_id)
    group = session.get(Group, member.group_id)
    _send(
        session,
        member,
        MessageKind.LEAVER,
        f"leaver:{member.id}:{member.left_on.isoformat()}",
        lambda t: templates.leaver(
            t,
            name=member.first_name,
            group=group.name,
            payout=payout.net,
            shares=payout.shares,
            currency=group.currency,
        ),
    )


def on_shared_out(session: Session, done: SharedOut) -> None:
    group = done.group
    for payout in done.payouts:
        member = session.get(Member, payout.member_id)
        _send(
            session,
            member,
            MessageKind.SHARE_OUT,
            f"share_out:{group.id}:{done.cycle_number}",
            lambda t, p=payout, m=member: templates.shared_out(
                t,
                name=m.first_name,
                group=group.name,
                day=done.on,
                shares=p.shares,
                payout=p.net,
                start=done.on + dt.timedelta(days=1),
                currency=group.currency,
            ),
        )


def subscribe() -> None:
    events.subscribe(events.MEETING_CLOSED, on_meeting_closed)
    events.subscribe(events.MEMBER_LEFT, on_member_left)
    events.subscribe(events.SHARED_OUT, on_shared_out)
