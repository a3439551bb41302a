"""The coordinator JSON API under ``/api/v1/`` (a channel beside ``ussd`` and ``sms``): the
blueprint in ``views.py``, its routes in ``routes.py``, one module per noun.

A request body is described once, and that description is the check and the document:

1. Write its JSON Schema in ``schemas.py`` with ``obj(required, **fields)`` (unknown fields
   are refused); reuse ``TEXT``, ``CODE``, ``PHONE``, ``DATE``, ``amount()``, ``decimal()``,
   ``count()``, ``choice()``. A rule the schema cannot say (a day in range, an amount above
   zero, a code that exists) is the converter's or the books'.
2. Name it as the ``body`` of the route in ``routes.py``: the OpenAPI document shows it, and
   ``validation.py`` checks every request against it before the view runs (422 with
   ``error``, ``code``, ``field`` such as ``records[2].loan``; ``null`` is a missing field).
3. In the view, ``body = parsing.request_body()`` and read fields with its converters:
   ``body.text("name")``, ``body.amount("loan", currency)``, ``body.date("date")``,
   ``body.count(...)``, ``body.items("records")`` for a list of objects.

Where a field list is needed, ``tuple(SCHEMA["properties"])``; no other list of fields.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    """The blueprint and ``sanduku token ...``."""
    from api import cli, views

    app.register_blueprint(views.bp)
    cli.init_app(app)
