"""The backtest's frequency cap with several email steps (their send frames share index labels)."""

from __future__ import annotations

import pandas as pd

from core.engine.backtest import _capped
from core.settings import StoreSettings


def _sends() -> pd.DataFrame:
    first = pd.DataFrame(
        {"customer_id": [1, 2], "_at": pd.to_datetime(["2024-01-01", "2024-01-01"]), "_step": "ask"}
    )
    reminder = pd.DataFrame(
        {
            "customer_id": [1, 2],
            "_at": pd.to_datetime(["2024-01-03", "2024-01-20"]),
            "_step": "remind",
        }
    )
    return pd.concat([first, reminder])  # index labels 0, 1, 0, 1


def test_two_email_steps_are_capped_per_customer_and_window() -> None:
    over = _capped(_sends(), StoreSettings(frequency_cap_count=1, frequency_cap_days=7))
    assert over.to_dict() == {"remind": 1}


def test_cap_zero_is_off() -> None:
    assert _capped(_sends(), StoreSettings(frequency_cap_count=0)).empty
