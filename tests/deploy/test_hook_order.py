"""A first install, walked in the order Helm and Argo CD create objects.

Pre-install hooks (Argo CD: PreSync) are created before any of the release's own
objects, in groups by hook weight (Argo CD: sync wave), lowest first; Argo CD waits for
a group to be healthy before the next one. So a hook pod may only refer to objects a
lower group made (or that exist before the chart: the namespace's `default`
ServiceAccount, a Secret the operator promised by `secret.existingSecret`). Objects
made by a controller (the Secret of an ExternalSecret) count only once their
ExternalSecret's group is done. A ServiceAccount, ConfigMap, Secret, PVC or
SecretStore the pod needs and that is missing keeps the pod from being created:
the Job waits out its activeDeadlineSeconds and the sync never finishes.
"""

import pytest

from tests.deploy.helm import ENVIRONMENTS, render

# Objects every namespace has before anything is installed.
ALWAYS_THERE = {("ServiceAccount", "default"), ("ConfigMap", "kube-root-ca.crt")}
PRE_INSTALL = {"pre-install"}


def hook_phases(doc: dict) -> set[str]:
    annotations = doc["metadata"].get("annotations") or {}
    helm = {p.strip() for p in annotations.get("helm.sh/hook", "").split(",") if p.strip()}
    if annotations.get("argocd.argoproj.io/hook") == "PreSync":
        helm.add("pre-install")
    return helm


def hook_weight(doc: dict) -> int:
    annotations = doc["metadata"].get("annotations") or {}
    return int(annotations.get("argocd.argoproj.io/sync-wave", annotations.get("helm.sh/hook-weight", "0")))


def delete_policies(doc: dict) -> set[str]:
    annotations = doc["metadata"].get("annotations") or {}
    return {p.strip() for p in annotations.get("helm.sh/hook-delete-policy", "").split(",") if p.strip()}


def _pod_spec(doc: dict) -> dict | None:
    kind = doc["kind"]
    if kind == "Pod":
        return doc["spec"]
    if kind == "CronJob":
        return doc["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    if kind in {"Job", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"}:
        return doc["spec"]["template"]["spec"]
    return None


def needs(doc: dict) -> set[tuple[str, str]]:
    """(kind, name) of every namespaced object `doc` cannot work without."""
    wanted: set[tuple[str, str]] = set()
    if doc["kind"] == "ExternalSecret":
        store = doc["spec"]["secretStoreRef"]
        if store.get("kind", "SecretStore") == "SecretStore":
            wanted.add(("SecretStore", store["name"]))
    if doc["kind"] == "SecretStore":
        for auth in (doc["spec"]["provider"].get("aws") or {}).get("auth", {}).values():
            if "serviceAccountRef" in auth:
                wanted.add(("ServiceAccount", auth["serviceAccountRef"]["name"]))
            for ref in auth.values() if isinstance(auth, dict) else []:
                if isinstance(ref, dict) and "name" in ref and "key" in ref:
                    wanted.add(("Secret", ref["name"]))
    spec = _pod_spec(doc)
    if spec is None:
        return wanted
    wanted.add(("ServiceAccount", spec.get("serviceAccountName") or "default"))
    for secret in spec.get("imagePullSecrets", []):
        wanted.add(("Secret", secret["name"]))
    for volume in spec.get("volumes", []):
        if "secret" in volume and not volume["secret"].get("optional"):
            wanted.add(("Secret", volume["secret"]["secretName"]))
        if "configMap" in volume and not volume["configMap"].get("optional"):
            wanted.add(("ConfigMap", volume["configMap"]["name"]))
        if "persistentVolumeClaim" in volume:
            wanted.add(("PersistentVolumeClaim", volume["persistentVolumeClaim"]["claimName"]))
        for source in (volume.get("projected") or {}).get("sources", []):
            for kind, key in (("Secret", "secret"), ("ConfigMap", "configMap")):
                if key in source and not source[key].get("optional"):
                    wanted.add((kind, source[key]["name"]))
    for container in spec.get("initContainers", []) + spec.get("containers", []):
        for source in container.get("envFrom", []):
            for kind, key in (("ConfigMap", "configMapRef"), ("Secret", "secretRef")):
                if key in source and not source[key].get("optional"):
                    wanted.add((kind, source[key]["name"]))
        for variable in container.get("env", []):
            value_from = variable.get("valueFrom") or {}
            for kind, key in (("ConfigMap", "configMapKeyRef"), ("Secret", "secretKeyRef")):
                if key in value_from and not value_from[key].get("optional"):
                    wanted.add((kind, value_from[key]["name"]))
    return wanted


