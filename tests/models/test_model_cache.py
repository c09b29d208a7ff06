"""The response cache: hits, sample indices, replay-only misses, concurrency, no secrets stored."""

from __future__ import annotations

import asyncio
import dataclasses
import multiprocessing
import sqlite3
import threading

import pytest
from models_support import CONFIG, MESSAGES, SDK_MODELS, with_

from harness.models import CacheMiss, ChatMessage, Completion, Usage, get_model
from harness.models.cache import ResponseCache, cache_key, canonical_request, open_cache
from harness.testing.provider_server import Reply

OPENAI = SDK_MODELS["openai"]


def test_read_write_second_call_is_a_hit_with_stored_usage_and_cost(server, settings, events):
    rw = with_(settings, cache_mode="read-write")
    server.enqueue(Reply.ok("cached answer", input_tokens=1000, output_tokens=100))
    model = get_model(OPENAI, rw)

    async def twice():
        return await model.generate(MESSAGES, CONFIG), await model.generate(MESSAGES, CONFIG)

    first, second = asyncio.run(twice())
    assert server.count() == 1
    assert not first.cache_hit and second.cache_hit
    assert second.text == first.text == "cached answer"
    assert second.usage == first.usage == Usage(1000, 100, 0)
    assert second.cost_usd == first.cost_usd == pytest.approx((1000 * 2.5 + 100 * 10.0) / 1e6)
    assert second.attempts == 0 and second.latency_s == 0.0
    assert second.model == OPENAI
    assert [e.kind for e in events] == ["attempt", "cache_hit"]


def test_sample_index_and_generation_settings_are_part_of_the_key(server, settings):
    rw = with_(settings, cache_mode="read-write")
    model = get_model(OPENAI, rw)

    async def calls():
        await model.generate(MESSAGES, CONFIG)
        await model.generate(MESSAGES, CONFIG, sample_index=1)  # a new sample
        await model.generate(MESSAGES, dataclasses.replace(CONFIG, temperature=0.9))  # a new request
        await model.generate(MESSAGES, dataclasses.replace(CONFIG, response_schema={"type": "object"}))
        await model.generate(MESSAGES, dataclasses.replace(CONFIG, timeout_s=99))  # same request: a hit
        await model.generate(MESSAGES, CONFIG, sample_index=1)  # hit

    asyncio.run(calls())
    assert server.count() == 4


def test_variant_params_are_part_of_the_key(server, settings):
    rw = with_(settings, cache_mode="read-write")
    asyncio.run(get_model(OPENAI, rw).generate(MESSAGES, CONFIG))
    asyncio.run(get_model(OPENAI + "@reasoning_effort=high", rw).generate(MESSAGES, CONFIG))
    assert server.count() == 2
    assert server.requests[1].body["reasoning_effort"] == "high"


def test_replay_only_miss_names_the_request_and_makes_no_call(server, settings):
    replay = with_(settings, cache_mode="replay-only")
    with pytest.raises(CacheMiss) as info:
        asyncio.run(get_model(OPENAI, replay).generate(MESSAGES, CONFIG, sample_index=3))
    message = str(info.value)
    assert OPENAI in message and "sample 3" in message and "Say hello to the test suite." in message
    assert server.count() == 0


def test_replay_only_serves_a_recorded_cassette_without_keys(server, settings, monkeypatch):
    asyncio.run(get_model(OPENAI, with_(settings, cache_mode="read-write")).generate(MESSAGES, CONFIG))
    monkeypatch.delenv("OPENAI_API_KEY")
    server.clear()
    replayed = asyncio.run(
        get_model(OPENAI, with_(settings, cache_mode="replay-only")).generate(MESSAGES, CONFIG)
    )
    assert replayed.cache_hit and replayed.text == "ok"
    assert server.count() == 0


def test_refusals_and_truncations_are_cached_too(server, settings):
    rw = with_(settings, cache_mode="read-write")
    server.enqueue(Reply.refusal(), Reply.length("cut"))
    model = get_model(OPENAI, rw)
    other = [ChatMessage("user", "another prompt")]

    async def calls():
        return [
            await model.generate(MESSAGES, CONFIG),
            await model.generate(other, CONFIG),
            await model.generate(MESSAGES, CONFIG),
            await model.generate(other, CONFIG),
        ]

    _, _, refused_again, cut_again = asyncio.run(calls())
    assert (refused_again.finish_reason, refused_again.cache_hit) == ("refused", True)
    assert (cut_again.finish_reason, cut_again.text, cut_again.cache_hit) == ("length", "cut", True)
    assert server.count() == 2


