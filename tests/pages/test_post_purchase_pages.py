"""The Coupons, Referrals and Reviews pages with AppTest, on a seeded shop."""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from core import coupon_reports
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
    assert [m.value for m in at.metric] == ["2", "2", "1", "20.00 EUR"]
    assert list(at.dataframe[0].value["Workflow"]) == ["Thank you", coupon_reports.NO_WORKFLOW]
    assert len(at.dataframe[1].value) == 2
    at.toggle(key="coupons_flagged").set_value(True).run()
    assert list(at.dataframe[1].value["Flag"]) == ["repeat use"]
    assert "ORDERFLOW_SHOPIFY_ADMIN_TOKEN" in at.info[0].value
    assert not at.exception


def test_referrals_page(run_page, app_db: Engine) -> None:  # type: ignore[no-untyped-def]
    _seed(app_db)
    at = run_page("referrals.py", role=Role.ANALYST)
    assert not at.exception
    assert [m.value for m in at.metric] == ["1", "1", "1", "1", "1,239 EUR"]
    assert list(at.dataframe[0].value["Reason"]) == ["self referral customer"]
    at.selectbox(key="referrals_status").set_value("rewarded").run()
    assert list(at.dataframe[-1].value["Order"]) == ["3"]
    assert not at.exception


def test_reviews_inbox_filters_and_notifies(run_page, app_db: Engine) -> None:  # type: ignore[no-untyped-def]
    _seed(app_db)
    at = run_page("reviews.py")
    assert not at.exception
    assert at.metric[0].value == "1"
    at.selectbox(key="reviews_punctuality").set_value("on_time").run()
    assert list(at.dataframe[0].value["Rating"]) == ["5"]
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


def test_settings_page_saves_referral_and_shopify_settings(run_page, app_db: Engine) -> None:  # type: ignore[no-untyped-def]
    from core.settings import load

    at = run_page("settings.py")
    at.number_input(key="s_ref_days").set_value(21)
    at.text_input(key="s_shop_domain").set_value("alpen.myshopify.com")
    at.text_input(key="s_price_rule").set_value("Orderflow thanks")
    at.button(key="FormSubmitter:store_settings-Save settings").click().run()
    assert not at.exception and not at.error
    with Session(app_db) as session:
        st = load(session)
    assert (st.referral_reward_days, st.shopify_shop_domain, st.shopify_price_rule) == (
        21,
        "alpen.myshopify.com",
        "Orderflow thanks",
    )


def test_templates_page_sets_the_consent_purpose(run_page, app_db: Engine) -> None:  # type: ignore[no-untyped-def]
    from core.auth import Actor
    from core.messaging.library import install
    from core.models import MessageTemplate

    with Session(app_db) as session:
        install(session, Actor.cli(), "win_back", ("en",))
        session.commit()
    at = run_page("templates.py", tpl_name="win_back")
    picker = at.selectbox(key="tpl_purpose_win_back")
    assert picker.value == "newsletters"
    picker.set_value("offers").run()
    assert not at.exception
    with Session(app_db) as session:
        assert (
            session.scalar(
                select(MessageTemplate.purpose).where(MessageTemplate.name == "win_back")
            )
            == "offers"
        )
    viewer = run_page("templates.py", role=Role.MANAGER, tpl_name="win_back")
    assert viewer.selectbox(key="tpl_purpose_win_back").disabled
