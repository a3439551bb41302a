"""One word for each thing: the catalogs use the words of ``locales/GLOSSARY.md``.

The glossary's tables are read here: wherever the English of a message uses a concept's
English term, the translation contains the concept's word (or another of its forms) and
none of the words the glossary lists under "not". Messages added later are checked the same
way, and a reviewer who changes a word changes it in the glossary, which the test follows.
"""

from __future__ import annotations

import re
import string
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from locales import DIR, DOMAIN, LANGUAGES
from locales.gsm7 import to_gsm7
from sms.keywords import _MSGIDS

GLOSSARY = DIR / "GLOSSARY.md"
TRANSLATED = [lang for lang in LANGUAGES if lang != "en"]
#: The concepts the glossary must define: those of today's screens and the coming features.
REQUIRED = {
    "member", "officer", "coordinator", "buyer", "share", "savings", "social fund",
    "loan fund", "loan", "charge", "fine", "grant", "share-out", "meeting", "receipt", "lot",
    "site", "premium", "PIN", "flag", "incident",
}  # fmt: skip
#: Keyword lists are read from members, never shown: they are checked by test_keywords.
KEYWORDS = set(_MSGIDS.values())


@dataclass(frozen=True)
class Term:
    concept: str
    english: tuple[str, ...]  # terms looked for in the English
    words: tuple[str, ...]  # one of them in the translation (folded)
    banned: tuple[str, ...]  # none of them in the translation (folded)
    status: str


def fold(text: str) -> str:
    """``Échéance`` -> ``echeance``: no case, no accents, Lingala letters as phones write them."""
    plain = unicodedata.normalize("NFD", to_gsm7(text))
    return "".join(c for c in plain if not unicodedata.combining(c)).lower()


def tables(markdown: str) -> dict[str, list[dict[str, str]]]:
    """Every pipe table of the file, by the ``##`` heading above it, as rows of cells by
    column name (markdown emphasis and backticks removed)."""
    found: dict[str, list[dict[str, str]]] = {}
    heading, header = "", None
    for line in markdown.splitlines():
        if line.startswith("## "):
            heading, header = line[3:].strip(), None
            continue
        if not line.startswith("|"):
            header = None
            continue
        cells = [re.sub(r"[*`]", "", c).strip() for c in line.strip().strip("|").split("|")]
        if header is None:
            header = cells
        elif not set("".join(cells)) <= set("-: "):
            found.setdefault(heading, []).append(dict(zip(header, cells, strict=True)))
    return found


def listed(cell: str) -> tuple[str, ...]:
    return tuple(word.strip() for word in cell.split(",") if word.strip())


def glossary(path: Path = GLOSSARY) -> dict[str, dict[str, Term]]:
    """Language -> concept -> its term, read from the glossary's tables."""
    found = tables(path.read_text(encoding="utf-8"))
    english = {row["concept"]: listed(row["English"]) for row in found["Concepts"]}
    terms: dict[str, dict[str, Term]] = {}
    for heading, rows in found.items():
        code = re.search(r"\((\w+)\)$", heading)
        if not code:
            continue
        terms[code[1]] = {
            row["concept"]: Term(
                concept=row["concept"],
                english=english[row["concept"]],
                words=tuple(fold(w) for w in (row["word"], *listed(row["other forms"]))),
                banned=tuple(fold(w) for w in listed(row["not"])),
                status=row["status"],
            )
            for row in rows
        }
    return terms


def concepts_in(english: str, terms: dict[str, Term]) -> set[str]:
    """The concepts whose English terms the message uses: whole words, longest terms first
    (and taken out), so "loan fund" is not also "loan"; placeholders are skipped."""
    text = "".join(literal for literal, *_field in string.Formatter().parse(english))
    found = set()
    for term, concept in sorted(
        ((t, c.concept) for c in terms.values() for t in c.english), key=lambda x: -len(x[0])
    ):
        pattern = rf"(?<![A-Za-z]){re.escape(term)}(?![A-Za-z])"
        if re.search(pattern, text, flags=re.IGNORECASE):
            found.add(concept)
            text = re.sub(pattern, " ", text, flags=re.IGNORECASE)
    return found


