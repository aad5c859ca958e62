"""Public delivery self-service routes (no login), opened from the link in order emails.

- ``GET /delivery/{token}``: the order's current delivery, the free time slots of the scheduled
  options and the nearby stores, in the customer's language. Opening it changes nothing.
- ``POST /delivery/{token}/hold`` (``slot=CODE|START``): holds the slot for a few minutes and
  asks to confirm. ``POST /delivery/{token}/confirm``: books it (atomic; a full slot answers
  409 with the choices again). ``POST /delivery/{token}/pickup`` (``store=CODE``): switches
  to click-and-collect. Each change is an order event (see :mod:`core.delivery.selfservice`).
- A tampered or expired token answers 400 "not valid, nothing was changed" in every language.
- Each choice shows its price difference against the current delivery in the customer's
  language, before confirming; a dearer choice is shown but disabled unless the merchant lets
  the shop charge it (:mod:`core.delivery.pricing`).
- Times are the destination's local time (:mod:`core.delivery.zones`), and the page names the
  place whose time it is ("Times are in Dublin time.").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from html import escape
from urllib.parse import parse_qs

from babel.dates import format_date, get_timezone_location
from babel.numbers import format_currency
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from core import db
from core import settings as store_settings
from core.delivery import config as delivery_config
from core.delivery import pricing, selfservice, slots, zones
from core.errors import AuthError, NotFound, ValidationError
from core.models import Order
from core.orderstate import Applied
from dashboard.routes.delivery_texts import TEXTS
from dashboard.routes.public_page import every_language, language, page

MAX_BODY = 16 * 1024
STYLE = (
    "h2{font-size:17px;margin:20px 0 8px}"
    "fieldset{border:0;padding:0;margin:0 0 14px}"
    ".choice{display:block;border:1px solid #d1d5db;border-radius:8px;padding:10px 12px;"
    "margin:0 0 6px;cursor:pointer}"
    ".choice:has(input:checked){border-color:#1d4ed8;background:#eff6ff}"
    ".choice small{color:#6b7280;display:block}"
    "a.back{display:block;text-align:center;margin-top:12px;color:#1d4ed8}"
    ".ok{background:#ecfdf5;border:1px solid #a7f3d0;color:#065f46;padding:10px 12px;"
    "border-radius:8px}"
)


@dataclass(frozen=True)
class View:
    token: str
    store: str
    lang: str
    number: str
    tz: dt.tzinfo

    def say(self, key: str, **values: object) -> str:
        fields = {k: escape(str(v)) for k, v in values.items()}
        return escape(TEXTS[self.lang][key]).format(number=escape(self.number), **fields)

    def zone(self) -> str:
        """The sentence naming the place whose local time the page shows."""
        place = get_timezone_location(self.tz, locale=self.lang, return_city=True)
        return f'<p class="muted">{self.say("times_in", zone=place)}</p>'

    def difference(self, change: pricing.PriceChange | None, refused: bool = False) -> str:
        """The price difference of a choice in words ("" when it costs the same)."""
        if change is None or not change.difference:
            return ""
        amount = format_currency(abs(change.difference), change.currency, locale=self.lang)
        key = "not_online" if refused else "costs_more" if change.dearer else "costs_less"
        return self.say(key, amount=amount, store=self.store)

    def when(self, start: dt.datetime, end: dt.datetime | None = None) -> str:
        local = start.astimezone(self.tz)
        day = format_date(local.date(), "EEEE d MMMM", locale=self.lang)
        if end is None or end == start:
            return f"{day}, {local:%H:%M}"
        return f"{day}, {local:%H:%M}–{end.astimezone(self.tz):%H:%M}"


def _view(session: Session, token: str, order: Order) -> View:
    settings = store_settings.load(session)
    return View(
        token,
        settings.name,
        language(order.customer.locale),
        order.number or order.external_id,
        zones.destination_zone(order.shipping_country or order.customer.country, settings.tz),
    )


def _shell(view: View, body: str, status: int = 200) -> HTMLResponse:
    head = f'<p class="store">{escape(view.store)}</p>'
    return page(view.say("title"), head + body, status=status, lang=view.lang, style=STYLE)


def _current(session: Session, view: View, order: Order) -> str:
    from core.models import DeliveryOption, PickupLocation

    option = session.scalar(
        select(DeliveryOption).where(DeliveryOption.code == order.delivery_option)
    )
    name = option.name if option else (order.delivery_option or "–")
    start, end = order.promised_delivery_start, order.promised_delivery_at
    if order.pickup_location_id:
        place = session.get(PickupLocation, order.pickup_location_id)
        name += f" – {place.name}" if place else ""
    if start or end:
        name += f" ({view.when(start or end, end)})"  # type: ignore[arg-type]
    return f'<p class="muted">{view.say("current", option=name)}</p>'


def _choices(session: Session, view: View, order: Order, now: dt.datetime) -> str:
    offered = selfservice.choices(session, order, now)
    parts = []
    for option in offered.slotted:
        refused = option["code"] in offered.refused
        off = " disabled" if refused else ""
        items = "".join(
            f'<label class="choice"><input type="radio" name="slot" required{off} '
            f'value="{escape(option["code"])}|{escape(s["start"])}"> '
            f"{escape(view.when(dt.datetime.fromisoformat(s['start']), dt.datetime.fromisoformat(s['end'])))}"
            f"<small>{view.say('places', n=s['remaining'])}</small></label>"
            for s in option["slots"]
        )
        parts.append(
            f"<h2>{view.say('slot_heading')} – {escape(option['name'])}</h2>"
            f"{_note(view.difference(offered.prices.get(option['code']), refused))}"
            f'<form method="post" action="/delivery/{escape(view.token)}/hold">'
            f'<fieldset>{items}</fieldset><button type="submit"{off}>{view.say("hold")}</button>'
            "</form>"
        )
    if offered.stores and offered.pickup_code:
        refused = offered.pickup_code in offered.refused
        off = " disabled" if refused else ""
        items = "".join(
            f'<label class="choice"><input type="radio" name="store" required{off} '
            f'value="{escape(s["code"])}"> {escape(s["name"])}'
            f"<small>{escape(s['address'])}, {escape(s['postcode'] or '')} {escape(s['city'])}"
            f" – {view.say('ready', when=view.when(dt.datetime.fromisoformat(s['ready_at'])))}"
            "</small></label>"
            for s in offered.stores
        )
        unsorted = "" if order.shipping_postcode else _note(view.say("stores_by_name"))
        parts.append(
            f"<h2>{view.say('pickup_heading')}</h2>{unsorted}"
            f"{_note(view.difference(offered.prices.get(offered.pickup_code), refused))}"
            f'<form method="post" action="/delivery/{escape(view.token)}/pickup">'
            f'<input type="hidden" name="option" value="{escape(offered.pickup_code)}">'
            f'<fieldset>{items}</fieldset><button type="submit"{off}>{view.say("collect")}'
            "</button></form>"
        )
    return "".join(parts) or f"<p>{view.say('none')}</p>"


def _note(text: str) -> str:
    return f'<p class="note price">{text}</p>' if text else ""


def _main(
    session: Session, view: View, order: Order, now: dt.datetime, error: str | None = None
) -> str:
    alert = f'<p class="error" role="alert">{view.say(error)}</p>' if error else ""
    body = f"<h1>{view.say('heading')}</h1>{_current(session, view, order)}{view.zone()}{alert}"
    reason = selfservice.blocked(session, order, now)
    if reason is not None:
        return body + f'<p class="note">{view.say("blocked_" + reason)}</p>'
    if selfservice.delivery_failed(session, order):
        body += f'<p class="note">{view.say("failed")}</p>'
    return body + _choices(session, view, order, now)


def _invalid() -> HTMLResponse:
    return every_language(TEXTS, "invalid", 400)


Action = Callable[[Session, View, Order, dict[str, str], dt.datetime], tuple[str, int]]


def _run(token: str, form: dict[str, str] | None, action: Action | None) -> HTMLResponse:
    """Read the link's order and, with ``action``, change it in one transaction; a page."""
    now = dt.datetime.now(dt.UTC)
    view: View | None = None
    try:
        with db.transaction(db.default_engine()) as session:
            order = selfservice.target(session, token)
            view = _view(session, token, order)
            if action is None:
                return _shell(view, _main(session, view, order, now))
            body, status = action(session, view, order, form or {}, now)
    except (AuthError, NotFound) as exc:
        if view is None or isinstance(exc, AuthError):
            return _invalid()
        return _retry(token, "expired_hold", 409)
    except slots.SlotFull:
        return _retry(token, "full", 409)
    except pricing.DearerRefused:
        return _retry(token, "dearer_refused", 409)
    except ValidationError:
        if view is None:
            return _invalid()
        return _retry(token, None, 400)
    except IntegrityError:  # the same order changed twice at once: show the fresh state
        return _retry(token, None, 409)
    return _shell(view, body, status)


