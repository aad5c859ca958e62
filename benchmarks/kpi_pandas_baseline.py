"""The naive baseline an analyst would write: read the orders CSV with pandas (pyarrow engine) and
compute orders, customers, AOV, repeat purchase rate and the cohort matrix.

    python benchmarks/kpi_pandas_baseline.py ORDERS.csv [--currency EUR] [--rates PLN=0.23,SEK=0.087]

The file is a native orders CSV (``order_id, customer_id, placed_at, total, currency, status``;
``placed_at`` in the store's local time, as ``benchmarks/import_bench.py`` writes it). The same
definitions as Orderflow (docs/metrics.md): cancelled orders are left out, one order per order id,
amounts converted to the store currency, cohorts by first local order month. Prints JSON with the
keys of ``python -m core kpis --json`` it computes, so ``kpi_bench.py --versus`` can compare them.
"""

from __future__ import annotations

import argparse
import json
import sys

import numpy as np
import pandas as pd


def kpis(path: str, currency: str, rates: dict[str, float]) -> dict[str, object]:
    orders = pd.read_csv(
        path,
        engine="pyarrow",
        usecols=["order_id", "customer_id", "placed_at", "total", "currency", "status"],
    )
    orders = orders[orders["status"] != "cancelled"].drop_duplicates("order_id", keep="last")
    rate = orders["currency"].map({currency: 1.0, **rates})
    gross = float((orders["total"] * rate).sum())
    per_customer = orders.groupby("customer_id").size()
    month = pd.to_datetime(orders["placed_at"]).to_numpy().astype("datetime64[M]").astype("int64")
    pairs = pd.DataFrame({"c": orders["customer_id"].to_numpy(), "m": month}).drop_duplicates()
    pairs["first"] = pairs.groupby("c")["m"].transform("min")
    counts = pairs.groupby(["first", "m"]).size().unstack(fill_value=0)
    last = int(month.max())
    sizes, retention = {}, {}
    for first, row in counts.iterrows():
        label = str(np.datetime64(int(first), "M"))
        size = int(row[first])
        sizes[label] = size
        retention[label] = [round(int(row.get(m, 0)) / size, 4) for m in range(first, last + 1)]
    return {
        "orders": len(orders),
        "customers": int(per_customer.size),
        "aov": round(gross / len(orders), 2),
        "repeat_purchase_rate": round(float((per_customer >= 2).mean()), 4),
        "cohort_sizes": sizes,
        "cohort_retention": retention,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv")
    parser.add_argument("--currency", default="EUR", help="store currency (default EUR)")
    parser.add_argument("--rates", default="", help="CUR=VALUE,... to the store currency")
    args = parser.parse_args()
    rates = {
        k.strip(): float(v) for k, v in (p.split("=") for p in args.rates.split(",") if p.strip())
    }
    json.dump(kpis(args.csv, args.currency, rates), sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
