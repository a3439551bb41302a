"""Every screen of the conversation, registered by name in ``SCREENS``."""

from ussd.screens import buyer, coordinator, member, officer, pin, start, unlock  # noqa: F401
from ussd.screens.base import SCREENS, Screen

__all__ = ["SCREENS", "Screen"]
