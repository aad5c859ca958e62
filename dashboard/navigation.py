"""The pages, grouped, each with the permission a role needs to see it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core.auth import Action, Actor

PAGES_DIR = Path(__file__).resolve().parent.parent / "pages"


@dataclass(frozen=True)
class PageSpec:
    file: str
    title: str
    icon: str
    needs: Action
    group: str
    default: bool = False

    @property
    def path(self) -> Path:
        return PAGES_DIR / self.file


PAGES: tuple[PageSpec, ...] = (
    PageSpec("overview.py", "Overview", ":material/dashboard:", Action.VIEW_KPIS, "Insights", True),
    PageSpec("revenue.py", "Revenue", ":material/payments:", Action.VIEW_KPIS, "Insights"),
    PageSpec("retention.py", "Retention", ":material/autorenew:", Action.VIEW_KPIS, "Insights"),
    PageSpec("satisfaction.py", "Satisfaction", ":material/star:", Action.VIEW_KPIS, "Insights"),
    PageSpec("delivery.py", "Delivery", ":material/local_shipping:", Action.VIEW_KPIS, "Insights"),
    PageSpec(
        "workflow_impact.py", "Workflow impact", ":material/science:", Action.VIEW_KPIS, "Insights"
    ),
    PageSpec(
        "workflows.py", "Workflows", ":material/account_tree:", Action.VIEW_WORKFLOWS, "Automation"
    ),
    PageSpec("reviews.py", "Reviews", ":material/reviews:", Action.VIEW_KPIS, "Insights"),
    PageSpec("coupons.py", "Coupons", ":material/sell:", Action.VIEW_KPIS, "Insights"),
    PageSpec("referrals.py", "Referrals", ":material/group_add:", Action.VIEW_KPIS, "Insights"),
    PageSpec("builder.py", "Builder", ":material/edit_note:", Action.VIEW_WORKFLOWS, "Automation"),
    PageSpec("templates.py", "Templates", ":material/mail:", Action.VIEW_TEMPLATES, "Automation"),
    PageSpec("outbox.py", "Outbox", ":material/outbox:", Action.VIEW_OUTBOX, "Automation"),
    PageSpec("mailbox.py", "Mailbox", ":material/inbox:", Action.VIEW_OUTBOX, "Automation"),
    PageSpec(
        "delivery_setup.py", "Delivery options", ":material/tune:", Action.EDIT_DELIVERY, "Store"
    ),
    PageSpec("data.py", "Data", ":material/database:", Action.EXPORT_DATA, "Store"),
    PageSpec("settings.py", "Settings", ":material/settings:", Action.VIEW_KPIS, "Store"),
    PageSpec("customers.py", "Customers", ":material/group:", Action.ERASE_CUSTOMER, "Store"),
    PageSpec("audit.py", "Audit", ":material/policy:", Action.MANAGE_USERS, "Store"),
)


def visible_pages(actor: Actor) -> list[PageSpec]:
    """The pages this actor's role may open (pages whose file exists)."""
    return [p for p in PAGES if actor.can(p.needs) and p.path.exists()]


def denied_pages(actor: Actor) -> list[PageSpec]:
    """The pages this actor's role may not open (shown a clear message when opened by URL)."""
    return [p for p in PAGES if not actor.can(p.needs) and p.path.exists()]
