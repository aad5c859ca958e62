"""Session-state keys, in one place."""

ACTOR = "orderflow.actor"
LOGIN_REDIRECT = "orderflow.login_redirect"
CSV_FORMAT = "orderflow.csv_format"
FILTERS = "orderflow.filters"
LOGGED_OUT = "orderflow.logged_out"
