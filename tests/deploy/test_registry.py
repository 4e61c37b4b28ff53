"""The release path against a real registry: the image pushed with the release's own
scripts, the values bumped to its digest, the chart rendered, and the image pulled
back by that digest into an empty image store and run (migrate, /readyz)."""

import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import yaml

from tests.deploy import tools
from tests.deploy.helm import CHART, find, pod_spec, render
from tests.deploy.tools import podman_run_args

RELEASE = tools.ROOT / "scripts" / "release"


@pytest.fixture(scope="module")
def pushed(image, registry, podman_env):
    """scripts/release/tag.sh and push.sh, as release.yml runs them (ENGINE=podman here)."""
    tag = tools.run([RELEASE / "tag.sh"]).stdout.strip()
    repository = f"{registry.host}/threadline/shop"
    started = time.monotonic()
    result = tools.run(
        [RELEASE / "push.sh", image, repository, tag],
        env={**podman_env, "ENGINE": "podman", "INSECURE_REGISTRY": "1"},
        timeout=900,
    )
    tools.REPORT["push to the registry"] = f"{time.monotonic() - started:.0f} s"
    return {"repository": repository, "tag": tag, "digest": result.stdout.strip().splitlines()[-1]}


def test_the_tag_names_the_version_and_the_commit(pushed):
    version, _, commit = pushed["tag"].rpartition("-")
    assert (
        version
        == tools.run(
            ["sed", "-n", 's/^version = "\\(.*\\)"$/\\1/p', tools.ROOT / "pyproject.toml"]
        ).stdout.strip()
    )
    assert tools.run(["git", "-C", tools.ROOT, "rev-parse", "HEAD"]).stdout.startswith(commit)


def test_the_registry_holds_the_pushed_digest_under_the_tag(pushed, registry):
    assert registry.manifest_digest("threadline/shop", pushed["tag"]) == pushed["digest"]
    assert registry.manifest_digest("threadline/shop", pushed["digest"]) == pushed["digest"]
    assert registry.manifest_digest("threadline/shop", "no-such-tag") is None


@pytest.fixture(scope="module")
def pulled(pushed, tmp_path_factory, podman_env):
    """The image ref the bumped chart renders, pulled into an empty podman store: every
    layer comes from the registry, nothing from the store the build used."""
    values = tmp_path_factory.mktemp("values") / "values-staging.yaml"
    values.write_text((CHART / "values-staging.yaml").read_text())
    tools.run(
        [
            "python3",
            RELEASE / "image_values.py",
            "set",
            values,
            "--tag",
            pushed["tag"],
            "--digest",
            pushed["digest"],
        ]
    )
    overrides = yaml.safe_load(values.read_text())
    overrides["image"]["repository"] = pushed["repository"]
    reference = pod_spec(find(render(overrides, "staging"), "Deployment"))["containers"][0]["image"]
    assert reference == f"{pushed['repository']}@{pushed['digest']}"

    store = Path(tempfile.mkdtemp(prefix="threadline-store.", dir="/var/tmp"))
    podman = ["podman", "--root", str(store / "root"), "--runroot", str(store / "run")]
    started = time.monotonic()
    tools.run([*podman, "pull", "--quiet", "--tls-verify=false", reference], env=podman_env, timeout=900)
    tools.REPORT["pull by digest"] = f"{time.monotonic() - started:.0f} s (into an empty store)"
    try:
        yield podman, reference
    finally:
        subprocess.run([*podman, "rm", "--all", "--force"], capture_output=True, env=podman_env, check=False)
        subprocess.run([*podman, "rmi", "--all", "--force"], capture_output=True, env=podman_env, check=False)
        subprocess.run(["rm", "-rf", str(store)], check=False)


def test_the_image_pulled_by_digest_is_the_image_built(pulled, image, podman_env):
    podman, reference = pulled
    [pulled_id] = tools.run(
        [*podman, "image", "inspect", "--format", "{{.Id}}", reference], env=podman_env
    ).stdout.split()
    built_id = tools.image_inspect(podman_env, image)["Id"]
    assert pulled_id == built_id


def test_the_image_pulled_by_digest_migrates_and_serves(pulled, migrated, app_env, podman_env):
    """The database is the one the built image migrated (the same image id, asserted above), so
    the pulled image's migrate finds nothing to apply and the run spends no minute repeating it."""
    podman, reference = pulled
    migrate = tools.run(
        [
            *podman,
            "run",
            "--rm",
            *podman_run_args(app_env),
            reference,
            "python",
            "manage.py",
            "migrate",
            "--noinput",
        ],
        env=podman_env,
        timeout=600,
    )
    assert "Operations to perform" in migrate.stdout
    port = tools.free_port()
    name = f"threadline-pulled-{port}"
    tools.run(
        [
            *podman,
            "run",
            "--detach",
            "--name",
            name,
            "--read-only",
            "--cap-drop",
            "ALL",
            *podman_run_args({**app_env, "PORT": str(port)}),
            reference,
        ],
        env=podman_env,
    )
    try:

        def alive() -> bool:
            inspect = [*podman, "inspect", "--format", "{{.State.Running}}", name]
            return "true" in tools.run(inspect, env=podman_env, check=False).stdout

        tools.wait_for_http(f"http://127.0.0.1:{port}/healthz", timeout=90, is_alive=alive)
        status, _, body = tools.get(f"http://127.0.0.1:{port}/readyz")
        assert status == 200, body
    finally:
        subprocess.run(
            [*podman, "rm", "--force", "--time", "0", name], capture_output=True, env=podman_env, check=False
        )
