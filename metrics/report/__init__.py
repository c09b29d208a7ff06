"""Reports: metrics CSV, leaderboard, per-game and correlation tables, PNG plots, self-contained HTML.

Entry point: :func:`write_report`.
"""

from __future__ import annotations

from metrics.report.build import ReportFiles, write_report

__all__ = ["ReportFiles", "write_report"]
