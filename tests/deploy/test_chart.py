"""The Helm chart lints, renders offline and validates against Kubernetes' own schemas; it maps
every HUB_* setting of hub.settings.Settings, keeps secrets out of its ConfigMap, and its
values.schema.json refuses bad values at install time. No cluster, no database."""

import base64
import copy
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import helm_python as helm
import kubernetes_validate
import pytest
import yaml
from pydantic import SecretStr

from hub.settings import DEV_SECRET, Settings

CHART = Path(__file__).resolve().parents[2] / "helm" / "school-safety-hub"
PRODUCTION_VALUES = Path(__file__).with_name("production-values.yaml")
KUBERNETES = "1.30.0"
RELEASE = "hub"
NAMESPACE = "safety"
NAME = f"{RELEASE}-school-safety-hub"

SECRET_KEY = "k3y-" + "0123456789abcdef" * 3

# The defaults plus what the chart cannot default: a secret key, a PostgreSQL URL, Kafka, and
# where links in messages point (there is no ingress to take it from).
MINIMAL: dict[str, Any] = {
    "secrets": {"secretKey": SECRET_KEY, "databaseUrl": "postgresql://hub:db-pw-1@pg:5432/hub"},
    "kafka": {"bootstrapServers": "kafka:9092"},
    "config": {"publicBaseUrl": "https://safety.example.org"},
}

# Every optional setting given, each secret with a value found nowhere else.
EVERYTHING: dict[str, Any] = {
    "secrets": {
        "secretKey": SECRET_KEY,
        "databaseUrl": "postgresql://hub:db-pw-2@pg:5432/hub",
        "kafkaSaslPassword": "sasl-pw-3",
        "smtpUrl": "smtps://alerts:smtp-pw-4@mail.example.org:465",
        "smsAuthToken": "sms-token-5",
    },
    "kafka": {
        "bootstrapServers": "kafka-0:9093,kafka-1:9093",
        "securityProtocol": "SASL_SSL",
        "saslMechanism": "SCRAM-SHA-256",
        "saslUsername": "hub",
        "caFile": {"configMapName": "kafka-ca", "key": "bundle.pem"},
    },
    "config": {
        "publicBaseUrl": "https://safety.example.org",
        "smsGatewayUrl": "https://sms.example.org/2010-04-01",
        "smsAccountSid": "AC0123",
        "smsFrom": "+16145550100",
    },
}


def merged(*layers: dict[str, Any]) -> dict[str, Any]:
    """Later layers win, key by key, as Helm merges -f files."""
    out: dict[str, Any] = {}
    for layer in layers:
        for key, value in layer.items():
            if isinstance(value, dict) and isinstance(out.get(key), dict):
                out[key] = merged(out[key], value)
            else:
                out[key] = copy.deepcopy(value)
    return out


PRODUCTION: dict[str, Any] = yaml.safe_load(PRODUCTION_VALUES.read_text(encoding="utf-8"))

VALUE_SETS = {"minimal": MINIMAL, "production": PRODUCTION, "everything": EVERYTHING}


@pytest.fixture(scope="module")
def chart() -> Iterator[helm.Chart]:
    with helm.Chart.load(CHART) as loaded:
        yield loaded


def render(chart: helm.Chart, values: dict[str, Any]) -> list[dict[str, Any]]:
    """Every Kubernetes object the chart renders for an install (hooks included)."""
    files = chart.render(values, name=RELEASE, namespace=NAMESPACE, is_install=True)
    return [
        doc
        for path, text in sorted(files.items())
        if not path.endswith("NOTES.txt")
        for doc in yaml.safe_load_all(text)
        if doc
    ]


