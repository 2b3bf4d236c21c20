"""Go's YAML rule (emit/goyaml.py) against the resolvers it ports, and against kubectl.

kubectl reads YAML through sigs.k8s.io/yaml (go-yaml v2's `resolve`): every candidate below is
written as a bare plain scalar into one probe object, and kubectl's JSON says which it read as a
string. The rule must call non-string every one kubectl does; where it also quotes one kubectl
reads as a string, that is go-yaml v3's timestamps or a number beyond Go's range, nothing else.
"""

from __future__ import annotations

import itertools
import json
import math
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from codeflare_compile.emit.goyaml import go_reads_as_non_string
from codeflare_compile.emit.yaml import dump_yaml

KUBECTL = shutil.which("kubectl")
needs_kubectl = pytest.mark.skipif(KUBECTL is None, reason="kubectl is not installed: the Go "
                                   "reader these tests compare against is missing")

#: What go-yaml v2 or v3 `resolve` reads as non-strings, by the branch of the resolver taking it.
NON_STRINGS = [
    # resolveMap (v2: all; v3: true/false, null, .nan, .inf, <<)
    "y", "Y", "yes", "YES", "n", "N", "No", "on", "On", "OFF", "true", "FALSE", "~", "null",
    "NULL", ".nan", ".Inf", "-.INF", "+.inf", "<<",
    # ParseInt / ParseUint with base 0, `_` removed
    "0", "12", "-7", "+1", "012", "0x1F", "-0x1f", "0o17", "0O17", "-0o17", "0b101", "+0b1",
    "1_000", "0x_1F", "18446744073709551615",
    # yamlStyleFloat
    "08", "1e-3", "3e-4", "1.5e3", "1e3", "1.", "-.5", "+1.0E+3", "09.5",
    # hint `.`: ParseFloat
    ".5", ".5e3", ".5_0",
    # parseTimestamp (v3 hands a time.Time to interface{})
    "2024-01-01", "2024-1-2", "2001-12-14t21:59:43.10-05:00", "2001-12-14T21:59:43Z",
    "2001-12-14 21:59:43.10",
]
STRINGS = [
    "x", "yes please", "Yes!", "ok", "o", "t", "f", "nil", "none", "None", "0x", "0x1p-2", "1e",
    "1.2.3", "1e+", "-", "+", ".", "..", "._5", ".e3", "1-2", "v1.0", "1:30", "3:25:45", "0b2",
    "0o8", "2024-01", "2024-01-01-run", "20240101x", "12ab", "1 2", "+-1", "=", "!", "inf",
    "NaN", "Infinity", "_1", "1_000a", "0xG",
]


@pytest.mark.parametrize("value", NON_STRINGS)
def test_non_strings(value: str) -> None:
    assert go_reads_as_non_string(value)


@pytest.mark.parametrize("value", STRINGS)
def test_strings(value: str) -> None:
    assert not go_reads_as_non_string(value)


def _candidates() -> list[str]:
    """Short texts from the characters Go's number, bool and date syntaxes are made of, and the
    tables above: several thousand, read by one kubectl call."""
    alphabet = "0189.eE+-_xobyY:"
    short = ("".join(chars) for n in (1, 2, 3) for chars in itertools.product(alphabet, repeat=n))
    longer = ("".join(chars) for chars in itertools.product("01e.+-_x", repeat=4))
    return sorted({*short, *longer, *NON_STRINGS, *STRINGS, "1e400", "99999999999999999999",
                   "2024-13-45", "0x10000000000000000"})


def _plain(value: str) -> bool:
    """Whether `key: value` written bare is read back (untyped) as exactly `value`, plain."""
    try:
        node = yaml.compose(f"k: {value}\n", Loader=yaml.BaseLoader)
    except yaml.YAMLError:
        return False
    if node is None or not node.value:
        return False
    scalar = node.value[0][1]
    return isinstance(scalar, yaml.ScalarNode) and scalar.style is None and scalar.value == value


def _kubectl_read(text: str, tmp_path: Path) -> dict[str, object]:
    """The probe object's `data` as kubectl (sigs.k8s.io/yaml) reads `text`."""
    path = tmp_path / "probe.yaml"
    path.write_text(text)
    out = subprocess.run([str(KUBECTL), "label", "--local", "-f", str(path), "probe=1", "-o",
                          "json"], capture_output=True, text=True, check=True, timeout=60)
    data: dict[str, object] = json.loads(out.stdout)["data"]
    return data


def _beyond_go(value: str) -> bool:
    """A quote the rule adds for a reader other than v2, or one only range keeps a string:
    a timestamp (v3), an int beyond 64 bits, a float beyond float64; `<<` is a string as a
    value, the merge key as a key."""
    plain = value.replace("_", "")
    if value == "<<" or re.fullmatch(r"[0-9]{4}-.*", value):
        return True
    try:
        number = int(plain, 0) if re.fullmatch(r"[-+]?0[xXoObB].*", plain) else int(plain)
        return not -(2**63) <= number < 2**64
    except ValueError:
        pass
    try:
        return math.isinf(float(plain))
    except ValueError:
        return False


@needs_kubectl
def test_rule_agrees_with_kubectl(tmp_path: Path) -> None:
    values = [value for value in _candidates()  # JSON has no infinity nor nan: kubectl fails
              if _plain(value) and value.lower().lstrip("+-") not in (".inf", ".nan")]
    assert len(values) > 3000
    body = "".join(f"  k{i}: {value}\n" for i, value in enumerate(values))
    read = _kubectl_read(f"apiVersion: example.dev/v1\nkind: Probe\nmetadata: {{name: p}}\n"
                         f"data:\n{body}", tmp_path)
    kubectl_non_strings = {values[int(key[1:])] for key, got in read.items()
                           if not isinstance(got, str)}
    rule_non_strings = {value for value in values if go_reads_as_non_string(value)}
    assert kubectl_non_strings - rule_non_strings == set()
    extra = rule_non_strings - kubectl_non_strings
    assert {value for value in extra if not _beyond_go(value)} == set()


@needs_kubectl
def test_emitter_output_reads_back_as_strings_in_kubectl(tmp_path: Path) -> None:
    """Every candidate, as key and as value, written by the emitter, is the same string for Go."""
    values = _candidates()
    obj = {"apiVersion": "example.dev/v1", "kind": "Probe", "metadata": {"name": "p"},
           "data": {f"k{i}": value for i, value in enumerate(values)},
           "keys": {value: "v" for value in values}}
    path = tmp_path / "probe.yaml"
    path.write_text(dump_yaml(obj))
    out = subprocess.run([str(KUBECTL), "label", "--local", "-f", str(path), "probe=1", "-o",
                          "json"], capture_output=True, text=True, check=True, timeout=60)
    read = json.loads(out.stdout)
    assert read["data"] == obj["data"]
    assert list(read["keys"]) == sorted(obj["keys"])
