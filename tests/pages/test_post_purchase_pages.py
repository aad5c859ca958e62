"""The Coupons, Referrals and Reviews pages with AppTest, on a seeded shop."""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from core.auth import Role
from core.models import Message
from tests.core.post_purchase_seed import seed


def _seed(engine: Engine) -> None:
    with Session(engine) as session:
        seed(session)


def test_coupons_page(run_page, app_db: Engine) -> None:  # type: ignore[no-untyped-def]
    _seed(app_db)
    at = run_page("coupons.py")
    assert not at.exception
    assert [m.value for m in at.metric] == ["2", "2", "1", "20.00"]
    assert list(at.dataframe[0].value["workflow"]) == ["Thank you", "(none)"]
    assert len(at.dataframe[1].value) == 2
    at.toggle(key="coupons_flagged").set_value(True).run()
    assert list(at.dataframe[1].value["flag"]) == ["repeat_use"]
    assert "ORDERFLOW_SHOPIFY_ADMIN_TOKEN" in at.info[0].value
    assert not at.exception


def test_referrals_page(run_page, app_db: Engine) -> None:  # type: ignore[no-untyped-def]
    _seed(app_db)
    at = run_page("referrals.py", role=Role.ANALYST)
    assert not at.exception
    assert [m.value for m in at.metric] == ["1", "1", "1", "1", "1,239.46"]
    assert list(at.dataframe[0].value["reason"]) == ["self_referral_customer"]
    at.selectbox(key="referrals_status").set_value("rewarded").run()
    assert list(at.dataframe[-1].value["order"]) == ["3"]
    assert not at.exception


def test_reviews_inbox_filters_and_notifies(run_page, app_db: Engine) -> None:  # type: ignore[no-untyped-def]
    _seed(app_db)
    at = run_page("reviews.py")
    assert not at.exception
    assert at.metric[0].value == "1"
    at.selectbox(key="reviews_punctuality").set_value("on_time").run()
    assert list(at.dataframe[0].value["rating"]) == [5]
    at.selectbox(key="reviews_punctuality").set_value("").run()
    at.button(key="reviews_notify").click().run()
    assert not at.exception and "1 review(s) sent" in at.success[0].value
    with Session(app_db) as session:
        assert session.scalar(select(Message.subject)).startswith("Review needs a reply")


def test_manager_reads_reviews_but_cannot_notify(run_page, app_db: Engine) -> None:  # type: ignore[no-untyped-def]
    _seed(app_db)
    at = run_page("reviews.py", role=Role.MANAGER)
    assert not at.exception
    assert not [b for b in at.button if b.key == "reviews_notify"]
