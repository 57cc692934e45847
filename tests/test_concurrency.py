"""predict from many threads at once, and the thread-safe loading of the default model."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

import autoclass.api as api
from autoclass import ModelNotFoundError
from tests.conftest import CLI_PAGES

THREADS = 16

# 64 distinct pages of different lengths, so that threads run different work side by side.
PAGES = [
    "\n".join(CLI_PAGES[i % len(CLI_PAGES)].splitlines()[: 1 + i % 4] + [f"Story {i}", "Share"] * (i % 5))
    for i in range(64)
]


def _racing(fn, n: int = THREADS) -> list:
    """Call ``fn`` from ``n`` threads released at the same instant; their results."""
    barrier = threading.Barrier(n)

    def call():
        barrier.wait()
        return fn()

    with ThreadPoolExecutor(n) as pool:
        futures = [pool.submit(call) for _ in range(n)]
        return [f.result() for f in futures]


def test_predict_from_many_threads_equals_serial_calls(default_model):
    serial = [api.predict(page) for page in PAGES]
    with ThreadPoolExecutor(THREADS) as pool:
        for _ in range(3):
            assert list(pool.map(api.predict, PAGES * 4)) == serial * 4


def test_predict_many_from_many_threads_equals_serial_calls(default_model):
    serial = [api.predict(page) for page in PAGES]
    results = _racing(lambda: list(api.predict_many(PAGES, batch_size=7)))
    assert all(result == serial for result in results)


def test_the_default_model_is_loaded_once_by_racing_threads(monkeypatch, default_model):
    calls = []

    def slow_load(path=None):
        calls.append(threading.get_ident())
        time.sleep(0.2)  # widens the race: every thread arrives during the load
        return default_model

    monkeypatch.setattr(api, "load_model", slow_load)
    monkeypatch.setattr(api, "_default", None)
    models = _racing(api.default_model)
    assert len(calls) == 1
    assert all(model is default_model for model in models)
    assert api.default_model() is default_model and len(calls) == 1


def test_a_failed_load_is_not_cached(monkeypatch, default_model):
    outcomes = iter([ModelNotFoundError("no model yet: run `make train`")])

    def flaky_load(path=None):
        error = next(outcomes, None)
        if error is not None:
            raise error
        return default_model

    monkeypatch.setattr(api, "load_model", flaky_load)
    monkeypatch.setattr(api, "_default", None)
    with pytest.raises(ModelNotFoundError, match="make train"):
        api.predict("Nio delivers cars")
    assert api.predict("Nio delivers cars") == default_model.predict("Nio delivers cars")