def makes(doc: dict) -> set[tuple[str, str]]:
    made = {(doc["kind"], doc["metadata"]["name"])}
    if doc["kind"] == "ExternalSecret":
        target = doc["spec"].get("target", {}).get("name") or doc["metadata"]["name"]
        made.add(("Secret", target))
    return made


def first_install_problems(docs: list[dict], promised: set[tuple[str, str]] = frozenset()) -> list[str]:
    """What a first install would wait for forever, in words; empty when nothing."""
    hooks = [d for d in docs if hook_phases(d) & PRE_INSTALL]
    release = [d for d in docs if not hook_phases(d)]
    existing = set(ALWAYS_THERE) | set(promised)
    problems = []
    for weight in sorted({hook_weight(d) for d in hooks}):
        group = [d for d in hooks if hook_weight(d) == weight]
        for doc in group:
            for kind, name in sorted(needs(doc) - existing):
                problems.append(
                    f"hook {doc['kind']}/{doc['metadata']['name']} (weight {weight}) needs {kind}/{name}, "
                    "which no earlier hook creates"
                )
        for doc in group:
            existing |= makes(doc)
    # The release's own objects come after every hook; they may need each other
    # (controllers retry), and what the hooks left behind.
    kept = existing - {made for d in hooks if "hook-succeeded" in delete_policies(d) for made in makes(d)}
    kept |= {made for d in release for made in makes(d)}
    for doc in release:
        for kind, name in sorted(needs(doc) - kept):
            problems.append(
                f"{doc['kind']}/{doc['metadata']['name']} needs {kind}/{name}, which nothing leaves"
            )
    return problems


def promised_by_operator(values: dict, docs: list[dict]) -> set[tuple[str, str]]:
    """secret.existingSecret is there before the chart unless the chart makes it itself."""
    name = (values.get("secret") or {}).get("existingSecret")
    made = {m for d in docs for m in makes(d)}
    return {("Secret", name)} if name and ("Secret", name) not in made else set()


def merged_values(env: str, extra: dict) -> dict:
    from tests.deploy.helm import deep_merge, env_values

    return deep_merge(env_values(env), extra)


CASES = [
    {},
    {"secret": {"existingSecret": "shop-env"}},
    {"secret": {"existingSecret": "shop-env"}, "externalSecret": {"enabled": False}},
    {"imagePullSecrets": [{"name": "registry"}]},
]


@pytest.mark.parametrize("env", ENVIRONMENTS)
@pytest.mark.parametrize("extra", CASES, ids=["plain", "existing-secret", "no-external-secret", "pull"])
def test_first_install_hooks_need_only_what_exists_before_them(env, extra):
    values = merged_values(env, extra)
    docs = render(extra, env)
    promised = promised_by_operator(values, docs)
    promised |= {("Secret", s["name"]) for s in values.get("imagePullSecrets", [])}
    assert [d for d in docs if hook_phases(d) & PRE_INSTALL], "the chart has pre-install hooks"
    assert first_install_problems(docs, promised) == []


@pytest.mark.parametrize("env", ["staging", "production"])
def test_deployed_environments_get_their_secret_through_a_hook_external_secret(env):
    """Staging and production read their Secret from AWS Secrets Manager; the ExternalSecret
    is a hook below the migration, and the Secret outlives the hook being re-created."""
    docs = render(env=env)
    [external] = [d for d in docs if d["kind"] == "ExternalSecret"]
    assert hook_phases(external) & PRE_INSTALL
    assert "hook-succeeded" not in delete_policies(external)
    target = external["spec"]["target"]
    assert target["creationPolicy"] == "Orphan"  # re-creating the hook never deletes the Secret
    [job] = [d for d in docs if d["kind"] == "Job"]
    assert ("Secret", target["name"]) in needs(job)
    assert hook_weight(external) < hook_weight(job)
    assert first_install_problems(docs) == []


def _job(service_account: str, weight: int = 0) -> dict:
    return {
        "kind": "Job",
        "metadata": {
            "name": "migrate",
            "annotations": {"helm.sh/hook": "pre-install,pre-upgrade", "helm.sh/hook-weight": str(weight)},
        },
        "spec": {"template": {"spec": {"serviceAccountName": service_account, "containers": []}}},
    }


