"""Members (``/console/members``): the members in scope, searched by name or phone (sent as a
form, so no phone lands in a request log); a member's page: what the caller may see of them,
their passbook (``ledger.statement``), and a PIN enrolment code to hand over."""

from __future__ import annotations

from flask import current_app, redirect, request, url_for
from sqlalchemy import or_

from console import auth
from console.errors import say
from console.forms import MemberForm, PlainForm, SearchForm
from console.pages import bp, out_of_scope, paginate, render
from console.pages import text as clean
from console.words import ENTRY_KINDS, translated
from ledger import access, db, enrolment, statement
from ledger.days import local_today
from ledger.defaults import LANGUAGES
from ledger.errors import LedgerError
from ledger.members import edit_member as edit_member_
from ledger.members import name_key, parse_phone
from ledger.models import Member
from locales import LANGUAGE_NAMES


def _list(form: SearchForm, status: int = 200):
    query = access.members_query(db.session(), auth.actor())
    text = clean(form.q.data) if request.method == "POST" else ""
    if text:
        try:
            phone = parse_phone(text)
        except LedgerError:
            phone = None
        clauses = [Member.name_key.contains(name_key(text), autoescape=True)]
        if phone:
            clauses.append(Member.phone == phone)
        query = query.where(or_(*clauses))
    page = paginate(query.order_by(Member.name, Member.id))
    views = {m.id: access.view_of(auth.actor(), m) for m in page.items}
    return render("members.html", form=form, page=page, views=views, searched=text), status


@bp.get("/members")
def members():
    return _list(SearchForm())


@bp.post("/members")
def search_members():
    form = SearchForm()
    if not form.validate_on_submit():
        return _list(form, 400)
    return _list(form)


def member_in_scope(number: int) -> tuple[Member, access.View]:
    found = db.session().get(Member, number)
    view = access.view_of(auth.actor(), found) if found is not None else None
    if view is None:
        out_of_scope()
    return found, view


def _page(member: Member, view, issued=None, problem=None, status: int = 200):
    session = db.session()
    passbook = None
    full = view == access.View.FULL
    if full and member.group_id is not None:
        passbook = statement.member_statement(
            session, member, local_today(current_app.config["SANDUKU_TZ"])
        )
    may_update = access.may_update_member(auth.actor(), member)
    return (
        render(
            "member.html",
            member=member,
            full=full,
            passbook=passbook,
            form=PlainForm(),
            may_update=may_update,
            issued=issued,
            problem=problem,
            kinds=translated(ENTRY_KINDS),
        ),
        status,
    )


@bp.get("/members/<int:number>")
def member(number: int):
    found, view = member_in_scope(number)
    return _page(found, view)


@bp.route("/members/<int:number>/edit", methods=["GET", "POST"])
def edit_member(number: int):
    """Correct a member's name, gender and language: whoever may update them (not a buyer)."""
    session = db.session()
    found, _view = member_in_scope(number)
    if not access.may_update_member(auth.actor(), found):
        out_of_scope()
    form = MemberForm()
    if not form.is_submitted():
        form.name.data, form.gender.data, form.language.data = (
            found.name,
            found.gender.value,
            found.language,
        )
        return _edit_page(form, found)
    if form.validate():
        try:
            edit_member_(
                session,
                found,
                name=form.name.data,
                gender=form.gender.data,
                language=form.language.data,
            )
            session.commit()
            return redirect(url_for("console.member", number=found.id))
        except LedgerError as exc:
            session.rollback()
            field = getattr(form, exc.field or "name", form.name)
            field.errors = [say(exc)]
            return _edit_page(form, found), 422
    return _edit_page(form, found), 400


def _edit_page(form: MemberForm, member: Member) -> str:
    languages = [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES]
    return render("member_edit.html", form=form, member=member, languages=languages)


@bp.post("/members/<int:number>/code")
def issue_code(number: int):
    """A PIN enrolment code, shown once, to read to the member (and texted when the phone is
    theirs alone). The page is never cached."""
    session = db.session()
    found, view = member_in_scope(number)
    if not access.may_update_member(auth.actor(), found):
        out_of_scope()
    if not PlainForm().validate_on_submit():
        return _page(found, view, status=400)
    try:
        issued = enrolment.issue(session, found, by=auth.member())
    except LedgerError as exc:
        session.rollback()
        return _page(found, view, problem=say(exc), status=422)
    session.commit()
    return _page(found, view, issued=issued)
