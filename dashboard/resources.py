"""Cached resources shared by every page: the engine and the store settings."""

from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from core import bootstrap, db
from core import settings as store_settings
from core.settings import StoreSettings


@st.cache_resource(show_spinner="Opening the database...")
def engine() -> Engine:
    """The configured database, migrated; on the embedded default, demo data on first start."""
    eng = db.default_engine()
    bootstrap.prepare(eng)
    return eng


def session() -> Session:
    return Session(engine(), expire_on_commit=False)


def data_version() -> int:
    """Changes on every import, event or settings change: the key of every cached query."""
    with session() as s:
        return store_settings.data_version(s)


@st.cache_data(show_spinner=False)
def _settings(version: int) -> StoreSettings:
    with session() as s:
        return store_settings.load(s)


def settings() -> StoreSettings:
    return _settings(data_version())
