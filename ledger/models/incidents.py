"""Incidents: what a miner, a member or anyone reports about a site or the chain (iTSCi
whistleblowing), by SMS or USSD. Each raises a flag of kind ``incident``, and the flag
holds the review (open, confirmed, dismissed; who, when, why): one review, whichever page
or route a coordinator closes it from."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Boolean, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ledger.db import Base
from ledger.models.base import enum_column, utcnow
from ledger.models.flags import Flag


class IncidentCategory(StrEnum):
    """OECD Due Diligence Guidance, Annex II: the risks a report is about."""

    ARMED_GROUP = "armed_group"  # support to non-state armed groups or illegal security forces
    CHILD_LABOUR = "child_labour"  # worst forms of child labour, forced labour
    VIOLENCE = "violence"  # torture, sexual violence, other serious abuses
    ILLEGAL_TAX = "illegal_tax"  # illegal taxing or extortion at the site or on the road
    OTHER = "other"  # anything else (fraud on the origin, bribery...); an SMS's default


class IncidentChannel(StrEnum):
    SMS = "sms"
    USSD = "ussd"


class Incident(Base):
    """A report. The reporter (a member, or only a phone for someone not registered) is shown
    to the coordinators of the site's cooperative only, and to nobody when ``anonymous``: an
    anonymous report keeps neither the member nor the phone."""

    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The cooperative whose coordinators follow it: the site's, else the reporter's; none
    #: when neither is known (a stranger's SMS without a site code).
    cooperative_id: Mapped[int | None] = mapped_column(ForeignKey("cooperatives.id"), index=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"), index=True)
    category: Mapped[IncidentCategory] = mapped_column(enum_column(IncidentCategory))
    text: Mapped[str] = mapped_column(Text)
    channel: Mapped[IncidentChannel] = mapped_column(enum_column(IncidentChannel))
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    reporter_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    reporter_phone: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    #: The open flag it raised; the flag's status is the incident's review.
    flag_id: Mapped[int] = mapped_column(ForeignKey("flags.id"), unique=True)

    flag: Mapped[Flag] = relationship()

    @property
    def reference(self) -> str:
        """What the reporter is told and quotes: ``I-42``."""
        return f"I-{self.id}"
