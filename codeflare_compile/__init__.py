"""codeflare-compile: lower CodeFlare Platform job resources to plain Kubernetes manifests.

The Python API (docs/python-api.md): `compile`, `compile_texts`, their `Result` and its
`Diagnostic`s. They are imported on first use: the command line imports this package on every
run and must start fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from codeflare_compile.public_api import (
        Diagnostic,
        OutputValidationError,
        Result,
        compile,
        compile_texts,
    )
    from codeflare_compile.source import InputError

__version__ = "0.1.0"
__all__ = ["Diagnostic", "InputError", "OutputValidationError", "Result", "compile",
           "compile_texts"]


def __getattr__(name: str) -> Any:
    if name == "InputError":
        from codeflare_compile.source import InputError

        return InputError
    if name in __all__:
        from codeflare_compile import public_api

        return getattr(public_api, name)
    raise AttributeError(f"module 'codeflare_compile' has no attribute '{name}'")
