"""Overhead of the Model wrapper over the bare openai SDK, against a local server answering instantly.

Target: wrapper calls/s >= 0.9 x bare SDK calls/s at concurrency 64 (cache off). The fake server runs in
a child process, so it does not share the client's interpreter lock; the bare SDK gets the same aiohttp
transport as the wrapper (``harness/models/adapters/sdk_clients.py``); rounds alternate bare / wrapper and
the median of each is compared, so drift in machine load hits both alike.

    python benchmarks/model_overhead.py [--calls 500] [--rounds 8] [--concurrency 64]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

TARGET = 0.9


def start_server() -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "harness.testing.provider_server", "--text", "ok"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    if not line.startswith("READY "):
        proc.kill()
        raise RuntimeError(f"fake server did not start: {line!r}")
    return proc, line.split(" ", 1)[1] + "/v1"


async def measure(call: Callable[[], Awaitable[object]], calls: int, concurrency: int) -> tuple[float, float]:
    """Calls/s of ``call`` made ``calls`` times by ``concurrency`` workers, and client CPU ms per call."""
    remaining = calls

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            await call()

    start, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return calls / (time.perf_counter() - start), (time.process_time() - cpu) * 1000 / calls


Rates = list[tuple[float, float]]


async def run(base_url: str, calls: int, rounds: int, concurrency: int) -> tuple[Rates, Rates]:
    import openai

    from harness.models import ChatMessage, GenerateConfig, ModelSettings, get_model

    messages = [ChatMessage("system", "You are terse."), ChatMessage("user", "Say ok.")]
    config = GenerateConfig(temperature=0.3, top_p=1.0, max_tokens=16, timeout_s=30)
    # The strictest baseline: the SDK on the same aiohttp transport the wrapper uses (its default httpx
    # transport is several times slower per call at this concurrency, which would flatter the wrapper).
    client = openai.AsyncOpenAI(base_url=base_url, max_retries=0, http_client=openai.DefaultAioHttpClient())
    settings = ModelSettings(
        cache_mode="off", base_urls={"openai": base_url}, concurrency={"openai": concurrency}
    )
    model = get_model("openai/bench-model", settings)
    raw_messages: list[Any] = [m.to_dict() for m in messages]

    async def bare() -> object:
        return await client.chat.completions.create(
            model="bench-model", messages=raw_messages, max_completion_tokens=16, temperature=0.3, top_p=1.0,
            timeout=30,
        )  # fmt: skip

    async def wrapped() -> object:
        return await model.generate(messages, config)

    await measure(bare, 300, concurrency)  # warm-up: connections, lazy imports
    await measure(wrapped, 300, concurrency)
    bare_rates: Rates = []
    wrapped_rates: Rates = []
    for index in range(rounds):
        # Alternate which goes first, so a drift in machine load does not favour either.
        order = [(bare, bare_rates), (wrapped, wrapped_rates)]
        for call, rates in order if index % 2 == 0 else order[::-1]:
            rates.append(await measure(call, calls, concurrency))
    await client.close()
    return bare_rates, wrapped_rates


async def wrapper_alone(calls: int, concurrency: int) -> float:
    """Microseconds per call of the wrapper around an adapter that answers at once (no HTTP at all)."""
    from harness.models import ChatMessage, GenerateConfig, ModelSettings, get_model, register_script

    register_script("bench-instant", lambda messages: "ok")
    model = get_model("scripted/bench-instant", ModelSettings(default_concurrency=concurrency))
    messages, config = [ChatMessage("user", "Say ok.")], GenerateConfig(max_tokens=16)
    rate, _ = await measure(lambda: model.generate(messages, config), calls, concurrency)
    return 1e6 / rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=500, help="calls per round")
    parser.add_argument("--rounds", type=int, default=8, help="rounds of each kind, interleaved")
    parser.add_argument("--concurrency", type=int, default=64)
    args = parser.parse_args()
    os.environ.setdefault("OPENAI_API_KEY", "bench-not-a-key")
    proc, base_url = start_server()
    try:
        bare, wrapped = asyncio.run(run(base_url, args.calls, args.rounds, args.concurrency))
        alone_us = asyncio.run(wrapper_alone(5000, args.concurrency))
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=10)
    bare_median = statistics.median(rate for rate, _ in bare)
    wrapped_median = statistics.median(rate for rate, _ in wrapped)
    bare_cpu = statistics.median(cpu for _, cpu in bare)
    wrapped_cpu = statistics.median(cpu for _, cpu in wrapped)
    ratio = wrapped_median / bare_median
    print(
        f"concurrency {args.concurrency}, {args.rounds} interleaved rounds of {args.calls} calls each, "
        "server answering instantly (child process), cache off"
    )
    for label, median, cpu, rounds in (
        ("bare openai SDK", bare_median, bare_cpu, bare),
        ("Model wrapper  ", wrapped_median, wrapped_cpu, wrapped),
    ):
        spread = ", ".join(f"{rate:.0f}" for rate, _ in rounds)
        print(f"{label}: {median:8.1f} calls/s median, client CPU {cpu:.2f} ms/call  (rounds: {spread})")
    print(f"wrapper alone (scripted adapter, no HTTP): {alone_us:.0f} us/call")
    verdict = "PASS" if ratio >= TARGET else "FAIL"
    print(f"ratio wrapper/bare = {ratio:.3f}  (target >= {TARGET})  {verdict}")


if __name__ == "__main__":
    main()
