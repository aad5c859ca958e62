from __future__ import annotations

import json

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from core import security
from core.cli import main
from core.ingest import sources
from core.models import AuditEntry, Source

SECRET = "shpss_0123456789abcdefWXYZ"


def test_add_list_rotate_remove(use_database: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "source", "add", "shopify", "--name", "Main",
                "--shop-domain", "My-Shop.myshopify.com", "--secret", SECRET,
            ]
        )
        == 0
    )  # fmt: skip
    assert main(["source", "add", "woocommerce", "--name", "woo", "--secret", SECRET]) == 0
    capsys.readouterr()
    assert main(["source", "add", "api", "--name", "erp", "--json"]) == 0
    added = json.loads(capsys.readouterr().out)
    assert added["name"] == "erp" and added["token"].startswith("ofk_")
    assert main(["source", "list", "--json"]) == 0
    out = capsys.readouterr().out
    listed = {row["name"]: row for row in json.loads(out)}
    assert listed["main"]["shop_domain"] == "my-shop.myshopify.com"
    assert (
        listed["main"]["secret"] == "…WXYZ" and listed["erp"]["token"] == "…" + added["token"][-4:]
    )
    assert SECRET not in out and added["token"] not in out
    with Session(use_database) as s:
        shop = s.scalars(select(Source).where(Source.name == "main")).one()
        api = s.scalars(select(Source).where(Source.name == "erp")).one()
        assert SECRET not in (shop.secret_encrypted or "")
        assert sources.secret_of(shop) == SECRET
        assert api.token_hash == security.hash_token(added["token"])
        assert sources.token_source(s, f"Bearer {added['token']}") is not None
        audit_text = json.dumps([e.detail for e in s.scalars(select(AuditEntry))])
        assert SECRET not in audit_text and added["token"] not in audit_text
    assert main(["source", "rotate", "erp", "--json"]) == 0
    rotated = json.loads(capsys.readouterr().out)["token"]
    with Session(use_database) as s:
        assert sources.token_source(s, f"Bearer {added['token']}") is None
        assert sources.token_source(s, f"Bearer {rotated}") is not None
    assert main(["source", "remove", "woo"]) == 0
    with Session(use_database) as s:
        assert set(s.scalars(select(Source.name))) == {"main", "erp"}


def test_bad_input_names_the_field(
    use_database: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["source", "add", "shopify", "--name", "x", "--shop-domain", "shop.example.com",
                 "--secret", SECRET]) == 1  # fmt: skip
    assert "Shop domain" in capsys.readouterr().err  # the field, by its label
    assert main(["source", "add", "woocommerce", "--name", "w", "--secret", "short"]) == 1
    assert "secret" in capsys.readouterr().err
    assert main(["source", "add", "api", "--name", "a"]) == 0
    assert main(["source", "add", "api", "--name", "A"]) == 1
    assert "exists" in capsys.readouterr().err
    assert main(["source", "remove", "nobody"]) == 1
