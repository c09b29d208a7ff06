"""Writing the files of ``stratagem audit``: ``audit.json``, ``audit.md`` and the payoff heatmap."""

from harness.audit.render import TARGETS, summary_rows, write_audit

__all__ = ["TARGETS", "summary_rows", "write_audit"]
