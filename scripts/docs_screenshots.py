"""Regenerate the README's screenshots (docs/img/): the report's leaderboard and one match page.

Plays the bots preset into a temporary store, writes its report, and photographs both pages in headless
Debian chromium (through the browser tests' DevTools client, tests/metrics/browser_cdp.py) at 1280 px.

Run: ``python scripts/docs_screenshots.py``
"""

from __future__ import annotations

import base64
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "metrics"))

from browser_cdp import Browser  # noqa: E402  (a test helper, found through the path above)


def _shot(browser: Browser, url: str, path: Path, height: int) -> None:
    page = browser.open(url)
    if page.console_errors:
        raise SystemExit(f"{url}: console errors {page.console_errors}")
    clip = {"x": 0, "y": 0, "width": browser.width, "height": height, "scale": 1}
    data = page.send("Page.captureScreenshot", format="png", clip=clip, captureBeyondViewport=True)["data"]
    path.write_bytes(base64.b64decode(data))
    print(path.relative_to(ROOT), path.stat().st_size, "bytes")


def main() -> None:
    """Play, report, photograph."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        store = work / "bots.sqlite"
        subprocess.run(["stratagem", "run", "--store", str(store), "-q"], check=True, cwd=work)
        subprocess.run(
            ["stratagem", "report", str(store), "--out", str(work / "r"), "--n-boot", "1000"],
            check=True,
            cwd=work,
            stdout=subprocess.DEVNULL,
        )
        with sqlite3.connect(store) as conn:  # a battle-card match whose plans change along the way
            (match_id,) = conn.execute(
                "SELECT m.match_id FROM matches m JOIN rounds r ON r.match_id = m.match_id "
                "WHERE m.game = 'battle_card' AND m.model_a = 'bot/random' AND r.round = 2 "
                "AND (r.changed_a = 1 OR r.changed_b = 1) ORDER BY m.match_id LIMIT 1"
            ).fetchone()
        out = ROOT / "docs" / "img"
        out.mkdir(parents=True, exist_ok=True)
        with Browser(work, width=1280, height=900) as browser:
            _shot(
                browser,
                (work / "r" / "report.html").as_uri() + "#leaderboard-section",
                out / "report.png",
                900,
            )
            _shot(browser, (work / "r" / "matches" / f"{match_id}.html").as_uri(), out / "match.png", 1400)


if __name__ == "__main__":
    main()
