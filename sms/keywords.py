"""The words members text us, read in any of our languages, case- and accent-insensitively.

The words live in the catalogs: each msgid lists the words of one action separated by
spaces, and a translation lists the words of its language (translators add synonyms there).
A member may use the words of any language, whatever their own.
"""

from __future__ import annotations

import functools
import unicodedata
from enum import StrEnum

from locales import LANGUAGES, _, translator
from locales.gsm7 import to_gsm7


class Action(StrEnum):
    STOP = "stop"  # no more price broadcasts (receipts and reminders still come)
    START = "start"  # price broadcasts again
    PRICE = "price"  # the latest posted price
    BALANCE = "balance"  # balances are only on USSD, with a PIN
    REPORT = "report"  # an incident report: the words after the keyword (``sms.incidents``)
    HELP = "help"  # anything else


# TRANSLATORS: words a member can text to stop the price SMS: the words people of your
# language would type, separated by spaces (case and accents do not matter). Every
# language's words are understood from any member, so a word may belong to one action only.
# The SMS replies tell members the first word.
_STOP = _("STOP ARRET")
# TRANSLATORS: words to get the price SMS again (see STOP ARRET).
_START = _("START")
# TRANSLATORS: words to ask for the gold price (see STOP ARRET).
_PRICE = _("PRICE PRIX BEI NTALO")
# TRANSLATORS: words to ask for one's balance (see STOP ARRET).
_BALANCE = _("BALANCE SOLDE SALIO")
# TRANSLATORS: words to report an incident at a site (armed men, child labour, violence,
# illegal taxes), followed by what happened (see STOP ARRET). The replies name the first.
_REPORT = _("REPORT RIPOTI RAPPORT LAPOLO")

_MSGIDS = {
    Action.STOP: _STOP,
    Action.START: _START,
    Action.PRICE: _PRICE,
    Action.BALANCE: _BALANCE,
    Action.REPORT: _REPORT,
}


def fold(word: str) -> str:
    """``Arrêt`` -> ``ARRET``: no accents, no case, Lingala letters as phones write them."""
    plain = unicodedata.normalize("NFD", to_gsm7(word))
    return "".join(c for c in plain if not unicodedata.combining(c)).upper()


@functools.cache
def vocabulary() -> dict[str, Action]:
    """Every known word -> its action, over the msgids and every language's translation."""
    words: dict[str, Action] = {}
    for action, msgid in _MSGIDS.items():
        texts = [msgid] + [translator(lang).gettext(msgid) for lang in LANGUAGES]
        for text in texts:
            for word in text.split():
                words.setdefault(fold(word), action)
    return words


def _first_word(text: str) -> str:
    for raw in text.split():
        word = fold("".join(c for c in raw if c.isalnum()))
        if word:
            return word
    return ""


def read(text: str) -> Action:
    """The action of an inbound SMS: its first word, stripped of punctuation."""
    word = _first_word(text)
    return vocabulary().get(word, Action.HELP) if word else Action.HELP


def language_of(text: str) -> str | None:
    """The language whose own word opens ``text`` (``RIPOTI``: sw), or None: how to answer
    a sender we do not know."""
    word = _first_word(text)
    for lang in LANGUAGES:
        t = translator(lang)
        if any(fold(w) == word for msgid in _MSGIDS.values() for w in t.gettext(msgid).split()):
            return lang
    return None
