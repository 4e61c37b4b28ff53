"""Render the chart deploy/helm/shop offline with the Helm SDK, and read what it rendered.

Shared by the chart's tests (test_helm, test_hook_order, test_registry, test_release, ...).
"""

import copy
from functools import cache
from pathlib import Path

import helm_python
import yaml

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "deploy" / "helm" / "shop"
KUBE_VERSION = "1.35.0"  # EKS version of deploy/terraform/platform (kubernetes_version)
RELEASE = "threadline"
FULLNAME = "threadline-shop"
ENVIRONMENTS = ("default", "staging", "production")
# Kinds whose schema is a CRD's, which kubernetes-validate does not carry.
CRD_KINDS = {"ServiceMonitor", "ExternalSecret", "SecretStore"}
EVERYTHING_ON = {
    "serviceMonitor": {"enabled": True},
    "networkPolicy": {"enabled": True},
    "secret": {"values": {"SECRET_KEY": "x" * 60, "DATABASE_URL": "postgres://db/shop"}},
}


def deep_merge(base: dict, override: dict) -> dict:
    result = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = deep_merge(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


@cache
def chart() -> helm_python.Chart:
    return helm_python.Chart.load(CHART)


def env_values(env: str) -> dict:
    if env == "default":
        return {}
    return yaml.safe_load((CHART / f"values-{env}.yaml").read_text())


def render(values: dict | None = None, env: str = "default") -> list[dict]:
    """The manifests `helm template` would print, as Python objects."""
    merged = deep_merge(env_values(env), values or {})
    rendered = chart().render(merged, name=RELEASE, namespace="threadline-test")
    return [
        doc
        for path, text in sorted(rendered.items())
        if path.endswith(".yaml")
        for doc in yaml.safe_load_all(text)
        if doc
    ]


def find(docs: list[dict], kind: str, name: str = FULLNAME) -> dict:
    matches = [d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name]
    assert len(matches) == 1, f"expected one {kind} {name}, got {[d['metadata']['name'] for d in matches]}"
    return matches[0]


def kinds(docs: list[dict]) -> set[str]:
    return {d["kind"] for d in docs}


def pod_spec(workload: dict) -> dict:
    if workload["kind"] == "CronJob":
        return workload["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    return workload["spec"]["template"]["spec"]


def pod_annotations(workload: dict) -> dict:
    if workload["kind"] == "CronJob":
        return workload["spec"]["jobTemplate"]["spec"]["template"]["metadata"].get("annotations", {})
    return workload["spec"]["template"]["metadata"].get("annotations", {})


def env_of(container: dict) -> dict[str, str]:
    return {e["name"]: e.get("value") for e in container.get("env", [])}


def secret_refs(container: dict) -> list[str]:
    return [s["secretRef"]["name"] for s in container.get("envFrom", []) if "secretRef" in s]


def config_map_refs(container: dict) -> list[str]:
    return [s["configMapRef"]["name"] for s in container.get("envFrom", []) if "configMapRef" in s]


def workloads(docs: list[dict]) -> list[dict]:
    return [d for d in docs if d["kind"] in {"Deployment", "Job", "CronJob"}]
