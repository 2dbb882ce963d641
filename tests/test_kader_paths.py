"""Every path a Kader names stays inside the Kader folder, after resolving symbolic links; an error
about such a path never shows the content of the file it pointed at."""

from __future__ import annotations

import os
import shutil

import pytest
from click.testing import CliRunner

from kadertoets import cli
from conftest import ROOT

TEAM = ROOT / "assessments" / "bunschoten-2023-03.yaml"
SECRET = "root:x:0:0:geheim-wachtwoord-123:/root:/bin/bash"


@pytest.fixture
def setup(tmp_path):
    """A copy of the bundled Kader, and beside it (outside it) a secret file that reads as YAML."""
    kader = tmp_path / "kaderkopie"
    shutil.copytree(ROOT / "kader", kader / "kader")
    shutil.copytree(ROOT / "rules", kader / "rules")
    secret = tmp_path / "geheim.yaml"
    secret.write_text(f"{SECRET}\n", encoding="utf-8")
    secret_dir = tmp_path / "elders"
    shutil.copytree(ROOT / "rules", secret_dir)
    return kader, secret, secret_dir


def edit_manifest(kader, old, new):
    manifest = kader / "kader" / "1.0.yaml"
    text = manifest.read_text(encoding="utf-8")
    assert old in text
    manifest.write_text(text.replace(old, new, 1), encoding="utf-8")


def relative_to_kader(kader, target) -> str:
    return os.path.relpath(target, kader / "kader")


def run_all(kader):
    """check and lint on the Kader; both must refuse it with exit 2 and no trace of the secret."""
    outputs = []
    for args in (["check", TEAM], ["lint"], ["plan", TEAM]):  # SWEEP-TODO
        result = CliRunner().invoke(cli.main, [str(a) for a in args] + ["--kader-dir", str(kader)])
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        assert result.exit_code == 2, (args, result.output)
        assert "geheim-wachtwoord" not in result.output and "root:x" not in result.output, result.output
        outputs.append(result.output)
    return outputs


@pytest.mark.parametrize("how", ["relative", "absolute", "dots-in-kader"])
def test_questions_file_named_outside_the_kader(setup, how):
    kader, secret, _ = setup
    name = {"relative": relative_to_kader(kader, secret), "absolute": str(secret),
            "dots-in-kader": "../kader/vragen-1.0.yaml"}[how]
    edit_manifest(kader, "vragen: vragen-1.0.yaml", f"vragen: '{name}'")
    for output in run_all(kader):
        assert "1.0.yaml:" in output and "vragen" in output


def test_questions_file_that_is_a_link_to_outside(setup):
    kader, secret, _ = setup
    questions = kader / "kader" / "vragen-1.0.yaml"
    questions.unlink()
    questions.symlink_to(secret)
    for output in run_all(kader):
        assert "buiten de Kader-map" in output


def test_manifest_that_is_a_link_to_outside(setup):
    kader, secret, _ = setup
    manifest = kader / "kader" / "1.0.yaml"
    outside = secret.parent / "manifest.yaml"
    shutil.move(manifest, outside)
    manifest.symlink_to(outside)
    for output in run_all(kader):
        assert "buiten de Kader-map" in output


@pytest.mark.parametrize("rid", ["../../geheim", "/etc/passwd", "KLT-VEI-02/../../../geheim", "..", "KLT VEI 02"])
def test_rule_id_that_is_a_path(setup, rid):
    kader, _, _ = setup
    edit_manifest(kader, "  - KLT-VEI-02\n", f"  - '{rid}'\n")
    for output in run_all(kader):
        assert "ongeldige regel-id" in output


def test_rule_file_that_is_a_link_to_outside(setup):
    kader, secret, _ = setup
    rule = kader / "rules" / "KLT-VEI-02.yaml"
    rule.unlink()
    rule.symlink_to(secret)
    for output in run_all(kader):
        assert "buiten de Kader-map" in output and "KLT-VEI-02" in output


def test_rules_folder_that_is_a_link_to_outside(setup):
    kader, _, secret_dir = setup
    shutil.rmtree(kader / "rules")
    (kader / "rules").symlink_to(secret_dir, target_is_directory=True)
    for output in run_all(kader):
        assert "buiten de Kader-map" in output


def test_a_kader_folder_reached_through_a_link_is_fine(setup, tmp_path):
    kader, _, _ = setup
    link = tmp_path / "koppeling"
    link.symlink_to(kader, target_is_directory=True)
    result = CliRunner().invoke(cli.main, ["check", str(TEAM), "--kader-dir", str(link)])
    assert result.exit_code == 1, result.output
