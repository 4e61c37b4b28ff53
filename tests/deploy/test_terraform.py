"""deploy/terraform, checked offline: `terraform fmt` (when a binary is here), the HCL
parsed with python-hcl2 and held to what the infrastructure promises, and checkov's
terraform framework with no failed check that is not skipped with a written reason.

No provider can be downloaded here, so `terraform init/validate/plan` never run: what a
provider or AWS would refuse is not caught (docs/infrastructure.md, "What was not run").
"""

import json
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest
import yaml

from tests.deploy.hcl import load_dir
from tests.deploy.helm import KUBE_VERSION

ROOT = Path(__file__).resolve().parents[2]
TF = ROOT / "deploy" / "terraform"
ADDONS = ROOT / "deploy" / "argocd" / "addons" / "apps"
CHART = ROOT / "deploy" / "helm" / "shop"
ROOTS = ["bootstrap", "platform", "environments/staging", "environments/production"]


@cache
def tf(module: str) -> dict:
    return load_dir(TF / module)


def platform() -> dict:
    return tf("platform")


def environment() -> dict:
    return tf("modules/shop-environment")


def default(module: dict, name: str):
    return module["variable"][name]["default"]


# --- formatting and pins -----------------------------------------------------------------


def test_terraform_fmt():
    binary = shutil.which("terraform") or shutil.which("tofu")
    if binary is None:
        pytest.skip("no terraform or tofu binary on this machine: `fmt -check` not run (HCL parsed below)")
    result = subprocess.run(
        [binary, "fmt", "-check", "-recursive", "-diff", TF], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_module_is_a_terraform_aws_module_at_an_exact_version_or_local():
    for path in sorted(TF.rglob("*.tf")):
        for name, block in load_dir(path.parent)["module"].items():
            source = block["source"]
            if source.startswith("../"):
                assert (path.parent / source).is_dir(), (path, name)
                continue
            assert source.startswith("terraform-aws-modules/"), (path, name, source)
            assert re.fullmatch(r"\d+\.\d+\.\d+", block["version"]), (path, name, block["version"])


@pytest.mark.parametrize("root", ROOTS)
def test_each_root_pins_terraform_and_its_providers(root):
    [settings] = tf(root)["terraform"]
    assert settings["required_version"] == ">= 1.11.1"  # write-only arguments, ephemeral values
    for providers in settings["required_providers"]:
        for provider in providers.values():
            assert re.fullmatch(r"~> \d+\.\d+", provider["version"]), provider


@pytest.mark.parametrize("root", ["platform", "environments/staging", "environments/production"])
def test_state_is_remote_in_s3_encrypted_and_locked(root):
    [settings] = tf(root)["terraform"]
    [backend] = settings["backend"]
    s3 = backend["s3"]
    assert s3["encrypt"] is True and s3["use_lockfile"] is True
    assert s3["key"] == f"{root.rpartition('/')[2]}/terraform.tfstate"
    assert "bucket" not in s3  # account-specific: -backend-config=bucket=... (runbook)


def test_state_bucket_is_versioned_encrypted_private_and_tls_only():
    resources = tf("bootstrap")["resource"]
    assert (
        resources["aws_s3_bucket_versioning"]["state"]["versioning_configuration"][0]["status"] == "Enabled"
    )
    rule = resources["aws_s3_bucket_server_side_encryption_configuration"]["state"]["rule"][0]
    assert rule["apply_server_side_encryption_by_default"][0]["sse_algorithm"] == "AES256"
    block = resources["aws_s3_bucket_public_access_block"]["state"]
    assert all(block[k] is True for k in _PUBLIC_ACCESS_FLAGS)
    [statement] = tf("bootstrap")["data"]["aws_iam_policy_document"]["state_tls_only"]["statement"]
    assert statement["effect"] == "Deny"
    assert statement["condition"][0]["variable"] == "aws:SecureTransport"


_PUBLIC_ACCESS_FLAGS = (
    "block_public_acls",
    "block_public_policy",
    "ignore_public_acls",
    "restrict_public_buckets",
)


# --- network and cluster -------------------------------------------------------------------


def test_vpc_spans_three_zones_with_private_nodes_and_an_isolated_database():
    vpc = platform()["module"]["vpc"]
    assert len(default(platform(), "azs")) == 3 and vpc["azs"] == "${var.azs}"
    for tier in ("private_subnets", "public_subnets", "database_subnets"):
        assert "range(3)" in vpc[tier]
    assert vpc["enable_nat_gateway"] is True and vpc["one_nat_gateway_per_az"] is True
    assert vpc["single_nat_gateway"] is False
    assert vpc["create_database_internet_gateway_route"] is False
    assert vpc["create_database_nat_gateway_route"] is False
    assert vpc["map_public_ip_on_launch"] is False
    assert vpc["public_subnet_tags"] == {"kubernetes.io/role/elb": "1"}
    eks = platform()["module"]["eks"]
    assert eks["subnet_ids"] == "${module.vpc.private_subnets}"
    assert eks["eks_managed_node_groups"]["general"]["subnet_ids"] == "${module.vpc.private_subnets}"


def test_eks_runs_the_kubernetes_version_the_manifests_are_validated_against():
    assert default(platform(), "kubernetes_version") == KUBE_VERSION.rpartition(".")[0]


def test_nodes_require_imdsv2_with_one_hop():
    for group in platform()["module"]["eks"]["eks_managed_node_groups"].values():
        assert group["metadata_options"] == {
            "http_endpoint": "enabled",
            "http_tokens": "required",
            "http_put_response_hop_limit": 1,
        }
        assert group["block_device_mappings"]["root"]["ebs"]["encrypted"] is True


def test_vpc_cni_enforces_network_policies():
    addons = platform()["module"]["eks"]["addons"]
    assert addons["vpc-cni"]["configuration_values"] == '${jsonencode({enableNetworkPolicy = "true"})}'
    assert addons["vpc-cni"]["before_compute"] is True
    assert addons["eks-pod-identity-agent"]["before_compute"] is True


def test_cluster_logs_every_control_plane_stream_and_encrypts_secrets():
    eks = platform()["module"]["eks"]
    assert set(eks["enabled_log_types"]) == {
        "api",
        "audit",
        "authenticator",
        "controllerManager",
        "scheduler",
    }
    assert eks["encryption_config"] == {"resources": ["secrets"]}
    assert eks["enable_irsa"] is True
    assert eks["authentication_mode"] == "API"
    assert eks["endpoint_private_access"] is True


# --- registry and the GitHub role ---------------------------------------------------------------


def test_ecr_release_tags_are_immutable_and_scanned_with_a_lifecycle():
    ecr = platform()["module"]["ecr"]
    assert ecr["repository_image_tag_mutability"] == "IMMUTABLE_WITH_EXCLUSION"
    # Only cosign's signature/attestation tags may be replaced; release tags never.
    assert ecr["repository_image_tag_mutability_exclusion_filter"] == [
        {"filter": "sha256-*", "filter_type": "WILDCARD"}
    ]
    assert ecr["repository_image_scan_on_push"] is True
    assert ecr["create_lifecycle_policy"] is True
    assert ecr["repository_lifecycle_policy"].count("expire") == 2
    assert ecr["repository_read_write_access_arns"] == ["${aws_iam_role.github_release.arn}"]


def test_github_role_trusts_only_this_repository_s_release_workflow_on_main():
    variables = platform()["variable"]
    assert "default" not in variables["github_repository"]  # must be set: no one's repo by default
    assert "regex" in variables["github_repository"]["validation"][0]["condition"]
    assert default(platform(), "github_release_refs") == ["refs/heads/main"]

    [statement] = platform()["data"]["aws_iam_policy_document"]["github_release_trust"]["statement"]
    assert statement["actions"] == ["sts:AssumeRoleWithWebIdentity"]
    assert statement["principals"][0]["identifiers"] == ["${aws_iam_openid_connect_provider.github.arn}"]
    conditions = {c["variable"]: c for c in statement["condition"]}
    assert set(conditions) == {
        "token.actions.githubusercontent.com:aud",
        "token.actions.githubusercontent.com:sub",
    }
    assert all(c["test"] == "StringEquals" for c in conditions.values())  # no StringLike wildcards
    assert conditions["token.actions.githubusercontent.com:aud"]["values"] == ["sts.amazonaws.com"]
    sub = conditions["token.actions.githubusercontent.com:sub"]["values"]
    assert "*" not in sub
    assert "repo:${var.github_repository}:ref:${ref}" in sub
    assert "job_workflow_ref:${var.github_repository}/.github/workflows/release.yml@${ref}" in sub


def test_github_role_may_push_to_the_shop_repository_only():
    statements = platform()["data"]["aws_iam_policy_document"]["github_release_push"]["statement"]
    by_sid = {s["sid"]: s for s in statements}
    assert by_sid["EcrLogin"]["actions"] == ["ecr:GetAuthorizationToken"]
    push = by_sid["PushTheShopImageAndItsBuildCache"]
    assert push["resources"] == ["${module.ecr.repository_arn}", "${module.ecr_cache.repository_arn}"]
    assert "ecr:PutImage" in push["actions"]
    assert not any(a.endswith("*") for s in statements for a in s["actions"])


def test_release_workflow_named_in_the_trust_assumes_the_role_through_oidc():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "release.yml").read_text())
    triggers = workflow.get("on", workflow.get(True))  # PyYAML reads a bare `on` as true
    assert triggers["push"]["branches"] == ["main"]  # the ref the trust names
    steps = [step for job in workflow["jobs"].values() for step in job.get("steps", [])]
    [login] = [s for s in steps if s.get("uses", "").startswith("aws-actions/configure-aws-credentials@")]
    assert login["with"]["role-to-assume"] == "${{ vars.AWS_RELEASE_ROLE_ARN }}"
    assert "aws-access-key-id" not in login["with"]  # no stored keys
    permissions = [job.get("permissions", {}) for job in workflow["jobs"].values()]
    assert any(p.get("id-token") == "write" for p in permissions)


