"""What a screen sees of one request: the books, the session state, the caller and words."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from ledger import pins
from ledger.models import Member, utcnow
from locales import DEFAULT_LANGUAGE, Translator, translator

if TYPE_CHECKING:
    import redis


class Context:
    """One request's view of the conversation.

    ``state`` is the JSON document kept in Redis: ``stack`` of ``[screen, page]``, the
    caller's ``member_id`` once known, ``pin_ok`` once verified, and ``data`` for the values
    a flow collects (miner, weight...).
    """

    def __init__(
        self,
        session: Session,
        state: dict,
        tz: str,
        now: dt.datetime | None = None,
        member: Member | None = None,
        client: redis.Redis | None = None,
    ):
        self.session = session
        #: The sessions' Redis, for the few screens that count (the incident cap).
        self.redis = client
        self.state = state
        self.tz = tz
        self.now = now or utcnow()
        self.error: str | None = None
        #: The caller when already read in this request (a new session's first hop).
        self._member: Member | None = member
        #: Where the reply being handled sits in the session's text (0 = the first reply),
        #: and the reply just before it, as the gateway sent them in this request.
        self.at: int = 0
        self.previous_reply: str | None = None

    # -- who is calling -------------------------------------------------------------------

    @property
    def member(self) -> Member | None:
        member_id = self.state.get("member_id")
        if member_id is None:
            return None
        if self._member is None or self._member.id != member_id:
            self._member = self.session.get(Member, member_id)
        return self._member

    def lock_member(self) -> Member:
        """The caller, read again with the row locked until the transaction ends (a PIN
        check: parallel sessions share the same tries)."""
        member = pins.locked_member(self.session, self.state["member_id"])
        if member is None:
            raise LookupError(f"member {self.state['member_id']} is gone")
        self._member = member
        return member

    def choose_member(self, member: Member) -> None:
        self.state["member_id"] = member.id
        self.state["pin_ok"] = False
        self._member = member

    @property
    def pin_ok(self) -> bool:
        return bool(self.state.get("pin_ok"))

    # -- words ----------------------------------------------------------------------------

    @property
    def language(self) -> str:
        member = self.member
        if member is not None:
            return member.language
        return self.state.get("lang") or DEFAULT_LANGUAGE

    @property
    def t(self) -> Translator:
        return translator(self.language, self.tz)

    def today(self) -> dt.date:
        """Today in the deployment's time zone (meetings are held on local days)."""
        return self.t.local(self.now).date()

    # -- the flow's values and the screen stack ------------------------------------------

    @property
    def data(self) -> dict[str, Any]:
        return self.state.setdefault("data", {})

    @property
    def stack(self) -> list[list]:
        return self.state["stack"]

    @property
    def screen_name(self) -> str:
        return self.stack[-1][0]

    @property
    def page(self) -> int:
        return self.stack[-1][1]

    @page.setter
    def page(self, value: int) -> None:
        self.stack[-1][1] = value

    def notice(self, text: str) -> None:
        """A one-line message shown above the next screen (``Saved.``)."""
        self.state["notice"] = text

    def pop_notice(self) -> str | None:
        return self.state.pop("notice", None)
