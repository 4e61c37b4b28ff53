"""The lock files are the install: they must say what requirements*.txt say."""

import re

from tests.deploy import tools

PIN = re.compile(r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==([^\s;\\]+)", re.M)


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins(path) -> dict[str, str]:
    return {_normalise(name): version for name, version in PIN.findall(path.read_text())}


def _locked(path) -> dict[str, str]:
    """name -> version of each entry; every entry must carry at least one sha256 hash."""
    locked: dict[str, str] = {}
    entries = re.split(r"\n(?=[^\s#])", path.read_text())
    for entry in entries:
        match = PIN.match(entry)
        if not match:
            continue
        assert re.search(r"--hash=sha256:[0-9a-f]{64}", entry), f"{path.name}: {entry[:60]} has no hash"
        locked[_normalise(match.group(1))] = match.group(2)
    assert locked, f"{path.name} has no entries"
    return locked


def test_every_pin_is_locked_at_its_version_with_hashes():
    runtime = _locked(tools.ROOT / "requirements.lock")
    dev = _locked(tools.ROOT / "requirements-dev.lock")
    for name, version in _pins(tools.ROOT / "requirements.txt").items():
        assert runtime.get(name) == version, f"{name}=={version}: run `make lock`"
        assert dev.get(name) == version, f"{name}=={version}: run `make lock`"
    for name, version in _pins(tools.ROOT / "requirements-dev.txt").items():
        assert dev.get(name) == version, f"{name}=={version}: run `make lock`"


def test_runtime_and_dev_locks_agree_on_every_shared_package():
    runtime = _locked(tools.ROOT / "requirements.lock")
    dev = _locked(tools.ROOT / "requirements-dev.lock")
    assert {n: v for n, v in dev.items() if n in runtime} == runtime


def test_image_and_make_install_only_from_the_locks_with_hashes():
    dockerfile = (tools.ROOT / "Dockerfile").read_text()
    assert re.search(r"--require-hashes --no-deps -r /tmp/requirements\.lock", dockerfile)
    assert "requirements.txt" not in dockerfile.replace("# ", "")
    makefile = (tools.ROOT / "Makefile").read_text()
    assert "--require-hashes --no-deps -r requirements-dev.lock" in makefile
    assert "-r requirements-dev.txt\n" not in makefile
