"""The console's pages, one module per noun, all on the blueprint of ``console.pages``."""

from console.pages import bp
from console.views import (
    cycle,
    flags,
    groups,
    imports,
    login,
    lots,
    meetings,
    members,
    messages,
    prices,
    purchases,
    reports,
    sites,
    today,
)

__all__ = [
    "bp",
    "cycle",
    "flags",
    "groups",
    "imports",
    "login",
    "lots",
    "meetings",
    "members",
    "messages",
    "prices",
    "purchases",
    "reports",
    "sites",
    "today",
]