def _retry(token: str, error: str | None, status: int) -> HTMLResponse:
    now = dt.datetime.now(dt.UTC)
    try:
        with db.transaction(db.default_engine()) as session:
            order = selfservice.target(session, token)
            view = _view(session, token, order)
            return _shell(view, _main(session, view, order, now, error), status)
    except (AuthError, NotFound):
        return _invalid()


def _hold(
    session: Session, view: View, order: Order, form: dict[str, str], now: dt.datetime
) -> tuple[str, int]:
    code, _, start = form.get("slot", "").partition("|")
    selfservice.hold_slot(session, order, code, start, now)
    found = selfservice.held(session, order)
    if found is None:
        raise NotFound("The held time slot is gone.")
    option, slot = found
    minutes = delivery_config.load(session).hold_minutes
    when = view.when(slot.starts_at, slot.ends_at)
    change = selfservice.change_for(session, order, option)
    body = (
        f"<h1>{view.say('heading')}</h1><p>{view.say('held', when=when, minutes=minutes)}</p>"
        f"{_note(view.difference(change))}{view.zone()}"
        f'<form method="post" action="/delivery/{escape(view.token)}/confirm">'
        f'<button type="submit">{view.say("confirm")}</button></form>'
        f'<a class="back" href="/delivery/{escape(view.token)}">{view.say("back")}</a>'
    )
    return body, 200


