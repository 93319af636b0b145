"""When analyses run: one at a time, in one engine thread (the engine's caches belong to
the process and are not thread-safe), each with the large stack the runner gives it.

An edit re-schedules its document's analysis after a short pause (debounce); a newer
request cancels the older one, whether it is still waiting, queued or running (a running
one finishes in the engine thread, and its result is dropped).
"""

from __future__ import annotations

import asyncio
import gc
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Optional, TypeVar

from scopelint.runner import in_big_stack

T = TypeVar("T")
LOG = logging.getLogger(__name__)


class Scheduler:
    """Debounced analyses by key (a document URI), and any other work for the engine."""

    def __init__(self) -> None:
        self._engine = ThreadPoolExecutor(max_workers=1, thread_name_prefix="scopelint-engine")
        self._pending: dict[str, asyncio.Task[Any]] = {}

    def schedule(self, key: str, delay: float, job: Callable[[], Optional[Callable[[], T]]],
                 done: Callable[[T], None]) -> None:
        """After `delay` seconds, unless `key` is scheduled again before: `job()` (in the
        event loop) gives the work (None: nothing to do), which runs in the engine thread;
        `done` gets its result in the event loop."""
        self.cancel(key)
        self._pending[key] = asyncio.ensure_future(self._later(key, delay, job, done))

    async def settled(self, key: str, timeout: float) -> None:
        """Wait (at most `timeout` seconds) for the analysis scheduled for `key`, if any."""
        task = self._pending.get(key)
        if task is not None:
            await asyncio.wait({task}, timeout=timeout)

    def cancel(self, key: str) -> None:
        task = self._pending.pop(key, None)
        if task is not None:
            task.cancel()

    def cancel_all(self) -> None:
        for key in list(self._pending):
            self.cancel(key)

    async def run(self, work: Callable[[], T]) -> T:
        """Run `work` in the engine thread, after the work queued before it."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._engine, in_big_stack, lambda: _quietly(work))

    async def _later(self, key: str, delay: float,
                     job: Callable[[], Optional[Callable[[], T]]],
                     done: Callable[[T], None]) -> None:
        await asyncio.sleep(delay)
        try:
            work = job()
            if work is None:
                return
            result = await self.run(work)
        except Exception:  # noqa: BLE001 - a failure costs this analysis, not the server
            LOG.exception("scopelint: the analysis of %s failed", key)
            return
        finally:
            self._forget(key)
        done(result)

    def _forget(self, key: str) -> None:
        task = self._pending.get(key)
        if task is asyncio.current_task():
            del self._pending[key]

    def close(self) -> None:
        self.cancel_all()
        self._engine.shutdown(wait=False, cancel_futures=True)


def _quietly(work: Callable[[], T]) -> T:
    """`work` with the cyclic GC off, as the runner analyses (see `runner.analysing`)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        return work()
    finally:
        if collecting:
            gc.enable()
