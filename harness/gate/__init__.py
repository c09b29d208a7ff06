"""The CI regression gate behind ``stratagem check`` (see ``docs/check.md``).

* :mod:`harness.gate.spec` — what a check measures (arms, panel, metric, budget, design);
* :mod:`harness.gate.pairs` — the fixed order of pairs and each arm's match jobs;
* :mod:`harness.gate.pair_values` — the gated metric per pair and arm, from stored round records;
* :mod:`harness.gate.baseline_store` — a stored run standing in for the baseline;
* :mod:`harness.gate.check` — the loop of batches, ending in a :class:`~harness.gate.report.CheckReport`;
* :mod:`harness.gate.runner_bridge` — playing batches with the experiment runner;
* :mod:`harness.gate.report` — verdict, exit code, verdict table, JSON;
* :mod:`harness.gate.selfcheck` — the harness's own replay-only check and its cassette recorder.

The statistics live in :mod:`metrics.sequential`.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from harness.gate.check import run_check
    from harness.gate.report import CheckReport
    from harness.gate.spec import CheckSpec

__all__ = ["CheckReport", "CheckSpec", "run_check"]


def __getattr__(name: str) -> Any:
    # Lazy: the CLI imports harness.gate.spec at start-up and must not load pandas with it.
    import importlib

    modules = {
        "run_check": "harness.gate.check",
        "CheckReport": "harness.gate.report",
        "CheckSpec": "harness.gate.spec",
    }
    if name not in modules:
        raise AttributeError(f"module 'harness.gate' has no attribute {name!r}")
    return getattr(importlib.import_module(modules[name]), name)