def _confirm(
    session: Session, view: View, order: Order, form: dict[str, str], now: dt.datetime
) -> tuple[str, int]:
    applied = selfservice.confirm_slot(session, order, now)
    when = view.when(order.promised_delivery_start, order.promised_delivery_at)  # type: ignore[arg-type]
    note = _note(view.difference(_change_of(applied)))
    body = f'<h1>{view.say("heading")}</h1><p class="ok">{view.say("booked", when=when)}</p>'
    return body + note, 200


def _pickup(
    session: Session, view: View, order: Order, form: dict[str, str], now: dt.datetime
) -> tuple[str, int]:
    from core.models import PickupLocation

    applied = selfservice.switch_to_pickup(
        session, order, form.get("option", ""), form.get("store", ""), now
    )
    place = session.get_one(PickupLocation, order.pickup_location_id)
    when = view.when(order.promised_delivery_at)  # type: ignore[arg-type]
    text = view.say("switched", place=place.name, when=when)
    note = _note(view.difference(_change_of(applied)))
    return f'<h1>{view.say("heading")}</h1><p class="ok">{text}</p>{note}', 200


def _change_of(applied: Applied) -> pricing.PriceChange | None:
    """The price change a change's event recorded."""
    payload = applied.event.payload or {}
    if "price_difference" not in payload:
        return None
    return pricing.PriceChange(
        Decimal(payload["price"]), Decimal(payload["price_difference"]), payload["currency"]
    )


async def _form(request: Request) -> dict[str, str]:
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            return {}
    try:
        fields = parse_qs(body.decode("utf-8", "replace"), max_num_fields=10)
    except ValueError:
        return {}
    return {key: values[0] for key, values in fields.items()}


async def show(request: Request) -> HTMLResponse:
    return await run_in_threadpool(_run, request.path_params["token"], None, None)


def _post(action: Action) -> Callable[[Request], object]:
    async def handler(request: Request) -> HTMLResponse:
        form = await _form(request)
        return await run_in_threadpool(_run, request.path_params["token"], form, action)

    return handler


ROUTES: list[Route] = [
    Route("/delivery/{token}", show, methods=["GET"], name="delivery_page"),
    Route("/delivery/{token}/hold", _post(_hold), methods=["POST"], name="delivery_hold"),
    Route("/delivery/{token}/confirm", _post(_confirm), methods=["POST"], name="delivery_confirm"),
    Route("/delivery/{token}/pickup", _post(_pickup), methods=["POST"], name="delivery_pickup"),
]
