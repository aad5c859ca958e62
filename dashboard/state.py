"""Session-state keys, in one place."""

ACTOR = "orderflow.actor"
PENDING_ROUTE = "orderflow.pending_route"
CSV_FORMAT = "orderflow.csv_format"
FILTERS = "orderflow.filters"
LOGGED_OUT = "orderflow.logged_out"
OUTSIDE_ROLE_SHOWN = "orderflow.outside_role_shown"
