"""The served folders as the web page sees them: the teams (the latest assessment per team id, as the
sweep keeps it), where each team's file is, the invalid files, and where a new team's file goes.

Every call reads the files again (through the sweep's result cache, which is keyed on their content),
so the page shows what is on disk, also after an edit by hand or by `kader inlezen`."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

from kadertoets.infra.records import record
from kadertoets.model import Evaluation
from kadertoets.sweep.run import check_file, kader_dir_or_default
from kadertoets.sweep.sweep import Sweep, load_sweep


@record
class Site:
    """What `kader serve` serves: folders (or files) of assessments and a Kader folder."""

    paths: tuple[Path, ...]
    kader_dir: Path | None = None

    @property
    def kader_folder(self) -> Path:
        return kader_dir_or_default(self.kader_dir)

    def sweep(self, until: dt.date | None = None) -> Sweep:
        """The sweep of the served paths, exactly as `kader sweep PAD...` makes it."""
        with _sweep_lock:  # the result cache is one database: one sweep at a time fills it
            return load_sweep(self.paths, self.kader_dir, None, until)

    def team(self, sweep: Sweep, team_id: str) -> Evaluation | None:
        for ev in sweep.evaluations:
            if ev.assessment.team.id == team_id:
                return ev
        return None

    def team_ids(self, sweep: Sweep) -> list[str]:
        return [ev.assessment.team.id for ev in sweep.evaluations]

    def check(self, ev: Evaluation) -> Evaluation:
        """The team's latest assessment checked exactly as `kader check BESTAND` checks it."""
        return check_file(Path(ev.assessment.file), self.kader_dir)

    def new_folder(self) -> Path:
        """Where a new team's assessment goes: the first served folder (or the folder of the first file)."""
        first = self.paths[0]
        return first if first.is_dir() else first.parent


_sweep_lock = threading.Lock()
