"""Terraform files read with python-hcl2, in a shape tests can index.

python-hcl2 keeps HCL's quotes (`'"aws_iam_role"'`, `'"threadline"'`) and marks blocks;
`load_dir` strips both, so `tf["module"]["eks"]["kubernetes_version"]` is a plain value.
Expressions stay as text (`"${var.name}-media"`): no provider runs here to evaluate them.
"""

from pathlib import Path

import hcl2

BLOCK_KEYS = {"__is_block__", "__comments__", "__inline_comments__"}


def plain(value):
    if isinstance(value, dict):
        return {unquote(k): plain(v) for k, v in value.items() if k not in BLOCK_KEYS}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, str):
        return unquote(value)
    return value


def unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1]
    return text


def load_dir(directory: Path) -> dict:
    """Every *.tf of one module, merged: resource/data as {type: {name: body}}, module,
    variable and output as {name: body}, terraform and locals as lists of bodies."""
    merged: dict = {"resource": {}, "data": {}, "ephemeral": {}, "module": {}, "variable": {}, "output": {}}
    merged.update(terraform=[], locals=[], provider=[])
    for path in sorted(directory.glob("*.tf")):
        with path.open() as handle:
            parsed = plain(hcl2.load(handle))
        for kind, blocks in parsed.items():
            for block in blocks:
                if kind in ("resource", "data", "ephemeral"):
                    for type_, named in block.items():
                        merged[kind].setdefault(type_, {}).update(named)
                elif kind in ("module", "variable", "output"):
                    merged[kind].update(block)
                else:
                    merged[kind].append(block)
    return merged
