"""Settings, read once at start from AUTOAPPLY_* variables; anything missing stops the process."""

from ipaddress import IPv4Address
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import Field, IPvAnyAddress, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from runtime.errors import SettingsError

ENV_PREFIX = "AUTOAPPLY_"


class ServiceSettings(BaseSettings):
    """What every service needs. No default for anything that decides durability or security."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, frozen=True, extra="ignore")

    service: str
    instance: str
    # Comma-separated for a cluster: the client fails over between them.
    nats_url: str
    database_url: str
    redis_url: str
    health_port: int = Field(ge=0, le=65535)
    # Where the health endpoint and HTTP APIs listen: loopback on one machine; 0.0.0.0 in a
    # container, so the kubelet's probes and the cluster's Service reach them (docs/deploy.md).
    listen_host: IPvAnyAddress = IPv4Address("127.0.0.1")
    # sandbox: loopback job sites and test-only browser flags are allowed; production: never.
    mode: Literal["sandbox", "production"]
    data_dir: Path
    secret_key: SecretStr = Field(min_length=32)
    # Replicas of every stream and consumer: 1 on the embedded stack, 3 on a cluster. It decides
    # durability, so it has no default; a service never scales the servers' replicas down.
    replicas: int = Field(ge=1, le=5)
    # Handlers each instance runs at once per consumer, and how many instances share a durable:
    # a consumer's max_ack_pending is instances x workers (capped by its spec).
    workers: int = Field(default=1, ge=1, le=256)
    instances: int = Field(default=1, ge=1, le=256)
    log_level: str = "INFO"

    @property
    def nats_servers(self) -> list[str]:
        return [url.strip() for url in self.nats_url.split(",") if url.strip()]


S = TypeVar("S", bound=ServiceSettings)


def load(cls: type[S]) -> S:
    try:
        return cls()
    except ValidationError as exc:
        problems = "; ".join(_describe(err) for err in exc.errors())
        raise SettingsError(f"invalid settings: {problems}") from None


def _describe(err: object) -> str:
    assert isinstance(err, dict)
    name = ENV_PREFIX + "_".join(str(part) for part in err["loc"]).upper()
    return f"{name}: {err['msg']}"
