"""training/tools/ruff.mjs: the lint stage of `npm test` reports real findings and fails on them."""
import subprocess

from training.core.paths import REPO_ROOT


def _ruff(*paths):
    return subprocess.run(["node", "training/tools/ruff.mjs", *map(str, paths)], cwd=REPO_ROOT,
                          capture_output=True, text=True)


def test_a_finding_is_reported_with_its_place_and_fails(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import os\n\nx = 1;  y = 2\n")
    r = _ruff(bad)
    assert r.returncode == 1, r.stderr
    assert "bad.py:1:8: F401 `os` imported but unused" in r.stdout
    assert "bad.py:3:6: E702 Multiple statements on one line (semicolon)" in r.stdout
    assert r.stdout.strip().endswith("1 file, 2 findings")


def test_settings_come_from_pyproject(tmp_path):
    # line-length 120 there (ruff's own default is 88): 100 characters pass, 121 do not.
    line = tmp_path / "line.py"
    line.write_text("x = '" + "a" * 94 + "'\n")
    assert _ruff(line).returncode == 0
    line.write_text("x = '" + "a" * 115 + "'\n")
    r = _ruff(line)
    assert r.returncode == 1 and "E501 Line too long (121 > 120)" in r.stdout


def test_clean_code_passes(tmp_path):
    ok = tmp_path / "ok.py"
    ok.write_text("import os\n\nprint(os.sep)\n")
    r = _ruff(ok)
    assert r.returncode == 0, r.stdout + r.stderr
