"""Premiums: a premium received for traceable gold, split back to the miners who sold it
(``plan``), approved into the books (``approve``); its payouts are ``ledger.payouts``.

``configure(config)``, which ``create_app`` calls, installs the minimum payouts of the
configuration (``settings.OPTIONS``). Importing the package does nothing.
"""

from __future__ import annotations

from collections.abc import Mapping

from ledger.premiums import settings


def configure(config: Mapping) -> None:
    settings.configure(settings.from_config(config))


__all__ = ["configure"]
