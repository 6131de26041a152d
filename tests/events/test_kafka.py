"""Client settings built from HUB_KAFKA_*: what reaches kafka-python."""

from pathlib import Path

import pytest
from pydantic import SecretStr

from hub.events.kafka import JsonSerializer, TextSerializer, client_config
from hub.settings import Settings


def test_plaintext_by_default() -> None:
    config = client_config(Settings(kafka_bootstrap_servers="a:9092, b:9092"))
    assert config["bootstrap_servers"] == ["a:9092", "b:9092"]
    assert config["security_protocol"] == "PLAINTEXT"
    assert "sasl_mechanism" not in config
    assert "ssl_cafile" not in config


def test_sasl_over_tls_unwraps_the_secret(tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    settings = Settings(
        kafka_bootstrap_servers="kafka.example:9093",
        kafka_security_protocol="SASL_SSL",
        kafka_sasl_mechanism="SCRAM-SHA-512",
        kafka_sasl_username="hub",
        kafka_sasl_password=SecretStr("s3cret"),
        kafka_ssl_cafile=ca,
    )
    config = client_config(settings)
    assert config["security_protocol"] == "SASL_SSL"
    assert config["sasl_mechanism"] == "SCRAM-SHA-512"
    assert config["sasl_plain_username"] == "hub"
    assert config["sasl_plain_password"] == "s3cret"
    assert config["ssl_cafile"] == str(ca)


def test_refuses_to_run_without_a_broker_address() -> None:
    with pytest.raises(ValueError, match="HUB_KAFKA_BOOTSTRAP_SERVERS"):
        client_config(Settings(kafka_bootstrap_servers=None))


def test_serializers() -> None:
    assert JsonSerializer().serialize("t", [], {"a": "é", "b": [1]}) == '{"a":"é","b":[1]}'.encode()
    assert TextSerializer().serialize("t", [], "0100001") == b"0100001"
    assert TextSerializer().serialize("t", [], None) is None
