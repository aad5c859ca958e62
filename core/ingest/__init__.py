"""Live order data: sources, signed webhook deliveries and API events, normalised into the
same model as the importers."""
