"""KPIs as pure, typed functions (definitions: docs/metrics.md).

Frames are read once (:mod:`core.metrics.frames`), then each module computes its KPIs:
:mod:`sales`, :mod:`retention`, :mod:`satisfaction`, :mod:`delivery`, :mod:`workflows`,
:mod:`lift`; :func:`core.metrics.overview.overview` combines them for the Overview page and
:func:`core.metrics.summary.kpi_summary` for the CLI.
"""

from core.metrics.types import KPI_LABELS, SEGMENTS, Filters, OverviewResult, Period

__all__ = ["KPI_LABELS", "SEGMENTS", "Filters", "OverviewResult", "Period"]
