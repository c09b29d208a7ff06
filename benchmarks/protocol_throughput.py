"""Runner + protocol throughput on the advgamebench preset's shape against a slow loopback provider.

The shape of ``stratagem run advgamebench`` — 12 models vs a 3-model panel, 3 games, 4 settings, 10 rounds,
shared initial plans: 432 matches — with every model served by the local provider server
(``harness.testing.provider_server``, in a child process so it does not share our GIL) answering each
request after 300 ms with a valid plan for the game and side named in the prompt (the game's greedy bot
plan). Provider concurrency 64.

Prints the wall time of the run, the ideal lower bound max(critical path, total calls x latency /
concurrency), their ratio (target <= 1.25), the runner's CPU time and its peak RSS (target <= 300 MB).
With ``--bare``, it also times the same number of calls through one bare ``openai`` SDK client against the
same server (no wrapper, protocol or store), in a fresh process, for context.

    python benchmarks/protocol_throughput.py [--latency 0.3] [--concurrency 64] [--rounds 10] [--bare]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

TARGET_RATIO = 1.25
TARGET_MB = 300.0
_HEAD = re.compile(r'You are playing (.+?) as the .+? side \(plan key "(\w+)"\)')
_TITLES = {"Tower Defense": "tower_defense", "Battle Card": "battle_card", "Elemental Duel": "elemental_duel"}


# ------------------------------------------------------------------------------------------ the server
def serve(latency: float) -> None:
    """Child process: serve plans after ``latency`` seconds until stdin closes, then print the counts."""
    from games.registry import get_game
    from harness.testing.provider_server import ProviderServer, Reply

    replies: dict[str, str] = {}

    def reply(record: Any) -> str:
        text = "\n".join(str(m.get("content", "")) for m in record.messages)
        m = _HEAD.search(text)
        if m is None:
            return "{}"
        key = m.group(1) + "/" + m.group(2)
        if key not in replies:
            game = get_game(_TITLES[m.group(1)], ruleset="v1")  # the advgamebench preset's ruleset
            side = next(s.key for s in game.sides if s.plan_key == m.group(2))
            replies[key] = "```json\n" + json.dumps(game.greedy_plan(side)) + "\n```"
        return replies[key]

    with ProviderServer(default=Reply.ok("{}"), delay_s=latency) as server:
        server.reply_fn = reply
        print(f"READY {server.base_url}", flush=True)
        sys.stdin.read()
        print(f"REQUESTS {server.count()} MAX_IN_FLIGHT {server.max_in_flight}", flush=True)


# ------------------------------------------------------------------------------------------ the run
def local_config(rounds: int, concurrency: int) -> Any:
    """The advgamebench preset with every model renamed ``local/<model>`` (served by the loopback)."""
    from harness.experiments import ExperimentConfig, load_preset

    data = load_preset("advgamebench").model_dump(mode="json", exclude_unset=True)

    def local(name: str) -> str:
        return "local/" + name.split("/")[-1]

    data["models"] = [local(m) for m in data["models"]]
    data["pairing"]["panel"] = [local(m) for m in data["pairing"]["panel"]]
    data["generation_overrides"] = {local(k): v for k, v in data["generation_overrides"].items()}
    data["protocol"]["rounds"] = rounds
    data["concurrency"] = {"local": concurrency}
    data["cache"] = {"mode": "off", "path": "unused.sqlite"}
    data["max_matches"] = 10_000  # every match in flight: the provider limit is the bottleneck
    return ExperimentConfig.model_validate(data)


def critical_path_calls(store: Any) -> tuple[int, int]:
    """(longest chain of sequential model calls in one match, total model calls)."""
    steps: dict[str, set[tuple[str, int, int]]] = defaultdict(set)
    total = 0
    sql = "SELECT match_id, phase, round, attempt FROM decisions WHERE reused=0 AND model LIKE 'local/%'"
    for r in store.query(sql):
        steps[r[0]].add((r[1], r[2], r[3]))  # both sides' initial attempts run concurrently: one step
        total += 1
    return max((len(s) for s in steps.values()), default=0), total


async def bare_sdk_calls(base_url: str, calls: int, concurrency: int) -> float:
    """Wall time of ``calls`` requests through the bare openai SDK (no wrapper, protocol or store).

    The floor this machine and server allow at this concurrency: the same server, prompts of the
    protocol's size (~9 KB), the same reply, the SDK's typed ``create`` on the aiohttp transport.
    The runner's overhead is its wall time over this one.
    """
    import openai

    prompt = 'You are playing Battle Card as the Defenders side (plan key "defenders"); ' + "x" * 9000
    client = openai.AsyncOpenAI(
        base_url=base_url, api_key="no-key", max_retries=0, http_client=openai.DefaultAioHttpClient()
    )
    sem = asyncio.Semaphore(concurrency)

    async def one() -> None:
        async with sem:
            await client.chat.completions.create(
                model="bare", messages=[{"role": "user", "content": prompt}], temperature=0.3, max_tokens=2048
            )

    t0 = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(calls)))
    wall = time.perf_counter() - t0
    await client.close()
    return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--latency", type=float, default=0.3)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument(
        "--bare", action="store_true", help="also time the same calls through one bare openai SDK client"
    )
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--bare-calls", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--base-url", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.latency)
        return
    if args.bare_calls:
        print(asyncio.run(bare_sdk_calls(args.base_url, args.bare_calls, args.concurrency)))
        return

    from harness.experiments import expand
    from harness.models.settings import ModelSettings, RetryPolicy
    from harness.runner import RunOptions, RunStats, run_jobs
    from harness.store import ResultStore

    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", "--latency", str(args.latency)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None and server.stdin is not None
    ready = server.stdout.readline().split()
    if not ready or ready[0] != "READY":
        raise SystemExit(f"server did not start: {ready}")
    base_url = ready[1] + "/v1"

    cfg = local_config(args.rounds, args.concurrency)
    jobs = expand(cfg)
    settings = ModelSettings(
        concurrency={"local": args.concurrency},
        base_urls={"local": base_url},
        retry=RetryPolicy(max_attempts=2, base_backoff_s=0.1),
    )
    before = resource.getrusage(resource.RUSAGE_SELF)
    rss_before = before.ru_maxrss / 1024
    cpu_before = before.ru_utime + before.ru_stime
    with tempfile.TemporaryDirectory() as tmp, ResultStore(Path(tmp) / "bench.sqlite") as store:
        run_id = store.start_run(cfg.name, "{}")
        stats = RunStats()
        t0 = time.perf_counter()
        run_jobs(
            jobs,
            store,
            run_id=run_id,
            options=RunOptions(max_matches=cfg.max_matches, model_settings=settings, progress=False),
            stats=stats,
        )
        wall = time.perf_counter() - t0
        chain, calls = critical_path_calls(store)
        counts = store.counts()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    rss_peak = usage.ru_maxrss / 1024
    cpu = usage.ru_utime + usage.ru_stime - cpu_before
    bare = None
    if args.bare:  # in a fresh process: its own event loop, GIL and client
        cmd = [
            sys.executable,
            __file__,
            "--bare-calls",
            str(calls),
            "--base-url",
            base_url,
            "--concurrency",
            str(args.concurrency),
        ]
        bare = float(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.split()[-1])
    server.stdin.close()
    tail = server.stdout.read().split()
    server.wait(timeout=30)
    served = int(tail[1]) - (calls if bare is not None else 0) if len(tail) >= 4 else -1
    max_in_flight = int(tail[3]) if len(tail) >= 4 else -1

    critical = chain * args.latency
    spread = calls * args.latency / args.concurrency
    ideal = max(critical, spread)
    ratio = wall / ideal if ideal > 0 else float("nan")
    done = f"{counts['finished']} finished, {counts['voided']} voided"
    print(f"matches: {len(jobs)} ({done}), rounds: {stats.rounds}")
    print(f"model calls: {calls} (server saw {served}, at most {max_in_flight} in flight)")
    print(f"failures: {stats.failures_text()}")
    print(f"critical path: {chain} sequential calls x {args.latency}s = {critical:.1f}s")
    print(f"calls x latency / concurrency: {calls} x {args.latency}s / {args.concurrency} = {spread:.1f}s")
    verdict = "OK" if ratio <= TARGET_RATIO else "MISSED"
    print(
        f"wall: {wall:.1f}s   ideal: {ideal:.1f}s   ratio: {ratio:.3f} (target <= {TARGET_RATIO})  {verdict}"
    )
    if bare is not None:
        print(
            f"the same {calls} calls through the bare openai SDK (no protocol, no store): {bare:.1f}s"
            f" -> runner / bare SDK: {wall / bare:.2f}"
        )
    print(f"runner CPU time during the run: {cpu:.1f}s ({cpu / wall:.0%} of wall)")
    print(f"machine load average (1 min) at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(
        f"runner peak RSS: {rss_peak:.0f} MB (after imports, before the run: {rss_before:.0f} MB;"
        f" target <= {TARGET_MB:.0f} MB)  {'OK' if rss_peak <= TARGET_MB else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
