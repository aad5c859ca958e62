from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from core import delivery
from core.auth import Actor, Role
from core.delivery import LocationInput, OptionInput
from core.errors import PermissionDenied, ValidationError

MERCHANT = Actor("m@example.com", Role.MERCHANT)


def _option(**kw: object) -> OptionInput:
    base = dict(
        code="express",
        name="Express",
        kind="express",
        price="9,90",
        currency="eur",
        lead_days_min=1,
        lead_days_max=1,
        countries="de, at",
        min_basket="",
        time_slots="",
    )
    base.update(kw)
    return OptionInput(**base)  # type: ignore[arg-type]


def test_save_and_offer_options(session: Session) -> None:
    delivery.save_options(
        session,
        MERCHANT,
        [
            _option(),
            _option(
                code="standard",
                name="Standard",
                kind="standard",
                price="0",
                countries="",
                lead_days_max=4,
                min_basket="20",
            ),
        ],
    )
    session.commit()
    options = {o.code: o for o in delivery.list_options(session)}
    assert options["express"].price == Decimal("9.90") and options["express"].countries == [
        "DE",
        "AT",
    ]
    offered = [o.code for o in delivery.offered_options(session, "fr", Decimal("25"))]
    assert offered == ["standard"]
    assert [o.code for o in delivery.offered_options(session, "DE", Decimal("10"))] == ["express"]
    # Saving without "standard" deactivates it, keeps it for old orders.
    delivery.save_options(session, MERCHANT, [_option()])
    assert {o.code: o.active for o in delivery.list_options(session)} == {
        "express": True,
        "standard": False,
    }


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"code": "Bad Code"}, "code"),
        ({"kind": "drone"}, "kind"),
        ({"price": "abc"}, "price"),
        ({"lead_days_min": 5, "lead_days_max": 2}, "lead_days"),
        ({"countries": "Germany"}, "countries"),
        ({"time_slots": "8-12"}, "time_slots"),
        ({"currency": "EURO"}, "currency"),
    ],
)
def test_bad_rows_name_row_and_field(
    session: Session, change: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationError) as info:
        delivery.save_options(session, MERCHANT, [_option(code="ok"), _option(**change)])
    assert info.value.field == field and "row 2" in str(info.value)
    assert delivery.list_options(session) == []


def test_roles(session: Session) -> None:
    with pytest.raises(PermissionDenied):
        delivery.save_options(session, Actor("a@example.com", Role.ANALYST), [_option()])
    with pytest.raises(PermissionDenied):
        delivery.save_locations(session, Actor("x@example.com", Role.MANAGER), [])


def test_pickup_locations(session: Session) -> None:
    row = LocationInput(
        code="berlin-mitte",
        name="Berlin Mitte",
        address="Torstr. 1",
        city="Berlin",
        country="de",
        opening_hours="Mon-Sat 10-20",
    )
    delivery.save_locations(session, MERCHANT, [row])
    delivery.save_locations(
        session, MERCHANT, [LocationInput(**{**row.__dict__, "name": "Berlin Mitte Store"})]
    )
    [loc] = delivery.list_locations(session)
    assert (loc.name, loc.country) == ("Berlin Mitte Store", "DE")
    with pytest.raises(ValidationError, match="row 1"):
        delivery.save_locations(session, MERCHANT, [LocationInput(**{**row.__dict__, "city": ""})])