def test_many_concurrent_tasks_share_one_cache(server, settings):
    rw = with_(settings, cache_mode="read-write")
    model = get_model(OPENAI, rw)

    async def burst():
        prompts = [[ChatMessage("user", f"prompt {i}")] for i in range(40)]
        await asyncio.gather(*(model.generate(p, CONFIG) for p in prompts))
        return await asyncio.gather(*(model.generate(p, CONFIG) for p in prompts))

    again = asyncio.run(burst())
    assert all(c.cache_hit for c in again)
    assert server.count() == 40
    assert len(open_cache(settings.cache_path)) == 40


def _write_rows(path, worker):
    cache = ResponseCache(path)
    for i in range(25):
        request = {"provider": "scripted", "model": "w", "worker": worker, "i": i}
        cache.put(
            cache_key(request, 0), request, 0, Completion(f"{worker}-{i}", "stop", Usage(1, 1), "scripted/w")
        )
    cache.close()


def test_several_processes_can_write_one_cassette(tmp_path):
    path = tmp_path / "shared.sqlite"
    ResponseCache(path).close()
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_write_rows, args=(path, w)) for w in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=30)
    assert [p.exitcode for p in procs] == [0, 0, 0]
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM responses").fetchone()[0] == 75
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_key_is_stable_and_ignores_the_timeout():
    a = canonical_request("openai", "m", {}, MESSAGES, CONFIG)
    b = canonical_request("openai", "m", {}, MESSAGES, dataclasses.replace(CONFIG, timeout_s=1))
    assert cache_key(a, 0) == cache_key(b, 0)
    assert cache_key(a, 0) != cache_key(a, 1)
    # Golden: the key must not change between versions, or every recorded cassette goes stale.
    assert cache_key({"provider": "p", "model": "m"}, 0) == (
        "3a011d284477b1ceb8e16fd64b81b6aa6558490d67b2bb196301e34aace409a5"
    )


def reply_once_all_looked_up(monkeypatch, server, n_calls, replies):
    """Hold each reply until ``n_calls`` calls have looked the request up in the cache.

    A call looks the request up and then, with no await in between, either finds an identical call in
    flight (and waits for it) or becomes that call. Holding the first reply until every call has looked
    makes all but one of them wait for it on any machine speed; which one leads is up to the scheduler,
    so the tests do not assume it is the first.
    """
    looked, all_looked = [], threading.Event()
    real_aget = ResponseCache.aget

    async def counting_aget(self, key):
        hit = await real_aget(self, key)
        looked.append(hit)
        if len(looked) >= n_calls:
            all_looked.set()
        return hit

    monkeypatch.setattr(ResponseCache, "aget", counting_aget)
    queue = iter(replies)

    def reply(_request):
        all_looked.wait(60)  # a safety timeout only: the look-ups take milliseconds
        return next(queue)

    server.reply_fn = reply


def test_identical_requests_in_flight_make_one_call(server, settings, events, monkeypatch):
    """Two matches asking the same thing at once get the one answer a replay would give them both."""
    rw = with_(settings, cache_mode="read-write")
    reply_once_all_looked_up(monkeypatch, server, 3, [Reply.ok("only once"), Reply.ok("a second call")])
    model = get_model(OPENAI, rw)

    async def together():
        return await asyncio.gather(*(model.generate(MESSAGES, CONFIG) for _ in range(3)))

    results = asyncio.run(together())
    assert server.count() == 1
    assert [c.text for c in results] == ["only once"] * 3
    assert sorted(c.cache_hit for c in results) == [False, True, True]
    (leader,) = [c for c in results if not c.cache_hit]
    assert all(c.usage == leader.usage and c.cost_usd == leader.cost_usd for c in results)
    assert sorted(e.kind for e in events) == ["attempt", "cache_hit", "cache_hit"]


def test_when_the_call_in_flight_fails_the_waiting_one_makes_its_own(server, settings, monkeypatch):
    rw = with_(settings, cache_mode="read-write")
    reply_once_all_looked_up(monkeypatch, server, 2, [Reply.error(400), Reply.ok("second try")])
    model = get_model(OPENAI, rw)

    async def together():
        return await asyncio.gather(
            *(model.generate(MESSAGES, CONFIG) for _ in range(2)), return_exceptions=True
        )

    outcomes = asyncio.run(together())
    assert server.count() == 2
    failed = [o for o in outcomes if isinstance(o, Exception)]
    done = [o for o in outcomes if isinstance(o, Completion)]
    assert len(failed) == 1  # the 400 is fatal: no retry, nothing cached
    assert len(done) == 1 and done[0].text == "second try" and not done[0].cache_hit
