"""The console's forms (Flask-WTF: every POST carries its ``csrf_token``). Fields are read as
text and checked by the books' own parsers, so a refusal says what the API and the phone say;
the message shown is the user's language (``console.errors``)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, PasswordField, SelectField, StringField


class LoginForm(FlaskForm):
    phone = StringField()
    password = PasswordField()


class PlainForm(FlaskForm):
    """A form with nothing but its CSRF token (logout, issue a code)."""


class PriceForm(FlaskForm):
    cooperative = SelectField(choices=[], validate_choice=False)
    usd_per_gram = StringField()
    cdf_per_gram = StringField()
    confirm = HiddenField()


class SearchForm(FlaskForm):
    q = StringField()


class MemberForm(FlaskForm):
    """Checked by the books' parsers (``ledger.members``), so any text may come in."""

    name = StringField()
    gender = StringField()
    language = StringField()


class ImportForm(FlaskForm):
    file = FileField()
    dry_run = BooleanField(default=True)


class MeetingForm(FlaskForm):
    """The meeting grid: its rows are read from ``request.form`` by member id."""

    date = StringField()
    key = HiddenField()
