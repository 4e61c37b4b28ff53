"""deploy/argocd/addons: the cluster's add-ons as an app-of-apps, checked offline.

No package ships Argo CD's or the add-ons' CRD schemas: core kinds are validated with
kubernetes-validate, the rest (Application, AppProject, ClusterIssuer, ClusterSecretStore,
ExternalSecret) by assertions on what they must say and on what they point at.
"""

import re
from functools import cache
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from tests.deploy.helm import CHART, KUBE_VERSION, render

ROOT = Path(__file__).resolve().parents[2]
ADDONS = ROOT / "deploy" / "argocd" / "addons"
REPO = "https://git.example.com/threadline/threadline.git"
# Every add-on the issue lists, by Application name -> chart name.
EXPECTED = {
    "nginx-ingress": "nginx-ingress",
    "cert-manager": "cert-manager",
    "external-dns": "external-dns",
    "external-secrets": "external-secrets",
    "metrics-server": "metrics-server",
    "kube-prometheus-stack": "kube-prometheus-stack",
    "aws-load-balancer-controller": "aws-load-balancer-controller",
}
CORE_GROUPS = {"v1", "storage.k8s.io/v1"}


def load(path: Path) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


@cache
def apps() -> dict[str, dict]:
    return {doc["metadata"]["name"]: doc for p in sorted((ADDONS / "apps").glob("*.yaml")) for doc in load(p)}


@cache
def config() -> list[dict]:
    return [doc for p in sorted((ADDONS / "config").glob("*.yaml")) for doc in load(p)]


def project() -> dict:
    [doc] = load(ADDONS / "project.yaml")
    return doc


def root() -> dict:
    [doc] = load(ADDONS / "root.yaml")
    return doc


def test_root_application_syncs_the_apps_folder_in_its_own_project():
    app = root()
    assert app["kind"] == "Application" and app["metadata"]["namespace"] == "argocd"
    assert app["spec"]["project"] == project()["metadata"]["name"] == "cluster-addons"
    assert (ROOT / app["spec"]["source"]["path"]) == ADDONS / "apps"
    assert app["spec"]["source"]["repoURL"] == REPO
    assert app["spec"]["syncPolicy"]["automated"] == {"prune": True, "selfHeal": True}
    assert "finalizers" not in app["metadata"]  # deleting the root leaves the add-ons running
    kustomization = yaml.safe_load((ADDONS / "kustomization.yaml").read_text())
    assert set(kustomization["resources"]) == {"project.yaml", "root.yaml"}


def test_every_add_on_the_issue_lists_is_a_pinned_chart():
    charts = {name: app for name, app in apps().items() if "chart" in app["spec"]["source"]}
    assert {name: app["spec"]["source"]["chart"] for name, app in charts.items()} == EXPECTED
    for name, app in charts.items():
        version = app["spec"]["source"]["targetRevision"]
        assert re.fullmatch(r"v?\d+\.\d+\.\d+", version), f"{name}: {version} is not an exact version"
        assert app["spec"]["source"]["repoURL"] in project()["spec"]["sourceRepos"]
        assert app["spec"]["source"]["helm"]["releaseName"] == name


@pytest.mark.parametrize("name", [*sorted(EXPECTED), "cluster-config", "threadline-monitoring"])
def test_each_add_on_syncs_automatically_into_its_namespace(name):
    app = apps()[name]
    assert app["apiVersion"] == "argoproj.io/v1alpha1"
    assert app["metadata"]["namespace"] == "argocd"
    assert app["spec"]["project"] == "cluster-addons"
    assert app["spec"]["destination"]["server"] == "https://kubernetes.default.svc"
    policy = app["spec"]["syncPolicy"]
    assert policy["automated"] == {"prune": True, "selfHeal": True}
    assert "CreateNamespace=true" in policy["syncOptions"]
    assert policy["retry"]["limit"] >= 5


def test_operators_sync_before_the_objects_that_use_their_crds():
    wave = {
        name: int(app["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"])
        for name, app in apps().items()
    }
    for operator in (
        "cert-manager",
        "external-secrets",
        "kube-prometheus-stack",
        "aws-load-balancer-controller",
    ):
        assert wave[operator] < wave["cluster-config"]
    assert wave["kube-prometheus-stack"] < wave["threadline-monitoring"]
    assert wave["aws-load-balancer-controller"] < wave["nginx-ingress"]  # the NLB for its Service
    for name in ("cluster-config", "threadline-monitoring"):
        assert "SkipDryRunOnMissingResource=true" in apps()[name]["spec"]["syncPolicy"]["syncOptions"]
    for name in ("kube-prometheus-stack", "external-secrets"):  # CRDs too large for client-side apply
        assert "ServerSideApply=true" in apps()[name]["spec"]["syncPolicy"]["syncOptions"]


def test_repository_sources_exist_in_this_checkout():
    for name in ("cluster-config", "threadline-monitoring"):
        source = apps()[name]["spec"]["source"]
        assert source["repoURL"] == REPO
        assert (ROOT / source["path"]).is_dir()


def test_core_kinds_in_config_are_valid_kubernetes():
    core = [doc for doc in config() if doc["apiVersion"] in CORE_GROUPS]
    assert {doc["kind"] for doc in core} == {"ConfigMap", "StorageClass"}
    for doc in core:
        kubernetes_validate.validate(doc, KUBE_VERSION, strict=True)


