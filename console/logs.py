"""The development server's request log (werkzeug's) without the console's query strings:
a purchases filter holds a miner's name, and INFO never shows a name or a phone number.
(Searches by name or phone are sent as forms, so they are not in the URL at all.)"""

from __future__ import annotations

import logging
import re

_QUERY = re.compile(r"(/console/\S*?)\?\S*")


class NoConsoleQueries(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(
                _QUERY.sub(r"\1?…", a) if isinstance(a, str) else a for a in record.args
            )
        return True


def init_app() -> None:
    logger = logging.getLogger("werkzeug")
    if not any(isinstance(f, NoConsoleQueries) for f in logger.filters):
        logger.addFilter(NoConsoleQueries())
