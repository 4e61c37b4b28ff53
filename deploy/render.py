"""`helm template` without the helm CLI: render the chart with the Helm SDK (helm-python-sdk).

    .venv/bin/python deploy/render.py [VALUES_FILE ...] [--out DIR]

Prints the manifests (or writes one file per template into DIR), as Argo CD would
render them: release "threadline", the chart's values.yaml under the given files.
"""

import argparse
import sys
from pathlib import Path

import helm_python
import yaml

CHART = Path(__file__).resolve().parent / "helm" / "shop"


def render(value_files: list[Path], *, release: str = "threadline", namespace: str = "threadline") -> dict:
    """Template path -> rendered text; later files win over earlier ones, like `helm -f`."""
    merged: dict = {}
    for path in value_files:
        merged = _deep_merge(merged, yaml.safe_load(path.read_text()) or {})
    return helm_python.Chart.load(CHART).render(merged, name=release, namespace=namespace)


def _deep_merge(base: dict, override: dict) -> dict:
    result = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = _deep_merge(result[key], value)
        else:
            result[key] = value
    return result


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("values", nargs="*", type=Path)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    rendered = render(args.values)
    for template, text in sorted(rendered.items()):
        if not template.endswith(".yaml") or not text.strip():
            continue
        if args.out:
            args.out.mkdir(parents=True, exist_ok=True)
            (args.out / Path(template).name).write_text(text)
        else:
            sys.stdout.write(f"---\n# Source: {template}\n{text}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
