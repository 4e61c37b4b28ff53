"""The Argo CD objects in deploy/argocd: GitOps with automatic, self-healing rollout.

No package ships the Application schema, so the files are parsed with PyYAML and
checked against what they point at: the chart path, its values files, the project.
"""

from pathlib import Path

import pytest
import yaml

from tests.deploy.test_helm import CHART, render

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


@pytest.mark.parametrize("env", ["staging", "production"])
def test_application_points_at_the_chart_with_its_values(env):
    app = applications()[f"threadline-{env}"]
    source = app["spec"]["source"]
    chart_dir = ROOT / source["path"]
    assert chart_dir == CHART
    assert (chart_dir / "Chart.yaml").is_file()
    assert source["helm"]["valueFiles"] == [f"values-{env}.yaml"]
    assert all((chart_dir / name).is_file() for name in source["helm"]["valueFiles"])
    assert source["helm"]["releaseName"] == "threadline"
    assert source["targetRevision"] == "main"
    assert app["spec"]["destination"] == {
        "server": "https://kubernetes.default.svc",
        "namespace": f"threadline-{env}",
    }


def test_repository_url_is_one_placeholder_to_set():
    urls = {app["spec"]["source"]["repoURL"] for app in applications().values()}
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
