"""The target settings, in one table: every place that takes a setting derives it from here.

A setting is given as a command-line flag (`--kube-version`), a keyword argument of the Python
API (`kube_version=`), an Argo CD plugin parameter or a KRM function's ConfigMap key
(`kube-version`), and it overrides a field of the Platform (`kubernetesVersion`), whose default
is the table's. Cheap to import (the command line reads it on every run): no pydantic here.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from codeflare_compile.choices import (
    DatasetsBackend,
    DatashimGroup,
    Gang,
    Logging,
    PodSecurity,
    Queueing,
    TorchBackend,
)


class Setting(NamedTuple):
    """One target setting. `name` is the keyword argument and the field of `Overrides` and
    `ir.Target`; the flag and the named form (plugin parameter, ConfigMap key) spell it with
    dashes."""

    name: str
    #: The allowed values, or None for free text (read by `read`).
    choices: tuple[str, ...] | None
    #: The Platform's default, which the Platform model takes from here (None: none).
    default: str | None
    #: The `PlatformSpec` field it overrides.
    platform_field: str
    #: What the flag's help says.
    help: str
    #: How the flag's value is shown in the help, for free text.
    metavar: str = ""
    #: The value of free text, or ValueError saying why it cannot be one (None: the text).
    read: Callable[[str], Any] | None = None

    @property
    def key(self) -> str:
        """The name as a plugin parameter or a ConfigMap key: `kube-version`."""
        return self.name.replace("_", "-")

    @property
    def flag(self) -> str:
        return "--" + self.key

    @property
    def shown(self) -> str:
        """The flag's metavar: its choices in brackets, or the free text's."""
        return f"[{'|'.join(self.choices)}]" if self.choices else self.metavar


def _choices(literal: Any) -> tuple[str, ...]:
    return typing.get_args(literal)


def _namespace(value: str) -> str:
    from codeflare_compile.api.common import is_dns_label

    if not is_dns_label(value):
        raise ValueError(f"'{value}' is not a valid namespace name")
    return value


def _kube_version(value: str) -> Any:
    from codeflare_compile.kubeversion import parse as parse_version

    return parse_version(value)  # KubeVersionError is a ValueError


#: In the order the command line shows the flags.
SETTINGS: tuple[Setting, ...] = (
    Setting("namespace", None, None, "default_namespace",
            "Namespace for resources that set none (default: the Platform's, else 'default').",
            metavar="NAME", read=_namespace),
    Setting("queueing", _choices(Queueing), "appwrapper", "queueing",
            "Override the Platform's queueing."),
    Setting("gang", _choices(Gang), "coscheduler", "gang_scheduling",
            "Override the Platform's gang scheduling."),
    Setting("datasets", _choices(DatasetsBackend), "datashim", "datasets",
            "Override the Platform's datasets backend."),
    Setting("datashim_group", _choices(DatashimGroup), "datashim.io", "datashim_group",
            "API group of Datashim Datasets (com.ie.ibm.hpsys for Datashim 0.3 and older)."),
    Setting("torch_backend", _choices(TorchBackend), "job", "torch_backend",
            "How torch Runs are lowered: an Indexed Job (no operator) or a Kubeflow PyTorchJob."),
    Setting("logging", _choices(Logging), "none", "logging", "Override the Platform's logging."),
    Setting("pod_security", _choices(PodSecurity), "baseline", "pod_security",
            "Pod Security Standards level every pod meets: baseline, or restricted (also "
            "runAsNonRoot; refuses what the level forbids)."),
    Setting("kube_version", None, None, "kubernetes_version",
            "Kubernetes version X.Y whose schemas validate the output.", metavar="X.Y",
            read=_kube_version),
)
BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}
BY_KEY: dict[str, Setting] = {s.key: s for s in SETTINGS}


def platform_default(name: str) -> Any:
    """The default of the Platform field a setting overrides."""
    return BY_NAME[name].default


class SettingsError(ValueError):
    """A setting with an unknown name or a value it cannot take: a usage error (exit 2)."""


class Overrides:
    """Target settings that take precedence over the Platform's (None: not given), by name.

    The values are parsed (`kube_version` is a `KubeVersion`); `parse` makes them from text.
    """

    __slots__ = ("_values",)

    def __init__(self, **values: Any) -> None:
        unknown = sorted(set(values) - BY_NAME.keys())
        if unknown:
            raise TypeError(f"unknown target setting '{unknown[0]}'")
        self._values = {k: v for k, v in values.items() if v is not None}

    def __getattr__(self, name: str) -> Any:
        if name in BY_NAME:
            return self._values.get(name)
        raise AttributeError(name)

    def given(self) -> dict[str, Any]:
        """The settings given, by name."""
        return dict(self._values)

    def over(self, base: Overrides) -> Overrides:
        """These settings, and `base`'s where these give none."""
        return Overrides(**{**base._values, **self._values})

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Overrides) and other._values == self._values

    def __hash__(self) -> int:
        return hash(tuple(sorted(self._values.items(), key=lambda kv: kv[0])))

    def __repr__(self) -> str:
        return f"Overrides({', '.join(f'{k}={v!r}' for k, v in self._values.items())})"


def parse(values: Mapping[str, Any], label: Callable[[Setting], str]) -> Overrides:
    """Settings by name (`name`: its `Setting`; values as text, empty meaning not given) as
    `Overrides`; a value a setting cannot take raises `SettingsError`, saying `label(setting):
    what is wrong`."""
    parsed = {}
    for name, raw in values.items():
        setting = BY_NAME[name]
        if raw is None or raw == "":
            continue
        if not isinstance(raw, str):
            raise SettingsError(f"{label(setting)} must be a string, not {type(raw).__name__}")
        try:
            parsed[name] = parse_value(setting, raw.strip())
        except ValueError as exc:
            raise SettingsError(f"{label(setting)}: {exc}") from None
    return Overrides(**parsed)


def parse_value(setting: Setting, value: str) -> Any:
    """The value of a setting from its text; ValueError says why it cannot be."""
    from codeflare_compile.diagnostics import did_you_mean

    if setting.choices is not None:
        if value not in setting.choices:
            close = did_you_mean(value, setting.choices)
            hint = f"did you mean '{close}'?" if close else \
                f"expected one of: {', '.join(setting.choices)}"
            raise ValueError(f"invalid value '{value}'; {hint}")
        return value
    return setting.read(value) if setting.read is not None else value


def to_overrides(values: Mapping[str, Any], what: str = "setting") -> Overrides:
    """Settings in their named form (`kube-version: "1.31"`), as a plugin's parameters and a KRM
    function's ConfigMap give them."""
    from codeflare_compile.diagnostics import suggestion

    named = {}
    for key, raw in sorted(values.items()):
        if key not in BY_KEY:
            raise SettingsError(f"unknown {what} '{key}'; {suggestion(key, BY_KEY, what)}")
        named[BY_KEY[key].name] = raw
    return parse(named, lambda s: f"{what} '{s.key}'")
