"""The catalogs match the code and are complete: what ``pybabel extract`` finds today is what
``locales/messages.pot`` and every catalog hold, and sw, ln and fr translate all of it, with
the same placeholders, every plural slot of their CLDR rule filled, in letters phones show."""

from __future__ import annotations

import gettext
import shutil
import string
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

import ledger.defaults
from api.schemas import MEMBER_FIELDS
from locales import CLDR_LOCALES, DIR, DOMAIN, LANGUAGE_NAMES, LANGUAGES
from locales.gsm7 import is_gsm7

ROOT = DIR.parent
TRANSLATED = [lang for lang in LANGUAGES if lang != "en"]
#: Babel orders plural slots as CLDR lists the categories.
CLDR_ORDER = ("zero", "one", "two", "few", "many", "other")
FIX = "run `make catalogs`, translate what is new, and commit locales/"


def pybabel(*args: str) -> None:
    """``pybabel`` in this process, with the settings of pyproject.toml (read from the cwd)."""
    CommandLineInterface().run(["pybabel", "-q", *args])


def load(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def catalog_path(lang: str) -> Path:
    return DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def fields(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}


def messages(catalog: Catalog) -> dict:
    """What a catalog says about each message, locations being file names only."""
    return {
        m.id: (m.context, sorted(m.locations), m.auto_comments, sorted(m.flags - {"fuzzy"}))
        for m in catalog
        if m.id
    }


@pytest.fixture(scope="module")
def fresh_pot(tmp_path_factory) -> Path:
    """``pybabel extract`` of today's code into a temporary template."""
    pot = tmp_path_factory.mktemp("pot") / f"{DOMAIN}.pot"
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(ROOT)
        pybabel("extract", "-o", str(pot))
    return pot


def test_extraction_finds_every_kind_of_message(fresh_pot):
    found = messages(load(fresh_pot))
    assert ("{n} try left.", "{n} tries left.") in found  # ngettext on a screen
    assert "Gold price {date}: {usd}/g. {coop}" in found  # an SMS template
    assert "STOP ARRET" in found  # the SMS keywords
    assert "0 Back 00 Menu" in found  # a shared word of every screen
    _ctx, _where, comments, _flags = found["Weight in grams:\n(12#5 = 12.5 g)"]
    assert any("decimal point" in c for c in comments)  # translator comments come along


def test_template_is_up_to_date_with_the_code(fresh_pot):
    committed, fresh = messages(load(DIR / f"{DOMAIN}.pot")), messages(load(fresh_pot))
    assert sorted(set(fresh) - set(committed), key=str) == [], f"new in the code: {FIX}"
    assert sorted(set(committed) - set(fresh), key=str) == [], f"gone from the code: {FIX}"
    changed = [key for key in fresh if fresh[key] != committed[key]]
    assert changed == [], f"comments or places changed: {FIX}"


def test_catalogs_are_up_to_date_with_the_code(fresh_pot, tmp_path, monkeypatch):
    """``pybabel update --check`` against today's extraction, on copies of the catalogs."""
    for lang in LANGUAGES:
        target = tmp_path / lang / "LC_MESSAGES"
        target.mkdir(parents=True)
        shutil.copy(catalog_path(lang), target)
    monkeypatch.chdir(ROOT)
    try:
        pybabel(
            "update", "--check", "--ignore-pot-creation-date", "-i", str(fresh_pot),
            "-d", str(tmp_path),
        )  # fmt: skip
    except Exception as exc:
        pytest.fail(f"{exc}: {FIX}")


def test_every_language_has_a_catalog_a_name_and_a_place_in_the_books():
    on_disk = {p.parent.parent.name for p in DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")}
    assert on_disk == set(LANGUAGES) == set(LANGUAGE_NAMES) == set(CLDR_LOCALES)
    assert ledger.defaults.LANGUAGES == LANGUAGES  # what the books accept for a member
    assert MEMBER_FIELDS["language"]["examples"] == list(LANGUAGES)  # what the API documents


@pytest.mark.parametrize("lang", TRANSLATED)
def test_everything_is_translated(lang):
    catalog = load(catalog_path(lang), lang)
    assert not catalog.obsolete, f"{lang}: remove the obsolete (#~) entries"
    missing, fuzzy = [], []
    for message in catalog:
        if not message.id:
            continue
        forms = message.string if message.pluralizable else (message.string,)
        if not all(forms):
            missing.append(message.id)
        if message.fuzzy:
            fuzzy.append(message.id)
    assert missing == [], f"{lang}: not translated"
    assert fuzzy == [], f"{lang}: fuzzy (check the translation, then remove the flag)"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_placeholders_and_plural_slots(lang):
    """Every form of every translation has the msgid's placeholders (English may leave an
    entry empty: the msgid is shown)."""
    catalog = load(catalog_path(lang), lang)
    wrong = []
    for message in catalog:
        if not message.id:
            continue
        if message.pluralizable:
            assert len(message.string) == catalog.num_plurals, (lang, message.id)
            expected = fields(message.id[0]) | fields(message.id[1])
            wrong += [
                (message.id, form) for form in message.string if form and fields(form) != expected
            ]
        elif message.string and fields(message.string) != fields(message.id):
            wrong.append((message.id, message.string))
    assert wrong == [], f"{lang}: placeholders differ from the English"
    assert [error for _msg, errors in catalog.check() for error in errors] == []


@pytest.mark.parametrize("lang", TRANSLATED)
def test_plural_forms_follow_cldr(lang):
    """The catalog's Plural-Forms picks the slot of CLDR's category for every count: fr has
    one (0, 1), many (millions) and other; ln counts 0 as singular; sw does not."""
    catalog = load(catalog_path(lang), lang)
    rule = Locale.parse(lang).plural_form
    slots = [tag for tag in CLDR_ORDER if tag in rule.tags or tag == "other"]
    assert catalog.num_plurals == len(slots)
    pick = gettext.c2py(catalog.plural_expr)
    for n in (0, 1, 2, 3, 5, 11, 21, 100, 1000, 1_000_000, 2_000_000, 1_000_001):
        assert pick(n) == slots.index(rule(n)), (lang, n, rule(n))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_are_written_in_letters_phones_show(lang):
    """GSM-7 already, so transliteration never changes a word (é è à ù are in it; ê ç ô û
    î œ ’ and Lingala's ɛ ɔ and tone marks are not)."""
    catalog = load(catalog_path(lang), lang)
    outside = []
    for message in catalog:
        if not message.id:
            continue
        forms = message.string if message.pluralizable else (message.string,)
        for form in forms:
            bad = sorted({c for c in form if not is_gsm7(c)})
            if bad:
                outside.append((form, bad))
    assert outside == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_line_breaks_and_menu_numbers_are_kept(lang):
    """A screen keeps its shape: as many lines, and the same number opening each line."""
    catalog = load(catalog_path(lang), lang)
    for message in catalog:
        if not message.id or message.pluralizable or not message.string:
            continue
        english, translated = message.id.split("\n"), message.string.split("\n")
        assert len(translated) == len(english), (lang, message.id)
        for line_en, line_tr in zip(english, translated, strict=True):
            number = line_en.split(" ")[0]
            if number.isdigit():
                assert line_tr.split(" ")[0] == number, (lang, message.id)