# --- database -----------------------------------------------------------------------------------


def test_database_is_encrypted_private_backed_up_and_protected_in_production():
    db = environment()["module"]["database"]
    assert db["engine"] == "postgres"
    assert db["storage_encrypted"] is True
    assert db["publicly_accessible"] is False
    assert db["deletion_protection"] == "${local.production}"
    assert db["multi_az"] == "${local.production}"
    assert db["skip_final_snapshot"] == "${!local.production}"
    assert db["backup_retention_period"] == "${var.db_backup_retention_days}"
    assert db["delete_automated_backups"] is False
    [locals_] = environment()["locals"]
    assert locals_["production"] == '${var.environment == "production"}'
    parameters = {p["name"]: p["value"] for p in db["parameters"]}
    assert parameters["rds.force_ssl"] == "1"
    assert parameters["jit"] == "0"  # as the app's own connections (config/settings/base.py)
    assert db["create_db_parameter_group"] is True
    assert db["family"] == "postgres${var.postgres_major_version}"


def test_point_in_time_recovery_reaches_back_at_least_seven_days():
    retention = environment()["variable"]["db_backup_retention_days"]
    assert retention["default"] >= 7
    assert ">= 7" in retention["validation"][0]["condition"]
    for env in ("staging", "production"):
        days = tf(f"environments/{env}")["module"]["shop"].get(
            "db_backup_retention_days", retention["default"]
        )
        assert days >= 7


