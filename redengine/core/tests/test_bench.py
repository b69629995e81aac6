"""``make bench`` keeps working: the in-process suites at a tiny scale on SQLite and PostgreSQL.

Each case's ``check`` compares ours with its hand-written baseline before timing (the same rows of the same
page, the same figures); a baseline that drifted from the product, or a product that drifted from the
rules the baseline writes by hand, fails here. Run once, in the SQLite pass (it starts its own
PostgreSQL).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.bench  # its own databases: once, in the SQLite pass of make test


def test_every_in_process_benchmark_agrees_with_its_baseline(tmp_path):
    out = tmp_path / "bench.json"
    command = [sys.executable, "bench/run.py", "--scale", "0.0005", "--db", "both", "--repeat", "1"]
    command += ["--suites", "read_path", "figures", "files", "activities", "--json", str(out)]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "DJANGO_"))}
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    done = json.loads(out.read_text())
    assert [d["database"].split()[0] for d in done] == ["SQLite", "PostgreSQL"]
    for figures in done:
        suites = {r["suite"] for r in figures["results"]}
        assert suites == {"read_path", "figures", "files", "activities"}
        names = [r["name"] for r in figures["results"]]
        for expected in ("people list, district, page 1", "dashboard, city", "all metrics, district, 2019"):
            assert expected in names
        # organizational life: the figure, the drill-down and the to-do scan, each beside its SQL
        for start in ("compliance.summary, district", "to-do scan (4 items), city"):
            assert any(name.startswith(start) for name in names), start
        for row in figures["results"]:
            assert row["ours"] > 0, row["name"]
            assert row["baseline"] > 0, row["name"]
    assert "ratio" in result.stdout
