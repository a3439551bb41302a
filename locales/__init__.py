"""The one i18n door: translations by locale and CLDR formatting of numbers, money and dates.

Used alike by the web process and the RQ workers (plain ``babel.support.Translations``,
cached per language), so a member reads the same words on a screen and in an SMS.
Formatting replaces Babel's non-breaking spaces with plain spaces: phones show them badly
and they are not GSM-7.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import os
import tempfile
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

from ledger import units
from ledger.defaults import LANGUAGES, TIME_ZONE

log = logging.getLogger(__name__)

DIR = Path(__file__).parent
DOMAIN = "messages"
#: Each language of ``LANGUAGES`` (the books' list) in its own name: never translated, so
#: anyone finds theirs.
LANGUAGE_NAMES = {"sw": "Kiswahili", "ln": "Lingala", "fr": "Français", "en": "English"}
#: The language of anyone we do not know yet (unknown numbers): Ituri's lingua franca.
DEFAULT_LANGUAGE = "sw"
#: Babel locales used for formatting (the Congolese variants).
CLDR_LOCALES = {"sw": "sw_CD", "ln": "ln_CD", "fr": "fr_CD", "en": "en"}
#: Languages whose weekday names members read one way only: a day is shown "mercredi
#: 03/12/2026" in them and "03/12/2026" in the others. Swahili's names (Jumatatu...) are
#: counted from another day in parts of Kivu and Ituri, and Lingala's vary and "mposo" is
#: also "week" (locales/GLOSSARY.md, "Days, dates and times").
WEEKDAY_NAMES = ("fr", "en")
#: Currency symbols members know: the Congolese franc is written FC everywhere.
CURRENCY_SYMBOLS = {"CDF": "FC", "USD": "$"}
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " "})


def _(message: str) -> str:
    """Mark a string for extraction where it is defined; translate it later with ``t.gettext``."""
    return message


def N_(singular: str, plural: str) -> tuple[str, str]:
    """Mark a plural pair for extraction; translate it later with ``t.ngettext``."""
    return singular, plural


def compile_catalogs() -> list[Path]:
    """Compile every ``.po`` whose ``.mo`` is missing or older. Returns what was written.

    ``.mo`` files are not committed: the web process and the workers compile them when they
    start (an editable install runs no build step). Processes starting together may compile
    the same catalog: each writes its own temporary file and renames it into place.
    """
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po_path in sorted(DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=po_path.parent.parent.name)
        fd, tmp = tempfile.mkstemp(prefix=f".{DOMAIN}.", suffix=".mo.tmp", dir=mo_path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                write_mo(handle, catalog, use_fuzzy=False)
            os.replace(tmp, mo_path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        written.append(mo_path)
    return written


def language_or_default(language: str | None) -> str:
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


class Translator:
    """Words and formats for one language."""

    def __init__(self, language: str, tz: str = TIME_ZONE):
        self.language = language_or_default(language)
        self.locale = Locale.parse(CLDR_LOCALES[self.language])
        self.tz = ZoneInfo(tz)
        self._t: NullTranslations = _translations(self.language)

    def gettext(self, message: str, **params: object) -> str:
        text = self._t.gettext(message)
        return text.format(**params) if params else text

    def ngettext(self, singular: str, plural: str, n: int, **params: object) -> str:
        text = self._t.ngettext(singular, plural, n)
        return text.format(n=n, **params)

    def number(self, value: int | Decimal) -> str:
        return format_decimal(value, locale=self.locale).translate(_SPACES)

    def money(self, minor: int, currency: str) -> str:
        """``12 500 FC``, ``95,50 $``: whole francs; dollars with cents when there are any."""
        amount = Decimal(minor).scaleb(-2)
        if currency == "CDF" or amount == amount.to_integral_value():
            text = format_decimal(amount, format="#,##0", locale=self.locale)
        else:
            text = format_decimal(amount, format="#,##0.00", locale=self.locale)
        symbol = CURRENCY_SYMBOLS.get(currency, currency)
        return f"{text} {symbol}".translate(_SPACES)

    def grams(self, milligrams: int) -> str:
        value = units.grams(milligrams)
        return f"{format_decimal(value, format='#,##0.###', locale=self.locale)} g".translate(
            _SPACES
        )

    def local(self, utc: dt.datetime) -> dt.datetime:
        """A stored naive-UTC time in the deployment's time zone."""
        if utc.tzinfo is None:
            utc = utc.replace(tzinfo=dt.UTC)
        return utc.astimezone(self.tz)

    def date(self, day: dt.date | dt.datetime) -> str:
        if isinstance(day, dt.datetime):
            day = self.local(day).date()
        return format_date(day, format="dd/MM/yyyy", locale=self.locale)

    def time(self, moment: dt.time | dt.datetime) -> str:
        if isinstance(moment, dt.datetime):
            moment = self.local(moment).time()
        return format_time(moment, format="HH:mm", locale=self.locale)

    def weekday(self, day: dt.date) -> str:
        return format_date(day, format="EEEE", locale=self.locale).translate(_SPACES)

    def day(self, day: dt.date) -> str:
        """The date, after its weekday's name where members read the names one way only."""
        if self.language in WEEKDAY_NAMES:
            return f"{self.weekday(day)} {self.date(day)}"
        return self.date(day)


@functools.cache
def _translations(language: str) -> NullTranslations:
    """The language's catalog; English (the msgids) for whatever it lacks. Cached for the
    life of the process, so it compiles first: a process that translates before
    ``create_app()`` (a script, a test) must not keep the fallback for good."""
    try:
        compile_catalogs()
    except OSError:  # a read-only install: use the .mo files it shipped with
        log.warning("could not compile the catalogs in %s", DIR, exc_info=True)
    return Translations.load(str(DIR), [language], domain=DOMAIN)


@functools.cache
def translator(language: str | None, tz: str = TIME_ZONE) -> Translator:
    """The cached translator for a member's stored language (the default when unknown)."""
    return Translator(language_or_default(language), tz)
