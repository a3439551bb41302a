"""One gateway request in, one screen out.

Africa's Talking sends the whole session's replies joined by ``*`` on every request. The
session state remembers how much of that text has been read, so only the new part is
interpreted (an input that itself holds ``*`` is read as the replies it contains, in order;
a first request that already holds replies is walked the same way, but never into a write);
it also remembers its recent answers, so a retried request gets the same answer and writes
nothing twice. Before a step that writes to the books, the request is marked pending: if
the answer is lost after the write, the retry is told to check instead of writing again.

The text holds PINs and enrolment codes, so the state keeps only keyed marks of it
(``sessions.mark``), never the text itself, and no log line shows it. A text of more than
``MAX_REPLIES`` replies or ``MAX_TEXT_CHARS`` characters is answered without being walked.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import redis
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ledger import authors
from ledger.errors import LedgerError
from ledger.members import members_on_phone, parse_phone
from ledger.models import Member, MemberStatus, utcnow
from locales import DEFAULT_LANGUAGE, _, translator
from locales.gsm7 import to_gsm7
from ussd import sessions
from ussd.context import Context
from ussd.defaults import (
    KEY_BACK,
    KEY_HOME,
    KEY_NEXT,
    MAX_REPLIES,
    MAX_SCREEN_CHARS,
    MAX_SESSION_ID_CHARS,
    MAX_TEXT_CHARS,
    REPLAY_DEPTH,
)
from ussd.errors import explain
from ussd.screens import SCREENS
from ussd.screens.base import Back, End, Go, Home, Replace, Result, Stay
from ussd.screens.pin import pin_entry
from ussd.screens.start import NOT_REGISTERED

log = logging.getLogger("sanduku.ussd")

SORRY = _("Sorry, something went wrong. Please dial again.")
UNAVAILABLE = _("Sanduku is not available just now. Please try again later.")
MAYBE_SAVED = _("Your last step may already be saved. Check it before doing it again.")
# TRANSLATORS: the answer to a session with too many replies (more than 30).
TOO_LONG = _("This session is too long. Please dial again.")
# TRANSLATORS: shown above a list when 98 is typed on its last page.
NO_MORE = _("No more.")
NAVIGATION = (KEY_BACK, KEY_HOME, KEY_NEXT)
#: Deepest screen stack kept: flows are short; this only bounds a runaway session.
MAX_STACK = 20


@dataclass
class Request:
    session_id: str
    phone: str  # as the gateway sent it
    text: str


def con(text: str) -> str:
    return "CON " + text


def end(text: str) -> str:
    return "END " + fit(None, text)


def fit(message: str | None, body: str) -> str:
    """GSM-7 text of at most ``MAX_SCREEN_CHARS``: the message line above the body when both
    fit, else the body alone; a body that is still too long is cut (and logged)."""
    body = to_gsm7(body).strip()
    if message:
        message = to_gsm7(message).strip()
        if len(message) + 1 + len(body) <= MAX_SCREEN_CHARS:
            return f"{message}\n{body}"
        log.warning("ussd message dropped, screen too long (%d chars)", len(message) + len(body))
    if len(body) > MAX_SCREEN_CHARS:
        log.error("ussd screen too long (%d chars), cut", len(body))
        body = body[:MAX_SCREEN_CHARS]
    return body


def answer(
    client: redis.Redis,
    session: Session,
    form: Mapping[str, str],
    tz: str,
    now: dt.datetime | None = None,
    hop: dict | None = None,
) -> str:
    """The ``CON``/``END`` answer to one gateway request. Never raises. ``hop``, when given,
    is filled for operators' metrics: ``screen`` (the screen shown) and, when the hop went
    wrong, ``outcome`` (``busy``, ``unavailable``, ``error``)."""
    known = hop if hop is not None else {}
    known["lang"] = DEFAULT_LANGUAGE

    def words(msgid: str) -> str:
        return translator(known["lang"], tz).gettext(msgid)

    try:
        request = Request(
            session_id=str(form.get("sessionId") or "").strip(),
            phone=str(form.get("phoneNumber") or "").strip(),
            text=str(form.get("text") or ""),
        )
        if not request.session_id or len(request.session_id) > MAX_SESSION_ID_CHARS:
            return end(words(SORRY))
        if len(request.text) > MAX_TEXT_CHARS or request.text.count("*") >= MAX_REPLIES:
            return end(words(TOO_LONG))
        try:
            phone = parse_phone(request.phone)
        except LedgerError:
            return end(words(NOT_REGISTERED))
        with sessions.held(client, request.session_id) as held:
            return _answer(client, session, request, phone, tz, now or utcnow(), known, held)
    except sessions.Busy:
        log.warning("ussd session %r busy", form.get("sessionId"))
        known["outcome"] = "busy"
        return end(words(SORRY))
    except (redis.RedisError, SQLAlchemyError) as exc:
        log.warning("ussd unavailable: %s: %s", type(exc).__name__, exc)
        _rollback(session)
        known["outcome"] = "unavailable"
        return end(words(UNAVAILABLE))
    except Exception:
        # Neither the text (it holds PINs) nor the phone number.
        log.exception("ussd request failed: session %r", form.get("sessionId"))
        _rollback(session)
        known["outcome"] = "error"
        return end(words(SORRY))


def _rollback(session: Session) -> None:
    try:
        session.rollback()
    except Exception:  # the database may be gone: nothing more to undo
        log.debug("rollback failed", exc_info=True)


def _answer(
    client: redis.Redis,
    session: Session,
    request: Request,
    phone: str,
    tz: str,
    now: dt.datetime,
    known: dict,
    held: sessions.Held,
) -> str:
    state = held.state
    may_write = True
    caller = None
    if state is None:
        state, caller = _new_state(session, phone)
        # Text on a first request: replies dialled with the code (*384*1*3#), or a session
        # whose state was lost. They are walked, but never into a write: that needs a "1"
        # typed on a confirmation this session has shown.
        new = request.text or None
        may_write = False
    else:
        known["lang"] = state.get("lang") or DEFAULT_LANGUAGE
        if state.get("phone") != phone:
            log.warning("ussd session %r changed phone", request.session_id)
            return end(translator(known["lang"], tz).gettext(SORRY))
        if "read" not in state:  # a session started before an upgrade: begin again
            return end(translator(known["lang"], tz).gettext(SORRY))
        marked = sessions.mark(request.text)
        if marked in state["answers"]:
            return state["answers"][marked]
        if state.get("pending") == marked:
            reply = end(translator(known["lang"], tz).gettext(MAYBE_SAVED))
            _remember(state, request.text, reply)
            held.keep(state)
            return reply
        new = _unread(state["read"], request.text)
        if new is None:
            log.warning("ussd session %r: text does not follow on", request.session_id)
            return end(translator(known["lang"], tz).gettext(SORRY))

    def mark_pending() -> None:
        state["pending"] = sessions.mark(request.text)
        sessions.save(client, request.session_id, state)

    ctx = Context(session, state, tz, now, member=caller, client=client)
    replies = request.text.split("*") if request.text else []
    fresh = new.split("*") if new is not None else []
    reply = remembered = None
    for n, raw in enumerate(fresh, start=len(replies) - len(fresh)):
        raw = raw.strip()
        if not may_write and SCREENS[ctx.screen_name].writes and raw not in NAVIGATION:
            break
        ctx.at = n
        ctx.previous_reply = replies[n - 1].strip() if n > 0 else None
        result = step(ctx, raw, mark_pending)
        if isinstance(result, End):
            reply = end(result.text)
            if result.replay is not None:  # a secret shown once: a retry gets this instead
                remembered = end(result.replay)
            break
    ctx.previous_reply = None
    if reply is None:
        reply = show(ctx)
    known["screen"] = ctx.screen_name
    session.commit()
    state["lang"] = ctx.language
    _remember(state, request.text, remembered or reply)
    held.keep(state)
    return reply


def _new_state(session: Session, phone: str) -> tuple[dict, Member | None]:
    """A new session's state, and the caller when the phone is one member's (kept for this
    request: the screens need it, and reading it again would cost a query)."""
    callers = [m for m in members_on_phone(session, phone) if m.status == MemberStatus.ACTIVE]
    state: dict = {"phone": phone, "read": sessions.mark(""), "answers": {}, "data": {}}
    if not callers:  # told how to join; may still report an incident
        state.update(lang=DEFAULT_LANGUAGE, stranger=True, stack=[["stranger", 0]])
        return state, None
    if len(callers) == 1:
        state.update(member_id=callers[0].id, pin_ok=False, stack=[["main", 0]])
    else:
        languages = {m.language for m in callers}
        state.update(
            lang=languages.pop() if len(languages) == 1 else DEFAULT_LANGUAGE,
            stack=[["who", 0]],
        )
    return state, callers[0] if len(callers) == 1 else None


def _unread(read: str, text: str) -> str | None:
    """What ``text`` adds to what was already read (known by its mark), or None when it does
    not follow on."""
    length = sessions.marked_length(read)
    if length == 0:
        return text
    if len(text) > length and text[length] == "*" and sessions.mark(text[:length]) == read:
        return text[length + 1 :]
    return None


def _remember(state: dict, text: str, reply: str) -> None:
    marked = sessions.mark(text)
    state["read"] = marked
    state.pop("pending", None)
    answers = state["answers"]
    answers.pop(marked, None)
    answers[marked] = reply
    for old in list(answers)[:-REPLAY_DEPTH]:
        del answers[old]


def step(ctx: Context, raw: str, mark_pending: Callable[[], None]) -> End | None:
    """Apply one reply to the current screen."""
    screen = SCREENS[ctx.screen_name]
    ctx.error = None
    if raw == KEY_HOME:
        return apply(ctx, Home())
    if raw == KEY_BACK:
        if screen.paged and ctx.page > 0:
            ctx.page -= 1
            return None
        return apply(ctx, Back())
    if raw == KEY_NEXT and screen.paged:
        if ctx.page + 1 < screen.page_count(ctx):
            ctx.page += 1
        else:
            ctx.error = ctx.t.gettext(NO_MORE)
        return None
    if screen.writes:
        mark_pending()
        if ctx.member is not None:
            authors.record_as(ctx.session, authors.Author("ussd", ctx.member.id))
    try:
        with ctx.session.begin_nested() if screen.savepoint else contextlib.nullcontext():
            result = screen.handle(ctx, raw)
    except LedgerError as exc:
        message = explain(ctx.t, exc, screen.currency(ctx))
        if screen.writes:  # a confirmation refused: say so on a screen of its own
            ctx.data["refused"] = message
            return open_screen(ctx, "refused", push=True)
        result = Stay(message)
    return apply(ctx, result)


def apply(ctx: Context, result: Result) -> End | None:
    """Move the conversation where a handler said."""
    match result:
        case End():
            return result
        case Stay(error=error):
            ctx.error = error
        case Home():
            home = "stranger" if ctx.state.get("stranger") else "who"
            ctx.stack[:] = [["main" if ctx.member is not None else home, 0]]
            ctx.state["data"] = {}
        case Back(to=to):
            names = [name for name, _page in ctx.stack]
            if to is not None and to in names:
                del ctx.stack[names.index(to) + 1 :]
            elif len(ctx.stack) > 1:
                ctx.stack.pop()
        case Go(name=name):
            return open_screen(ctx, name, push=True)
        case Replace(name=name):
            return open_screen(ctx, name, push=False)
    return None


def open_screen(ctx: Context, name: str, push: bool) -> End | None:
    """Open ``name``, by way of the PIN first when it needs one not yet given."""
    if SCREENS[name].needs_pin and not ctx.pin_ok:
        entry = pin_entry(ctx)
        if isinstance(entry, End):
            return entry
        ctx.data["after_pin"] = name
        name = entry
    if push:
        ctx.stack.append([name, 0])
        del ctx.stack[1 : max(1, len(ctx.stack) - MAX_STACK)]
    else:
        ctx.stack[-1] = [name, 0]
    return None


def show(ctx: Context) -> str:
    screen = SCREENS[ctx.screen_name]
    body = screen.render(ctx)
    notice = ctx.pop_notice()
    return con(fit(ctx.error or notice, body))
