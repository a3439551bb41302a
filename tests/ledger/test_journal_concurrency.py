"""Two writers creating the same account at once both end up with the one account."""

import datetime as dt
import threading

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger import db, journal
from ledger.models import Account, AccountKind, EntryKind
from tests import factories


def test_concurrent_first_use_of_an_account(session):
    coop = factories.cooperative(session)
    session.commit()
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def first_purchase_money():
        with Session(db.engine()) as own:
            try:
                barrier.wait()
                stock = journal.account(own, AccountKind.GOLD_STOCK, "USD", cooperative_id=coop.id)
                cash = journal.account(own, AccountKind.GOLD_CASH, "USD", cooperative_id=coop.id)
                journal.post(
                    own,
                    EntryKind.GOLD_PURCHASE,
                    "USD",
                    [(stock, 100), (cash, -100)],
                    occurred_on=dt.date(2025, 1, 6),
                    cooperative_id=coop.id,
                )
                own.commit()
            except BaseException as exc:  # reported below, so a failure names its cause
                errors.append(exc)

    threads = [threading.Thread(target=first_purchase_money) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert session.scalar(select(func.count()).select_from(Account)) == 2
    assert journal.balance(session, AccountKind.GOLD_STOCK, "USD", cooperative_id=coop.id) == 400
