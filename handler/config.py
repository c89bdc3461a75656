"""The handler's settings, read from the environment Terraform gives the function (no names in code)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from contracts import Contract, load_contract
from handler.limits import Limits, LimitsError

ENV_VARS = ("RAW_BUCKET", "CURATED_BUCKET", "CURATED_PREFIX", "SCHEMA_VERSION", "QUARANTINE_BUCKET", "DATASET")


class ConfigError(ValueError):
    """The function's environment is incomplete or malformed."""


@dataclass(frozen=True)
class Config:
    raw_bucket: str
    curated_bucket: str
    curated_prefix: str
    schema_version: int
    quarantine_bucket: str
    dataset: str
    limits: Limits = field(default_factory=Limits)  # optional MAX_DECOMPRESSED_BYTES / MAX_RECORD_BYTES

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Config:
        missing = [name for name in ENV_VARS if not environ.get(name)]
        if missing:
            raise ConfigError(f"environment variables not set: {', '.join(missing)}")
        try:
            version = int(environ["SCHEMA_VERSION"])
        except ValueError:
            raise ConfigError(f"SCHEMA_VERSION={environ['SCHEMA_VERSION']!r} is not an integer") from None
        try:
            limits = Limits.from_env(environ)
        except LimitsError as exc:
            raise ConfigError(str(exc)) from None
        return cls(
            raw_bucket=environ["RAW_BUCKET"],
            curated_bucket=environ["CURATED_BUCKET"],
            curated_prefix=environ["CURATED_PREFIX"].strip("/"),
            schema_version=version,
            quarantine_bucket=environ["QUARANTINE_BUCKET"],
            dataset=environ["DATASET"],
            limits=limits,
        )

    def contract(self) -> Contract:
        return load_contract(self.dataset, self.schema_version)
