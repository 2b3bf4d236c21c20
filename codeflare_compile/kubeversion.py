"""Kubernetes versions: the one parser for every place a version is given, and comparison.

`--kube-version`, the Platform's `kubernetesVersion`, the `kube-version` setting of the Argo CD
plugin and the KRM function, and the cluster's `KUBE_VERSION` all go through `parse`, where they
are read; the rest of the compiler holds a `KubeVersion` and compares it with a release
(`before`). Which versions the output can be validated for is the validator's business
(`validate.core.resolve_kube_version`). A leaf module: it imports nothing of the compiler.
"""

from __future__ import annotations

import re
from typing import NamedTuple

#: `1.31`, `v1.31`, `1.31.2`, and a build suffix as clusters report it (`v1.31.2+k3s1`,
#: `v1.30.4-gke.1`). Anchored: also the Platform model's JSON Schema `pattern`.
PATTERN = r"^v?([0-9]{1,4})\.([0-9]{1,4})(\.[0-9]+)?([-+][0-9A-Za-z.+-]*)?$"
#: What a user is told to write.
FORMS = "X.Y, vX.Y or X.Y.Z, such as 1.31"


class KubeVersion(NamedTuple):
    """A Kubernetes minor release; compares as numbers (1.9 < 1.31)."""

    major: int
    minor: int

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}"


class KubeVersionError(ValueError):
    """Text that is not a Kubernetes version; the message says what is expected."""


def parse(text: str) -> KubeVersion:
    """`text` as a version, or KubeVersionError."""
    match = re.fullmatch(PATTERN, text.strip())  # compiled on first use: most runs give none
    if match is None:
        raise KubeVersionError(f"'{text}' is not a Kubernetes version; write {FORMS}")
    return KubeVersion(int(match[1]), int(match[2]))


def before(version: KubeVersion | None, release: KubeVersion) -> bool:
    """Whether the target is older than `release`; no version means the newest Kubernetes."""
    return version is not None and version < release
