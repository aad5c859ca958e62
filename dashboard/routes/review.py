"""Public review routes (no login), opened from the star links of a review request.

- ``GET /review/{token}``: a small page in the customer's language with the order number, five
  stars (preselected from ``?rating=N``, else from an earlier review of the order), an optional
  0-10 recommendation scale and a comment box. Opening it changes nothing.
- ``POST /review/{token}``: records the review (``core.reviews.submit_review``, source
  ``link``; the latest wins) and thanks the customer. Bad input answers 400 with the form again.
- A tampered or expired token answers 400 "not valid, nothing was changed" in every language.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from html import escape
from urllib.parse import parse_qs

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from core import db, reviews
from core import settings as store_settings
from core.errors import AuthError, NotFound, ValidationError
from core.models import Review
from dashboard.routes.public_page import every_language, language, page
from dashboard.routes.review_texts import TEXTS

MAX_BODY = 64 * 1024
STYLE = (
    "fieldset{border:0;padding:0;margin:0 0 20px}"
    "legend,label.field{font-weight:600;margin:0 0 8px;display:block;padding:0}"
    ".opt{font-weight:400;color:#6b7280}"
    ".stars{display:flex;flex-direction:row-reverse;justify-content:flex-end;gap:2px}"
    ".stars input,.scale input{position:absolute;opacity:0;width:1px;height:1px}"
    ".stars label{font-size:42px;line-height:1;color:#d1d5db;cursor:pointer;padding:2px}"
    ".stars input:checked~label{color:#f59e0b}"
    ".stars:hover input~label{color:#d1d5db}"
    ".stars input~label:hover,.stars input~label:hover~label{color:#fbbf24}"
    ".stars input:focus-visible+label{outline:2px solid #1d4ed8;border-radius:4px}"
    ".scale{display:grid;grid-template-columns:repeat(11,1fr);gap:4px;position:relative}"
    ".scale label{text-align:center;border:1px solid #d1d5db;border-radius:6px;padding:8px 0;"
    "font-size:14px;cursor:pointer;background:#fff}"
    ".scale label:hover{border-color:#1d4ed8}"
    ".scale input:checked+label{background:#1d4ed8;border-color:#1d4ed8;color:#fff}"
    ".scale input:focus-visible+label{outline:2px solid #1d4ed8;outline-offset:1px}"
    ".ends{display:flex;justify-content:space-between;color:#6b7280;font-size:12px;"
    "margin-top:4px}"
    "textarea{width:100%;font:inherit;font-size:16px;padding:10px;border:1px solid #d1d5db;"
    "border-radius:8px;margin:0 0 20px;resize:vertical}"
    "textarea:focus{outline:2px solid #93c5fd;border-color:#1d4ed8}"
    ".sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);"
    "white-space:nowrap}"
    ".given{font-size:32px;color:#f59e0b;letter-spacing:2px;margin:0 0 8px}"
    ".given span{color:#d1d5db}.num{white-space:nowrap}"
)


@dataclass(frozen=True)
class Answers:
    rating: int | None = None
    nps: int | None = None
    comment: str = ""


@dataclass(frozen=True)
class Target:
    """What the page needs of the link's order, read before anything is written."""

    order_id: int
    customer_id: int
    number: str
    store: str
    lang: str
    cancelled: bool
    previous: Answers | None


def _target(session: Session, token: str) -> Target:
    order, customer = reviews.review_target(session, token)
    earlier = session.scalar(select(Review).where(Review.order_id == order.id))
    previous = (
        Answers(earlier.rating, earlier.nps, earlier.comment or "") if earlier is not None else None
    )
    return Target(
        order_id=order.id,
        customer_id=customer.id,
        number=order.number or order.external_id,
        store=store_settings.load(session).name,
        lang=language(customer.locale),
        cancelled=reviews.is_cancelled(order),
        previous=previous,
    )


def _say(target: Target, key: str, **values: object) -> str:
    """A sentence in the customer's language, escaped, placeholders filled with escaped values."""
    fields = {k: escape(str(v)) for k, v in {"store": target.store, **values}.items()}
    number = f'<span class="num">{escape(target.number)}</span>'
    return escape(TEXTS[target.lang][key]).format(number=number, **fields)


def _stars(target: Target, chosen: int | None) -> str:
    items = []
    for n in range(5, 0, -1):
        checked = " checked" if n == chosen else ""
        label = _say(target, "star", n=n)
        items.append(
            f'<input type="radio" id="star{n}" name="rating" value="{n}" required{checked}>'
            f'<label for="star{n}" title="{label}"><span aria-hidden="true">&#9733;</span>'
            f'<span class="sr">{label}</span></label>'
        )
    return (
        f"<fieldset><legend>{_say(target, 'rating')}</legend>"
        f'<div class="stars">{"".join(items)}</div></fieldset>'
    )


def _scale(target: Target, chosen: int | None) -> str:
    items = "".join(
        f'<input type="radio" id="nps{n}" name="nps" value="{n}"'
        f'{" checked" if n == chosen else ""}><label for="nps{n}">{n}</label>'
        for n in range(11)
    )
    return (
        f"<fieldset><legend>{_say(target, 'nps')} "
        f'<span class="opt">({_say(target, "optional")})</span></legend>'
        f'<div class="scale">{items}</div><div class="ends" aria-hidden="true">'
        f"<span>{_say(target, 'nps_low')}</span><span>{_say(target, 'nps_high')}</span></div>"
        "</fieldset>"
    )


