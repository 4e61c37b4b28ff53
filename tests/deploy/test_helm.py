"""The Helm chart deploy/helm/shop, rendered offline with the Helm SDK (no cluster, no CLI).

Every manifest is validated strictly against the Kubernetes 1.35 schema (the EKS version of
deploy/terraform), then the rendered objects are checked for what the deployment promises:
probes, a locked-down security context, zero-downtime rollouts, migrations before new pods, TLS at the edge.
"""

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

import helm_python
import kubernetes_validate
import pytest
import yaml

from tests.db import database_url
from tests.deploy.helm import (
    CHART,
    CRD_KINDS,
    ENVIRONMENTS,
    EVERYTHING_ON,
    FULLNAME,
    KUBE_VERSION,
    RELEASE,
    ROOT,
    config_map_refs,
    env_of,
    env_values,
    find,
    kinds,
    pod_annotations,
    pod_spec,
    render,
    secret_refs,
    workloads,
)

# --- lint and schema ------------------------------------------------------------------


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_helm_lint_is_clean(env):
    report = helm_python.lint(CHART, env_values(env) or None, strict=True)
    assert report["errors"] == []
    problems = [m for m in report["messages"] if m["severity"] >= 2]  # 2 warning, 3 error
    assert problems == []


@pytest.mark.parametrize("env", ENVIRONMENTS)
@pytest.mark.parametrize("extra", [{}, EVERYTHING_ON, {"secret": {"existingSecret": "shop-env"}}])
def test_every_manifest_validates_strictly_against_kubernetes(env, extra):
    docs = render(extra, env)
    assert {"Deployment", "Service", "ConfigMap", "CronJob", "Job"} <= kinds(docs)
    for doc in docs:
        if doc["kind"] in CRD_KINDS:
            continue
        kubernetes_validate.validate(doc, KUBE_VERSION, strict=True)


def test_the_validator_is_strict_about_unknown_fields():
    deployment = find(render(), "Deployment")
    pod_spec(deployment)["containers"][0]["livenessprobe"] = {"httpGet": {"path": "/healthz"}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBE_VERSION, strict=True)


@pytest.mark.parametrize(
    "bad",
    [
        {"image": {"tag": 1.10}},  # a float would render as "1.1"
        {"config": {"paymentProvider": "paypal"}},
        {"ingress": {"hosts": []}},
        {"ingress": {"clusterIssuer": ""}},
        {"image": {"digest": "latest"}},
        {"replicas": 3},  # a typo of replicaCount
        {"housekeeping": {"cartRetentionDays": 0}},
        {"housekeeping": {"cartRetentionDays": "30"}},
        {"housekeeping": {"retentionDays": 30}},  # not a key of the block
        {"gunicorn": {"keepalive": 30}},  # below nginx's 60 s: 502s on reused connections
        {"externalSecret": {"enabled": True}},  # no remoteKey
    ],
)
def test_values_schema_refuses_bad_values(bad):
    with pytest.raises(helm_python.HelmValuesError):
        render(bad)


