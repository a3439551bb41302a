"""Waiting on a condition with a deadline: tests with processes never sleep blindly."""

import time


def wait_until(predicate, timeout: float = 10.0, what: str = "a condition", every: float = 0.05):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(every)
