"""Work through many assessment files fast: in worker processes when there are many (the sweep
parses through the cache, validates and evaluates there), with a progress bar on stderr for long
runs (only on a terminal). Results come back in the order of the files, whatever the parallelism did."""

from __future__ import annotations

import os
from collections import deque
import sys


PARALLEL_THRESHOLD = 50  # fewer files: parse in this process (no start-up cost)
PROGRESS_THRESHOLD = 200  # fewer files: no progress bar
CHUNK = 64  # files per task: big enough to amortise the hand-over, small enough to balance


def _workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def run_chunks(files: list, work, progress: bool | None = None, threshold: int | None = None,
               workers: int | None = None, serial_work=None, prepare=None):
    """Yield (item, result) for every item, in order, where `work(list of items)` gives the results;
    in worker processes when there are more than `threshold` items (`serial_work` in this process).
    `prepare(list of items)`, when given, runs in this process just before a chunk is handed out and
    gives what `work` receives instead (so data looked up for a chunk is held only while it is in flight)."""
    prepare = prepare or (lambda chunk: chunk)
    threshold = PARALLEL_THRESHOLD if threshold is None else threshold
    workers = workers or _workers()
    if progress is None:
        progress = len(files) >= PROGRESS_THRESHOLD and sys.stderr.isatty()
    bar = _Bar(len(files)) if progress else None
    try:
        pool = None
        if len(files) > threshold and workers >= 2 and len(files) >= 2:
            size = max(1, min(CHUNK, -(-len(files) // (workers * 4))))
            chunks = [files[i:i + size] for i in range(0, len(files), size)]
            pool = _pool(min(workers, len(chunks)))
        if pool is None:  # few files, one core, or no worker processes possible here
            for path in files:
                (result,) = (serial_work or work)(prepare([path]))
                if bar:
                    bar.advance(1)
                yield path, result
            return
        ahead = 3 * workers  # chunks in flight: keeps the workers busy without holding every tree
        with pool:
            pending = deque(pool.submit(work, prepare(c)) for c in chunks[:ahead])
            for i, chunk in enumerate(chunks):
                results = pending.popleft().result()
                if i + ahead < len(chunks):
                    pending.append(pool.submit(work, prepare(chunks[i + ahead])))
                if bar:
                    bar.advance(len(chunk))
                yield from zip(chunk, results)
    finally:
        if bar:
            bar.stop()


def _pool(workers: int):
    """A pool of worker processes, or None when this system cannot make one (no /dev/shm for its
    locks, no permission for a semaphore): the files are then worked through in this process."""
    try:
        from concurrent.futures import ProcessPoolExecutor  # only here: its import costs ~10 ms

        return ProcessPoolExecutor(max_workers=workers)
    except (OSError, ImportError, NotImplementedError):
        return None


class _Bar:
    """A rich progress bar on stderr."""

    def __init__(self, total: int):
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self._progress = Progress(TextColumn("Assessments lezen"), BarColumn(), MofNCompleteColumn(),
                                  TimeRemainingColumn(), console=Console(stderr=True), transient=True)
        self._task = self._progress.add_task("lezen", total=total)
        self._progress.start()

    def advance(self, n: int) -> None:
        self._progress.advance(self._task, n)

    def stop(self) -> None:
        self._progress.stop()
