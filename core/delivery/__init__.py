"""Flexible delivery: options offered by rules, priced per currency, with promised dates, time
slots with capacity, pickup stores, quotes and customer self-service.

- :mod:`options`: validating and saving options and pickup locations (merchant forms).
- :mod:`rules`: eligibility conditions over basket fields (workflow condition schema).
- :mod:`calendar`, :mod:`promise`: working days, holidays, cut-offs, transit, pickup readiness.
- :mod:`slots`: holds and atomic bookings; :mod:`quote`: the quote of a basket.
- :mod:`selfservice`: the customer's signed link and the changes it allows.
"""

from core.delivery.options import (
    KINDS,
    LocationInput,
    OptionInput,
    clean_option,
    list_locations,
    list_options,
    option_inputs,
    save_locations,
    save_option,
)

__all__ = [
    "KINDS",
    "LocationInput",
    "OptionInput",
    "clean_option",
    "list_locations",
    "list_options",
    "option_inputs",
    "save_locations",
    "save_option",
]