def test_cluster_issuers_are_the_ones_the_chart_asks_for():
    issuers = {d["metadata"]["name"]: d for d in config() if d["kind"] == "ClusterIssuer"}
    asked = {
        yaml.safe_load((CHART / f"values-{env}.yaml").read_text())["ingress"]["clusterIssuer"]
        for env in ("staging", "production")
    }
    assert set(issuers) == asked == {"letsencrypt-staging", "letsencrypt-prod"}
    assert (
        issuers["letsencrypt-prod"]["spec"]["acme"]["server"]
        == "https://acme-v02.api.letsencrypt.org/directory"
    )
    assert "acme-staging-v02" in issuers["letsencrypt-staging"]["spec"]["acme"]["server"]
    ingress_class = yaml.safe_load((CHART / "values.yaml").read_text())["ingress"]["className"]
    for issuer in issuers.values():
        assert issuer["apiVersion"] == "cert-manager.io/v1"
        [solver] = issuer["spec"]["acme"]["solvers"]
        assert solver["http01"]["ingress"]["ingressClassName"] == ingress_class


def test_ingress_controller_serves_the_chart_s_class_from_the_namespace_its_policy_admits():
    app = apps()["nginx-ingress"]
    controller = app["spec"]["source"]["helm"]["valuesObject"]["controller"]
    assert controller["ingressClass"]["name"] == "nginx"
    assert controller["enableSnippets"] is False
    policy = next(d for d in render(env="production") if d["kind"] == "NetworkPolicy")
    admitted = {
        peer["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"]
        for rule in policy["spec"]["ingress"]
        for peer in rule["from"]
    }
    assert app["spec"]["destination"]["namespace"] in admitted
    assert apps()["kube-prometheus-stack"]["spec"]["destination"]["namespace"] in admitted
    annotations = controller["service"]["annotations"]
    assert annotations["service.beta.kubernetes.io/aws-load-balancer-type"] == "external"
    assert annotations["service.beta.kubernetes.io/aws-load-balancer-scheme"] == "internet-facing"


def test_monitoring_selectors_agree_with_the_shop_s_service_monitor():
    release = apps()["kube-prometheus-stack"]["spec"]["source"]["helm"]["releaseName"]
    monitor = next(d for d in render(env="production") if d["kind"] == "ServiceMonitor")
    assert monitor["metadata"]["labels"]["release"] == release
    grafana = apps()["kube-prometheus-stack"]["spec"]["source"]["helm"]["valuesObject"]["grafana"]
    monitoring_values = yaml.safe_load((ROOT / "deploy/monitoring/values.yaml").read_text())
    assert grafana["sidecar"]["dashboards"]["label"] == monitoring_values["dashboard"]["label"]


def test_external_secrets_read_only_through_the_cluster_store():
    [store] = [d for d in config() if d["kind"] == "ClusterSecretStore"]
    assert store["apiVersion"] == "external-secrets.io/v1"
    assert store["spec"]["provider"]["aws"]["service"] == "SecretsManager"
    assert "auth" not in store["spec"]["provider"]["aws"]  # the operator's Pod Identity
    externals = [d for d in config() if d["kind"] == "ExternalSecret"]
    assert {e["metadata"]["namespace"] for e in externals} == {"monitoring", "argocd"}
    for external in externals:
        assert external["spec"]["secretStoreRef"] == {
            "kind": "ClusterSecretStore",
            "name": store["metadata"]["name"],
        }
        assert {d["remoteRef"]["key"] for d in external["spec"]["data"]} == {"threadline/alerting"}


def test_argocd_notifies_on_failed_syncs_for_every_application():
    [cm] = [
        d for d in config() if d["kind"] == "ConfigMap" and d["metadata"]["name"] == "argocd-notifications-cm"
    ]
    data = cm["data"]
    [trigger] = yaml.safe_load(data["trigger.on-sync-failed"])
    assert trigger["send"] == ["app-sync-failed"]
    assert "'Error', 'Failed'" in trigger["when"]
    assert "template.app-sync-failed" in data
    [subscription] = yaml.safe_load(data["subscriptions"])
    assert "on-sync-failed" in subscription["triggers"] and "selector" not in subscription
    assert data["service.slack"].strip() == "token: $slack-token"
    [external] = [
        d for d in config() if d["kind"] == "ExternalSecret" and d["metadata"]["namespace"] == "argocd"
    ]
    assert external["spec"]["target"]["name"] == "argocd-notifications-secret"
    assert [d["secretKey"] for d in external["spec"]["data"]] == ["slack-token"]


def test_argocd_install_values_leave_notifications_config_to_git_and_know_application_health():
    values = yaml.safe_load((ADDONS / "argocd-values.yaml").read_text())
    assert values["notifications"]["cm"]["create"] is False
    assert values["notifications"]["secret"]["create"] is True
    health = values["configs"]["cm"]["resource.customizations.health.argoproj.io_Application"]
    assert "obj.status.health" in health
    assert "--version 10.1.1" in (ADDONS / "argocd-values.yaml").read_text()
    assert "--version 10.1.1" in (ROOT / "docs" / "runbook.md").read_text()