# --- the web Deployment ---------------------------------------------------------------


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_probes_use_health_endpoints(env):
    web = pod_spec(find(render(env=env), "Deployment"))["containers"][0]
    assert web["ports"] == [{"name": "http", "containerPort": 8000, "protocol": "TCP"}]
    assert web["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert web["startupProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert web["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    # The startup probe gives a cold start a minute before liveness can kill it.
    startup = web["startupProbe"]
    assert startup["periodSeconds"] * startup["failureThreshold"] >= 60


def test_probes_and_scrapes_by_pod_ip_pass_djangos_host_check():
    web = pod_spec(find(render(env="production"), "Deployment"))["containers"][0]
    env = env_of(web)
    assert env["ALLOWED_HOSTS"] == "shop.example.com,www.shop.example.com,$(POD_IP)"
    names = [e["name"] for e in web["env"]]
    assert names.index("POD_IP") < names.index("ALLOWED_HOSTS")  # defined before it is expanded
    pod_ip = next(e for e in web["env"] if e["name"] == "POD_IP")
    assert pod_ip["valueFrom"]["fieldRef"]["fieldPath"] == "status.podIP"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_workload_runs_locked_down(env):
    docs = render(env=env)
    assert {w["kind"] for w in workloads(docs)} == {"Deployment", "Job", "CronJob"}
    for workload in workloads(docs):
        spec = pod_spec(workload)
        assert spec["securityContext"]["runAsNonRoot"] is True
        assert spec["securityContext"]["runAsUser"] == 10001
        assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        assert spec["automountServiceAccountToken"] is False
        assert spec["enableServiceLinks"] is False
        for container in spec["containers"]:
            context = container["securityContext"]
            assert context["readOnlyRootFilesystem"] is True
            assert context["allowPrivilegeEscalation"] is False
            assert context["privileged"] is False
            assert context["runAsNonRoot"] is True
            assert context["capabilities"] == {"drop": ["ALL"]}
            assert context["seccompProfile"] == {"type": "RuntimeDefault"}
            # The only writable place: an emptyDir on /tmp.
            assert container["volumeMounts"] == [{"name": "tmp", "mountPath": "/tmp"}]
            assert "memory" in container["resources"]["limits"]
            assert {"cpu", "memory"} <= set(container["resources"]["requests"])
        assert spec["volumes"] == [{"name": "tmp", "emptyDir": {"sizeLimit": "512Mi"}}]


def test_prometheus_multiprocess_files_go_to_the_writable_tmp():
    web = pod_spec(find(render(), "Deployment"))["containers"][0]
    assert env_of(web)["PROMETHEUS_MULTIPROC_DIR"].startswith("/tmp/")


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_rollout_never_drops_below_desired_and_drains_gracefully(env):
    docs = render(env=env)
    deployment = find(docs, "Deployment")
    assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    assert deployment["spec"]["strategy"]["rollingUpdate"]["maxSurge"] >= 1
    spec = pod_spec(deployment)
    web = spec["containers"][0]
    sleep = web["lifecycle"]["preStop"]["exec"]["command"]
    assert sleep[0] == "sleep"
    assert int(sleep[1]) >= 5
    graceful = int(find(docs, "ConfigMap")["data"]["GUNICORN_GRACEFUL_TIMEOUT"])
    # SIGTERM comes after the preStop sleep; gunicorn then needs up to its graceful timeout.
    assert spec["terminationGracePeriodSeconds"] > int(sleep[1]) + graceful


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_replicas_spread_across_zones_and_nodes(env):
    deployment = find(render(env=env), "Deployment")
    constraints = {c["topologyKey"]: c for c in pod_spec(deployment)["topologySpreadConstraints"]}
    assert set(constraints) == {"topology.kubernetes.io/zone", "kubernetes.io/hostname"}
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    for constraint in constraints.values():
        assert constraint["maxSkew"] == 1
        assert constraint["labelSelector"]["matchLabels"].items() <= pod_labels.items()
    expected = "DoNotSchedule" if env == "production" else "ScheduleAnyway"
    assert constraints["topology.kubernetes.io/zone"]["whenUnsatisfiable"] == expected


def test_image_tag_comes_from_values_and_a_digest_pins_it():
    web = pod_spec(find(render(), "Deployment"))["containers"][0]
    assert web["image"] == "registry.example.com/threadline/shop:0.1.0"  # appVersion by default
    docs = render({"image": {"repository": "ghcr.io/acme/shop", "tag": "2026.11.24-abc1234"}})
    for workload in workloads(docs):
        assert pod_spec(workload)["containers"][0]["image"] == "ghcr.io/acme/shop:2026.11.24-abc1234"
    digest = "sha256:" + "ab" * 32
    docs = render({"image": {"tag": "v1", "digest": digest}})
    for workload in workloads(docs):
        assert (
            pod_spec(workload)["containers"][0]["image"] == f"registry.example.com/threadline/shop@{digest}"
        )


def test_service_selects_the_web_pods_on_the_named_port():
    docs = render()
    service, deployment = find(docs, "Service"), find(docs, "Deployment")
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"] == deployment["spec"]["selector"]["matchLabels"]
    assert service["spec"]["selector"].items() <= pod_labels.items()
    assert service["spec"]["ports"] == [{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}]
    # Job pods share the release labels but never the component: the Service only reaches web pods.
    for workload in workloads(docs):
        if workload is not deployment:
            labels = (
                workload["spec"]["jobTemplate"]["spec"]["template"]["metadata"]["labels"]
                if workload["kind"] == "CronJob"
                else workload["spec"]["template"]["metadata"]["labels"]
            )
            assert not service["spec"]["selector"].items() <= labels.items()


# --- configuration, secrets, rollouts on change ---------------------------------------


def test_config_map_holds_settings_and_no_secret():
    config = find(render(), "ConfigMap")["data"]
    assert config["DJANGO_SETTINGS_MODULE"] == "config.settings.prod"
    assert config["DEBUG"] == "false"
    assert config["CSRF_TRUSTED_ORIGINS"] == "https://shop.example.com"
    assert config["WAGTAILADMIN_BASE_URL"] == "https://shop.example.com"
    assert not {"SECRET_KEY", "DATABASE_URL", "STRIPE_SECRET_KEY", "EMAIL_URL", "SENTRY_DSN"} & set(config)
    # Empty settings are left out so the application's defaults apply (an empty
    # AWS_S3_REGION_NAME would reach boto3 as a region called "").
    assert "AWS_STORAGE_BUCKET_NAME" not in config
    assert "REDIS_URL" not in config
    assert all(isinstance(value, str) for value in config.values())


def test_environments_differ_where_they_should():
    staging = find(render(env="staging"), "ConfigMap")["data"]
    production = find(render(env="production"), "ConfigMap")["data"]
    assert (staging["PAYMENT_PROVIDER"], staging["ALLOW_TEST_PAYMENTS"]) == ("test", "true")
    assert (production["PAYMENT_PROVIDER"], production["ALLOW_TEST_PAYMENTS"]) == ("stripe", "false")
    assert staging["AWS_STORAGE_BUCKET_NAME"] != production["AWS_STORAGE_BUCKET_NAME"]
    assert production["CSRF_TRUSTED_ORIGINS"] == "https://shop.example.com,https://www.shop.example.com"


def test_extra_env_reaches_the_config_map():
    config = find(render({"config": {"extraEnv": {"SHOP_SHIPPING_FLAT_RATE": "5.90"}}}), "ConfigMap")
    assert config["data"]["SHOP_SHIPPING_FLAT_RATE"] == "5.90"


def test_chart_secret_holds_only_the_given_keys():
    docs = render({"secret": {"values": {"SECRET_KEY": "k" * 60, "DATABASE_URL": "postgres://db/shop"}}})
    secret = find(docs, "Secret")
    assert set(secret["data"]) == {"SECRET_KEY", "DATABASE_URL"}
    assert base64.b64decode(secret["data"]["DATABASE_URL"]).decode() == "postgres://db/shop"
    for workload in (
        find(docs, "Deployment"),
        find(docs, "CronJob", f"{FULLNAME}-expire-orders"),
        find(docs, "CronJob", f"{FULLNAME}-housekeeping"),
    ):
        container = pod_spec(workload)["containers"][0]
        assert secret_refs(container) == [FULLNAME]
        assert config_map_refs(container) == [FULLNAME]


def test_existing_secret_switches_off_the_charts_secrets():
    docs = render({"secret": {"existingSecret": "shop-env"}})
    assert "Secret" not in kinds(docs)
    for workload in workloads(docs):
        assert secret_refs(pod_spec(workload)["containers"][0]) == ["shop-env"]


@pytest.mark.parametrize("env", ["staging", "production"])
def test_deployed_environments_keep_secrets_out_of_git(env):
    values = env_values(env)
    assert values["secret"]["existingSecret"]
    assert not any(values["secret"].get("values", {}).values())
    assert "Secret" not in kinds(render(env=env))


def test_a_config_change_rolls_the_pods():
    def checksums(values):
        docs = render(values)
        return {
            workload["kind"]: (
                pod_annotations(workload)["checksum/config"],
                pod_annotations(workload)["checksum/secret"],
            )
            for workload in workloads(docs)
            if workload["kind"] != "Job"
        }

    before = checksums({})
    assert set(before) == {"Deployment", "CronJob"}
    after_config = checksums({"config": {"logLevel": "DEBUG"}})
    after_secret = checksums({"secret": {"values": {"SENTRY_DSN": "https://key@sentry.example.com/1"}}})
    for kind in before:
        assert after_config[kind][0] != before[kind][0]
        assert after_config[kind][1] == before[kind][1]
        assert after_secret[kind][1] != before[kind][1]
        assert after_secret[kind][0] == before[kind][0]
    assert checksums({}) == before  # rendering is deterministic: no spurious rollouts


# --- migrations and the expiry job ----------------------------------------------------


def hook_weight(doc: dict) -> int:
    return int(doc["metadata"]["annotations"]["helm.sh/hook-weight"])


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_migrations_run_as_a_hook_before_install_and_upgrade(env):
    docs = render(env=env)
    job = find(docs, "Job", f"{FULLNAME}-migrate")
    annotations = job["metadata"]["annotations"]
    assert set(annotations["helm.sh/hook"].split(",")) == {"pre-install", "pre-upgrade"}
    assert "before-hook-creation" in annotations["helm.sh/hook-delete-policy"].split(",")
    assert job["spec"]["backoffLimit"] >= 1
    assert job["spec"]["activeDeadlineSeconds"] > 0
    spec = pod_spec(job)
    assert spec["restartPolicy"] == "Never"
    container = spec["containers"][0]
    assert container["args"] == ["python", "manage.py", "migrate", "--noinput"]
    assert env_of(container)["DJANGO_SETTINGS_MODULE"] == "config.settings.prod"


@pytest.mark.parametrize("extra", [{}, {"secret": {"existingSecret": "shop-env"}}])
def test_migration_hook_only_needs_what_exists_before_it(extra):
    """A pre-install hook runs before the release's own objects exist."""
    docs = render(extra)
    job = find(docs, "Job", f"{FULLNAME}-migrate")
    container = pod_spec(job)["containers"][0]
    assert config_map_refs(container) == []  # settings are inline instead
    config = find(docs, "ConfigMap")["data"]
    assert config.items() <= env_of(container).items()
    [secret_name] = secret_refs(container)
    if extra:
        assert secret_name == "shop-env"  # created outside the chart, so already there
    else:
        hook_secret = find(docs, "Secret", secret_name)
        assert "pre-install" in hook_secret["metadata"]["annotations"]["helm.sh/hook"]
        assert hook_weight(hook_secret) < hook_weight(job)
        assert hook_secret["data"] == find(docs, "Secret")["data"]


def test_migrations_can_be_switched_off():
    docs = render({"migrations": {"enabled": False}})
    assert "Job" not in kinds(docs)
    assert [d["metadata"]["name"] for d in docs if d["kind"] == "Secret"] == [FULLNAME]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_unpaid_orders_expire_every_five_minutes_one_run_at_a_time(env):
    cron = find(render(env=env), "CronJob", f"{FULLNAME}-expire-orders")
    assert cron["spec"]["schedule"] == "*/5 * * * *"
    assert cron["spec"]["concurrencyPolicy"] == "Forbid"
    assert "annotations" not in cron["metadata"] or "helm.sh/hook" not in cron["metadata"]["annotations"]
    job = cron["spec"]["jobTemplate"]["spec"]
    assert job["activeDeadlineSeconds"] < 5 * 60  # done before the next tick
    spec = pod_spec(cron)
    assert spec["restartPolicy"] == "Never"
    assert spec["containers"][0]["args"] == ["python", "manage.py", "expire_orders"]


HOUSEKEEPING = "python manage.py clearsessions && exec python manage.py clear_abandoned_carts"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_housekeeping_clears_sessions_then_abandoned_carts_nightly(env):
    docs = render(env=env)
    cron = find(docs, "CronJob", f"{FULLNAME}-housekeeping")
    assert cron["spec"]["schedule"] == "17 3 * * *"
    assert cron["spec"]["timeZone"] == "Etc/UTC"
    assert cron["spec"]["concurrencyPolicy"] == "Forbid"
    assert "helm.sh/hook" not in cron["metadata"].get("annotations", {})
    assert cron["metadata"]["labels"]["app.kubernetes.io/component"] == "housekeeping"
    day = 24 * 60 * 60
    assert 0 < cron["spec"]["startingDeadlineSeconds"] < day
    assert 0 < cron["spec"]["jobTemplate"]["spec"]["activeDeadlineSeconds"] < day
    spec = pod_spec(cron)
    assert spec["restartPolicy"] == "Never"
    [container] = spec["containers"]
    # One shell: the carts step runs only after clearsessions succeeded.
    assert container["args"] == ["sh", "-c", HOUSEKEEPING]
    assert config_map_refs(container) == [FULLNAME]
    assert secret_refs(container) == secret_refs(pod_spec(find(docs, "Deployment"))["containers"][0])
    assert find(docs, "ConfigMap")["data"]["SHOP_CART_RETENTION_DAYS"] == "30"


def test_cart_retention_reaches_the_config_map_and_rolls_the_pods():
    default, fortnight = render(), render({"housekeeping": {"cartRetentionDays": 14}})
    assert find(fortnight, "ConfigMap")["data"]["SHOP_CART_RETENTION_DAYS"] == "14"
    for name in (f"{FULLNAME}-housekeeping", f"{FULLNAME}-expire-orders"):
        before = pod_annotations(find(default, "CronJob", name))["checksum/config"]
        assert pod_annotations(find(fortnight, "CronJob", name))["checksum/config"] != before


def test_both_cron_jobs_share_one_template():
    """Only the name, the command and the values block differ between the CronJobs."""
    docs = render(env="production")
    expire = find(docs, "CronJob", f"{FULLNAME}-expire-orders")
    housekeeping = find(docs, "CronJob", f"{FULLNAME}-housekeeping")

    def shape(cron: dict, component: str) -> dict:
        text = yaml.safe_dump(cron).replace(component, "COMPONENT")
        shaped = yaml.safe_load(text)
        container = pod_spec(shaped)["containers"][0]
        del container["args"], container["resources"]
        return {
            "metadata": shaped["metadata"],
            "pod": pod_spec(shaped),
            "pod_metadata": shaped["spec"]["jobTemplate"]["spec"]["template"]["metadata"],
            "concurrencyPolicy": shaped["spec"]["concurrencyPolicy"],
        }

    assert shape(expire, "expire-orders") == shape(housekeeping, "housekeeping")


@pytest.mark.parametrize("block", ["expireOrders", "housekeeping", "publishScheduled"])
def test_cron_jobs_switch_off_independently(block):
    names = {
        "expireOrders": "expire-orders",
        "housekeeping": "housekeeping",
        "publishScheduled": "publish-scheduled",
    }
    docs = render({block: {"enabled": False}})
    assert sorted(d["metadata"]["name"] for d in docs if d["kind"] == "CronJob") == sorted(
        f"{FULLNAME}-{name}" for key, name in names.items() if key != block
    )


def test_scheduled_pages_are_published_every_minute_one_run_at_a_time():
    cron = find(render(), "CronJob", f"{FULLNAME}-publish-scheduled")
    assert cron["spec"]["schedule"] == "* * * * *"
    assert cron["spec"]["concurrencyPolicy"] == "Forbid"
    assert pod_spec(cron)["containers"][0]["args"] == ["python", "manage.py", "publish_scheduled"]
    assert cron["spec"]["jobTemplate"]["spec"]["activeDeadlineSeconds"] < 60


def test_cron_jobs_run_management_commands_that_exist():
    from django.core.management import get_commands

    commands = set(get_commands())
    for cron in (d for d in render() if d["kind"] == "CronJob"):
        words = " ".join(pod_spec(cron)["containers"][0]["args"]).split()
        named = [words[i + 1] for i, word in enumerate(words[:-1]) if word == "manage.py"]
        assert named, cron["metadata"]["name"]
        assert set(named) <= commands, cron["metadata"]["name"]


# --- the edge: Ingress with TLS -------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "issuer", "hosts"),
    [
        ("default", "letsencrypt-prod", ["shop.example.com"]),
        ("staging", "letsencrypt-staging", ["staging.shop.example.com"]),
        ("production", "letsencrypt-prod", ["shop.example.com", "www.shop.example.com"]),
    ],
)
def test_ingress_serves_the_hosts_over_tls_from_cert_manager(env, issuer, hosts):
    ingress = find(render(env=env), "Ingress")
    assert ingress["spec"]["ingressClassName"] == "nginx"
    assert ingress["metadata"]["annotations"]["cert-manager.io/cluster-issuer"] == issuer
    assert ingress["spec"]["tls"] == [{"hosts": hosts, "secretName": f"{FULLNAME}-tls"}]
    assert [rule["host"] for rule in ingress["spec"]["rules"]] == hosts
    for rule in ingress["spec"]["rules"]:
        [path] = rule["http"]["paths"]
        assert (path["path"], path["pathType"]) == ("/", "Prefix")
        assert path["backend"]["service"] == {"name": FULLNAME, "port": {"number": 80}}


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_no_second_ingress_for_the_same_hosts_by_default(env):
    """F5's NGINX Ingress Controller takes one Ingress per host: a second one for the same
    hosts would hide the shop (or be hidden). /metrics is refused by the app instead."""
    assert [d["metadata"]["name"] for d in render(env=env) if d["kind"] == "Ingress"] == [FULLNAME]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_metrics_can_be_refused_at_an_ingress_nginx_edge(env):
    docs = render({"ingress": {"blockedPaths": ["/metrics"]}}, env=env)
    blocked = find(docs, "Ingress", f"{FULLNAME}-blocked")
    annotations = blocked["metadata"]["annotations"]
    assert set(annotations["nginx.ingress.kubernetes.io/denylist-source-range"].split(",")) == {
        "0.0.0.0/0",
        "::/0",
    }
    assert "cert-manager.io/cluster-issuer" not in annotations  # one Certificate per secret
    main = find(docs, "Ingress")
    assert blocked["spec"]["tls"] == main["spec"]["tls"]
    assert [r["host"] for r in blocked["spec"]["rules"]] == [r["host"] for r in main["spec"]["rules"]]
    for rule in blocked["spec"]["rules"]:
        assert [(p["path"], p["pathType"]) for p in rule["http"]["paths"]] == [("/metrics", "Exact")]


def test_ingress_can_be_switched_off():
    docs = render({"ingress": {"enabled": False}, "config": {"allowedHosts": ["shop.internal"]}})
    assert "Ingress" not in kinds(docs)
    web = pod_spec(find(docs, "Deployment"))["containers"][0]
    assert env_of(web)["ALLOWED_HOSTS"] == "shop.internal,$(POD_IP)"


# --- scaling and disruption -----------------------------------------------------------


@pytest.mark.parametrize("env", ["default", "production"])
def test_hpa_scales_the_deployment_on_cpu(env):
    docs = render(env=env)
    hpa = find(docs, "HorizontalPodAutoscaler")
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": FULLNAME}
    [metric] = hpa["spec"]["metrics"]
    assert metric["resource"]["name"] == "cpu"
    assert metric["resource"]["target"]["type"] == "Utilization"
    assert hpa["spec"]["minReplicas"] >= 2
    assert hpa["spec"]["maxReplicas"] > hpa["spec"]["minReplicas"]
    # The HPA owns the count: a replicas field would make every sync fight it.
    assert "replicas" not in find(docs, "Deployment")["spec"]


def test_without_hpa_the_deployment_sets_its_replicas():
    docs = render(env="staging")
    assert "HorizontalPodAutoscaler" not in kinds(docs)
    assert find(docs, "Deployment")["spec"]["replicas"] == 1


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_pdb_keeps_web_pods_through_node_drains(env):
    docs = render(env=env)
    pdb = find(docs, "PodDisruptionBudget")
    assert pdb["apiVersion"] == "policy/v1"
    assert pdb["spec"]["maxUnavailable"] == 1  # never blocks a drain, even with one replica
    pod_labels = find(docs, "Deployment")["spec"]["template"]["metadata"]["labels"]
    assert pdb["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()


# --- identity, monitoring, network ----------------------------------------------------


@pytest.mark.parametrize("env", ["staging", "production"])
def test_pods_get_the_media_bucket_role_through_irsa(env):
    docs = render(env=env)
    account = find(docs, "ServiceAccount")
    assert account["metadata"]["annotations"]["eks.amazonaws.com/role-arn"].startswith("arn:aws:iam::")
    assert account["automountServiceAccountToken"] is False
    for workload in workloads(docs):
        if workload["kind"] == "Job":  # the migration hook: its own account, no AWS role
            migrate = find(docs, "ServiceAccount", f"{FULLNAME}-migrate")
            assert pod_spec(workload)["serviceAccountName"] == migrate["metadata"]["name"]
            assert "eks.amazonaws.com/role-arn" not in migrate["metadata"]["annotations"]
        else:
            assert pod_spec(workload)["serviceAccountName"] == FULLNAME
    assert find(docs, "ConfigMap")["data"]["AWS_STORAGE_BUCKET_NAME"]


def test_service_monitor_is_off_by_default_and_scrapes_metrics_when_on():
    assert "ServiceMonitor" not in kinds(render())
    monitor = find(render(env="production"), "ServiceMonitor")
    assert monitor["apiVersion"] == "monitoring.coreos.com/v1"
    assert monitor["spec"]["endpoints"][0]["port"] == "http"
    assert monitor["spec"]["endpoints"][0]["path"] == "/metrics"
    assert (
        monitor["spec"]["selector"]["matchLabels"].items()
        <= find(render(env="production"), "Service")["metadata"]["labels"].items()
    )


def test_network_policy_admits_only_the_ingress_controller_and_prometheus():
    assert "NetworkPolicy" not in kinds(render())
    docs = render(env="production")
    policy = find(docs, "NetworkPolicy")
    assert policy["spec"]["policyTypes"] == ["Ingress"]
    # Every pod of the release: Job pods have no "http" port, so they admit nothing.
    assert policy["spec"]["podSelector"]["matchLabels"] == {
        "app.kubernetes.io/name": "shop",
        "app.kubernetes.io/instance": RELEASE,
    }
    [rule] = policy["spec"]["ingress"]
    assert rule["ports"] == [{"port": "http", "protocol": "TCP"}]
    namespaces = {
        peer["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"] for peer in rule["from"]
    }
    assert namespaces == {"nginx-ingress", "monitoring"}


# --- the rendered environment against the real settings -------------------------------

POD_SCRIPT = """
import django
django.setup()
from django.conf import settings
from django.core.management import call_command
from django.test.utils import override_settings
# The hashed-static manifest is made by collectstatic in the image build (tests/deploy/
# test_image.py checks it); here, without it, error pages that link CSS would fail.
override_settings(STORAGES={**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}).enable()
from django.test import Client
call_command("check", deploy=True, fail_level="WARNING")
client = Client()
for host, path in [("10.0.1.23:8000", "/healthz"), ("10.0.1.23:8000", "/metrics"),
                   ("attacker.example.net", "/healthz"), (HOST, "/")]:
    response = client.get(path, HTTP_HOST=host)
    print(host, path, response.status_code, response.get("Location", ""))
"""


def pod_environment(env: str, tmp_path: Path, database_url: str) -> dict[str, str]:
    """What a web container of `env` sees: ConfigMap, Secret, then its own env (kubelet order)."""
    docs = render(env=env)
    web = pod_spec(find(docs, "Deployment"))["containers"][0]
    variables = {"PATH": os.environ["PATH"], "HOME": str(tmp_path)}
    variables.update(find(docs, "ConfigMap")["data"])
    variables.update(
        SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=database_url,
        STRIPE_SECRET_KEY="sk_test_not_used",
        STRIPE_WEBHOOK_SECRET="whsec_not_used",
    )
    for item in web["env"]:
        if item["name"] == "POD_IP":
            variables["POD_IP"] = "10.0.1.23"
        else:
            variables[item["name"]] = item["value"].replace("$(POD_IP)", variables["POD_IP"])
    variables["PROMETHEUS_MULTIPROC_DIR"] = str(tmp_path)  # the pod's emptyDir
    return variables


@pytest.mark.parametrize("env", ["staging", "production"])
@pytest.mark.django_db
def test_rendered_environment_boots_prod_settings_and_answers_probes(env, tmp_path):
    """config.settings.prod with the pod's environment: `check --deploy` is clean, the
    kubelet and Prometheus reach the pod by IP, strangers' Host headers are refused."""
    host = env_values(env)["ingress"]["hosts"][0]
    result = subprocess.run(
        [sys.executable, "-c", f"HOST = {host!r}\n{POD_SCRIPT}"],
        cwd=ROOT,
        env=pod_environment(env, tmp_path, database_url()),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    lines = result.stdout.splitlines()[-4:]
    assert lines[0] == "10.0.1.23:8000 /healthz 200 "  # the kubelet, over plain HTTP
    assert lines[1] == "10.0.1.23:8000 /metrics 200 "  # Prometheus
    assert lines[2] == "attacker.example.net /healthz 400 "
    assert lines[3] == f"{host} / 301 https://{host}/"  # plain HTTP at the app is sent to HTTPS


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_gunicorn_keeps_idle_connections_longer_than_ingress_nginx(env):
    """nginx keeps idle upstream connections 60 s (the upstream block's keepalive_timeout):
    gunicorn must keep them longer, or a reused connection races its close (a 502)."""
    config = find(render(env=env), "ConfigMap")["data"]
    assert int(config["GUNICORN_KEEPALIVE"]) > 60
    defaults = subprocess.run(
        [sys.executable, "-c", "import runpy; print(runpy.run_path('config/gunicorn.py')['keepalive'])"],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"]},
        capture_output=True,
        text=True,
        check=True,
    )
    assert int(defaults.stdout) > 60
