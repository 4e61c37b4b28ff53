"""deploy/monitoring: the shop's alerts and Grafana dashboard, held against what exists.

Rendered with the Helm SDK like Argo CD would; every PromQL expression parsed by a real
PromQL parser; every shop metric it names scraped from the shop's own /metrics; every
storefront view name resolved from the shop's URLs. kube-state-metrics' names are taken
from its documentation (docs/metrics/workload/*.md), as no cluster runs here.
"""

import copy
import json
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path

import helm_python
import kubernetes_validate
import pytest
import yaml
from django.urls import resolve
from prometheus_client.parser import text_string_to_metric_families

from shop.orders.metrics import OUTCOMES
from tests.deploy.promql import selectors

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "deploy" / "monitoring"
KUBE_VERSION = "1.35.0"
# Labels Prometheus adds to a scraped target (ServiceMonitor: namespace, pod, service, ...).
TARGET_LABELS = {"namespace", "pod", "service", "container", "endpoint", "job", "instance"}
# kube-state-metrics (the version kube-prometheus-stack 88 ships): metric -> its labels.
KUBE_STATE_METRICS = {
    "kube_deployment_status_replicas_available": {"deployment", "namespace"},
    "kube_deployment_status_replicas_unavailable": {"deployment", "namespace"},
    "kube_job_failed": {"job_name", "namespace", "condition"},
    "kube_job_owner": {"job_name", "namespace", "owner_kind", "owner_name", "owner_is_controller"},
    "kube_cronjob_status_last_successful_time": {"cronjob", "namespace"},
}
# One URL per storefront page type, as a shopper browses.
STOREFRONT_URLS = [
    "/",
    "/shop/",
    "/shop/t-shirts/",
    "/products/oxford-tee/",
    "/search/",
    "/cart/",
    "/checkout/",
]


@cache
def values() -> dict:
    return yaml.safe_load((CHART / "values.yaml").read_text())


@cache
def rendered() -> dict[str, dict]:
    text = helm_python.Chart.load(CHART).render({}, name="threadline-monitoring", namespace="monitoring")
    docs = [doc for body in text.values() for doc in yaml.safe_load_all(body) if doc]
    return {doc["kind"]: doc for doc in docs}


def rules() -> list[dict]:
    return [rule for group in rendered()["PrometheusRule"]["spec"]["groups"] for rule in group["rules"]]


def dashboard() -> dict:
    return json.loads((CHART / "dashboards" / "threadline.json").read_text())


def dashboard_exprs() -> list[str]:
    # Grafana's variables are replaced by a value, as Grafana does before querying.
    return [
        target["expr"].replace("$namespace", "threadline-production")
        for panel in dashboard()["panels"]
        for target in panel["targets"]
    ]


@pytest.fixture(scope="module")
def exported(django_db_setup, django_db_blocker) -> dict[str, set[str]]:
    """Sample name -> label names, from the shop's /metrics after a few real requests."""
    from django.test import Client

    with django_db_blocker.unblock():
        client = Client()
        client.get("/healthz")
        client.get("/cart/")
        body = client.get("/metrics").content.decode()
    samples: dict[str, set[str]] = {}
    for family in text_string_to_metric_families(body):
        for sample in family.samples:
            samples.setdefault(sample.name, set()).update(sample.labels)
    return samples


def test_chart_lints_and_renders_a_rule_and_a_dashboard():
    assert helm_python.lint(str(CHART))["errors"] == []
    assert set(rendered()) == {"PrometheusRule", "ConfigMap"}


def test_dashboard_configmap_is_valid_and_carries_the_json_file():
    configmap = rendered()["ConfigMap"]
    kubernetes_validate.validate(configmap, KUBE_VERSION, strict=True)
    assert configmap["metadata"]["labels"][values()["dashboard"]["label"]] == "1"
    assert json.loads(configmap["data"]["threadline.json"]) == dashboard()


def test_rules_are_picked_up_by_kube_prometheus_stack():
    rule = rendered()["PrometheusRule"]
    assert rule["apiVersion"] == "monitoring.coreos.com/v1"
    addon = yaml.safe_load((ROOT / "deploy/argocd/addons/apps/kube-prometheus-stack.yaml").read_text())
    assert rule["metadata"]["labels"]["release"] == addon["spec"]["source"]["helm"]["releaseName"]


