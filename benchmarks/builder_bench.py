"""Builder speed with a 30-node workflow.

    python benchmarks/builder_bench.py [--nodes 30] [--runs 10] [--customers 1500]

Creates a SQLite database with the demo shop (``python -m core demo``), a workflow whose canvas
has ``--nodes`` nodes (trigger, branches, waits, emails, coupons, tags, a split), then drives
``pages/builder.py`` in AppTest and prints: the first render (cold caches), a rerun with nothing
changed, a rerun after editing one value (the wait's days), a rerun after a structural edit
(selecting another node), and the core work alone (validation + canvas layout). Aim: under 1 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.engine.schema import SplitPath, Step, Trigger, WorkflowDefinition, rule  # noqa: E402


def big_workflow(nodes: int) -> WorkflowDefinition:
    """A chain of branches, each "no" leading to an action; ``nodes`` counts the trigger."""
    kinds = ["send_email", "wait", "add_tag", "issue_coupon", "wait_until", "notify_merchant"]
    steps: list[Step] = []
    n_steps = nodes - 1
    for i in range(n_steps):
        kind = "branch" if i % 3 == 0 else kinds[i % len(kinds)]
        params = {
            "wait": {"days": 2}, "send_email": {"template": "review_request"},
            "add_tag": {"tag": f"t{i}"}, "issue_coupon": {"value": 10, "kind": "percent"},
            "wait_until": {"time": "10:00", "weekdays": ["mon", "tue"]},
            "notify_merchant": {"subject": "Hi"}, "branch": {},
        }[kind]  # fmt: skip
        steps.append(
            Step(
                id=f"s{i}",
                type=kind,
                params=params,
                condition=rule("order.total", "ge", 10 * i) if kind == "branch" else None,
            )
        )
    for i, step in enumerate(steps[:-1]):
        step.next = f"s{i + 1}"
        if step.type == "branch" and i + 2 < n_steps:
            step.alt_next = f"s{i + 2}" if steps[i + 2].type != "branch" else None
    last = steps[-1]
    last.type, last.params = "split", {}
    last.paths = [SplitPath(name="A", weight=50), SplitPath(name="B", weight=50)]
    return WorkflowDefinition(
        name=f"Bench {nodes} nodes",
        triggers=[Trigger(type="delivered")],
        entry=rule("order.total", "ge", 20),
        steps=steps,
        holdout_pct=10,
    )


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), max(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--nodes", type=int, default=30)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--customers", type=int, default=1500)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="builder-bench-")
    os.environ["ORDERFLOW_DATABASE_URL"] = f"sqlite:///{folder}/bench.db"
    os.environ.setdefault("ORDERFLOW_SECRET_KEY", "bench")
    env = {**os.environ}
    for cmd in (["init"], ["demo", "--customers", str(args.customers)]):
        subprocess.run(
            [sys.executable, "-m", "core", *cmd], cwd=ROOT, env=env, check=True, capture_output=True
        )

    from sqlalchemy.orm import Session
    from streamlit.testing.v1 import AppTest

    from core import db
    from core.auth import Actor, Role
    from core.builder import graph
    from core.engine import lifecycle, validate
    from core.messaging.library import install
    from dashboard import state

    owner = Actor("owner@example.com", Role.OWNER)
    definition = big_workflow(args.nodes)
    engine = db.default_engine()
    with Session(engine) as s, s.begin():
        install(s, Actor.cli(), "review_request", ("en",))
        wid = lifecycle.create(s, owner, definition).id
    nodes = len(graph.canvas(definition).nodes)
    at = AppTest.from_file(str(ROOT / "pages" / "builder.py"), default_timeout=120)
    at.session_state[state.ACTOR] = owner
    at.query_params["id"] = str(wid)
    start = time.perf_counter()
    at.run()
    first = time.perf_counter() - start
    assert not at.exception, at.exception
    assert not [e for e in at.error if "went wrong" in e.value], "the page failed"
    assert len(at.selectbox(key="builder.node").options) == len(definition.steps) + 1
    rerun = timed(at.run, args.runs)
    fresh = AppTest.from_file(str(ROOT / "pages" / "builder.py"), default_timeout=120)
    fresh.session_state[state.ACTOR] = owner
    fresh.query_params["id"] = str(wid)
    start = time.perf_counter()
    fresh.run()
    new_session = time.perf_counter() - start

    def edit_value() -> None:
        at.selectbox(key="builder.node").set_value("s1").run()
        box = next(x for x in at.number_input if x.key and x.key.endswith("s1.days"))
        box.set_value(int(box.value) % 9 + 1).run()

    edit = timed(edit_value, args.runs)
    assert not at.exception, at.exception

    def core_only() -> None:
        with Session(engine) as s:
            problems = validate.validate(definition, s)
        graph.canvas(definition, {p.step or "trigger": [p.message] for p in problems})

    core = timed(core_only, args.runs)
    print(
        f"workflow: {len(definition.steps)} steps, {nodes} canvas nodes "
        f"(incl. trigger and end markers)"
    )
    print(f"first render (cold caches, DB migrated): {first:.3f} s")
    print(f"first render in a new session (process warm): {new_session:.3f} s")
    print(f"rerun, nothing changed:        median {rerun[0]:.3f} s, max {rerun[1]:.3f} s")
    print(
        f"select a node + edit a value:  median {edit[0]:.3f} s, max {edit[1]:.3f} s (two reruns)"
    )
    print(f"core only (validate + layout): median {core[0] * 1000:.1f} ms")


if __name__ == "__main__":
    main()