def test_database_runs_the_postgresql_major_the_project_declares():
    declared = re.search(r"\*\*PostgreSQL (\d+)", (ROOT / "docs" / "decisions.md").read_text())
    major = declared.group(1) if declared else "15"  # machines here run 15 (tests' server)
    assert default(environment(), "postgres_major_version") == major


def test_database_password_never_enters_the_state():
    db = environment()["module"]["database"]
    assert db["manage_master_user_password"] is False
    assert db["password_wo"] == "${ephemeral.random_password.database.result}"
    assert "password" not in db
    version = environment()["resource"]["aws_secretsmanager_secret_version"]["database"]
    assert "secret_string" not in version
    assert "DATABASE_URL" in version["secret_string_wo"] and "sslmode=require" in version["secret_string_wo"]
    assert version["secret_string_wo_version"] == db["password_wo_version"] == "${var.db_password_version}"
    ingress = environment()["resource"]["aws_vpc_security_group_ingress_rule"]["database_from_nodes"]
    assert ingress["referenced_security_group_id"] == "${var.platform.node_security_group_id}"
    assert (ingress["from_port"], ingress["to_port"]) == (5432, 5432)


# --- media ----------------------------------------------------------------------------------


def test_media_bucket_is_private_encrypted_versioned_behind_cloudfront():
    media = environment()["module"]["media"]
    assert all(media[flag] is True for flag in _PUBLIC_ACCESS_FLAGS)
    assert media["versioning"] == {"enabled": True}
    sse = media["server_side_encryption_configuration"]["rule"]["apply_server_side_encryption_by_default"]
    assert sse["sse_algorithm"] == "AES256"
    assert media["attach_deny_insecure_transport_policy"] is True
    assert media["object_ownership"] == "BucketOwnerEnforced"
    cloudfront = environment()["resource"]["aws_cloudfront_distribution"]["media"]
    [origin] = cloudfront["origin"]
    assert origin["origin_access_control_id"] == "${aws_cloudfront_origin_access_control.media.id}"
    assert cloudfront["default_cache_behavior"][0]["viewer_protocol_policy"] == "redirect-to-https"
    [read] = environment()["data"]["aws_iam_policy_document"]["media_cloudfront"]["statement"]
    assert read["actions"] == ["s3:GetObject"]
    assert read["condition"][0]["values"] == ["${aws_cloudfront_distribution.media.arn}"]


