"""Output validation: every emitted object is checked before anything is printed.

Core kinds against kubernetes-validate's strict schemas of the target Kubernetes version, custom
resources against the upstream CRDs bundled in the package (bundled.py) or, for the kinds they
define, the CRDs given with --crds (converted to JSON Schema, cached), wrapper kinds recursively,
plus the rules no schema expresses (names, labels, quantities, webhook invariants).
A failure means the compiler produced bad output.
"""

from .core import UnsupportedKubeVersion, default_kube_version, supported_kube_versions
from .crds import CrdLoadError, CrdSet, load_crds
from .engine import validate_objects
from .failure import ValidationFailure

__all__ = [
    "CrdLoadError",
    "CrdSet",
    "UnsupportedKubeVersion",
    "ValidationFailure",
    "default_kube_version",
    "load_crds",
    "supported_kube_versions",
    "validate_objects",
]
