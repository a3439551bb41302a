"""Every screen of the conversation, registered by name in ``SCREENS``."""

from ussd.screens import (  # noqa: F401
    buyer,
    closing,
    coordinator,
    desk,
    enrol,
    expense,
    incident,
    joiner,
    member,
    officer,
    payout,
    pin,
    start,
    unlock,
)
from ussd.screens.base import SCREENS, Screen

__all__ = ["SCREENS", "Screen"]