def test_the_issue_s_alerts_exist_with_severity_and_runbook():
    alerts = {rule["alert"]: rule for rule in rules()}
    assert set(alerts) == {
        "ThreadlineHighErrorRatio",
        "ThreadlineStorefrontSlow",
        "ThreadlineCheckoutFailing",
        "ThreadlineShopDown",
        "ThreadlinePodsNotReady",
        "ThreadlineMigrationFailed",
        "ThreadlineCronJobFailed",
        "ThreadlineOrdersNotExpiring",
    }
    runbook = (ROOT / "docs" / "runbook.md").read_text()
    for name, rule in alerts.items():
        assert rule["labels"]["severity"] in {"critical", "warning"}
        assert rule["annotations"]["summary"]
        anchor = rule["annotations"]["runbook_url"].rpartition("#")[2]
        assert anchor == name.lower()
        assert re.search(rf"^#+ {name}$", runbook, re.MULTILINE), f"docs/runbook.md has no section {name}"


def _check_selectors(exprs: list[str], exported: dict[str, set[str]]) -> None:
    for expr in exprs:
        for selector in selectors(expr):
            if selector.name.startswith("threadline_"):
                assert selector.name in exported, f"/metrics exports no {selector.name} ({expr})"
                allowed = exported[selector.name] | TARGET_LABELS
            else:
                assert selector.name in KUBE_STATE_METRICS, f"unknown metric {selector.name}"
                allowed = KUBE_STATE_METRICS[selector.name]
            assert set(selector.matchers) <= allowed, (selector.name, set(selector.matchers) - allowed)


def test_alert_expressions_parse_and_name_metrics_that_exist(exported):
    _check_selectors([rule["expr"] for rule in rules()], exported)


def test_dashboard_queries_parse_and_name_metrics_that_exist(exported):
    _check_selectors(dashboard_exprs(), exported)


@pytest.mark.django_db
def test_storefront_views_are_the_views_that_serve_the_storefront():
    served = {resolve(url).view_name for url in STOREFRONT_URLS}
    assert served == set(values()["storefrontViews"])
    regex = "|".join(values()["storefrontViews"])
    latency = [
        s
        for rule in rules()
        for s in selectors(rule["expr"])
        if s.name == "threadline_http_request_duration_seconds_bucket"
    ]
    assert latency and all(s.matchers["view"] == ("=~", regex) for s in latency)
    for expr in dashboard_exprs():
        for s in selectors(expr):
            if "view" in s.matchers and s.matchers["view"][0] == "=~":
                assert s.matchers["view"][1] == regex


def test_checkout_alert_counts_only_real_outcomes_as_failures():
    [rule] = [r for r in rules() if r["alert"] == "ThreadlineCheckoutFailing"]
    failing = {
        s.matchers["outcome"][1]
        for s in selectors(rule["expr"])
        if s.name == "threadline_checkouts_total" and "outcome" in s.matchers
    }
    assert failing == {"payment_unavailable|error"}
    assert {"payment_unavailable", "error"} < set(OUTCOMES)


def test_kubernetes_alerts_name_the_chart_s_objects():
    from tests.deploy.helm import FULLNAME, render

    names = {(d["kind"], d["metadata"]["name"]) for d in render(env="production")}
    assert ("Deployment", FULLNAME) in names
    assert ("Job", f"{FULLNAME}-migrate") in names
    assert ("CronJob", f"{FULLNAME}-expire-orders") in names
    assert values()["shopName"] == FULLNAME
    namespaces = {f"threadline-{env}" for env in ("staging", "production")}
    assert set(values()["namespaces"]) == namespaces


def test_alerts_fire_on_the_series_they_watch_and_stay_quiet_otherwise(tmp_path):
    """promtool (Debian's prometheus package) evaluates the rules over synthetic series:
    tests/deploy/promtool/threadline_alerts_test.yaml says when each alert fires and when
    it must not. Annotations are left out: they are text for people, not behaviour."""
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.fail(
            "promtool is missing: scripts/system-deps.sh all (apt-get install prometheus)", pytrace=False
        )
    groups = copy.deepcopy(rendered()["PrometheusRule"]["spec"]["groups"])  # rendered() is cached
    for group in groups:
        for rule in group["rules"]:
            rule.pop("annotations", None)
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump({"groups": groups}))
    shutil.copy(ROOT / "tests/deploy/promtool/threadline_alerts_test.yaml", tmp_path)
    check = subprocess.run(
        [promtool, "check", "rules", tmp_path / "rules.yaml"], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr
    test = subprocess.run(
        [promtool, "test", "rules", tmp_path / "threadline_alerts_test.yaml"], capture_output=True, text=True
    )
    assert test.returncode == 0, test.stdout + test.stderr
    tested = set(re.findall(r"alertname: (\w+)", (tmp_path / "threadline_alerts_test.yaml").read_text()))
    assert tested == {rule["alert"] for rule in rules()}