# --- IAM of the pods, and the chart's names -------------------------------------------------


def _chart_values(env: str) -> dict:
    return yaml.safe_load((CHART / f"values-{env}.yaml").read_text())


@pytest.mark.parametrize("env", ["staging", "production"])
def test_shop_pods_role_is_the_one_the_chart_names_and_reaches_only_its_bucket(env):
    from tests.deploy.helm import FULLNAME

    role = environment()["module"]["shop_role"]
    assert role["name"] == "${local.name}-media"
    assert role["oidc_providers"]["cluster"]["namespace_service_accounts"] == [
        "${local.namespace}:${local.service_account}"
    ]
    [locals_] = environment()["locals"]
    assert locals_["service_account"] == FULLNAME
    annotation = _chart_values(env)["serviceAccount"]["annotations"]["eks.amazonaws.com/role-arn"]
    assert annotation.endswith(f":role/threadline-{env}-media")
    statements = environment()["data"]["aws_iam_policy_document"]["media_access"]["statement"]
    assert {r for s in statements for r in s["resources"]} == {
        "${module.media.s3_bucket_arn}",
        "${module.media.s3_bucket_arn}/*",
    }


def test_secrets_have_no_values_in_the_repository():
    secrets = environment()["resource"]["aws_secretsmanager_secret"]
    assert {s["name"] for s in secrets.values()} == {
        "threadline/${var.environment}",
        "threadline/${var.environment}/database",
    }
    versions = environment()["resource"]["aws_secretsmanager_secret_version"]
    assert set(versions) == {"database"}  # the app secret's values are set by hand
    assert "aws_secretsmanager_secret_version" not in platform()["resource"]


def test_environment_secrets_role_reads_only_its_environment():
    role = environment()["module"]["secrets_role"]
    assert role["oidc_providers"]["cluster"]["namespace_service_accounts"] == [
        "${local.namespace}:${local.service_account}-secrets"
    ]
    statements = environment()["data"]["aws_iam_policy_document"]["read_secrets"]["statement"]
    assert statements[0]["resources"] == [
        "${aws_secretsmanager_secret.app.arn}",
        "${aws_secretsmanager_secret.database.arn}",
    ]


