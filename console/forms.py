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


class KeyedForm(FlaskForm):
    """A form that writes, once: its random ``key`` (``console.once``)."""

    key = HiddenField()


class MeetingForm(KeyedForm):
    """The meeting grid: its rows are read from ``request.form`` by member id."""

    date = StringField()


class ReasonForm(KeyedForm):
    """Reverse a member's record at a meeting; write a loan off: why, in a few words."""

    reason = StringField()


class CashCountForm(KeyedForm):
    """The box counted at the end of a meeting: what each bag holds."""

    loan_fund = StringField()
    social_fund = StringField()


class DayForm(KeyedForm):
    """Close a meeting; do the share-out (on the day previewed)."""

    date = HiddenField()


class LeaveForm(KeyedForm):
    """A member leaves: the day, and the group's rule for her payout."""

    date = StringField()
    rule = StringField()


class FlagReviewForm(FlaskForm):
    """Checked by the books (``ledger.evidence.review``): a status and, to dismiss, a note."""

    status = StringField()
    note = StringField()


class SiteStatusForm(FlaskForm):
    """A site's new inspection, checked by ``ledger.sites``."""

    status = StringField()
    inspected_on = StringField()
    deadline = StringField()
    note = StringField()


class SiteCapacityForm(FlaskForm):
    capacity_grams = StringField()
    note = StringField()


class CombineForm(FlaskForm):
    """The lots ticked (``inputs``, read as a list) and what the new lot is."""

    inputs = StringField()
    operation = StringField()
    mass_grams = StringField()
    fineness = StringField()
    lot_number = StringField()


class SealForm(FlaskForm):
    tag = StringField()
    issuer = StringField()


class ShipForm(FlaskForm):
    """Checked by the books (``ledger.evidence.lots.ship_lot``): the exporter is required."""

    exporter = StringField()
    export_certificate = StringField()
    destination = StringField()
