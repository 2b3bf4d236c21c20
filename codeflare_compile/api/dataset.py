"""DataSet: data a run reads. Credentials are only ever references to Secrets."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import StrictBool, StrictStr, model_validator
from pydantic_core import PydanticCustomError

from codeflare_compile.api.common import Metadata, Model, Name

#: Keys people write when they paste credentials into a DataSet instead of referencing a Secret.
CREDENTIAL_KEYS = frozenset({
    "accessKeyID", "accessKeyId", "secretAccessKey", "accessKey", "secretKey", "password",
    "token", "sessionToken", "apiKey",
})


class SecretRef(Model):
    name: Name


class S3Source(Model):
    endpoint: StrictStr
    bucket: StrictStr
    prefix: StrictStr | None = None
    region: StrictStr | None = None
    secret_ref: SecretRef | None = None

    @model_validator(mode="before")
    @classmethod
    def _no_inline_credentials(cls, data: Any) -> Any:
        if isinstance(data, dict):
            inline = sorted(CREDENTIAL_KEYS & data.keys())
            if inline:
                raise PydanticCustomError(
                    "inline_credentials",
                    "credentials are written inline ({keys})",
                    {"keys": ", ".join(inline)},
                )
        return data


class NfsSource(Model):
    server: StrictStr
    path: StrictStr


class PvcSource(Model):
    claim_name: Name


class DataSetSpec(Model):
    s3: S3Source | None = None
    nfs: NfsSource | None = None
    pvc: PvcSource | None = None
    read_only: StrictBool = True

    @model_validator(mode="after")
    def _one_source(self) -> DataSetSpec:
        if sum(x is not None for x in (self.s3, self.nfs, self.pvc)) != 1:
            raise PydanticCustomError(
                "one_of", "a DataSet has exactly one of 's3', 'nfs' or 'pvc'", {}
            )
        return self


class DataSet(Model):
    api_version: Literal["codeflare.dev/v1alpha1"]
    kind: Literal["DataSet"]
    metadata: Metadata
    spec: DataSetSpec
