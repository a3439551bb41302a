"""The words members text, as the catalogs list them: each belongs to one action in every
language, and the words the SMS replies tell members to send are words we understand."""

from __future__ import annotations

import re

import pytest

from locales import LANGUAGES, translator
from sms import templates
from sms.keywords import _MSGIDS, Action, fold, read, vocabulary

#: Words in capitals that are not keywords.
NOT_KEYWORDS = {"SMS", "PIN", "USSD", "FC"}
#: What each reply tells a member to send, in order.
REPLIES = {
    templates.HELP: [Action.PRICE, Action.STOP, Action.START],
    templates.STOPPED: [Action.START],
    templates.STARTED: [Action.STOP],
    templates.BALANCE_ON_USSD: [],
    templates.INCIDENT_HOW: [Action.REPORT],
}


def words_of(lang: str) -> dict[Action, list[str]]:
    t = translator(lang)
    return {action: t.gettext(msgid).split() for action, msgid in _MSGIDS.items()}


def test_no_word_belongs_to_two_actions():
    actions: dict[str, set[Action]] = {}
    for lang in LANGUAGES:
        for action, words in words_of(lang).items():
            for word in [*words, *_MSGIDS[action].split()]:
                actions.setdefault(fold(word), set()).add(action)
    assert {word: found for word, found in actions.items() if len(found) > 1} == {}


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
def test_every_language_lists_its_words(lang):
    """Its own list (not the msgid copied), in plain capitals, each word understood."""
    for action, words in words_of(lang).items():
        assert " ".join(words) != _MSGIDS[action], (lang, action)
        assert all(re.fullmatch(r"[A-Z]+", word) for word in words), (lang, words)
        assert all(vocabulary()[fold(word)] == action for word in words), (lang, words)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_replies_name_words_we_understand(lang):
    """Each reply names, in its language, the first word of the action it means."""
    t, first = translator(lang), {a: w[0] for a, w in words_of(lang).items()}
    for msgid, meant in REPLIES.items():
        named = [w for w in re.findall(r"\b[A-Z]{3,}\b", t.gettext(msgid)) if w not in NOT_KEYWORDS]
        assert [read(word) for word in named] == meant, (lang, msgid, named)
        assert named == [first[action] for action in meant], (lang, msgid)


@pytest.mark.parametrize(
    ("text", "action"),
    [
        ("arrêt", Action.STOP),
        ("Simama!", Action.STOP),
        ("kotíka", Action.STOP),  # a tone mark
        ("kɔtika", Action.STOP),  # Lingala's open o
        ("tika tika", Action.STOP),
        ("Début", Action.START),
        ("anza tena", Action.START),
        ("Bandá", Action.START),
        ("ntálo ya wolo", Action.PRICE),
        ("bei?", Action.PRICE),
        ("cours", Action.PRICE),
        ("Salio,", Action.BALANCE),
        ("akiba yangu", Action.BALANCE),
        ("mbongo", Action.BALANCE),
        ("épargne", Action.BALANCE),
        ("Ripoti: watu wenye silaha", Action.REPORT),
        ("lapóro", Action.REPORT),
        ("Signaler", Action.REPORT),
        ("jambo", Action.HELP),
    ],
)
def test_keywords_are_read_whatever_the_case_and_accents(text, action):
    assert read(text) == action
