"""Upserting customers from an import, with their marketing consent history.

A customer is keyed by its external id. Empty cells keep what is stored. When the file changes a
customer's marketing consent (or grants it to a new customer), the change is stamped with source
``import`` and recorded as a ``ConsentEvent``."""

from __future__ import annotations

import pandas as pd

from core.importers.job import EVENT_SOURCE, Job, map_keys, split, table

CUSTOMER_COLUMNS = (
    "external_id",
    "email",
    "first_name",
    "last_name",
    "country",
    "locale",
    "time_zone",
    "marketing_consent",
)


def upsert_customers(job: Job, customers: pd.DataFrame) -> pd.Series:
    """Insert new and update known customers; returns customer ids by external id (empty in a
    dry run)."""
    writer = job.writer
    original = customers["external_id"]
    customers = _without_erased(job, customers)
    customers_table = table("customers")
    found = writer.lookup(
        customers_table, "external_id", customers["external_id"], ("id", "marketing_consent")
    )
    found = found.rename(columns={"marketing_consent": "stored_consent"})
    new, old = split(customers, found, "external_id")
    job.counts.customers_created, job.counts.customers_updated = len(new), len(old)
    if job.dry_run:
        return pd.Series(dtype="int64")
    new = new.sort_values("external_id", kind="stable")
    new["id"] = writer.allocate_ids(customers_table, len(new))
    columns = ["id", *(c for c in CUSTOMER_COLUMNS if c in customers)]
    consent = "marketing_consent" in customers
    if consent:
        columns += ["consent_source", "consent_at"]
        new = _stamp_consent(job, new, new["marketing_consent"].fillna(False).astype(bool))
        stored = old["id"].map(_stored(found)).astype("boolean")
        old = _stamp_consent(job, old, (old["marketing_consent"] != stored).fillna(False))
    writer.insert(customers_table, new[columns])
    writer.update(customers_table, old[columns].drop(columns=["external_id"]))
    if consent:
        _consent_events(job, pd.concat([new, old]))
    both = pd.concat([new[["external_id", "id"]], old[["external_id", "id"]]])
    by_key = pd.Series(both["id"].astype("int64").to_numpy(), index=both["external_id"].to_numpy())
    ids = map_keys(customers["external_id"], by_key)
    return pd.Series(ids.astype("int64").to_numpy(), index=original.to_numpy())


def _without_erased(job: Job, customers: pd.DataFrame) -> pd.DataFrame:
    """Rows naming an erased customer (keyed tombstones, core.gdpr) land on the anonymised
    row without their personal data: an import never brings the person back."""
    from core import gdpr

    session = job.writer.session
    ids = gdpr.erased_hashes(session, "external_id", customers["external_id"].dropna().astype(str))
    emails = (
        gdpr.erased_hashes(session, "email", customers["email"].dropna().astype(str))
        if "email" in customers
        else {}
    )
    if not ids and not emails:
        return customers
    out = customers.copy()
    by_id = out["external_id"].isin(list(ids))
    by_email = out["email"].isin(list(emails)) if "email" in out else by_id & False
    hit = by_id | by_email
    out.loc[by_id, "external_id"] = out.loc[by_id, "external_id"].map(gdpr.pseudonym)
    for column in ("email", "first_name", "last_name", "time_zone"):
        if column in out:
            out[column] = out[column].astype(object).where(~hit, None)
    if "marketing_consent" in out:
        out["marketing_consent"] = out["marketing_consent"].astype(object).where(~hit, False)
    return out


def _stored(found: pd.DataFrame) -> pd.Series:
    return pd.Series(found["stored_consent"].to_numpy(), index=found["id"].to_numpy())


def _stamp_consent(job: Job, frame: pd.DataFrame, changed: pd.Series) -> pd.DataFrame:
    frame = frame.copy()
    frame["consent_changed"] = changed.to_numpy(dtype=bool)
    frame["consent_source"] = pd.Series(EVENT_SOURCE, index=frame.index, dtype="str").where(
        frame["consent_changed"]
    )
    moment = pd.Series(pd.Timestamp(job.writer.now), index=frame.index)
    frame["consent_at"] = moment.where(frame["consent_changed"])
    return frame


def _consent_events(job: Job, frame: pd.DataFrame) -> None:
    changed = frame[frame["consent_changed"]]
    events = pd.DataFrame(
        {
            "customer_id": changed["id"].astype("int64"),
            "purpose": "marketing",
            "granted": changed["marketing_consent"].astype(bool),
            "source": EVENT_SOURCE,
            "detail": "customer import",
            "at": pd.Timestamp(job.writer.now),
        }
    )
    job.writer.insert(table("consent_events"), events)
