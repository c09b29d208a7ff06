"""Single-threaded BLAS while the metrics run: :func:`single_threaded_blas`.

The bootstrap is many mid-sized matrix products (a cell's statistics times its matches' resample counts).
With OpenBLAS's default of one thread per core, a busy 2-core machine makes its worker threads wait for
each other: the same products then take 10–20 times longer than on one thread (measured: 15 products of
20 × 31,000 by 31,000 × 1,000 floats, 6.0 s on two threads against 0.32 s on one, while another process
kept a core busy). Nothing here changes a result: OpenBLAS splits a product by blocks of the output, so
each number is summed in the same order whatever the number of threads.

The thread count of every OpenBLAS library loaded in the process (numpy's and scipy's) is set through its
``openblas_set_num_threads`` entry point (the way ``threadpoolctl`` does it), and restored afterwards. On a
platform without them (no ``/proc/self/maps``, another BLAS), nothing is changed.
"""

from __future__ import annotations

import ctypes
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache, wraps
from typing import Any, Final, TypeVar

_PREFIXES: Final = ("scipy_openblas", "openblas")
_SUFFIXES: Final = ("64_", "")
_LOCK = threading.RLock()
_depth = 0

F = TypeVar("F", bound=Callable[..., Any])


def _loaded_openblas() -> list[str]:
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as fh:
            return sorted({line.split()[-1] for line in fh if "openblas" in line.lower() and ".so" in line})
    except OSError:
        return []


@cache
def _controls(libs: tuple[str, ...]) -> tuple[tuple[Any, Any], ...]:
    """``(get, set)`` thread-count functions of each loaded OpenBLAS library."""
    out = []
    mode = getattr(os, "RTLD_NOLOAD", 0) | getattr(os, "RTLD_LAZY", 0)
    for path in libs:
        try:
            lib = ctypes.CDLL(path, mode=mode)
        except OSError:
            continue
        for prefix in _PREFIXES:
            for suffix in _SUFFIXES:
                get = getattr(lib, f"{prefix}_get_num_threads{suffix}", None)
                put = getattr(lib, f"{prefix}_set_num_threads{suffix}", None)
                if get is not None and put is not None:
                    get.restype = ctypes.c_int
                    put.argtypes = [ctypes.c_int]
                    out.append((get, put))
                    break
            else:
                continue
            break
    return tuple(out)


@contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Run the block with one OpenBLAS thread (nested blocks and other threads share one setting)."""
    global _depth
    with _LOCK:
        controls = _controls(tuple(_loaded_openblas())) if _depth == 0 else ()
        saved = [(put, int(get())) for get, put in controls]
        for put, _ in saved:
            put(1)
        _depth += 1
    try:
        yield
    finally:
        with _LOCK:
            _depth -= 1
            for put, n in saved:
                put(n)


def blas_single(func: F) -> F:
    """Decorate ``func`` to run under :func:`single_threaded_blas`."""

    @wraps(func)
    def run(*args: Any, **kwargs: Any) -> Any:
        with single_threaded_blas():
            return func(*args, **kwargs)

    return run  # type: ignore[return-value]
