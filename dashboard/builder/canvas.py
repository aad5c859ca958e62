"""The canvas (streamlit-flow-component): trigger, steps, branches and their labels, drawn from
the definition. Clicking a node selects it for the editor beside the canvas. A node's content is
Markdown: the merchant's labels, template names and values in it are escaped."""

from __future__ import annotations

import hashlib
import json

import streamlit as st
from streamlit_flow import streamlit_flow
from streamlit_flow.elements import StreamlitFlowEdge, StreamlitFlowNode
from streamlit_flow.layouts import ManualLayout
from streamlit_flow.state import StreamlitFlowState

from core.builder.graph import END_PREFIX, Canvas, CanvasNode
from dashboard.builder.state import CANVAS, Working
from dashboard.components.mdtext import md

COLORS = {
    "trigger": ("#EEF2FF", "#4F46E5"),
    "wait": ("#FFFBEB", "#D97706"),
    "flow": ("#F0FDFA", "#0D9488"),
    "action": ("#F0F9FF", "#0284C7"),
    "end": ("#F8FAFC", "#94A3B8"),
}
ICONS = {"trigger": "⚡ ", "action": "✉ "}
ERROR_BORDER = "#DC2626"
NODE_WIDTH, NODE_HEIGHT = 240.0, 90.0
MIN_VIEW = (560.0, 330.0)


def _style(node: CanvasNode, selected: bool) -> dict[str, str]:
    background, border = COLORS.get(node.kind, COLORS["action"])
    style = {
        "background": background,
        "border": f"2px solid {ERROR_BORDER if node.problems else border}",
        "borderRadius": "10px",
        "width": "90px" if node.kind == "end" else f"{NODE_WIDTH:.0f}px",
        "height": "auto",
        "fontSize": "13px",
        "padding": "6px 10px",
        "color": "#0F172A",
        "textAlign": "left" if node.kind != "end" else "center",
    }
    if selected:
        style["boxShadow"] = f"0 0 0 4px {border}55"
    if not node.reachable:
        style["opacity"] = "0.55"
    return style


def _content(node: CanvasNode) -> str:
    if node.kind == "end":
        return "End"
    lines = [
        f"{ICONS.get(node.kind, '')}**{md(node.title)}**",
        md(node.detail) if node.detail else "",
    ]
    if node.problems:
        count = len(node.problems)
        lines.append(f"⚠ **{count} problem{'s' if count > 1 else ''}**")
    if not node.reachable:
        lines.append("_not connected_")
    return "\n\n".join(line for line in lines if line)


def flow_state(canvas: Canvas, selected: str | None) -> StreamlitFlowState:
    nodes = [
        StreamlitFlowNode(
            n.id,
            (n.x, n.y),
            {"content": _content(n)},
            node_type="input"
            if n.kind == "trigger"
            else "output"
            if n.kind == "end"
            else "default",
            selectable=not n.id.startswith(END_PREFIX),
            draggable=False,
            selected=n.id == selected,
            style=_style(n, n.id == selected),
        )
        for n in canvas.nodes
    ]
    edges = [
        StreamlitFlowEdge(
            e.id,
            e.source,
            e.target,
            edge_type="smoothstep",
            label=e.label,
            label_show_bg=bool(e.label),
            label_style={"fontSize": "12px", "fontWeight": "600"},
            label_bg_style={"fill": "#FFFFFF"},
            marker_end={"type": "arrowclosed"},
            style={"strokeWidth": 1.5},
        )
        for e in canvas.edges
    ]
    return StreamlitFlowState(nodes + _spacers(canvas), edges, selected_id=selected)


def _spacers(canvas: Canvas) -> list[StreamlitFlowNode]:
    """Two invisible corner nodes so that "fit view" never zooms a small workflow beyond
    about 100% (the component has no max-zoom option)."""
    xs = [n.x for n in canvas.nodes] or [0.0]
    ys = [n.y for n in canvas.nodes] or [0.0]
    centre_x = (min(xs) + max(xs) + NODE_WIDTH) / 2
    width = max(max(xs) - min(xs) + NODE_WIDTH, MIN_VIEW[0])
    height = max(max(ys) - min(ys) + NODE_HEIGHT, MIN_VIEW[1])
    corners = ((centre_x - width / 2, min(ys)), (centre_x + width / 2, min(ys) + height))
    hidden = {
        "opacity": "0",
        "width": "1px",
        "height": "1px",
        "border": "none",
        "background": "transparent",
        "padding": "0",
        "pointerEvents": "none",
    }
    return [
        StreamlitFlowNode(
            f"_spacer{i}",
            pos,
            {"content": ""},
            selectable=False,
            draggable=False,
            connectable=False,
            focusable=False,
            style=dict(hidden),
        )
        for i, pos in enumerate(corners)
    ]


def _signature(canvas: Canvas, selected: str | None) -> str:
    raw = json.dumps(
        [[n.__dict__ for n in canvas.nodes], [e.__dict__ for e in canvas.edges], selected],
        default=str,
        sort_keys=True,
    )
    return hashlib.sha1(raw.encode()).hexdigest()


PENDING_CLASS = "orderflow-canvas-pending"


def _reported(result: object, sent: StreamlitFlowState) -> bool:
    """True once the browser has reported the canvas it drew from ``sent`` (or later)."""
    return result is not sent and int(getattr(result, "timestamp", 0)) >= int(sent.timestamp)


def _store_key(work: Working) -> str:
    return f"{CANVAS}.{work.workflow_id}"


def clicked_node(work: Working) -> str | None:
    """The id of a node the merchant just clicked on the canvas, else None. Read from the
    component's last report before any widget of the run is drawn, so that the caller can select
    it (a widget's state may only be written before that widget is drawn). A click is handled
    once: a later run still holding the same report does not select that node again."""
    store_key = _store_key(work)
    report = st.session_state.get(f"{store_key}.flow")
    if not isinstance(report, dict) or not report.get("selectedId"):
        return None
    clicked, stamp = str(report["selectedId"]), report.get("timestamp")
    if st.session_state.get(f"{store_key}.click") == stamp:
        return None
    st.session_state[f"{store_key}.click"] = stamp
    return None if clicked.startswith((END_PREFIX, "_spacer")) else clicked


def draw_canvas(work: Working, canvas: Canvas, selected: str | None) -> None:
    """Draw the canvas with ``selected`` highlighted.

    Call it after every other widget of the page. The component reports back once it has drawn
    new nodes, which asks for a run carrying the browser's value of EVERY widget; a widget the
    run has not sent yet (e.g. the node picker the app just set to a new step) still has its old
    value there, and that stale value would win over the app's. Drawn last, the canvas only
    reports after the browser has received the whole run."""
    store_key = _store_key(work)
    signature = _signature(canvas, selected)
    kept = st.session_state.get(store_key)
    if not kept or kept[0] != signature:
        kept = (signature, flow_state(canvas, selected))
        st.session_state[store_key] = kept
    depth = max((n.y for n in canvas.nodes), default=0)
    height = int(min(640, max(460, depth + 200)))
    result = streamlit_flow(
        f"{store_key}.flow",
        kept[1],
        height=height,
        fit_view=True,
        show_controls=True,
        get_node_on_click=True,
        layout=ManualLayout(),
        hide_watermark=True,
        min_zoom=0.2,
        pan_on_drag=True,
        allow_zoom=True,
    )
    if not _reported(result, kept[1]):
        # The component reports its state back once it has drawn these nodes, which asks for
        # one more run; until then the page is not settled (browser journeys wait for this).
        st.html(f'<span class="{PENDING_CLASS}"></span>')
