"""The screens' words can be extracted for the translators, with their comments."""

from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir

from ussd.errors import MESSAGES
from ussd.screens.start import MENU

USSD = Path(__file__).parents[2] / "ussd"


def test_every_screen_string_is_extracted():
    keywords = {**DEFAULT_KEYWORDS, "_": None, "N_": (1, 2)}
    found = {
        (message if isinstance(message, str) else message[0]): comments
        for _file, _line, message, comments, _context in extract_from_dir(
            str(USSD), keywords=keywords, comment_tags=["TRANSLATORS:"]
        )
    }
    for _key, label, _screen, _roles in MENU:
        assert label in found
    assert set(MESSAGES.values()) <= set(found)
    assert "{n} try left." in found  # plurals through t.ngettext
    assert any("decimal point" in c for c in found["Weight in grams:\n(12#5 = 12.5 g)"])