def test_pod_identity_associations_match_the_add_on_service_accounts():
    """Each add-on's namespace and ServiceAccount in Argo CD equal the association's."""
    apps = {p.stem: yaml.safe_load(p.read_text()) for p in ADDONS.glob("*.yaml")}
    associations = {
        name: assoc
        for module in platform()["module"].values()
        for name, assoc in (module.get("associations") or {}).items()
    }
    assert set(associations) == {"external-dns", "external-secrets", "aws-load-balancer-controller"}
    for name, assoc in associations.items():
        app = apps[name]
        values = app["spec"]["source"]["helm"]["valuesObject"]
        assert app["spec"]["destination"]["namespace"] == assoc["namespace"], name
        assert values["serviceAccount"]["name"] == assoc["service_account"], name


# --- checkov --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def checkov_report() -> dict:
    """One checkov run per session (importing it takes ~30 s), through deploy/checkov.sh:
    its own virtualenv from the hashed deploy/checkov.lock (checkov pins packaging<24,
    which pytest 9 cannot share)."""
    result = subprocess.run(
        [ROOT / "deploy" / "checkov.sh", "terraform", "-o", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1500,
        check=False,
    )
    assert result.stdout.lstrip().startswith(("{", "[")), result.stdout[-2000:] + result.stderr[-2000:]
    report = json.loads(result.stdout)
    return report[0] if isinstance(report, list) else report


def test_checkov_finds_no_failed_check(checkov_report):
    failed = [
        f"{c['check_id']} {c['resource']} ({c['file_path']})"
        for c in checkov_report["results"]["failed_checks"]
    ]
    assert failed == []
    assert checkov_report["summary"]["parsing_errors"] == 0
    assert checkov_report["summary"]["passed"] > 100


def test_every_skipped_check_says_why(checkov_report):
    inline = {}
    for path in TF.rglob("*.tf"):
        for check, reason in re.findall(r"#checkov:skip=([A-Z0-9_]+):(.*)", path.read_text()):
            assert len(reason.strip()) > 20, (path, check)
            inline.setdefault(check, []).append(path)
    config = (TF / ".checkov.yaml").read_text().splitlines()
    global_skips = []
    for i, line in enumerate(config):
        if line.strip().startswith("- CKV"):
            assert config[i - 1].strip().startswith("#"), (
                f"{line.strip()} in .checkov.yaml has no reason above it"
            )
            global_skips.append(line.strip()[2:])
    skipped = {c["check_id"] for c in checkov_report["results"]["skipped_checks"]}
    assert skipped <= set(inline) | set(global_skips)


@pytest.mark.parametrize("env", ["staging"])  # production: once its pinned chart has extraRemoteKeys
def test_chart_reads_exactly_the_secrets_terraform_makes_with_the_role_terraform_makes(env):
    from tests.deploy.helm import FULLNAME, render

    [external] = [d for d in render(env=env) if d["kind"] == "ExternalSecret"]
    keys = [item["extract"]["key"] for item in external["spec"]["dataFrom"]]
    made = {
        s["name"].replace("${var.environment}", env)
        for s in environment()["resource"]["aws_secretsmanager_secret"].values()
    }
    assert sorted(keys) == sorted(made)
    store = _chart_values(env)["externalSecret"]["secretStore"]
    assert store["roleArn"].endswith(f":role/threadline-{env}-secrets")
    assert environment()["module"]["secrets_role"]["name"] == "${local.name}-secrets"
    [account] = [
        d
        for d in render(env=env)
        if d["kind"] == "ServiceAccount" and d["metadata"]["name"].endswith("-secrets")
    ]
    assert account["metadata"]["name"] == f"{FULLNAME}-secrets"
    assert store["region"] == default(platform(), "region")


def test_chart_pushes_and_pulls_the_repository_terraform_makes():
    assert platform()["module"]["ecr"]["repository_name"] == "${var.name}"
    for env in ("staging", "production"):
        repository = _chart_values(env)["image"]["repository"]
        assert repository.endswith(
            f".dkr.ecr.{default(platform(), 'region')}.amazonaws.com/{default(platform(), 'name')}"
        )
