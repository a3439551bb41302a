"""The one table of the API's routes: the blueprint and the OpenAPI document are both built
from it, so what is served is what is documented."""

from __future__ import annotations

from flask import Blueprint

from api import (
    chain,
    chain_schemas,
    enrolment,
    evidence,
    flags,
    gold,
    groups,
    incidents,
    members,
    openapi,
    payouts,
    premiums,
    schemas,
    sites,
    year_routes,
)
from api.route import ALL, BUYER, COORDINATOR, OFFICER, Route, register_routes

ROUTES: tuple[Route, ...] = (
    Route("GET", "/openapi.json", openapi.document_view(lambda: ROUTES), None, "This document"),
    Route(
        "POST",
        "/cooperatives",
        gold.create_cooperative,
        COORDINATOR,
        "Create a cooperative",
        schemas.COOPERATIVE,
        201,
    ),
    Route("POST", "/sites", gold.create_site, COORDINATOR, "Create a mine site", schemas.SITE, 201),
    Route(
        "GET",
        "/sites/<code>",
        sites.show,
        BUYER,
        "A mine site: its ICGLR status today (after expiry), capacity, and their history",
    ),
    Route(
        "PATCH",
        "/sites/<code>",
        sites.update,
        COORDINATOR,
        "Record a site's new inspection (status, inspected_on, deadline, note) or capacity;"
        " every change is kept with who, when, from, to and the note",
        schemas.SITE_PATCH,
    ),
    Route(
        "POST",
        "/groups",
        groups.create,
        COORDINATOR,
        "Create a savings group and its first cycle",
        schemas.GROUP,
        201,
        schemas.GROUP_OUT,
    ),
    Route("GET", "/groups/<code>", groups.show, OFFICER, "A group's rules and cycle"),
    Route(
        "POST",
        "/groups/<code>/meetings",
        groups.record_meeting,
        OFFICER,
        "Record a meeting, all or nothing; answers each member's balances",
        schemas.MEETING,
        201,
        schemas.MEETING_OUT,
    ),
    Route(
        "POST",
        "/groups/<code>/share-out",
        groups.share_out,
        OFFICER,
        "Close the cycle; answers each member's payout",
        schemas.SHARE_OUT,
        201,
    ),
    *year_routes.ROUTES,
    Route(
        "POST",
        "/members",
        members.create,
        OFFICER,
        "Add a member (or update the one with this phone and name)",
        schemas.MEMBER,
        201,
        schemas.MEMBER_OUT,
    ),
    Route(
        "GET",
        "/members",
        members.listing,
        ALL,
        "Members on a phone (a shared phone lists several, each with its id); a buyer sees"
        " members of their cooperative as id, name and site",
        query=(("phone", "a phone number"), ("member_id", "a member id")),
    ),
    Route(
        "POST",
        "/members/import",
        members.import_csv,
        COORDINATOR,
        "Import members from CSV (phone,name,gender,language,group,roles,id_document,site):"
        " per-line report",
        schemas.CSV,
        media=("text/csv", "multipart/form-data"),
    ),
    Route(
        "GET",
        "/members/<phone>",
        members.show,
        OFFICER,
        "A member",
        query=(("member_id", "which member, on a shared phone"),),
        answer=schemas.MEMBER_OUT,
    ),
    Route(
        "PATCH",
        "/members/<phone>",
        members.update,
        OFFICER,
        "Correct a member",
        schemas.MEMBER_PATCH,
        query=(("member_id", "which member, on a shared phone"),),
        answer=schemas.MEMBER_OUT,
    ),
    Route(
        "GET",
        "/members/<phone>/statement",
        groups.statement,
        OFFICER,
        "A member's savings, social fund, loans (as of a day: charges started by then"
        " included) and recent transactions",
        query=(
            ("member_id", "which member, on a shared phone"),
            ("as_of", "the day loans are shown at, YYYY-MM-DD (today, local)"),
        ),
    ),
    Route(
        "POST",
        "/members/<member_id>/enrolment-code",
        enrolment.issue_code,
        OFFICER,
        "Issue a one-time code for the member to choose a PIN with (voids earlier codes);"
        " texted to them when the phone is theirs alone. The code is in this answer only:"
        " Idempotency-Key is not honoured, a retry issues a new code",
        schemas.ENROLMENT,
        201,
        schemas.ENROLMENT_OUT,
        secret=True,
    ),
    Route(
        "POST",
        "/purchases",
        gold.record_purchase,
        BUYER,
        "Record a gold purchase; the miner gets an SMS receipt",
        schemas.PURCHASE,
        201,
        schemas.PURCHASE_OUT,
    ),
    Route(
        "GET",
        "/purchases/<receipt_number>",
        gold.show_purchase,
        BUYER,
        "A purchase by its receipt number",
    ),
    Route(
        "POST",
        "/prices",
        gold.post_price,
        COORDINATOR,
        "Post the day's gold price; its members get an SMS",
        schemas.PRICE,
        201,
    ),
    Route(
        "GET",
        "/prices",
        gold.latest_price,
        BUYER,
        "A cooperative's latest posted price",
        query=(("cooperative", "cooperative code (a buyer's own by default)"),),
    ),
    Route(
        "POST",
        "/premiums",
        premiums.create,
        COORDINATOR,
        "Plan a premium over lots or a period: each miner's grams and exact share",
        schemas.PREMIUM,
        201,
    ),
    Route(
        "GET",
        "/premiums/report",
        payouts.premium_report,
        BUYER,
        "Reconciliation: each approved premium's paid against approved (miners and amounts)"
        " and its payouts by state, newest first",
        query=(
            ("cooperative", "cooperative code (a buyer's own)"),
            ("unpaid", "true: only premiums with a miner not paid yet (false)"),
            ("limit", "premiums per page, 1-500 (50)"),
            ("before_id", "the page after this premium id (next_before_id)"),
        ),
    ),
    Route(
        "GET",
        "/premiums/<premium_id>",
        premiums.show,
        BUYER,
        "A premium's plan and the state of each miner's line and payout",
    ),
    Route(
        "POST",
        "/premiums/<premium_id>/approve",
        premiums.approve,
        COORDINATOR,
        "Approve a premium into the books (another coordinator than its creator when the"
        " cooperative has two); each miner gets an SMS",
        schemas.APPROVE,
    ),
    Route(
        "GET",
        "/payouts",
        payouts.listing,
        BUYER,
        "Reconciliation: payouts with totals per state and method, each premium's paid"
        " against approved; unknown for more than a day is flagged",
        query=(
            ("cooperative", "cooperative code (a buyer's own)"),
            ("state", "pending, submitted, paid, failed or unknown"),
            ("method", "cash or mobile_money"),
            ("limit", "payouts per page, 1-500 (100)"),
            ("before_id", "the page after this payout id (next_before_id)"),
        ),
    ),
    Route(
        "POST",
        "/payouts/<reference>/cash-code",
        payouts.new_cash_code,
        COORDINATOR,
        "A new cash code for a miner's waiting payout (hers lost, or locked by wrong tries):"
        " sent to her phone by SMS, never in the answer; the old code stops working",
        schemas.APPROVE,
    ),
    Route(
        "GET",
        "/lots/<lot_number>",
        evidence.lot,
        BUYER,
        "A lot's lineage back to each purchase, and its ICGLR MD.12 record",
    ),
    Route(
        "GET",
        "/lots/<lot_number>/record",
        evidence.lot_record,
        BUYER,
        "A lot as its ICGLR MD.12 record, with its exporter, refiner, packages and taxes paid,"
        " the site statuses its purchases were made under, purchases of unknown fineness and"
        " the custodian at each step (format=csv: text/csv)",
        query=(("format", "json or csv"),),
    ),
    Route(
        "POST",
        "/lots/<lot_number>/seal",
        chain.seal,
        COORDINATOR,
        "Seal an open lot under a tag (and say how it is packed); answers its MD.12 record",
        chain_schemas.SEAL,
    ),
    Route(
        "POST",
        "/lots/<lot_number>/ship",
        chain.ship,
        COORDINATOR,
        "Ship a sealed lot to an exporter (by id), with the export certificate, the refiner"
        " and the packages when given; answers its MD.12 record",
        chain_schemas.SHIP,
    ),
    Route(
        "POST",
        "/taxes",
        chain.record_tax,
        COORDINATOR,
        "Record a tax paid at the site or the cooperative against a lot or a purchase;"
        " it shows in the lot record's taxesPaid",
        chain_schemas.TAX,
        201,
    ),
    Route(
        "POST",
        "/exporters",
        chain.create_exporter,
        COORDINATOR,
        "Add an exporter (name, licence, country)",
        chain_schemas.PARTNER,
        201,
    ),
    Route("GET", "/exporters", chain.list_exporters, COORDINATOR, "The exporters, by name"),
    Route(
        "POST",
        "/refiners",
        chain.create_refiner,
        COORDINATOR,
        "Add a refiner (name, registration number, country)",
        chain_schemas.PARTNER,
        201,
    ),
    Route("GET", "/refiners", chain.list_refiners, COORDINATOR, "The refiners, by name"),
    Route(
        "GET",
        "/flags",
        evidence.flag_list,
        BUYER,
        "Flags (volumes above capacity, outliers, unregistered sellers...), newest first",
        query=(
            ("cooperative", "cooperative code (a buyer's own)"),
            (
                "kind",
                "site_capacity, miner_outlier, unregistered_seller, multi_site_day,"
                " site_status, price_above_posted, underpayment, cash_count_difference,"
                " payout_unknown or incident",
            ),
            ("status", "open, confirmed or dismissed"),
            ("site", "site code"),
            ("since", "first local day, YYYY-MM-DD"),
            ("until", "last local day, YYYY-MM-DD"),
            ("limit", "flags per page, 1-500 (100)"),
            ("before_id", "the page after this flag id (next_before_id)"),
        ),
    ),
    Route(
        "PATCH",
        "/flags/<flag_id>",
        flags.update,
        COORDINATOR,
        "Confirm or dismiss a flag (a note says why; required to dismiss); who and when are"
        " kept. A dismissed flag opens again when its numbers change",
        schemas.FLAG_REVIEW,
    ),
    Route(
        "GET",
        "/incidents",
        incidents.listing,
        COORDINATOR,
        "Incident reports (by SMS or USSD) of the caller's cooperatives, newest first: site,"
        " category, text, and the reporter unless anonymous",
        query=(
            ("status", "open, confirmed or dismissed"),
            ("limit", "incidents per page, 1-500 (100)"),
            ("before_id", "the page after this incident id (next_before_id)"),
        ),
    ),
    Route(
        "PATCH",
        "/incidents/<incident_id>",
        incidents.update,
        COORDINATOR,
        "Confirm or dismiss an incident report (a note says what was found; required to"
        " dismiss); who and when are kept, on the report and its flag",
        schemas.INCIDENT_REVIEW,
    ),
    Route(
        "GET",
        "/groups/<code>/indicators",
        evidence.group_indicators,
        OFFICER,
        "A group's indicators, split by gender (format=csv: text/csv)",
        query=(("as_of", "date loans are aged at, YYYY-MM-DD"), ("format", "json or csv")),
    ),
    Route(
        "GET",
        "/indicators",
        evidence.deployment_indicators,
        BUYER,
        "Savings-group, gold, SMS and flag indicators (a buyer: their cooperative's gold and"
        " flags; format=csv: text/csv)",
        query=(
            ("cooperative", "cooperative code"),
            ("since", "first local day, YYYY-MM-DD"),
            ("until", "last local day, YYYY-MM-DD"),
            ("as_of", "date loans are aged at, YYYY-MM-DD"),
            ("format", "json or csv"),
        ),
    ),
)


def register(api: Blueprint) -> None:
    register_routes(api, ROUTES)
