"""One place for configuration: every setting is an environment variable with the HUB_ prefix."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "dev-only-change-me-this-is-not-a-secret"  # noqa: S105 - refused outside development, see below

SCHEMAS_DIR = Path(__file__).resolve().parent.parent / "schemas"


class Settings(BaseSettings):
    """Settings grouped by prefix; Helm values map one-to-one onto these names."""

    model_config = SettingsConfigDict(env_prefix="HUB_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite:///./hub.db"
    database_pool_size: int = Field(default=10, ge=1)
    secret_key: SecretStr = SecretStr(DEV_SECRET)
    center_slug: str = "state"
    center_name: str = "State School Safety Center"
    center_state: str = Field(default="ZZ", min_length=2, max_length=2)
    schemas_dir: Path = SCHEMAS_DIR
    graphql_max_depth: int = 10
    graphql_max_aliases: int = 20
    graphql_max_tokens: int = 3000
    graphql_max_body_bytes: int = 20_000
    # A multipart (file upload) request as a whole: operations, map and files.
    graphql_max_upload_bytes: int = Field(default=50 * 1024 * 1024, ge=1)
    # Operations run at once per process. They are CPU-bound under the GIL: more threads only
    # add contention (bench/directory: 2 threads gave 96 req/s where 40 gave 50). Scale out
    # with processes instead.
    graphql_threads: int = Field(default=2, ge=1)
    graphiql: bool = True
    # Where links in messages point (acknowledgement pages, the CAP feed).
    public_base_url: str = "http://127.0.0.1:8000"

    # Kafka. Unset: `hub serve` starts the embedded Tansu broker on a free loopback port.
    kafka_bootstrap_servers: str | None = None
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    kafka_sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] | None = None
    kafka_sasl_username: str | None = None
    kafka_sasl_password: SecretStr | None = None
    kafka_ssl_cafile: Path | None = None
    kafka_topic_prefix: str = "hub"
    kafka_partitions: int = Field(default=4, ge=1)
    kafka_replication_factor: int = Field(default=1, ge=1)
    kafka_consumer_group: str = "hub-delivery"

    # Delivery channels. SMTP: smtp://user:password@host:port (STARTTLS when offered) or
    # smtps://… (TLS from the start); unset, e-mails are written to the log instead.
    smtp_url: SecretStr | None = None
    smtp_from: str = "School Safety Hub <alerts@localhost>"
    smtp_timeout_seconds: float = Field(default=10.0, gt=0)
    # A Twilio-style SMS API: POST {url}/Accounts/{sid}/Messages.json with basic auth.
    sms_gateway_url: str | None = None
    sms_account_sid: str | None = None
    sms_auth_token: SecretStr | None = None
    sms_from: str | None = None
    webhook_timeout_seconds: float = Field(default=5.0, gt=0)
    delivery_max_attempts: int = Field(default=5, ge=1)
    delivery_retry_base_seconds: float = Field(default=2.0, ge=0)

    # Alerts.
    alerts_allow_self_approval_of_exercises: bool = False
    alerts_escalate_after_minutes: int = Field(default=15, ge=1)
    alerts_stuck_after_seconds: int = Field(default=120, ge=1)
    alerts_ack_link_ttl_hours: int = Field(default=72, ge=1)
    # Web console: a sign-in lasts this long; its cookie is Secure when public_base_url is https.
    web_session_hours: int = Field(default=12, ge=1, le=24 * 30)
    # Federation with partner centers.
    federation_page_size: int = Field(default=1000, ge=1, le=10_000)
    federation_timeout_seconds: float = Field(default=30.0, gt=0)
    # One run applies at most this many changes; the rest wait for the next run.
    federation_max_changes_per_run: int = Field(default=200_000, ge=1)
    federation_retry_base_seconds: float = Field(default=30.0, ge=0)
    federation_retry_max_seconds: float = Field(default=3600.0, ge=0)
    # A running sync whose heartbeat is older than this is taken for dead and marked failed.
    federation_stale_run_seconds: int = Field(default=600, ge=1)
    federation_replay_window_seconds: int = Field(default=300, ge=1)
    federation_default_max_delete_share: float = Field(default=0.2, gt=0, le=1)
    # A run deleting fewer records than this never trips the breaker, whatever the share.
    federation_breaker_min_deletions: int = Field(default=10, ge=1)
    # Tombstoned records stay restorable this long; then they are purged.
    federation_tombstone_grace_days: int = Field(default=30, ge=1)
    log_level: str = "INFO"
    # "json": one JSON object per line with request and alert ids (what the chart sets).
    log_format: Literal["text", "json"] = "text"
    # `hub worker` and `hub scheduler` serve /metrics on this port (0: not at all); the API
    # serves it beside /graphql.
    metrics_port: int = Field(default=9100, ge=0, le=65535)

    @model_validator(mode="after")
    def _refuse_dev_secret_in_production(self) -> "Settings":
        if self.environment == "production" and self.secret_key.get_secret_value() == DEV_SECRET:
            raise ValueError("HUB_SECRET_KEY must be set to a real secret in production")
        return self


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
