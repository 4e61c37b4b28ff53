"""The GitHub Actions workflows, checked offline with the real tools: actionlint,
the workflow JSON schema and checkov; and the rules we hold them to ourselves."""

import re

import pytest
import yaml

from tests.deploy import tools

WORKFLOWS = tools.ROOT / ".github" / "workflows"
FILES = sorted(WORKFLOWS.glob("*.yml"))


def load(path) -> dict:
    return yaml.load(path.read_text(), Loader=yaml.BaseLoader)  # "on" stays a string key


def test_the_three_workflows_exist():
    assert {p.name for p in FILES} == {"ci.yml", "release.yml", "promote.yml"}


def test_actionlint_is_clean():
    result = tools.run([tools.python_tool("actionlint"), "-no-color"], cwd=tools.ROOT, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_workflows_follow_the_github_workflow_schema():
    check = tools.python_tool("check-jsonschema")
    result = tools.run([check, "--builtin-schema", "vendor.github-workflows", *FILES], check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_checkov_passes_the_workflows_and_the_rendered_chart():
    """No check fails; the ones skipped on purpose are in deploy/checkov.yaml with a reason."""
    for framework in ("github_actions", "kubernetes"):
        result = tools.run([tools.ROOT / "deploy" / "checkov.sh", framework], timeout=1500, check=False)
        assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
        failed = re.findall(r"Failed checks: (\d+)", result.stdout)
        assert failed and set(failed) == {"0"}, result.stdout[-4000:]
        tools.REPORT[f"checkov {framework}"] = ", ".join(re.findall(r"Passed checks: \d+", result.stdout))


def _steps():
    for path in FILES:
        for name, job in load(path)["jobs"].items():
            for step in job.get("steps", []):
                yield path.name, name, step


def test_every_action_is_pinned_by_commit_sha_with_its_version_named():
    for path in FILES:
        for line in path.read_text().splitlines():
            match = re.search(r"uses:\s*(\S+)(.*)$", line)
            if not match or match.group(1).startswith("./"):
                continue
            action, comment = match.groups()
            assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", action), f"{path.name}: {action}"
            assert re.fullmatch(r"\s*# v\d+(\.\d+)*", comment), f"{path.name}: {action} names no version"


def test_permissions_are_read_only_unless_a_job_needs_more():
    wanted = {
        ("release.yml", "release"): {"contents": "write", "id-token": "write"},
        ("promote.yml", "pull-request"): {"contents": "write", "pull-requests": "write"},
    }
    for path in FILES:
        workflow = load(path)
        assert workflow["permissions"] == {"contents": "read"}, path.name
        for name, job in workflow["jobs"].items():
            assert job.get("permissions", {}) == wanted.get((path.name, name), {}), (path.name, name)


def test_no_stored_cloud_keys_aws_comes_through_oidc():
    text = "\n".join(p.read_text() for p in FILES)
    assert not re.search(r"aws-access-key-id|aws-secret-access-key|AWS_SECRET", text, re.I)
    release = load(WORKFLOWS / "release.yml")["jobs"]["release"]
    [aws] = [
        s for s in release["steps"] if s.get("uses", "").startswith("aws-actions/configure-aws-credentials@")
    ]
    assert "role-to-assume" in aws["with"]


def test_checkouts_keep_no_token_unless_the_job_pushes():
    for file, job, step in _steps():
        if step.get("uses", "").startswith("actions/checkout@"):
            keeps = step.get("with", {}).get("persist-credentials", "true")
            assert keeps == (
                "true"
                if (file, job) in {("release.yml", "release"), ("promote.yml", "pull-request")}
                else "false"
            )


def test_the_steps_are_the_repositorys_scripts():
    """Workflows call scripts that exist here (and run in make test), not inline logic."""
    release = load(WORKFLOWS / "release.yml")["jobs"]["release"]
    runs = "\n".join(s.get("run", "") for s in release["steps"])
    for script in (
        "tag.sh",
        "build.sh",
        "sbom.sh",
        "scan.sh",
        "push.sh",
        "image_values.py",
        "check_chart.py",
        "commit-values.sh",
    ):
        assert f"scripts/release/{script}" in runs, script
    for file, _, step in _steps():
        for path in re.findall(r"(scripts/[\w/.-]+)", step.get("run", "")):
            assert (tools.ROOT / path).is_file(), f"{file}: {path}"
    assert load(WORKFLOWS / "release.yml")["jobs"]["test"]["uses"] == "./.github/workflows/ci.yml"


@pytest.mark.parametrize("target", ["test-python", "test-container"])
def test_ci_runs_make_test_in_two_parallel_halves(target):
    jobs = load(WORKFLOWS / "ci.yml")["jobs"]
    assert any(step.get("run") == f"make {target}" for job in jobs.values() for step in job["steps"])
    assert all("needs" not in job for job in jobs.values())
