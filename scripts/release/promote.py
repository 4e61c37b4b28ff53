"""Promotion: production gets what staging runs, the image and the chart together.

    python3 scripts/release/promote.py [--revision COMMIT]

Copies image.tag and image.digest from values-staging.yaml to values-production.yaml
and pins production's chart (deploy/argocd/production.yaml, the source with
`path: deploy/helm/shop`) to COMMIT (default: HEAD, the main staging follows). Prints
a summary for the pull request body: the image and the chart changes it brings.
promote.yml opens that pull request; merging it after review is the deploy.
"""

import argparse
import re
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import image_values

CHART = "deploy/helm/shop"
REVISION_LINE = re.compile(r"^(\s*targetRevision:\s*)(\S+)(.*)$")


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout.strip()


def chart_revision(text: str) -> tuple[int, str]:
    """(line index, revision) of the chart source's targetRevision in production.yaml."""
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if line.strip() == f"path: {CHART}":
            # targetRevision belongs to the same list item: search back to its dash.
            for back in range(index - 1, -1, -1):
                match = REVISION_LINE.match(lines[back])
                if match:
                    return back, match.group(2)
                if lines[back].lstrip().startswith("- "):
                    break
            for ahead in range(index + 1, len(lines)):
                if lines[ahead].lstrip().startswith("- "):
                    break
                match = REVISION_LINE.match(lines[ahead])
                if match:
                    return ahead, match.group(2)
    raise SystemExit(f"production.yaml: no targetRevision next to `path: {CHART}`")


def pin_chart(application: Path, revision: str) -> str:
    text = application.read_text()
    index, previous = chart_revision(text)
    lines = text.splitlines()
    lines[index] = REVISION_LINE.sub(rf"\g<1>{revision}\g<3>", lines[index])
    application.write_text("\n".join(lines) + "\n")
    return previous


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--revision", default="HEAD")
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[2])
    args = parser.parse_args(argv)
    root = args.root
    revision = git(root, "rev-parse", "--verify", f"{args.revision}^{{commit}}")
    git(root, "cat-file", "-e", f"{revision}:{CHART}/Chart.yaml")  # the chart exists there

    staging = root / CHART / "values-staging.yaml"
    production = root / CHART / "values-production.yaml"
    tag, digest = image_values.read(staging)
    if not digest:
        raise SystemExit(f"{staging.name} has no image digest: nothing released to promote")
    old_tag, _ = image_values.read(production)
    image_values.write(production, tag, digest)
    previous = pin_chart(root / "deploy" / "argocd" / "production.yaml", revision)

    print(f"Image: {old_tag or '-'} -> {tag} ({digest})")
    print(f"Chart: {previous[:12]} -> {revision[:12]}")
    if re.fullmatch(r"[0-9a-f]{40}", previous):
        changes = git(root, "diff", "--stat", previous, revision, "--", CHART)
        print(changes or "(no chart changes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