def problems(english: str, translation: str, terms: dict[str, Term]) -> list[str]:
    """What a translation says differently from the glossary."""
    said = fold(translation)
    wrong = []
    for concept in sorted(concepts_in(english, terms)):
        term = terms[concept]
        if not any(word in said for word in term.words):
            wrong.append(f"{concept}: not {' / '.join(term.words)}")
        for word in term.banned:
            if re.search(rf"(?<![a-z]){re.escape(word)}(?![a-z])", said):
                wrong.append(f"{concept}: {word!r} (see the glossary's note)")
    return wrong


def catalog(lang: str):
    with (DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as handle:
        return read_po(handle, locale=lang)


def test_the_glossary_defines_every_concept_in_every_language():
    terms = glossary()
    assert set(terms) == set(TRANSLATED)
    for lang, by_concept in terms.items():
        assert set(by_concept) == set(terms["sw"]), lang  # the same concepts everywhere
        assert set(by_concept) >= REQUIRED, (lang, REQUIRED - set(by_concept))
        for term in by_concept.values():
            assert term.english and all(term.words), (lang, term)
            assert term.status.startswith(("chosen here", "confirmed")), (lang, term)
            assert not set(term.banned) & set(term.words), (lang, term)  # a word or not


@pytest.mark.parametrize("lang", TRANSLATED)
def test_catalogs_use_the_glossary_words(lang):
    terms = glossary()[lang]
    wrong = {}
    for message in catalog(lang):
        if not message.id or message.id in KEYWORDS:
            continue
        english = " ".join(message.id) if message.pluralizable else message.id
        forms = message.string if message.pluralizable else (message.string,)
        for form in forms:
            found = problems(english, form, terms)
            if found:
                wrong[form] = found
    assert wrong == {}, f"{lang}: words other than the glossary's (locales/GLOSSARY.md)"


def test_the_check_finds_the_words_it_is_for():
    """The old wording fails: riba for the charge, katibu for the officer, nioso, mokambi,
    délai, a fund without its name; and the longest term wins ("loan fund" is not "loan")."""
    terms = glossary()
    loan = "Loan {principal}\nCharge: {charge}\nPaid: {paid}\nOwes: {owed}\nPay by: {due}"
    assert concepts_in(loan, terms["sw"]) == {"loan", "charge", "pay by"}
    assert concepts_in("The loan fund holds only {available}.", terms["sw"]) == {"loan fund"}
    assert concepts_in("{group} meets at {time}.", terms["sw"]) == set()
    old = {
        ("sw", loan): "Mkopo {principal}\nRiba: {charge}\nUmelipa: {paid}\nDeni: {owed}\n"
        "Mwisho: {due}",
        ("sw", "Ask your officer to unlock it."): "Omba katibu wako aifungue.",
        ("sw", "The loan fund holds only {available}."): "Mfuko una {available} tu.",
        ("ln", "Total: {total}"): "Nioso: {total}",
        ("ln", "{n} warnings sent to the coordinator."): "Makebisi {n} etindami epai ya mokambi.",
        ("fr", "Pay by: {due}"): "Délai: {due}",
        ("fr", "ask your officer"): "demandez au secrétaire du comité",
    }
    for (lang, english), translation in old.items():
        assert problems(english, translation, terms[lang]), (lang, translation)
    assert problems(loan, "Mkopo\nIntéret\nUmelipa\nDeni\nLipa hadi", terms["sw"]) == []


def test_tables_are_read_as_written(tmp_path):
    """A reviewer's new row is read, markdown emphasis and all."""
    text = GLOSSARY.read_text(encoding="utf-8").replace(
        "| fine | faini | | |", "| fine | **adhabu** | `adhabu za` | faini |"
    )
    changed = tmp_path / "GLOSSARY.md"
    changed.write_text(text, encoding="utf-8")
    fine = glossary(changed)["sw"]["fine"]
    assert (fine.words, fine.banned) == (("adhabu", "adhabu za"), ("faini",))