def _form(
    token: str, target: Target, answers: Answers, error: str | None = None, status: int = 200
) -> HTMLResponse:
    alert = f'<p class="error" role="alert">{_say(target, error)}</p>' if error else ""
    note = f'<p class="note">{_say(target, "already")}</p>' if target.previous else ""
    body = (
        f'<p class="store">{escape(target.store)}</p><h1>{_say(target, "heading")}</h1>'
        f'<p class="muted">{_say(target, "intro")}</p>{alert}{note}'
        f'<form method="post" action="/review/{escape(token)}">'
        f"{_stars(target, answers.rating)}{_scale(target, answers.nps)}"
        f'<label class="field" for="comment">{_say(target, "comment")} '
        f'<span class="opt">({_say(target, "optional")})</span></label>'
        f'<textarea id="comment" name="comment" rows="4" maxlength="{reviews.MAX_COMMENT}">'
        f"{escape(answers.comment)}</textarea>"
        f'<button type="submit">{_say(target, "submit")}</button></form>'
    )
    title = TEXTS[target.lang]["title"].format(number=target.number)
    return page(title, body, status=status, lang=target.lang, style=STYLE)


def _notice(target: Target, key: str, status: int) -> HTMLResponse:
    body = f'<p class="store">{escape(target.store)}</p><h1>{_say(target, key)}</h1>'
    return page(TEXTS[target.lang][key], body, status=status, lang=target.lang, style=STYLE)


def _thanks(target: Target, rating: int) -> HTMLResponse:
    shown = "&#9733;" * rating + f"<span>{'&#9733;' * (5 - rating)}</span>"
    body = (
        f'<p class="store">{escape(target.store)}</p>'
        f'<p class="given" role="img" aria-label="{_say(target, "star", n=rating)}">{shown}</p>'
        f"<h1>{_say(target, 'thanks')}</h1><p>{_say(target, 'thanks_note', rating=rating)}</p>"
    )
    return page(TEXTS[target.lang]["thanks"], body, lang=target.lang, style=STYLE)


def _invalid() -> HTMLResponse:
    return every_language(TEXTS, "invalid", 400)


def _whole(raw: str | None, field: str, lo: int, hi: int) -> int | None:
    """A whole number from a form field: None when empty, ValidationError when not in range."""
    text = (raw or "").strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit() and lo <= int(text) <= hi):
        raise ValidationError(f"{text[:20]!r} is not a number from {lo} to {hi}.", field=field)
    return int(text)


def _lenient(raw: str | None, lo: int, hi: int) -> int | None:
    try:
        return _whole(raw, "", lo, hi)
    except ValidationError:
        return None


def show(request: Request) -> HTMLResponse:
    token = request.path_params["token"]
    try:
        with db.transaction(db.default_engine()) as session:
            target = _target(session, token)
    except (AuthError, NotFound):
        return _invalid()
    if target.cancelled:
        return _notice(target, "cancelled", 200)
    answers = target.previous or Answers()
    wanted = _lenient(request.query_params.get("rating"), 1, 5)
    return _form(token, target, replace(answers, rating=wanted) if wanted else answers)


async def submit(request: Request) -> HTMLResponse:
    token = request.path_params["token"]
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            break
    try:
        fields = parse_qs(body[:MAX_BODY].decode("utf-8", "replace"), max_num_fields=20)
    except ValueError:  # more fields than the form has: read as an empty form
        fields = {}
    form = {key: values[0] for key, values in fields.items()}
    too_long = len(body) > MAX_BODY
    return await run_in_threadpool(_submit, token, form, too_long)


def _submit(token: str, form: dict[str, str], too_long: bool) -> HTMLResponse:
    try:
        return _record(token, form, too_long)
    except IntegrityError:  # the same order reviewed twice at once: the second one updates
        return _record(token, form, too_long)


def _record(token: str, form: dict[str, str], too_long: bool) -> HTMLResponse:
    target: Target | None = None
    answers = Answers(
        _lenient(form.get("rating"), 1, 5),
        _lenient(form.get("nps"), 0, 10),
        form.get("comment", ""),
    )
    try:
        with db.transaction(db.default_engine()) as session:
            target = _target(session, token)
            if too_long:
                raise ValidationError("The form is too large.", field="comment")
            review = reviews.submit_review(
                session,
                order_id=target.order_id,
                customer_id=target.customer_id,
                rating=reviews.check_rating(_whole(form.get("rating"), "rating", 1, 5)),
                nps=_whole(form.get("nps"), "nps", 0, 10),
                comment=answers.comment,
                source="link",
            )
            rating = review.rating
    except (AuthError, NotFound):
        return _invalid()
    except ValidationError as exc:
        if target is None:
            return _invalid()
        if exc.field == "order_id":
            return _notice(target, "cancelled", 400)
        if exc.field not in ("rating", "nps", "comment"):
            return _invalid()
        return _form(token, target, answers, error=f"error_{exc.field}", status=400)
    return _thanks(target, rating)


ROUTES: list[Route] = [
    Route("/review/{token}", show, methods=["GET"], name="review_page"),
    Route("/review/{token}", submit, methods=["POST"], name="review_submit"),
]
