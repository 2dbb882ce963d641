"""The regional files among the paths of a sweep or trend: recognised by name (regio*.yaml, as `check`
finds them beside a team's file), read once, validated per Kader version, and the one in force given
to each team's evaluation.

Fail closed: when a regional file is invalid it is reported (exit 2) and no team reads any regional
state, so requirements waiting on the region are onbekend rather than decided on a partial picture.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from kadertoets.infra.errors import KaderFout
from kadertoets.infra.located import Node
from kadertoets.load.region import build_region, in_force, is_region_file  # noqa: F401  (re-exported)
from kadertoets.model import Kader, RegionAssessment
from kadertoets.sweep.cache import parse_raw, read_file
from kadertoets.sweep.discover import Invalid


class RegionFiles:
    """The regional files of one sweep: their trees, and per Kader version their validated states.
    Picklable (a worker process rebuilds its per-version states from the trees)."""

    def __init__(self, files: list[tuple[Path, str]]):
        self.trees: list[tuple[str, object]] = []
        self.problems: list[Invalid] = []
        keys = []
        for path, shown in files:
            try:
                raw, key = read_file(path)
                self.trees.append((shown, parse_raw(raw, path, shown)))
                keys.append(key)
            except KaderFout as exc:
                self.problems.append(Invalid(shown, tuple(exc.problems)))
        # what the regional files contribute to every team's outcome, for the result cache's key
        self.digest = hashlib.sha256("\0".join(sorted(keys)).encode()).hexdigest() if files else ""
        self._states: dict = {}

    def __getstate__(self):
        return {"trees": self.trees, "problems": self.problems, "digest": self.digest, "_states": {}}

    def states(self, kader: Kader) -> tuple[RegionAssessment, ...] | None:
        """Every regional file validated against `kader`; None when one is invalid (or two share a
        peildatum) for it: then no team reads a regional state (fail closed)."""
        return self._checked(kader)[0]

    def problems_for(self, kader: Kader) -> list[Invalid]:
        """The regional files that cannot be used with `kader`, each with its problems (to report)."""
        return self.problems + self._checked(kader)[1]

    def _checked(self, kader: Kader) -> tuple:
        """(states or None, problems) for `kader`: every file validated once per Kader and process."""
        found = self._states.get(id(kader))
        if found is None or found[0] is not kader:
            found = self._states[id(kader)] = (kader, *self._validate(kader))
        return found[1:]

    def _validate(self, kader: Kader) -> tuple:
        if self.problems or not kader.region_questions:
            return (None if self.problems else ()), []
        loaded, problems = [], []
        for shown, tree in self.trees:
            try:
                loaded.append(build_region(Node(tree, shown), kader))
            except KaderFout as exc:
                problems.append(Invalid(shown, tuple(exc.problems)))
        for day in sorted({r.reference_date for r in loaded}):  # two files with one peildatum
            try:
                in_force(loaded, day)
            except KaderFout as exc:
                problems.append(Invalid(exc.problems[0].file, tuple(exc.problems)))
        return (None if problems else tuple(loaded)), problems

    def in_force(self, kader: Kader, day: dt.date) -> RegionAssessment | None:
        """The regional state in force on `day` for a team evaluated with `kader` (None: none, or unusable)."""
        states = self.states(kader)
        return in_force(list(states), day) if states else None

    def used(self, kader: Kader) -> tuple[RegionAssessment, ...]:
        return self.states(kader) or ()


NO_REGION_FILES = RegionFiles([])
