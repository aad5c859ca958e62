"""Slot windows in the destination's local time: a store in Europe/Berlin delivering to
Ireland and Portugal writes 08:00-12:00 in Dublin and Lisbon time; a country with several
clocks and no main one falls back to the store's zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from core.delivery import carrier, zones
from core.delivery.quote import quote
from tests.core.delivery.conftest import basket, option, store

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY_MORNING = dt.datetime(2026, 5, 18, 9, 0, tzinfo=BERLIN)
TABLE = """# comment
IE\t+5320-00615\tEurope/Dublin
PT\t+3843-00908\tEurope/Lisbon\tPortugal (mainland)
PT\t+3238-01654\tAtlantic/Madeira\tMadeira Islands
PT\t+3744-02540\tAtlantic/Azores\tAzores
DE\t+5230+01322\tEurope/Berlin\tmost of Germany
DE\t+4742+00841\tEurope/Busingen\tBusingen
US\t+404251-0740023\tAmerica/New_York\tEastern (most areas)
US\t+415100-0873900\tAmerica/Chicago\tCentral (most areas)
"""


def test_the_rule_one_zone_or_the_mainland_else_none() -> None:
    assert zones.parse_table(TABLE) == {
        "IE": "Europe/Dublin",
        "PT": "Europe/Lisbon",
        "DE": "Europe/Berlin",
    }
    assert zones.country_zone("IE") == ZoneInfo("Europe/Dublin")
    assert zones.country_zone("pt") == ZoneInfo("Europe/Lisbon")
    assert zones.country_zone("US") is None and zones.country_zone("XX") is None
    assert zones.destination_zone("US", BERLIN) == BERLIN
    assert zones.destination_zone(None, BERLIN) == BERLIN


def _slots(session: Session, country: str, postcode: str) -> dict[str, object]:
    found = quote(session, basket(("MUG", 1, "20"), country=country, postcode=postcode),
                  MONDAY_MORNING)  # fmt: skip
    return next(o for o in found["options"] if o["code"] == "scheduled")


def test_berlin_store_writes_slots_in_dublin_and_lisbon_time(session: Session) -> None:
    option(session, code="scheduled", kind="scheduled", price="6.90", time_slots="08:00-12:00",
           slot_days="mon-fri", slot_cutoff_hours=12)  # fmt: skip
    session.commit()
    germany = _slots(session, "DE", "10115")
    ireland = _slots(session, "IE", "D02")
    portugal = _slots(session, "PT", "1100")
    usa = _slots(session, "US", "10001")
    first = {c: o["slots"][0] for c, o in  # type: ignore[index]
             (("DE", germany), ("IE", ireland), ("PT", portugal), ("US", usa))}  # fmt: skip
    assert first["DE"]["start"] == "2026-05-19T08:00:00+02:00"
    assert (first["IE"]["start"], first["IE"]["end"]) == (
        "2026-05-19T08:00:00+01:00", "2026-05-19T12:00:00+01:00",
    )  # fmt: skip
    assert first["PT"]["start"] == "2026-05-19T08:00:00+01:00"
    assert first["US"]["start"] == "2026-05-19T08:00:00+02:00"  # several clocks: the store's
    assert [o["time_zone"] for o in (germany, ireland, portugal, usa)] == [
        "Europe/Berlin", "Europe/Dublin", "Europe/Lisbon", "Europe/Berlin",
    ]  # fmt: skip
    # Ireland's 08:00 is an hour after Berlin's: a slot of its own, with its own capacity.
    assert dt.datetime.fromisoformat(first["IE"]["start"]) - dt.datetime.fromisoformat(
        first["DE"]["start"]
    ) == dt.timedelta(hours=1)


def test_pickup_ready_in_the_store_zone_and_shopify_dates_at_local_midnight(
    session: Session,
) -> None:
    option(session, code="collect", kind="pickup", price="0")
    option(session, code="standard")
    store(session, code="dub", name="Store Dublin", city="Dublin", postcode="D02", country="IE",
          opening_hours="Mon-Sat 10:00-18:00", preparation_hours=2)  # fmt: skip
    session.commit()
    found = quote(session, basket(("MUG", 1, "20"), country="IE", postcode="D02"),
                  MONDAY_MORNING)  # fmt: skip
    collect = next(o for o in found["options"] if o["code"] == "collect")
    location = collect["pickup"]["locations"][0]
    # Monday 09:00 Berlin is 08:00 in Dublin: opens 10:00 Dublin time, ready two hours later.
    assert (location["ready_at"], location["time_zone"]) == (
        "2026-05-18T12:00:00+01:00", "Europe/Dublin",
    )  # fmt: skip
    rates = carrier.shopify_rates(found, BERLIN)["rates"]
    standard = next(r for r in rates if r["service_code"] == "standard")
    assert standard["min_delivery_date"].endswith("00:00:00 +0100")
