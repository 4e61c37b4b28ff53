"""Renders the chart for each environment and checks every manifest strictly against
the Kubernetes schema: what Argo CD will apply after a values commit.

    .venv/bin/python scripts/release/check_chart.py [staging production ...]
"""

import sys
from pathlib import Path

import kubernetes_validate
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "deploy"))
from render import CHART, render  # noqa: E402

KUBE_VERSION = "1.35.0"  # the EKS version of deploy/terraform, as in tests/deploy/test_helm.py
# Custom resources: kubernetes-validate carries only the built-in kinds.
CRD_KINDS = {"ServiceMonitor", "ExternalSecret", "SecretStore"}


def check(environment: str) -> int:
    rendered = render([CHART / "values.yaml", CHART / f"values-{environment}.yaml"])
    count = 0
    for path, text in sorted(rendered.items()):
        if not path.endswith(".yaml"):
            continue
        for doc in yaml.safe_load_all(text):
            if not doc:
                continue
            if doc["kind"] not in CRD_KINDS:
                kubernetes_validate.validate(doc, KUBE_VERSION, strict=True)
            count += 1
    return count


def main(argv: list[str]) -> int:
    for environment in argv or ["staging", "production"]:
        print(f"{environment}: {check(environment)} manifests rendered and valid")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
