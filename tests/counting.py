"""What a request costs, counted rather than timed: SQL statements sent to the database and
round trips to Redis (a pipeline or a script is one)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field

from redis.connection import AbstractConnection as Connection
from sqlalchemy import event
from sqlalchemy.engine import Engine


@dataclass
class Counts:
    statements: list[str] = field(default_factory=list)
    round_trips: list[str] = field(default_factory=list)

    @property
    def queries(self) -> int:
        """SQL statements other than transaction control (BEGIN, SAVEPOINT, COMMIT...)."""
        control = ("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT")
        return sum(1 for s in self.statements if not s.lstrip().upper().startswith(control))

    @property
    def redis(self) -> int:
        return len(self.round_trips)


@contextlib.contextmanager
def counting(engine: Engine) -> Iterator[Counts]:
    """Count what ``engine`` executes and every packet sent to any Redis meanwhile."""
    counts = Counts()

    def on_execute(conn, cursor, statement, parameters, context, executemany):
        counts.statements.append(statement)

    original = Connection.send_packed_command

    def send(self, command, check_health=True):
        first = command[0] if isinstance(command, list) and command else command
        counts.round_trips.append(bytes(first)[:60].decode("utf-8", "replace"))
        return original(self, command, check_health)

    event.listen(engine, "before_cursor_execute", on_execute)
    Connection.send_packed_command = send
    try:
        yield counts
    finally:
        Connection.send_packed_command = original
        event.remove(engine, "before_cursor_execute", on_execute)
