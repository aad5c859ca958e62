"""Responsive HTML blocks the library templates are built from.

Texts come from :mod:`core.messaging.library_text`; ``{number}``-style placeholders in them are
replaced by the Jinja expressions in :data:`PLACEHOLDERS`. The CSS is inlined when the template
is saved; the ``@media`` rules stay for small screens.
"""

from __future__ import annotations

CSS = """<style>
.wrap{max-width:600px;margin:0 auto;background:#ffffff;font-family:Arial,Helvetica,sans-serif;color:#1f2937}
.inner{padding:28px 28px 12px 28px}
h1{font-size:22px;line-height:1.3;margin:0 0 16px 0;color:#111827}
p{font-size:15px;line-height:1.55;margin:0 0 14px 0}
.btn{display:inline-block;background:#1d4ed8;color:#ffffff;text-decoration:none;padding:12px 22px;border-radius:6px;font-weight:bold;font-size:15px}
.box{background:#f3f4f6;padding:14px 16px;border-radius:6px;margin:0 0 16px 0;font-size:14px;line-height:1.5}
.items{width:100%;border-collapse:collapse;margin:0 0 16px 0}
.items td{padding:8px 4px;border-bottom:1px solid #e5e7eb;font-size:14px;vertical-align:middle}
.num{text-align:right;white-space:nowrap}
.muted{color:#6b7280;font-size:12px;line-height:1.5}
.code{font-size:22px;font-weight:bold;letter-spacing:2px;color:#111827}
.star{font-size:26px;color:#f59e0b;text-decoration:none;padding:0 4px}
.footer{padding:16px 28px 28px 28px}
@media (max-width:620px){.inner{padding:18px 16px 8px 16px !important}.footer{padding:12px 16px 20px 16px !important}.btn{display:block !important;text-align:center !important}h1{font-size:20px !important}}
</style>"""

PLACEHOLDERS = {
    "{number}": "{{ order.number }}",
    "{store}": "{{ store.name }}",
    "{total}": "{{ order.total }}",
    "{date}": "{{ order.date|date('long') }}",
    "{window}": "{{ delivery.promised_window }}",
    "{promised}": "{{ delivery.promised_by|date('long') }}",
    "{pickup}": "{{ delivery.pickup.name|default(store.name) }}",
    "{expires}": "{{ coupon.expires|date('long') }}",
    "{value}": "{{ coupon.value }}",
    "{reward}": "{{ referral.reward }}",
    "{name}": "{{ customer.first_name }}",
}


def fill(text: str) -> str:
    for key, expr in PLACEHOLDERS.items():
        text = text.replace(key, expr)
    return text


def _p(text: str, cls: str = "") -> str:
    attr = f' class="{cls}"' if cls else ""
    return f"<p{attr}>{fill(text)}</p>\n"


def _button(url: str, label: str) -> str:
    return f'<p><a class="btn" href="{{{{ {url} }}}}">{fill(label)}</a></p>\n'


def greeting(s: dict[str, str]) -> str:
    return (
        f"<p>{{% if customer.first_name %}}{fill(s['hello_name'])}"
        f"{{% else %}}{fill(s['hello'])}{{% endif %}}</p>\n"
    )


def _items(s: dict[str, str]) -> str:
    return (
        '<table class="items" role="presentation"><tbody>\n'
        "{% if order.items %}{% for item in order.items %}<tr>"
        '<td width="52">{% if item.image_url %}<img src="{{ item.image_url }}" alt="" width="44" '
        'height="44">{% endif %}</td>'
        '<td>{{ item.name }}<br><span class="muted">{{ item.quantity }} × {{ item.unit_price }}'
        '</span></td><td class="num">{{ item.total }}</td></tr>\n{% endfor %}'
        f'<tr><td></td><td>{s["subtotal"]}</td><td class="num">{{{{ order.subtotal }}}}</td></tr>\n'
        "{% endif %}{% if order.discount.amount %}"
        f'<tr><td></td><td>{s["discount"]}</td><td class="num">−{{{{ order.discount }}}}</td></tr>'
        "{% endif %}\n"
        f'<tr><td></td><td>{s["shipping"]}</td><td class="num">{{{{ order.shipping }}}}</td></tr>\n'
        f"<tr><td></td><td><strong>{s['total']}</strong></td>"
        '<td class="num"><strong>{{ order.total }}</strong></td></tr>\n'
        "</tbody></table>\n"
    )


def _delivery(s: dict[str, str]) -> str:
    return (
        "{% if delivery.option %}"
        f'<div class="box"><strong>{s["delivery"]}:</strong> {{{{ delivery.option }}}}'
        "{% if delivery.promised_window %}"
        f"<br>{s['promised']}: {{{{ delivery.promised_window }}}}{{% endif %}}"
        "{% if delivery.pickup.name %}"
        f"<br>{s['pickup_at']}: {{{{ delivery.pickup.name }}}}{{% endif %}}"
        "{% if links.delivery %}"
        f'<br><a href="{{{{ links.delivery }}}}">{s["change_delivery"]}</a>{{% endif %}}'
        "</div>{% endif %}\n"
    )


