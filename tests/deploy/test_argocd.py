"""The Argo CD objects in deploy/argocd: GitOps with automatic, self-healing rollout.

No package ships the Application schema, so the files are parsed with PyYAML and
checked against what they point at: the chart path, its values files, the project.
"""

import re
import subprocess
import tarfile
from pathlib import Path

import helm_python
import pytest
import yaml

from tests.deploy.helm import CHART, render

ROOT = Path(__file__).resolve().parents[2]
ARGOCD = ROOT / "deploy" / "argocd"
PLACEHOLDER_REPO = "https://git.example.com/threadline/threadline.git"


def load_all() -> list[dict]:
    return [
        doc
        for path in sorted(ARGOCD.glob("*.yaml"))
        if path.name != "kustomization.yaml"
        for doc in yaml.safe_load_all(path.read_text())
        if doc
    ]


def applications() -> dict[str, dict]:
    return {d["metadata"]["name"]: d for d in load_all() if d["kind"] == "Application"}


def project() -> dict:
    [project] = [d for d in load_all() if d["kind"] == "AppProject"]
    return project


def test_there_is_one_application_per_environment():
    assert set(applications()) == {"threadline-staging", "threadline-production"}
    for doc in load_all():
        assert doc["apiVersion"] == "argoproj.io/v1alpha1"
        assert doc["metadata"]["namespace"] == "argocd"


@pytest.mark.parametrize("env", ["staging", "production"])
def test_sync_is_automatic_prunes_and_heals(env):
    policy = applications()[f"threadline-{env}"]["spec"]["syncPolicy"]
    assert policy["automated"]["prune"] is True
    assert policy["automated"]["selfHeal"] is True
    assert {"CreateNamespace=true", "PruneLast=true"} <= set(policy["syncOptions"])
    retry = policy["retry"]
    assert retry["limit"] >= 1
    assert retry["backoff"]["factor"] >= 2
    assert retry["backoff"]["duration"].endswith("s")


def chart_source(app: dict) -> dict:
    sources = app["spec"].get("sources") or [app["spec"]["source"]]
    [chart_source] = [s for s in sources if s.get("path") == "deploy/helm/shop"]
    return chart_source


@pytest.mark.parametrize("env", ["staging", "production"])
def test_application_points_at_the_chart_with_its_values(env):
    app = applications()[f"threadline-{env}"]
    source = chart_source(app)
    chart_dir = ROOT / source["path"]
    assert chart_dir == CHART
    assert (chart_dir / "Chart.yaml").is_file()
    [values_file] = source["helm"]["valueFiles"]
    assert values_file.rpartition("/")[2] == f"values-{env}.yaml"
    assert (chart_dir / f"values-{env}.yaml").is_file()
    assert source["helm"]["releaseName"] == "threadline"
    assert app["spec"]["destination"] == {
        "server": "https://kubernetes.default.svc",
        "namespace": f"threadline-{env}",
    }


def test_staging_follows_main():
    source = chart_source(applications()["threadline-staging"])
    assert source["targetRevision"] == "main"
    assert source["helm"]["valueFiles"] == ["values-staging.yaml"]


def _git(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)


def test_production_runs_the_chart_at_a_pinned_commit_of_this_repository():
    """A template change on main reaches production only through a promotion commit."""
    app = applications()["threadline-production"]
    source = chart_source(app)
    revision = source["targetRevision"]
    assert re.fullmatch(r"[0-9a-f]{40}", revision), f"{revision}: pin a commit, not a branch or tag"
    assert _git("cat-file", "-e", f"{revision}:deploy/helm/shop/Chart.yaml").returncode == 0, (
        f"{revision} is not a commit of this repository with the chart"
    )
    # values-production.yaml comes from main through a second source, the values ref.
    [values] = [s for s in app["spec"]["sources"] if "ref" in s]
    assert values == {"repoURL": source["repoURL"], "targetRevision": "main", "ref": values["ref"]}
    assert source["helm"]["valueFiles"] == [f"${values['ref']}/deploy/helm/shop/values-production.yaml"]


