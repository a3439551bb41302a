"""A new cash code for a miner whose code was lost or locked by wrong tries: a coordinator
asks, the miner's phone gets it by SMS, the answer never carries it, the old code dies."""

from __future__ import annotations

import re

from sqlalchemy import select

from ledger import payouts
from ledger.models import Message, MessageKind, Payout, PayoutMethod, PayoutState
from tests.api.test_premiums import _body, _sales

CODE = re.compile(r"(?<![\w-])(\d{6})(?![\w-])")  # not the date inside a lot number


def premium_texts(session, member_id: int) -> list[str]:
    session.expire_all()
    query = select(Message.body).where(
        Message.kind == MessageKind.PREMIUM, Message.member_id == member_id
    )
    return list(session.scalars(query.order_by(Message.id)))


def approved_payout(api, session, world) -> tuple[Payout, str]:
    miners, lot = _sales(session, world, ("10", "0.900"))
    premium_id = api("POST", "/premiums", _body(lot, community_share=None)).get_json()["id"]
    assert api("POST", f"/premiums/{premium_id}/approve").status_code == 200
    payout = session.scalar(select(Payout).where(Payout.member_id == miners[0].id))
    (code,) = CODE.findall(premium_texts(session, miners[0].id)[0])
    return payout, code


def redeem(session, payout: Payout, code: str) -> Payout | None:
    paid = payouts.redeem_cash(
        session, member=payout.member, cooperative_id=payout.cooperative_id, code=code, by=None
    )
    session.commit()
    return paid


def test_a_locked_code_is_replaced_by_sms_only(api, session, world):
    payout, old = approved_payout(api, session, world)
    wrong = "000000" if old != "000000" else "111111"
    for _ in range(payouts.CASH_CODE_TRIES):
        assert redeem(session, payout, wrong) is None
    assert redeem(session, payout, old) is None  # locked: even the right code is refused

    answer = api("POST", f"/payouts/{payout.reference}/cash-code")
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["code_sent"] is True and body["state"] == "pending" and body["attempts"] == 0
    texts = premium_texts(session, payout.member_id)
    (new,) = CODE.findall(texts[-1])
    assert len(texts) == 2 and len(texts[-1]) <= 160 and new not in answer.text
    assert redeem(session, payout, old) is None  # the old code no longer works
    paid = redeem(session, payout, new)
    assert paid is not None and paid.state == PayoutState.PAID
    assert redeem(session, payout, new) is None  # once


def test_only_a_coordinator_and_only_a_waiting_cash_payout(api, session, world):
    payout, code = approved_payout(api, session, world)
    path = f"/payouts/{payout.reference}/cash-code"
    assert api("POST", path, as_="buyer").status_code == 403
    assert api("POST", path, as_="officer").status_code == 403
    for unknown in ("/payouts/PONOSUCH/cash-code", "/payouts/x%27%00/cash-code"):
        answer = api("POST", unknown)
        assert answer.status_code == 404 and answer.get_json()["code"] == "unknown_payout"
    assert api("POST", path, {"code": "123456"}).status_code in (400, 422)
    assert len(premium_texts(session, payout.member_id)) == 1  # nothing sent by any of these

    assert redeem(session, payout, code) is not None
    paid = api("POST", path)
    assert paid.status_code == 422 and paid.get_json()["code"] == "not_waiting"
    session.execute(
        Payout.__table__.update().values(method=PayoutMethod.MOBILE_MONEY, state="pending")
    )
    session.commit()
    answer = api("POST", path)
    assert answer.status_code == 422 and answer.get_json()["code"] == "not_cash"
    assert len(premium_texts(session, payout.member_id)) == 1
