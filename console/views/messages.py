"""Messages (``/console/messages``): the SMS outbox and the SMS members sent, with their
statuses and failure reasons. A coordinator's page: one of a cooperative sees the messages
of its members only (``ledger.access.members_query``)."""

from __future__ import annotations

from sqlalchemy import select

from console import auth, i18n
from console.pages import bp, out_of_scope, paginate, render
from console.words import SMS_STATUS
from ledger import access, db
from ledger.models import InboundMessage, Member, Message
from locales import _

KINDS = {
    "receipt": _("Receipt"),
    "reminder_eve": _("Meeting reminder"),
    "reminder_day": _("Meeting reminder"),
    "price": _("Price"),
    "reply": _("Reply"),
    "enrolment": _("Enrolment code"),
}


def _scope():
    actor = auth.actor()
    if not (actor.everywhere or actor.coordinates is not None):
        out_of_scope()
    return actor


@bp.get("/messages")
def messages():
    actor = _scope()
    session = db.session()
    query = select(Message).order_by(Message.id.desc())
    if not actor.everywhere:
        seen = access.members_query(session, actor).with_only_columns(Member.id)
        query = query.where(Message.member_id.in_(seen))
    page = paginate(query)
    words = {k: i18n.gettext(v) for k, v in {**KINDS, **SMS_STATUS}.items()}
    return render("messages.html", page=page, words=words)


@bp.get("/messages/inbound")
def inbound():
    actor = _scope()
    session = db.session()
    query = select(InboundMessage).order_by(InboundMessage.id.desc())
    if not actor.everywhere:
        phones = access.members_query(session, actor).with_only_columns(Member.phone)
        query = query.where(InboundMessage.phone.in_(phones))
    return render("inbound.html", page=paginate(query))
