"""The input API (`codeflare.dev/v1alpha1`): one module per kind."""

from __future__ import annotations

from pydantic import BaseModel

from codeflare_compile.api.application import Application
from codeflare_compile.api.common import API_VERSION
from codeflare_compile.api.dataset import DataSet
from codeflare_compile.api.image import Image
from codeflare_compile.api.platform import Platform
from codeflare_compile.api.run import Run
from codeflare_compile.api.sizing import RunSizeConfiguration

#: Every input kind and its model, in the order the schema command and docs list them.
KINDS: dict[str, type[BaseModel]] = {
    "Application": Application,
    "Run": Run,
    "DataSet": DataSet,
    "RunSizeConfiguration": RunSizeConfiguration,
    "Image": Image,
    "Platform": Platform,
}
#: Kinds without a namespace.
CLUSTER_SCOPED = frozenset({"RunSizeConfiguration", "Platform"})

__all__ = ["API_VERSION", "CLUSTER_SCOPED", "KINDS", "Application", "DataSet", "Image",
           "Platform", "Run", "RunSizeConfiguration"]
