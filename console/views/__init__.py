"""The console's pages, one module per noun, all on the blueprint of ``console.pages``."""

from console.pages import bp
from console.views import (
    flags,
    groups,
    imports,
    login,
    lots,
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
    "flags",
    "groups",
    "imports",
    "login",
    "lots",
    "members",
    "messages",
    "prices",
    "purchases",
    "reports",
    "sites",
    "today",
]
