"""Loading only loads: the semantic checks (the rules' examples, the norm check) are an explicit step
(validate/semantic.py) that check, plan, sweep and trend call; loading a Kader does not import the
self-test machinery, and lint reads every rule file once (positions stay on the model)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

from conftest import ROOT


def test_loading_a_kader_imports_no_validation_machinery():
    code = ("import sys; from kadertoets.load.kader import load_kader; k = load_kader(sys.argv[1], '1.0'); "
            "assert len(k.rules) > 20; import json; print(json.dumps(sorted(m for m in sys.modules)))")
    done = subprocess.run([sys.executable, "-c", code, str(ROOT)], capture_output=True, text=True, timeout=60,
                          cwd=ROOT.parent)
    assert done.returncode == 0, done.stderr
    loaded = json.loads(done.stdout)
    assert not [m for m in loaded if m.startswith(("kadertoets.validate", "kadertoets.editors", "kadertoets.render",
                                                   "kadertoets.sweep"))], loaded


def test_lint_reads_every_rule_file_once(monkeypatch):
    from kadertoets.editors import lint as lint_module
    from kadertoets.infra import yamlload
    from kadertoets.load import kader as kader_module

    reads: Counter = Counter()
    real = yamlload.load_yaml_file

    def counting(path, *args, **kwargs):
        reads[Path(path).resolve()] += 1
        return real(path, *args, **kwargs)

    for module in (lint_module, kader_module):
        monkeypatch.setattr(module, "load_yaml_file", counting)
    kader_module._CACHE.clear()
    report = lint_module.lint(ROOT)
    assert report.errors == 0
    rule_files = {p.resolve() for p in (ROOT / "rules").glob("*.yaml")}
    assert rule_files and {p: reads[p] for p in rule_files} == {p: 1 for p in rule_files}
