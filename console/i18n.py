"""The console's words through the one i18n door (``locales``): French unless the user picks
another language (kept in the signed session); numbers, money and dates formatted by it."""

from __future__ import annotations

from flask import Flask, current_app, session

from ledger.defaults import LANGUAGES
from locales import LANGUAGE_NAMES, Translator, translator

DEFAULT = "fr"
KEY = "lang"


def language() -> str:
    chosen = session.get(KEY)
    return chosen if chosen in LANGUAGES else DEFAULT


def tr() -> Translator:
    return translator(language(), current_app.config["SANDUKU_TZ"])


def gettext(message: str, **params: object) -> str:
    return tr().gettext(message, **params)


def ngettext(singular: str, plural: str, n: int, **params: object) -> str:
    return tr().ngettext(singular, plural, n, **params)


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        _=gettext, ngettext=ngettext, zip=zip, LANGUAGES=LANGUAGES, LANGUAGE_NAMES=LANGUAGE_NAMES
    )
