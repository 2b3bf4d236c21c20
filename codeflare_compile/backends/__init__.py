"""The queueing targets and gang schedulers, one module each, and the registry every list of
them is derived from (the Argo CD plugin's detection, the workflow step conditions, the
validator's wrapper kinds, the fuzzer's choices, `explain`).

A target is a module `queueing/<name>.py` (a gang scheduler `gang/<name>.py`) whose `BACKEND`
declares it (declare.py); its `apply` is in crosscut/queueing.py (crosscut/gang.py). The
modules are found by the names `choices.Queueing` and `choices.Gang` allow, and importing this
package fails unless each name has its module and each module its name.
"""

from __future__ import annotations

import importlib
import pkgutil
import typing
from types import ModuleType
from typing import TypeVar

from codeflare_compile.backends import gang as _gang_modules
from codeflare_compile.backends import queueing as _queueing_modules
from codeflare_compile.backends.declare import GangScheduler, QueueingTarget, Wrapper
from codeflare_compile.choices import Gang, Queueing

B = TypeVar("B", QueueingTarget, GangScheduler)


def collect(package: ModuleType, names: tuple[str, ...], kind: type[B]) -> dict[str, B]:
    """Each name's `BACKEND`, in the order the choice lists them; every module has a name."""
    modules = {m.name for m in pkgutil.iter_modules(package.__path__)}
    if modules != set(names):
        raise ImportError(f"{package.__name__}: the choices {sorted(names)} and the modules "
                          f"{sorted(modules)} differ")
    found = {}
    for name in names:
        backend = importlib.import_module(f"{package.__name__}.{name}").BACKEND
        if not isinstance(backend, kind) or backend.name != name:
            raise ImportError(f"{package.__name__}.{name}: BACKEND is not the {kind.__name__} "
                              f"'{name}'")
        found[name] = backend
    return found


#: Every queueing target, in the order of `choices.Queueing`.
QUEUEINGS: dict[str, QueueingTarget] = collect(
    _queueing_modules, typing.get_args(Queueing), QueueingTarget)
#: Every gang scheduler, in the order of `choices.Gang`.
GANGS: dict[str, GangScheduler] = collect(_gang_modules, typing.get_args(Gang), GangScheduler)


def wraps(queueing: str, archetype: str) -> bool:
    """Whether a Run of `archetype` ends up inside one wrapping object under `queueing`."""
    return QUEUEINGS[queueing].wraps(archetype)


def detection_order() -> tuple[tuple[Queueing, str], ...]:
    """(queueing, the API it needs) in the order the Argo CD plugin prefers them."""
    ranked = sorted((b.detect_rank, b.name, b.api) for b in QUEUEINGS.values()
                    if b.detect_rank is not None and b.api is not None)
    return tuple((typing.cast(Queueing, name), api) for _, name, api in ranked)


def wrappers() -> tuple[Wrapper, ...]:
    """Every wrapper kind of every target (the emitted forms and the older ones)."""
    return tuple(w for b in QUEUEINGS.values() for w in b.wrappers)


__all__ = ["GANGS", "QUEUEINGS", "GangScheduler", "QueueingTarget", "Wrapper", "collect",
           "detection_order", "wrappers", "wraps"]
