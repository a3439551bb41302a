"""Screens: small objects that ``render(ctx)`` and ``handle(ctx, input)``, and what a
handler returns to say where the conversation goes next.

Every screen is registered by name in ``SCREENS``; the session stores only names, pages
and collected values, so a screen is found again on the next request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from locales import _
from ussd.context import Context
from ussd.defaults import MAX_SCREEN_CHARS, MESSAGE_RESERVE_CHARS, NAME_CHARS

# -- where to go next -----------------------------------------------------------------------


@dataclass
class Go:
    """Open a screen on top of this one (``0`` comes back here)."""

    name: str


@dataclass
class Replace:
    """Open a screen in place of this one (PIN steps are not returned to)."""

    name: str


@dataclass
class Stay:
    """Show this screen again with a short error above it."""

    error: str


@dataclass
class Back:
    """Return to the previous screen, or to the named one further down the stack."""

    to: str | None = None


@dataclass
class Home:
    """Back to the main menu."""


@dataclass
class End:
    """Close the session with this text. ``replay``, when given, is what a retry of the same
    request gets instead (the text shows a secret once, and is never stored)."""

    text: str
    replay: str | None = None


Result = Go | Replace | Stay | Back | Home | End

# -- shared words -----------------------------------------------------------------------------

# TRANSLATORS: shown above a screen when the caller typed something it does not offer.
INVALID_CHOICE = _("Invalid choice.")
# TRANSLATORS: the last line of most screens: 0 goes back, 00 to the main menu. Keep the
# numbers; every character here is taken from the screen above it.
NAV_BACK_HOME = _("0 Back 00 Menu")
# TRANSLATORS: a list's next page (typing 98).
NAV_MORE = _("98 More")
# TRANSLATORS: typing 1 saves what the screen shows (nothing is saved before).
CONFIRM = _("1 Confirm")
# TRANSLATORS: the answers to a yes/no question; on every screen 1 is yes and 2 is no.
YES = _("Yes")
# TRANSLATORS: see "Yes".
NO = _("No")


def short(name: str | None, limit: int = NAME_CHARS) -> str:
    """A name cut to at most ``limit`` characters, at a space when one is not too far back."""
    name = " ".join((name or "").split())
    if len(name) <= limit:
        return name
    cut = name[: limit + 1].rfind(" ")
    return name[:cut] if cut > limit // 2 else name[:limit]


# -- the kinds of screen ----------------------------------------------------------------------

SCREENS: dict[str, Screen] = {}


def register(cls: type[Screen]) -> type[Screen]:
    if cls.name in SCREENS:
        raise ValueError(f"two screens are called {cls.name!r}")
    SCREENS[cls.name] = cls()
    return cls


class Screen:
    #: The name the session stores.
    name: ClassVar[str] = ""
    #: Opening it asks for the caller's PIN first (once per session).
    needs_pin: ClassVar[bool] = False
    #: Its handler writes to the books: a retry of that request must not write twice.
    writes: ClassVar[bool] = False
    #: It pages with ``98``/``0``.
    paged: ClassVar[bool] = False
    #: Its handler runs in a SAVEPOINT, so a refusal raised after a write leaves nothing of
    #: it. Off only where the handler never writes before it refuses: two round trips to
    #: the database saved on the busiest hops (the main menu, the PIN).
    savepoint: ClassVar[bool] = True

    def render(self, ctx: Context) -> str:
        raise NotImplementedError

    def handle(self, ctx: Context, raw: str) -> Result:
        return Stay(ctx.t.gettext(INVALID_CHOICE))

    def page_count(self, ctx: Context) -> int:
        return 1

    def currency(self, ctx: Context) -> str | None:
        """The currency of amounts in the books' refusals shown on this screen."""
        return None

    @staticmethod
    def nav(ctx: Context) -> str:
        """The hint for ``0``/``00``; the first screen of a session has nowhere to go back to."""
        return ctx.t.gettext(NAV_BACK_HOME) if len(ctx.stack) > 1 else ""


def join(*lines: str | None) -> str:
    return "\n".join(line for line in lines if line)