def _hook(kind: str, name: str, weight: int, policy: str = "before-hook-creation") -> dict:
    return {
        "kind": kind,
        "metadata": {
            "name": name,
            "annotations": {
                "helm.sh/hook": "pre-install",
                "helm.sh/hook-weight": str(weight),
                "helm.sh/hook-delete-policy": policy,
            },
        },
    }


def test_the_walk_finds_a_hook_using_the_releases_service_account():
    """The defect of the first chart: the migration ran as the release's ServiceAccount."""
    release_account = {"kind": "ServiceAccount", "metadata": {"name": "shop"}}
    assert first_install_problems([release_account, _job("shop")]) == [
        "hook Job/migrate (weight 0) needs ServiceAccount/shop, which no earlier hook creates"
    ]
    assert first_install_problems([_hook("ServiceAccount", "shop", -5), _job("shop")]) == []
    # Same weight is not enough: Argo CD applies one wave at once.
    assert first_install_problems([_hook("ServiceAccount", "shop", 0), _job("shop")]) != []


def test_the_walk_finds_a_release_object_needing_a_hook_deleted_after_success():
    deployment = {
        "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {"template": {"spec": {"serviceAccountName": "shop", "containers": []}}},
    }
    docs = [
        _hook("ServiceAccount", "shop", -5, "before-hook-creation,hook-succeeded"),
        _job("shop"),
        deployment,
    ]
    assert first_install_problems(docs) == ["Deployment/web needs ServiceAccount/shop, which nothing leaves"]


# --- Pod Security "restricted" (the namespaces' label, deploy/argocd) -------------------

RESTRICTED_VOLUMES = {
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "persistentVolumeClaim",
    "projected",
    "secret",
}


def restricted_violations(doc: dict) -> list[str]:
    """The Pod Security Standard "restricted" (v1.31) checks, for one workload's pod."""
    spec = _pod_spec(doc)
    if spec is None:
        return []
    problems = []
    pod_context = spec.get("securityContext") or {}
    for flag in ("hostNetwork", "hostPID", "hostIPC"):
        if spec.get(flag):
            problems.append(flag)
    for volume in spec.get("volumes", []):
        kinds = set(volume) - {"name"}
        if not kinds <= RESTRICTED_VOLUMES:
            problems.append(f"volume {volume['name']}: {kinds}")
    for container in spec.get("initContainers", []) + spec.get("containers", []):
        context = container.get("securityContext") or {}
        name = container["name"]
        if context.get("privileged"):
            problems.append(f"{name}: privileged")
        if context.get("allowPrivilegeEscalation") is not False:
            problems.append(f"{name}: allowPrivilegeEscalation must be false")
        capabilities = context.get("capabilities") or {}
        if "ALL" not in capabilities.get("drop", []):
            problems.append(f"{name}: capabilities must drop ALL")
        if set(capabilities.get("add", [])) - {"NET_BIND_SERVICE"}:
            problems.append(f"{name}: adds capabilities")
        if not context.get("runAsNonRoot", pod_context.get("runAsNonRoot")):
            problems.append(f"{name}: runAsNonRoot")
        if context.get("runAsUser", pod_context.get("runAsUser")) == 0:
            problems.append(f"{name}: runAsUser 0")
        seccomp = (context.get("seccompProfile") or pod_context.get("seccompProfile") or {}).get("type")
        if seccomp not in ("RuntimeDefault", "Localhost"):
            problems.append(f"{name}: seccompProfile {seccomp}")
        if any(p.get("hostPort") for p in container.get("ports", [])):
            problems.append(f"{name}: hostPort")
    return problems


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_pod_meets_pod_security_restricted(env):
    docs = render({"networkPolicy": {"enabled": True}}, env)
    pods = [d for d in docs if _pod_spec(d) is not None]
    assert {d["kind"] for d in pods} == {"Deployment", "Job", "CronJob"}
    assert {d["metadata"]["name"]: restricted_violations(d) for d in pods} == {
        d["metadata"]["name"]: [] for d in pods
    }


def test_the_restricted_check_finds_a_pod_that_could_run_as_root():
    [deployment] = [d for d in render() if d["kind"] == "Deployment"]
    deployment["spec"]["template"]["spec"]["securityContext"] = {}
    deployment["spec"]["template"]["spec"]["containers"][0]["securityContext"] = {}
    assert "web: runAsNonRoot" in restricted_violations(deployment)
    assert "web: allowPrivilegeEscalation must be false" in restricted_violations(deployment)
