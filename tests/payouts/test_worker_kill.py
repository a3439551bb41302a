"""A worker killed with SIGKILL while the provider holds its payout call: the payout is
neither lost nor paid twice. The next worker finds the dead claim, asks the provider about
that reference, and settles it as paid."""

from __future__ import annotations

from ledger.models import PayoutState
from tests.payouts.conftest import approved_premium, payouts
from tests.waiting import wait_until


def test_kill_9_mid_payout_pays_once(session, fake, workers):
    approved_premium(session, grams=("10",), amount=5_00)
    fake.hold_next()  # the provider pays, then holds its answer
    first = workers.start()
    wait_until(lambda: sum(fake.calls.values()) == 1, 30, "the payout call")
    (payout,) = payouts(session)
    assert payout.state == PayoutState.SUBMITTED and len(fake.paid) == 1
    workers.kill(first)
    fake.release()
    workers.start()
    wait_until(
        lambda: payouts(session)[0].state == PayoutState.PAID, 30, "the payout settled as paid"
    )
    (payout,) = payouts(session)
    assert fake.calls[payout.reference] == 1 and len(fake.paid) == 1
    assert payout.provider_id == fake.paid[payout.reference][3]
    assert payout.unknown_since is not None  # it went through unknown, never resent
