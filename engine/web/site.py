"""The served folders as the web page sees them: the teams (the latest assessment per team id, as the
sweep keeps it), where each team's file is, the invalid files, and where a new team's file goes.

Every request sees what is on disk now, also after an edit by hand or by `kader inlezen`: the state of
the served files (their names, sizes, modification times) and of the Kader folder (kader_fingerprint)
is read at every request (about a millisecond), and the sweep, the checks and other results made
from them are kept only for as long as that state stays the same. Requests that arrive together share
one sweep instead of each making its own (20 users at once made every page wait half a second)."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Callable

from kadertoets.model import Evaluation
from kadertoets.load.region import is_region_file
from kadertoets.sweep.discover import discover
from kadertoets.sweep.fingerprints import kader_fingerprint
from kadertoets.sweep.run import check_file, kader_dir_or_default
from kadertoets.sweep.sweep import Sweep, load_sweep

MAX_KEPT = 500  # results kept per state of the files (checks of teams, rendered texts); more: start again


class Site:
    """What `kader serve` serves: folders (or files) of assessments and a Kader folder."""

    def __init__(self, paths, kader_dir: Path | None = None):
        self.paths = tuple(Path(p) for p in paths)
        self.kader_dir = kader_dir
        self._lock = threading.Lock()  # one sweep at a time (the result cache is one database)
        self._state = None
        self._sweep: Sweep | None = None
        self._kept: dict = {}
        self._checks: dict = {}  # (file, what its check reads) -> Evaluation
        self.kaders: dict = {}  # the Kader versions loaded for the current Kader state (one load, not one per request)

    @property
    def kader_folder(self) -> Path:
        return kader_dir_or_default(self.kader_dir)

    def state(self) -> tuple:
        """What tells that a served file or the Kader changed."""
        files, invalid = discover(self.paths)
        stats = []
        for path in files:
            try:
                st = os.stat(path)
                stats.append((str(path), st.st_mtime_ns, st.st_size, st.st_ino))
            except OSError:
                stats.append((str(path), None))
        try:
            kader = kader_fingerprint(self.kader_folder)
        except Exception:  # a missing Kader folder: the sweep itself says what is wrong
            kader = None
        return tuple(stats), tuple(i.file for i in invalid), kader

    def _current(self) -> tuple:
        state = self.state()
        if state != self._state or state[2] is None:
            with self._lock:
                if state != self._state or state[2] is None:
                    if self._state is None or state[2] != self._state[2] or state[2] is None:
                        self.kaders = {}  # the Kader changed: load it again
                    self._sweep = load_sweep(self.paths, self.kader_dir)
                    self._state, self._kept = state, {}
        return self._state, self._sweep

    def sweep(self) -> Sweep:
        """The sweep of the served paths, exactly as `kader sweep PAD...` makes it."""
        return self._current()[1]

    def kept(self, key, make: Callable):
        """`make()`, kept for as long as the served files and the Kader stay as they are."""
        state, _ = self._current()
        kept = self._kept
        if key not in kept:
            value = make()
            if self._state == state:
                if len(kept) >= MAX_KEPT:
                    kept.clear()
                kept[key] = value
            return value
        return kept[key]

    def team(self, sweep: Sweep, team_id: str) -> Evaluation | None:
        for ev in sweep.evaluations:
            if ev.assessment.team.id == team_id:
                return ev
        return None

    def team_ids(self, sweep: Sweep) -> list[str]:
        return [ev.assessment.team.id for ev in sweep.evaluations]

    def check(self, ev: Evaluation) -> Evaluation:
        """The team's latest assessment checked exactly as `kader check BESTAND` checks it."""
        state, _ = self._current()
        path = Path(ev.assessment.file)
        folder, own = os.path.abspath(path.parent), os.path.abspath(path)
        # what the check reads: the file, the regional files beside it (sweep/run.py region_for), the Kader;
        # a save of another team leaves this check as it is
        reads = tuple(entry for entry in state[0] if entry[0] == own or (
            os.path.dirname(entry[0]) == folder and is_region_file(Path(entry[0]))))
        key = (own, reads, state[2])
        with self._lock:
            found = self._checks.get(key)
        if found is None:
            found = check_file(path, self.kader_dir, kaders=self.kaders)
            with self._lock:
                if len(self._checks) >= MAX_KEPT:
                    self._checks.clear()
                self._checks[key] = found
        return found

    def new_folder(self) -> Path:
        """Where a new team's assessment goes: the first served folder (or the folder of the first file)."""
        first = self.paths[0]
        return first if first.is_dir() else first.parent
