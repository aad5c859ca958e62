"""Session-state keys, in one place."""

ACTOR = "orderflow.actor"
SESSION_TOKEN = "orderflow.session_token"
PENDING_ROUTE = "orderflow.pending_route"
CSV_FORMAT = "orderflow.csv_format"
FILTERS = "orderflow.filters"
LOGGED_OUT = "orderflow.logged_out"
NEW_TOKEN = "orderflow.new_token"
