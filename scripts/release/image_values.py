"""Reads and writes the image lines of a chart values file, keeping every comment.

    python3 scripts/release/image_values.py set FILE --tag TAG --digest sha256:...
    python3 scripts/release/image_values.py get FILE          # prints "TAG DIGEST"

Only `tag:` and `digest:` directly under the top-level `image:` block change; a
missing `digest:` line is added after `tag:`. Standard library only, so CI runs it
without installing anything. The release workflow commits its result (GitOps: the
commit is the deploy); `promote.py` copies staging's lines to production.
"""

import argparse
import re
import sys
from pathlib import Path

TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")  # the OCI tag grammar
DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")


def _image_block(lines: list[str]) -> tuple[int, int]:
    """(first, end) line indexes of the top-level image block's body."""
    try:
        start = next(i for i, line in enumerate(lines) if re.match(r"^image:\s*(#.*)?$", line))
    except StopIteration:
        raise SystemExit("no top-level `image:` block") from None
    end = start + 1
    while end < len(lines) and (not lines[end].strip() or lines[end].startswith((" ", "#"))):
        end += 1
    return start + 1, end


def _field(lines: list[str], first: int, end: int, name: str) -> int | None:
    pattern = re.compile(rf"^  {name}:")
    return next((i for i in range(first, end) if pattern.match(lines[i])), None)


def read(path: Path) -> tuple[str, str]:
    lines = path.read_text().splitlines()
    first, end = _image_block(lines)
    values = []
    for name in ("tag", "digest"):
        index = _field(lines, first, end, name)
        value = lines[index].split(":", 1)[1].split("#", 1)[0].strip().strip("\"'") if index else ""
        values.append(value)
    return values[0], values[1]


def write(path: Path, tag: str, digest: str) -> None:
    if not TAG.match(tag):
        raise SystemExit(f"not an image tag: {tag!r}")
    if not DIGEST.match(digest):
        raise SystemExit(f"not a sha256 digest: {digest!r}")
    lines = path.read_text().splitlines()
    first, end = _image_block(lines)
    tag_at = _field(lines, first, end, "tag")
    if tag_at is None:
        lines.insert(first, f'  tag: "{tag}"')
        tag_at, end = first, end + 1
    else:
        lines[tag_at] = f'  tag: "{tag}"'
    digest_at = _field(lines, first, end, "digest")
    if digest_at is None:
        lines.insert(tag_at + 1, f'  digest: "{digest}"')
    else:
        lines[digest_at] = f'  digest: "{digest}"'
    path.write_text("\n".join(lines) + "\n")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    setter = commands.add_parser("set")
    setter.add_argument("file", type=Path)
    setter.add_argument("--tag", required=True)
    setter.add_argument("--digest", required=True)
    getter = commands.add_parser("get")
    getter.add_argument("file", type=Path)
    args = parser.parse_args(argv)
    if args.command == "set":
        write(args.file, args.tag, args.digest)
    else:
        print(*read(args.file))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