def test_the_pinned_chart_renders_with_todays_production_values(tmp_path):
    """What Argo CD renders for production: the chart at the pinned commit, values from main."""
    revision = chart_source(applications()["threadline-production"])["targetRevision"]
    archive = subprocess.run(
        ["git", "archive", revision, "deploy/helm/shop"], cwd=ROOT, capture_output=True, check=False
    )
    assert archive.returncode == 0, archive.stderr
    (tmp_path / "chart.tar").write_bytes(archive.stdout)
    with tarfile.open(tmp_path / "chart.tar") as tar:
        tar.extractall(tmp_path, filter="data")
    values = yaml.safe_load((CHART / "values-production.yaml").read_text())
    rendered = helm_python.Chart.load(tmp_path / "deploy/helm/shop").render(
        values, name="threadline", namespace="threadline-production"
    )
    docs = [
        d for path, text in rendered.items() if path.endswith(".yaml") for d in yaml.safe_load_all(text) if d
    ]
    deployment = next(d for d in docs if d["kind"] == "Deployment")
    image = deployment["spec"]["template"]["spec"]["containers"][0]["image"]
    assert values["image"]["tag"] in image or values["image"].get("digest", "") in image


@pytest.mark.parametrize("env", ["staging", "production"])
def test_namespaces_are_created_with_pod_security_restricted(env):
    policy = applications()[f"threadline-{env}"]["spec"]["syncPolicy"]
    assert "CreateNamespace=true" in policy["syncOptions"]
    labels = policy["managedNamespaceMetadata"]["labels"]
    for mode in ("enforce", "audit", "warn"):
        assert labels[f"pod-security.kubernetes.io/{mode}"] == "restricted"


def test_repository_url_is_one_placeholder_to_set():
    urls = {
        source["repoURL"]
        for app in applications().values()
        for source in app["spec"].get("sources") or [app["spec"]["source"]]
    }
    assert urls == {PLACEHOLDER_REPO}
    assert project()["spec"]["sourceRepos"] == [PLACEHOLDER_REPO]
    docs = (ROOT / "docs" / "kubernetes.md").read_text()
    assert PLACEHOLDER_REPO in docs


def test_project_admits_the_applications_and_nothing_else():
    spec = project()["spec"]
    destinations = {(d["server"], d["namespace"]) for d in spec["destinations"]}
    for app in applications().values():
        assert app["spec"]["project"] == project()["metadata"]["name"]
        destination = app["spec"]["destination"]
        assert (destination["server"], destination["namespace"]) in destinations
    assert spec["clusterResourceWhitelist"] == [{"group": "", "kind": "Namespace"}]


@pytest.mark.parametrize("env", ["staging", "production"])
def test_project_allows_every_kind_the_chart_renders(env):
    allowed = {(kind["group"], kind["kind"]) for kind in project()["spec"]["namespaceResourceWhitelist"]}
    for doc in render({"serviceMonitor": {"enabled": True}, "networkPolicy": {"enabled": True}}, env):
        group = doc["apiVersion"].rpartition("/")[0]
        assert (group, doc["kind"]) in allowed


def test_production_survives_deleting_its_application():
    """Only staging cascades: deleting production's Application by mistake leaves the shop up."""
    apps = applications()
    assert "resources-finalizer.argocd.argoproj.io" in apps["threadline-staging"]["metadata"]["finalizers"]
    assert "finalizers" not in apps["threadline-production"]["metadata"]


def test_kustomization_applies_every_file():
    kustomization = yaml.safe_load((ARGOCD / "kustomization.yaml").read_text())
    files = {p.name for p in ARGOCD.glob("*.yaml")} - {"kustomization.yaml"}
    assert set(kustomization["resources"]) == files
