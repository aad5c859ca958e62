"""Settings' live sources panel with AppTest: connect a Shopify shop and an API client (token
shown once, only its hash stored), rotate, remove, and replay a failed delivery."""

from __future__ import annotations

import json

import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from core import security
from core.auth import Actor, Role
from core.ingest import receive, sources
from core.models import Delivery, Order, Source
from tests.pages.conftest import HOSTILE, PageRunner, assert_escaped

SECRET = "shpss_page_secret_0123456789"


def frame_with(at: AppTest, column: str) -> pd.DataFrame:
    """The page's table that has ``column`` (AppTest does not expose a dataframe's key)."""
    [frame] = [d.value for d in at.dataframe if column in d.value.columns]
    return frame


DOMAIN = "page-shop.myshopify.com"


def test_connect_shopify_and_api_client(run_page: PageRunner, app_db: Engine) -> None:
    at = run_page("settings.py")
    assert not at.exception
    at.selectbox(key="src_kind").set_value("shopify")
    at.text_input(key="src_name").set_value("main")
    at.text_input(key="src_domain").set_value(DOMAIN)
    at.text_input(key="src_secret").set_value(SECRET)
    at.button(key="FormSubmitter:add_source-Connect").click().run()
    assert not at.exception
    table = frame_with(at, "paste this URL in the shop")
    assert list(table["paste this URL in the shop"]) == ["http://localhost:8501/webhooks/shopify"]
    assert SECRET not in table.to_csv() and list(table["secret / token"]) == ["…6789"]
    at.selectbox(key="src_kind").set_value("api")
    at.text_input(key="src_name").set_value("erp")
    at.button(key="FormSubmitter:add_source-Connect").click().run()
    assert not at.exception
    [token] = [c.value for c in at.code]
    with Session(app_db) as s:
        erp = s.scalars(select(Source).where(Source.name == "erp")).one()
        assert erp.token_hash == security.hash_token(token)
    at.run()
    assert not at.code  # shown once
    at.selectbox(key="src_pick").set_value("main")
    at.checkbox(key="src_confirm").check()
    at.button(key="FormSubmitter:manage_source-Remove source").click().run()
    assert not at.exception
    with Session(app_db) as s:
        assert set(s.scalars(select(Source.name))) == {"erp"}


def test_bad_input_is_named(run_page: PageRunner) -> None:
    at = run_page("settings.py")
    at.selectbox(key="src_kind").set_value("shopify")
    at.text_input(key="src_name").set_value("main")
    at.text_input(key="src_domain").set_value("shop.example.com")
    at.text_input(key="src_secret").set_value(SECRET)
    at.button(key="FormSubmitter:add_source-Connect").click().run()
    assert not at.exception
    assert any("shop_domain" in e.value or "Shopify domain" in e.value for e in at.error)


def test_replay_a_failed_delivery(run_page: PageRunner, app_db: Engine) -> None:
    with Session(app_db) as s, s.begin():
        source, _ = sources.add(
            s, Actor.cli(), "shopify", "main", shop_domain=DOMAIN, secret=SECRET
        )
        source_id = source.id
    fulfillment = {"id": 1, "name": "#77.1", "status": "success", "tracking_number": "T1",
                   "created_at": "2026-11-30T10:00:00Z"}  # fmt: skip
    order = {"id": 9, "name": "#77", "email": "x@example.com", "created_at": "2026-11-30T09:00:00Z",
             "total_price": "10.00", "currency": "EUR", "line_items": []}  # fmt: skip
    body = json.dumps(fulfillment).encode()
    early = receive.receive_webhook(app_db, source_id, "fulfillments/create", "h-1", body)
    assert early.status == "failed"
    receive.receive_webhook(app_db, source_id, "orders/create", "h-2", json.dumps(order).encode())
    at = run_page("settings.py")
    assert not at.exception
    log = frame_with(at, "verified")
    assert sorted(log["status"]) == ["failed", "stored"]
    at.button(key="delivery_replay").click().run()
    assert not at.exception
    with Session(app_db) as s:
        assert sorted(s.scalars(select(Delivery.status))) == ["stored", "stored"]
        shipped = s.scalars(select(Order).where(Order.external_id == "#77")).one()
        assert shipped.shipments[0].tracking_number == "T1"


def test_manager_sees_no_sources(run_page: PageRunner) -> None:
    at = run_page("settings.py", role=Role.MANAGER)
    assert not at.exception
    assert not [t for t in at.text_input if t.key == "src_name"]


def test_a_hostile_source_name_is_quoted_literally_in_the_error(run_page: PageRunner) -> None:
    at = run_page("settings.py")
    at.selectbox(key="src_kind").set_value("api")
    at.text_input(key="src_name").set_value(HOSTILE)
    at.button(key="FormSubmitter:add_source-Connect").click().run()
    assert not at.exception
    [error] = [e.value for e in at.error if "source name" in e.value]
    assert_escaped(error)