def _tracking(s: dict[str, str]) -> str:
    return (
        '{% if delivery.carrier or delivery.tracking_number %}<div class="box">'
        f"{{% if delivery.carrier %}}{s['carrier']}: {{{{ delivery.carrier }}}}<br>{{% endif %}}"
        f"{{% if delivery.tracking_number %}}{s['tracking_number']}: "
        "{{ delivery.tracking_number }}{% endif %}</div>{% endif %}\n"
        "{% if delivery.tracking_url %}"
        + _button("delivery.tracking_url", s["track"]).strip()
        + "{% endif %}\n"
    )


def _pickup(s: dict[str, str]) -> str:
    return (
        '{% if delivery.pickup.name %}<div class="box">'
        f"<strong>{s['pickup_at']}:</strong> {{{{ delivery.pickup.name }}}}"
        "{% if delivery.pickup.full_address %}<br>{{ delivery.pickup.full_address }}{% endif %}"
        "{% if delivery.pickup.opening_hours %}"
        f"<br>{s['opening_hours']}: {{{{ delivery.pickup.opening_hours }}}}{{% endif %}}"
        "</div>{% endif %}\n"
    )


def _stars(s: dict[str, str]) -> str:
    return (
        _p(s["stars_label"])
        + '<p>{% for star in links.review_stars %}<a class="star" href="{{ star.url }}" '
        'title="{{ star.rating }}/5">{{ "★" * star.rating }}</a><br>{% endfor %}</p>\n'
    )


def _coupon(s: dict[str, str]) -> str:
    return (
        "{% if coupon.code %}"
        + _p(s["coupon_intro"])
        + f'<div class="box">{s["code_label"]}: <span class="code">{{{{ coupon.code }}}}</span>'
        "{% if coupon.value %} ({{ coupon.value }}){% endif %}"
        f"{{% if coupon.expires %}}<br>{fill(s['expires'])}{{% endif %}}</div>"
        "{% endif %}\n"
    )


def _referral(s: dict[str, str]) -> str:
    return (
        "{% if referral.code %}"
        f'<div class="box">{s["code_label"]}: <span class="code">{{{{ referral.code }}}}</span>'
        f"{{% if referral.reward %}}<br>{fill(s['reward'])}{{% endif %}}</div>"
        "{% if referral.url %}" + _button("referral.url", s["cta"]).strip() + "{% endif %}"
        "{% endif %}\n"
    )


def _recommendations(s: dict[str, str]) -> str:
    return (
        f'{{% if recommendations %}}<h2 style="font-size:17px">{s["recommendations"]}</h2>'
        '<table class="items" role="presentation"><tbody>'
        "{% for product in recommendations %}<tr>"
        '<td width="52">{% if product.image_url %}<img src="{{ product.image_url }}" alt="" '
        'width="44" height="44">{% endif %}</td><td>{{ product.name }}</td>'
        '<td class="num">{% if product.price %}{{ product.price }}{% endif %}</td></tr>{% endfor %}'
        "</tbody></table>{% endif %}\n"
    )


def section(name: str, s: dict[str, str]) -> str:
    """One block of a library template, in the language of ``s``."""
    simple = {
        "intro": lambda: greeting(s) + _p(s["intro"]),
        "intro_delay": lambda: (
            greeting(s) + f"{{% if delivery.promised_by %}}{_p(s['intro']).strip()}"
            f"{{% else %}}{_p(s['intro_nodate']).strip()}{{% endif %}}\n"
        ),
        "order_box": lambda: (
            f'<div class="box">{s["order"]} <strong>{{{{ order.number }}}}</strong>'
            f' · {s["placed_on"]} {{{{ order.date|date("long") }}}}</div>\n'
        ),
        "refund_box": lambda: (
            f'<div class="box">{s["refunded_label"]}: <strong>{{{{ order.refunded }}}}</strong>'
            "</div>\n"
        ),
        "items": lambda: _items(s),
        "delivery": lambda: _delivery(s),
        "tracking": lambda: _tracking(s),
        "pickup": lambda: _pickup(s),
        "bring": lambda: _p(s["bring"]),
        "help": lambda: _p(s["help"]),
        "body": lambda: _p(s["body"]),
        "stars": lambda: _stars(s),
        "cta_review": lambda: (
            "{% if links.review %}" + _button("links.review", s["cta"]).strip() + "{% endif %}\n"
        ),
        "coupon": lambda: _coupon(s),
        "referral": lambda: _referral(s),
        "recommendations": lambda: _recommendations(s),
        "signoff": lambda: _p(s["signoff"]),
    }
    return simple[name]()


def page(body: str, s: dict[str, str], *, marketing: bool) -> str:
    """The whole template: styles, heading, body, footer with preferences/unsubscribe."""
    footer = s["footer_marketing"] if marketing else s["footer_transactional"]
    link = f'<a href="{{{{ links.preferences }}}}">{s["preferences"]}</a>'
    if marketing:
        link += f' · <a href="{{{{ links.unsubscribe }}}}">{s["unsubscribe"]}</a>'
    return (
        f"{CSS}\n"
        '<div class="wrap"><div class="inner">\n'
        f"<h1>{fill(s['heading'])}</h1>\n{body}</div>\n"
        f'<div class="footer"><p class="muted">{fill(footer)}<br>{link}</p></div>\n'
        "</div>\n"
    )
