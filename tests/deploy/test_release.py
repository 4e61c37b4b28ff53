"""The release steps the workflows call (scripts/release/), run here on copies."""

import difflib
import re
import subprocess
import sys
from pathlib import Path

import yaml

from tests.deploy.helm import CHART, find, pod_spec, render

ROOT = Path(__file__).resolve().parents[2]
RELEASE = ROOT / "scripts" / "release"
DIGEST = "sha256:" + "ab" * 32


def run(*args, cwd=ROOT, check=True) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *map(str, args)], cwd=cwd, capture_output=True, text=True, check=check
    )


def test_image_bump_changes_two_lines_and_the_chart_renders_the_new_image(tmp_path):
    values = tmp_path / "values-staging.yaml"
    original = (CHART / "values-staging.yaml").read_text()
    values.write_text(original)
    run(RELEASE / "image_values.py", "set", values, "--tag", "0.1.0-3f2a1b4c5d6e", "--digest", DIGEST)
    diff = [
        line
        for line in difflib.unified_diff(
            original.splitlines(), values.read_text().splitlines(), n=0, lineterm=""
        )
        if line[:1] in "+-" and line[:3] not in ("+++", "---")
    ]
    assert diff == [
        '-  tag: "0.1.0"',
        '-  digest: ""',
        '+  tag: "0.1.0-3f2a1b4c5d6e"',
        f'+  digest: "{DIGEST}"',
    ]
    assert run(RELEASE / "image_values.py", "get", values).stdout.split() == ["0.1.0-3f2a1b4c5d6e", DIGEST]

    docs = render(yaml.safe_load(values.read_text()), "staging")
    deployment = find(docs, "Deployment")
    image = pod_spec(deployment)["containers"][0]["image"]
    assert image.endswith(f"@{DIGEST}")
    assert deployment["metadata"]["labels"]["app.kubernetes.io/version"] == "0.1.0-3f2a1b4c5d6e"
    for workload in docs:
        if workload["kind"] in {"Job", "CronJob"}:
            assert pod_spec(workload)["containers"][0]["image"] == image


def test_image_bump_refuses_what_is_not_a_tag_or_digest(tmp_path):
    values = tmp_path / "values.yaml"
    values.write_text((CHART / "values-staging.yaml").read_text())
    for tag, digest in [("latest tag", DIGEST), ("0.1.0", "sha256:short"), ("0.1.0", "latest")]:
        result = run(
            RELEASE / "image_values.py", "set", values, "--tag", tag, "--digest", digest, check=False
        )
        assert result.returncode != 0
    assert values.read_text() == (CHART / "values-staging.yaml").read_text()


def test_promotion_copies_staging_image_and_pins_the_chart_in_one_reviewable_change(tmp_path):
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--no-hardlinks", ROOT, clone], check=True)
    git = ["git", "-C", str(clone), "-c", "user.name=ci", "-c", "user.email=ci@example.com"]
    staging = clone / "deploy/helm/shop/values-staging.yaml"
    run(RELEASE / "image_values.py", "set", staging, "--tag", "0.1.0-3f2a1b4c5d6e", "--digest", DIGEST)
    subprocess.run([*git, "commit", "-qam", "Release 0.1.0-3f2a1b4c5d6e to staging"], check=True)
    head = subprocess.run(
        [*git, "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()

    result = run(RELEASE / "promote.py", "--root", clone)
    assert f"-> 0.1.0-3f2a1b4c5d6e ({DIGEST})" in result.stdout
    diff = subprocess.run([*git, "diff", "--name-only"], capture_output=True, text=True, check=True).stdout
    assert set(diff.split()) == {"deploy/helm/shop/values-production.yaml", "deploy/argocd/production.yaml"}
    production = yaml.safe_load((clone / "deploy/helm/shop/values-production.yaml").read_text())
    assert production["image"] == {**production["image"], "tag": "0.1.0-3f2a1b4c5d6e", "digest": DIGEST}
    application = yaml.safe_load((clone / "deploy/argocd/production.yaml").read_text())
    [chart_source] = [s for s in application["spec"]["sources"] if s.get("path") == "deploy/helm/shop"]
    assert chart_source["targetRevision"] == head
    changed = subprocess.run([*git, "diff", "-U0"], capture_output=True, text=True, check=True).stdout
    assert len(re.findall(r"^\+[^+]", changed, re.M)) == 3  # tag, digest, revision


def test_promotion_refuses_when_staging_has_no_released_digest(tmp_path):
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", ROOT, clone], check=True)
    result = run(RELEASE / "promote.py", "--root", clone, check=False)
    if "digest:" not in (clone / "deploy/helm/shop/values-staging.yaml").read_text():
        assert result.returncode != 0
        assert "no image digest" in result.stderr


def test_the_chart_check_release_yml_runs_passes_for_both_environments():
    result = run(RELEASE / "check_chart.py", "staging", "production")
    assert re.findall(r"^(\w+): \d+ manifests rendered and valid$", result.stdout, re.M) == [
        "staging",
        "production",
    ]