class InfoScreen(Screen):
    """Something to read, then back or home."""

    def body(self, ctx: Context) -> str:
        raise NotImplementedError

    def render(self, ctx: Context) -> str:
        return join(self.body(ctx), self.nav(ctx))


class ListScreen(Screen):
    """Rows, numbered or not, paged to fit a screen: ``98`` next page, ``0`` previous.

    Numbers run on across pages, so ``12`` picks the twelfth row from any page.
    """

    paged = True
    #: Rows are numbered and picked by number.
    numbered: ClassVar[bool] = True
    #: Room kept on each page for an error or notice line above it.
    reserve: ClassVar[int] = MESSAGE_RESERVE_CHARS

    def title(self, ctx: Context) -> str:
        raise NotImplementedError

    def rows(self, ctx: Context) -> list[tuple[str, str]]:
        """``(key, label)`` pairs; the key is what the caller types (ignored if not numbered)."""
        raise NotImplementedError

    def empty(self, ctx: Context) -> str:
        return ""

    def choose(self, ctx: Context, key: str) -> Result:
        return Stay(ctx.t.gettext(INVALID_CHOICE))

    def _line(self, key: str, label: str) -> str:
        return f"{key} {label}" if self.numbered else label

    def _pages(self, ctx: Context, rows: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
        fixed = [self.title(ctx), ctx.t.gettext(NAV_MORE), self.nav(ctx)]
        budget = MAX_SCREEN_CHARS - self.reserve - sum(len(x) + 1 for x in fixed if x)
        pages: list[list[tuple[str, str]]] = [[]]
        used = 0
        for row in rows:
            size = len(self._line(*row)) + 1
            if pages[-1] and used + size > budget:
                pages.append([])
                used = 0
            pages[-1].append(row)
            used += size
        return pages

    def page_count(self, ctx: Context) -> int:
        return len(self._pages(ctx, self.rows(ctx)))

    def render(self, ctx: Context) -> str:
        rows = self.rows(ctx)
        if not rows:
            return join(self.title(ctx), self.empty(ctx), self.nav(ctx))
        pages = self._pages(ctx, rows)
        ctx.page = min(max(ctx.page, 0), len(pages) - 1)
        shown = [self._line(*row) for row in pages[ctx.page]]
        more = ctx.t.gettext(NAV_MORE) if ctx.page < len(pages) - 1 else None
        return join(self.title(ctx), *shown, more, self.nav(ctx))

    def handle(self, ctx: Context, raw: str) -> Result:
        if self.numbered and raw in {key for key, _label in self.rows(ctx)}:
            return self.choose(ctx, raw)
        return Stay(ctx.t.gettext(INVALID_CHOICE))


@register
class Refused(Screen):
    """The books refused what was confirmed: nothing was written; ``0`` goes back."""

    name = "refused"

    def render(self, ctx: Context) -> str:
        return join(ctx.t.gettext(_("Not saved:")), ctx.data.get("refused"), self.nav(ctx))


class YesNoScreen(Screen):
    """A question answered yes or no: 1 is yes and 2 is no on every screen, so a thumb used
    to "1 = yes" never skips a step by habit. Never paged: both answers are always shown
    (tests/ussd/test_screens_fit.py checks every screen, in every language)."""

    #: The yes line: it may say more ("Yes, type the amount") but starts with the word for yes.
    yes: ClassVar[str] = YES

    def question(self, ctx: Context) -> str:
        raise NotImplementedError

    def on_yes(self, ctx: Context) -> Result:
        raise NotImplementedError

    def on_no(self, ctx: Context) -> Result:
        raise NotImplementedError

    def render(self, ctx: Context) -> str:
        t = ctx.t
        return join(
            self.question(ctx), f"1 {t.gettext(self.yes)}", f"2 {t.gettext(NO)}", self.nav(ctx)
        )

    def handle(self, ctx: Context, raw: str) -> Result:
        if raw == "1":
            return self.on_yes(ctx)
        if raw == "2":
            return self.on_no(ctx)
        return super().handle(ctx, raw)


class AskScreen(Screen):
    """A question answered by typing: a prompt, then the hint."""

    def prompt(self, ctx: Context) -> str:
        raise NotImplementedError

    def render(self, ctx: Context) -> str:
        return join(self.prompt(ctx), self.nav(ctx))