def find(docs: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    matches = [d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name]
    assert len(matches) == 1, f"{kind}/{name}: {len(matches)} rendered"
    return matches[0]


def pod_specs(docs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {
        f"{d['kind']}/{d['metadata']['name']}": d["spec"]["template"]["spec"]
        for d in docs
        if d["kind"] in ("Deployment", "Job")
    }


def environment(docs: list[dict[str, Any]]) -> dict[str, str]:
    """What envFrom gives the pods: the ConfigMap's data, then the Secret's, decoded."""
    env = dict(find(docs, "ConfigMap", NAME)["data"])
    for key, value in find(docs, "Secret", NAME)["data"].items():
        env[key] = base64.b64decode(value).decode()
    return env


def hub_names() -> set[str]:
    return {f"HUB_{name.upper()}" for name in Settings.model_fields}


def secret_names() -> set[str]:
    """SecretStr settings, and the database URL since it may carry a password."""
    secret = {
        name
        for name, field in Settings.model_fields.items()
        if field.annotation is SecretStr or SecretStr in typing.get_args(field.annotation)
    }
    return {f"HUB_{name.upper()}" for name in secret | {"database_url"}}


@pytest.mark.parametrize("values", VALUE_SETS)
def test_lint_passes(values: str) -> None:
    report = helm.lint(CHART, VALUE_SETS[values], strict=True, kube_version=f"v{KUBERNETES}")
    problems = [m for m in report["messages"] if m["severity"] >= 2]
    assert not problems
    assert not report["errors"]


@pytest.mark.parametrize("values", VALUE_SETS)
def test_every_manifest_validates_against_kubernetes(chart: helm.Chart, values: str) -> None:
    docs = render(chart, VALUE_SETS[values])
    assert {d["kind"] for d in docs} >= {"ConfigMap", "Deployment", "Job", "Service"}
    for doc in docs:
        # strict: unknown fields fail too, as kubectl's server-side validation would.
        kubernetes_validate.validate(doc, KUBERNETES, strict=True)


def test_scheduler_is_one_replica_replaced_by_recreate(chart: helm.Chart) -> None:
    scheduler = find(render(chart, MINIMAL), "Deployment", f"{NAME}-scheduler")
    assert scheduler["spec"]["replicas"] == 1
    assert scheduler["spec"]["strategy"] == {"type": "Recreate"}
    assert scheduler["spec"]["template"]["spec"]["containers"][0]["args"] == ["scheduler"]


def test_migration_job_runs_before_install_and_upgrade(chart: helm.Chart) -> None:
    docs = render(chart, MINIMAL)
    job = find(docs, "Job", f"{NAME}-migrate")
    notes = job["metadata"]["annotations"]
    assert notes["helm.sh/hook"] == "pre-install,pre-upgrade"
    assert "hook-succeeded" in notes["helm.sh/hook-delete-policy"]
    assert job["spec"]["template"]["spec"]["containers"][0]["args"] == ["db", "upgrade"]
    # Its configuration: hook copies made before it, equal to what the pods get.
    for kind in ("ConfigMap", "Secret"):
        copy_ = find(docs, kind, f"{NAME}-migrate")
        assert copy_["metadata"]["annotations"]["helm.sh/hook"] == notes["helm.sh/hook"]
        assert int(copy_["metadata"]["annotations"]["helm.sh/hook-weight"]) < int(
            notes["helm.sh/hook-weight"]
        )
        assert copy_["data"] == find(docs, kind, NAME)["data"]


@pytest.mark.parametrize("values", VALUE_SETS)
def test_every_container_runs_non_root_on_a_read_only_root(chart: helm.Chart, values: str) -> None:
    specs = pod_specs(render(chart, VALUE_SETS[values]))
    assert len(specs) == 4  # api, worker, scheduler, migrate
    for where, spec in specs.items():
        assert spec["securityContext"]["runAsNonRoot"] is True, where
        assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, where
        assert spec["automountServiceAccountToken"] is False, where
        assert {"name": "tmp", "emptyDir": {"sizeLimit": "1Gi"}} in spec["volumes"], where
        for container in spec["containers"]:
            context = container["securityContext"]
            assert context["runAsNonRoot"] is True, where
            assert context["runAsUser"] == 10001, where
            assert context["readOnlyRootFilesystem"] is True, where
            assert context["allowPrivilegeEscalation"] is False, where
            assert context["capabilities"] == {"drop": ["ALL"]}, where
            tmp = {"name": "tmp", "mountPath": "/tmp"}  # noqa: S108 - the pod's emptyDir
            assert tmp in container["volumeMounts"], where


def test_api_serves_on_8000_without_migrating_or_background_work(chart: helm.Chart) -> None:
    docs = render(chart, MINIMAL)
    api = find(docs, "Deployment", f"{NAME}-api")["spec"]["template"]["spec"]["containers"][0]
    listen = ["--host", "0.0.0.0", "--port", "8000"]  # noqa: S104 - in its own pod
    assert api["args"] == ["serve", *listen, "--no-migrate", "--no-background"]
    assert api["ports"] == [{"name": "http", "containerPort": 8000, "protocol": "TCP"}]
    assert api["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert api["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert api["image"] == f"ghcr.io/school-safety-hub/hub:{chart.metadata['appVersion']}"
    service = find(docs, "Service", NAME)
    assert service["spec"]["ports"][0]["targetPort"] == "http"
    for component in ("worker", "scheduler"):
        spec = find(docs, "Deployment", f"{NAME}-{component}")["spec"]["template"]["spec"]
        assert "livenessProbe" not in spec["containers"][0]  # why: deployment-worker.yaml


def test_every_setting_is_in_the_configmap_or_the_secret(chart: helm.Chart) -> None:
    docs = render(chart, EVERYTHING)
    config = set(find(docs, "ConfigMap", NAME)["data"])
    secret = set(find(docs, "Secret", NAME)["data"])
    assert config | secret == hub_names(), "a setting without a chart entry, or one too many"
    assert secret == secret_names()
    assert not config & secret


def test_secret_values_never_appear_in_the_configmap(chart: helm.Chart) -> None:
    docs = render(chart, EVERYTHING)
    text = yaml.safe_dump(find(docs, "ConfigMap", NAME)) + yaml.safe_dump(
        find(docs, "ConfigMap", f"{NAME}-migrate")
    )
    for value in EVERYTHING["secrets"].values():
        assert value not in text


@pytest.mark.parametrize("values", ["minimal", "everything"])
def test_the_rendered_environment_is_valid_hub_settings(
    chart: helm.Chart, values: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = environment(render(chart, VALUE_SETS[values]))
    for name in hub_names():
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = Settings(_env_file=None)  # not a developer's .env
    assert settings.environment == "production"
    assert settings.secret_key.get_secret_value() == SECRET_KEY
    assert settings.graphql_max_upload_bytes == 50 * 1024 * 1024  # not 5.24288e+07
    assert str(settings.schemas_dir) == "/app/schemas"  # where the Dockerfile puts schemas/


def test_production_values(chart: helm.Chart) -> None:
    docs = render(chart, PRODUCTION)
    assert not [d for d in docs if d["kind"] == "Secret"], "existingSecret: the chart makes none"
    config = find(docs, "ConfigMap", NAME)["data"]
    assert config["HUB_KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL"
    assert config["HUB_KAFKA_SSL_CAFILE"] == "/etc/hub/kafka-ca/ca.crt"
    assert config["HUB_PUBLIC_BASE_URL"] == "https://safety.example.org"  # from the ingress
    for where, spec in pod_specs(docs).items():
        container = spec["containers"][0]
        assert {"secretRef": {"name": "hub-credentials"}} in container["envFrom"], where
        assert {"name": "kafka-ca", "mountPath": "/etc/hub/kafka-ca", "readOnly": True} in (
            container["volumeMounts"]
        ), where
        ca = next(v for v in spec["volumes"] if v["name"] == "kafka-ca")
        assert ca["secret"]["secretName"] == "kafka-cluster-ca", where
    api = find(docs, "Deployment", f"{NAME}-api")
    assert "replicas" not in api["spec"], "the autoscaler owns the count"
    hpa = find(docs, "HorizontalPodAutoscaler", f"{NAME}-api")
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (3, 10)
    worker = find(docs, "Deployment", f"{NAME}-worker")
    assert worker["spec"]["replicas"] == 4
    assert worker["spec"]["template"]["spec"]["containers"][0]["args"] == [
        "worker", "--consumers", "2"
    ]  # fmt: skip
    assert worker["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"] == {
        "memory": "640Mi"
    }
    ingress = find(docs, "Ingress", NAME)
    assert ingress["spec"]["tls"] == [
        {"hosts": ["safety.example.org"], "secretName": "safety-example-org-tls"}
    ]
    assert {d["metadata"]["name"] for d in docs if d["kind"] == "PodDisruptionBudget"} == {
        f"{NAME}-api",
        f"{NAME}-worker",
    }


def test_a_config_change_rolls_the_pods(chart: helm.Chart) -> None:
    def checksums(values: dict[str, Any]) -> dict[str, str]:
        deployment = find(render(chart, values), "Deployment", f"{NAME}-worker")
        return dict(deployment["spec"]["template"]["metadata"]["annotations"])

    before = checksums(MINIMAL)
    assert set(before) == {"checksum/config", "checksum/secret"}
    changed_config = checksums(merged(MINIMAL, {"config": {"logLevel": "DEBUG"}}))
    assert changed_config["checksum/config"] != before["checksum/config"]
    changed_secret = checksums(merged(MINIMAL, {"secrets": {"smtpUrl": "smtp://mail:25"}}))
    assert changed_secret["checksum/secret"] != before["checksum/secret"]


def test_notes_warn_of_more_consumers_than_partitions(chart: helm.Chart) -> None:
    def notes(values: dict[str, Any]) -> str:
        files = chart.render(values, name=RELEASE, namespace=NAMESPACE, is_install=True)
        return next(text for path, text in files.items() if path.endswith("NOTES.txt"))

    assert "WARNING" not in notes(MINIMAL)
    assert "6 delivery consumers" in notes(
        merged(MINIMAL, {"worker": {"replicas": 3, "consumers": 2}})
    )


BAD_VALUES = {
    "two schedulers": ({"scheduler": {"replicas": 2}}, "/scheduler/replicas"),
    "replicas not an integer": ({"worker": {"replicas": "two"}}, "/worker/replicas"),
    "unknown Kafka protocol": ({"kafka": {"securityProtocol": "BOGUS"}}, "securityProtocol"),
    "SASL without a mechanism": ({"kafka": {"securityProtocol": "SASL_SSL"}}, "saslMechanism"),
    "no secret key": ({"secrets": {"secretKey": ""}}, "/secrets/secretKey"),
    "the development key": ({"secrets": {"secretKey": DEV_SECRET}}, "/secrets/secretKey"),
    "a short key": ({"secrets": {"secretKey": "s3cret"}}, "/secrets/secretKey"),
    "SQLite": ({"secrets": {"databaseUrl": "sqlite:///hub.db"}}, "/secrets/databaseUrl"),
    "no image repository": ({"image": {"repository": ""}}, "/image/repository"),
    "no Kafka": ({"kafka": {"bootstrapServers": ""}}, "/kafka/bootstrapServers"),
    "a misspelt key": ({"workers": {"replicas": 3}}, "workers"),
    "no public URL": ({"config": {"publicBaseUrl": ""}}, "config.publicBaseUrl"),
    "HPA under its floor": ({"api": {"replicas": 4, "autoscaling": {"maxReplicas": 3}}}, "max"),
}


def test_minimal_values_meet_the_schema(chart: helm.Chart) -> None:
    chart.validate_schema(chart.merge_values(MINIMAL))


@pytest.mark.parametrize("case", BAD_VALUES)
def test_bad_values_fail_at_install_time(chart: helm.Chart, case: str) -> None:
    change, where = BAD_VALUES[case]
    with pytest.raises(helm.HelmError, match=where):
        render(chart, merged(MINIMAL, change))
