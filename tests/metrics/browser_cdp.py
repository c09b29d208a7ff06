"""A tiny Chrome DevTools Protocol client for the report's browser tests (headless Debian chromium).

It talks to chromium over ``--remote-debugging-pipe`` (NUL-separated JSON on fds 3 and 4), so it needs no
websocket library, no open port and no network. Waits are bounded by message counts and a generous
deadline that only guards against a hung browser: no assertion depends on how long anything takes.

Usage::

    with Browser(tmp_path) as browser:
        page = browser.open(path.as_uri())
        assert page.eval("document.title") == "..."
        assert page.console_errors == []
        page.screenshot(tmp_path / "shot.png")
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import shutil
import subprocess
from pathlib import Path
from types import TracebackType
from typing import Any

#: Only guards against a hung browser (a failed test, never a timing check).
DEADLINE_S = 120.0

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--remote-debugging-pipe",
)


def keep_artifact(path: Path) -> Path:
    """Copy ``path`` (a screenshot) to $STRATAGEM_TEST_ARTIFACTS (set by ``.ci/run``) for the run to keep."""
    target = os.environ.get("STRATAGEM_TEST_ARTIFACTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(target) / path.name)
    return path


def chromium_binary() -> str | None:
    """Debian's chromium, if installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


class CDPError(RuntimeError):
    """The browser answered a command with an error, or went away."""


class Page:
    """One tab, attached in flat mode (its session id rides on every message)."""

    def __init__(self, browser: Browser, session: str) -> None:
        self._browser = browser
        self._session = session
        #: Console errors, uncaught exceptions and browser log errors (CSP violations included).
        self.console_errors: list[str] = []

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        """Send a command to this tab and return its result."""
        return self._browser.send(method, session=self._session, **params)

    def _on_event(self, message: dict[str, Any]) -> None:
        method, params = message.get("method"), message.get("params", {})
        if method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            self.console_errors.append(str(details.get("exception", {}).get("description") or details))
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            self.console_errors.append(" ".join(str(a.get("value", a)) for a in params.get("args", [])))
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            self.console_errors.append(str(params["entry"].get("text")))

    def eval(self, expression: str) -> Any:
        """Evaluate ``expression`` in the page and return its value (JSON-serialisable results only)."""
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise CDPError(f"{expression!r} threw: {result['exceptionDetails']}")
        return result.get("result", {}).get("value")

    def navigate(self, url: str) -> None:
        """Load ``url`` and wait for its load event."""
        self.send("Page.navigate", url=url)
        self._browser.wait_event("Page.loadEventFired", self._session)

    def screenshot(self, path: Path) -> Path:
        """Save a PNG of the whole page (beyond the window) to ``path``."""
        data = self.send("Page.captureScreenshot", format="png", captureBeyondViewport=True)["data"]
        path.write_bytes(base64.b64decode(data))
        return path


class Browser:
    """A headless chromium process driven over its debugging pipe."""

    def __init__(self, workdir: Path, width: int = 1280, height: int = 900) -> None:
        binary = chromium_binary()
        if binary is None:
            raise CDPError("chromium is not installed")
        self.width, self.height = width, height
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()

        def fds() -> None:  # chromium reads commands on fd 3 and writes replies on fd 4
            # Through fresh copies: a pipe end may itself be fd 3 or 4, where dup2 would do nothing.
            read_end, write_end = os.dup(to_child_r), os.dup(from_child_w)
            os.dup2(read_end, 3)
            os.dup2(write_end, 4)
            os.set_inheritable(3, True)
            os.set_inheritable(4, True)

        self._proc = subprocess.Popen(
            [binary, *FLAGS, f"--user-data-dir={workdir / 'chromium-profile'}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=fds,
            pass_fds=(3, 4),
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self._buffer = b""
        self._next_id = 0
        self._pages: dict[str, Page] = {}
        self._pending: list[dict[str, Any]] = []

    # ------------------------------------------------------------------------------------------ wire
    def _read_message(self) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            ready, _, _ = select.select([self._from_child], [], [], DEADLINE_S)
            if not ready:
                raise CDPError(f"chromium sent nothing for {DEADLINE_S:.0f} s (hung?)")
            chunk = os.read(self._from_child, 1 << 16)
            if not chunk:
                raise CDPError("chromium closed its debugging pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        message: dict[str, Any] = json.loads(raw)
        page = self._pages.get(message.get("sessionId", ""))
        if page is not None and "method" in message:
            page._on_event(message)
        return message

    def send(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        """Send a command (to the browser, or to a tab's session) and wait for its answer."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._to_child, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read_message()
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise CDPError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result
            if "method" in reply:
                self._pending.append(reply)

    def wait_event(self, method: str, session: str) -> dict[str, Any]:
        """Wait for the event ``method`` of ``session`` (events already received count)."""
        for i, event in enumerate(self._pending):
            if event.get("method") == method and event.get("sessionId") == session:
                return self._pending.pop(i)
        while True:
            message = self._read_message()
            if message.get("method") == method and message.get("sessionId") == session:
                return message

    # ------------------------------------------------------------------------------------------ pages
    def open(self, url: str) -> Page:
        """A new tab of the browser's window size showing ``url`` (loaded)."""
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        page = Page(self, session)
        self._pages[session] = page
        for domain in ("Page", "Runtime", "Log"):
            page.send(f"{domain}.enable")
        page.send(
            "Emulation.setDeviceMetricsOverride",
            width=self.width,
            height=self.height,
            deviceScaleFactor=1,
            mobile=False,
        )
        page.navigate(url)
        return page

    def close(self) -> None:
        """Close the browser (and kill it if it does not go)."""
        with contextlib.suppress(CDPError, OSError):
            if self._proc.poll() is None:
                self.send("Browser.close")
        try:
            self._proc.wait(timeout=DEADLINE_S)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        for fd in (self._to_child, self._from_child):
            with contextlib.suppress(OSError):
                os.close(fd)

    def __enter__(self) -> Browser:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
