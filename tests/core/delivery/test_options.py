from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from core import delivery
from core.auth import Actor, Role
from core.delivery import LocationInput, OptionInput
from core.delivery.options import FormErrors
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


def test_save_and_update_an_option(session: Session) -> None:
    delivery.save_option(session, MERCHANT, _option())
    delivery.save_option(
        session,
        MERCHANT,
        _option(code="standard", name="Standard", kind="standard", price="0", countries="",
                lead_days_max=4, min_basket="20"),
    )  # fmt: skip
    session.commit()
    options = {o.code: o for o in delivery.list_options(session)}
    assert options["express"].price == Decimal("9.90")
    assert options["express"].countries == ["DE", "AT"]
    # Renaming the code of an existing option updates it; taking another option's code is refused.
    delivery.save_option(session, MERCHANT, _option(code="express_de"), original="express")
    assert sorted(o.code for o in delivery.list_options(session)) == ["express_de", "standard"]
    with pytest.raises(FormErrors) as info:
        delivery.save_option(session, MERCHANT, _option(code="standard"), original="express_de")
    assert info.value.errors == {"code": "the code 'standard' is already used."}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"code": "Bad Code"}, "code"),
        ({"code": "next-day"}, "code"),
        ({"kind": "drone"}, "kind"),
        ({"price": "abc"}, "price"),
        ({"lead_days_min": 5, "lead_days_max": 2}, "lead_days"),
        ({"countries": "Germany"}, "countries"),
        ({"time_slots": "8-12"}, "time_slots"),
        ({"currency": "EURO"}, "currency"),
        ({"prices": "zloty 5"}, "prices"),
        ({"free_above": "EUR -1"}, "free_above"),
        ({"transit_days": "AT 5-2"}, "transit_days"),
        ({"slot_days": "funday"}, "slot_days"),
        ({"kind": "scheduled"}, "time_slots"),
    ],
)
def test_each_bad_field_is_named(session: Session, change: dict[str, object], field: str) -> None:
    with pytest.raises(FormErrors) as info:
        delivery.save_option(session, MERCHANT, _option(**change))
    assert list(info.value.errors) == [field] and info.value.field == field
    assert delivery.list_options(session) == []


def test_several_bad_fields_are_all_named(session: Session) -> None:
    with pytest.raises(FormErrors) as info:
        delivery.save_option(session, MERCHANT, _option(name="", price="x", cutoff_time="9"))
    assert set(info.value.errors) == {"name", "price", "cutoff_time"}


def test_roles(session: Session) -> None:
    with pytest.raises(PermissionDenied):
        delivery.save_option(session, Actor("a@example.com", Role.ANALYST), _option())
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
