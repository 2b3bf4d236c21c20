"""Argo CD health scripts: each passes its testdata under Lua 5.1, as Argo CD runs it.

Argo CD runs a health script with gopher-lua (Lua 5.1) and, for a script set in `argocd-cm`,
opens only the package, base and table libraries and a safe `os` with `time` and `date`
(argo-cd util/lua/lua.go, `runLuaWithResourceActionParameters`; util/lua/oslib_safe.go) — no
`string`, no `math`, and so no string methods either. Argo CD's own test harness opens every
library (util/lua/health_test.go sets `UseOpenLibs`), so a script can pass there and fail in
production; here each script runs in an environment holding exactly what production gives it.

`integrations/argocd/argocd-cm.yaml` is generated from the scripts (`CODEFLARE_REGEN=1`) and held
equal to them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from codeflare_compile.emit.yaml import dump_yaml
from tests.helpers import REPO

lua51 = pytest.importorskip("lupa.lua51", reason="lupa, a test extra, is not installed: "
                            "pip install -e '.[test]'")

ARGOCD = REPO / "integrations" / "argocd"
CUSTOMIZATIONS = ARGOCD / "resource_customizations"
ARGOCD_CM = ARGOCD / "argocd-cm.yaml"
SCRIPTS = sorted(CUSTOMIZATIONS.glob("*/*/health.lua"))
#: gopher-lua's base library (baselib.go, `baseFuncs`, and `OpenBase`'s pairs/ipairs), less its
#: `_printregs` debugging aid, which C Lua has no counterpart of.
BASE = ("assert", "collectgarbage", "dofile", "error", "getfenv", "getmetatable", "load",
        "loadfile", "loadstring", "next", "pcall", "print", "rawequal", "rawget", "rawset",
        "select", "setfenv", "setmetatable", "tonumber", "tostring", "type", "unpack", "xpcall",
        "module", "require", "newproxy", "ipairs", "pairs", "_VERSION")
REGENERATE = os.environ.get("CODEFLARE_REGEN") == "1"
HEADER = """\
# The Argo CD health checks of the kinds codeflare-compile emits, one key per script of
# integrations/argocd/resource_customizations/<group>/<Kind>/health.lua (generated from them by
# tests/test_argocd_health.py with CODEFLARE_REGEN=1; do not edit). The scripts need only the
# libraries Argo CD always opens, so no resource.customizations.useOpenLibs key is set.
# Apply: kubectl -n argocd patch configmap argocd-cm --patch-file integrations/argocd/argocd-cm.yaml
"""

_LUA = lua51.LuaRuntime(register_eval=False, register_builtins=False)
_RUN = _LUA.eval("""
function(source, name, obj, names)
  local env = {table = table, os = {time = os.time, date = os.date}, package = package}
  for _, key in ipairs(names) do env[key] = _G[key] end
  env._G = env
  local chunk, err = loadstring(source, "=" .. name)
  if chunk == nil then error(err) end
  setfenv(chunk, env)
  env.obj = obj
  -- no string library: strings have no methods
  local strings = getmetatable("")
  local index = strings.__index
  strings.__index = nil
  local ok, result = pcall(chunk)
  strings.__index = index
  if not ok then error(result) end
  return result
end
""")


def _lua_value(value: Any) -> Any:
    """JSON-like data as Lua values, arrays 1-based, as Argo CD converts the live object."""
    if isinstance(value, dict):
        return _LUA.table_from({k: _lua_value(v) for k, v in value.items()})
    if isinstance(value, list):
        return _LUA.table_from([_lua_value(v) for v in value])
    return value


def run_health(script: Path, obj: dict[str, Any]) -> dict[str, Any]:
    """What the script returns for `obj`, run as Argo CD runs it in production."""
    result = _RUN(script.read_text(), str(script.relative_to(CUSTOMIZATIONS)), _lua_value(obj),
                  _LUA.table_from(list(BASE)))
    return {key: result[key] for key in ("status", "message") if result[key] is not None}


def _cases() -> list[tuple[Path, dict[str, Any]]]:
    cases = []
    for script in SCRIPTS:
        tests = yaml.safe_load((script.parent / "health_test.yaml").read_text())["tests"]
        cases += [(script, test) for test in tests]
    return cases


def _case_id(case: tuple[Path, dict[str, Any]]) -> str:
    script, test = case
    return f"{script.parent.relative_to(CUSTOMIZATIONS)}:{Path(test['inputPath']).stem}"


@pytest.mark.parametrize("case", _cases(), ids=_case_id)
def test_health_script_passes_its_testdata(case: tuple[Path, dict[str, Any]]) -> None:
    script, test = case
    obj = yaml.safe_load((script.parent / test["inputPath"]).read_text())
    assert run_health(script, obj) == test["healthStatus"]


def test_every_kind_with_a_script_has_testdata_for_each_outcome() -> None:
    """Running, finished, failed and queued (or not yet known) are all covered."""
    kinds = {s.parent.relative_to(CUSTOMIZATIONS).as_posix() for s in SCRIPTS}
    assert kinds >= {"workload.codeflare.dev/AppWrapper", "mcad.ibm.com/AppWrapper",
                     "ray.io/RayJob", "kubeflow.org/PyTorchJob", "datashim.io/Dataset",
                     "com.ie.ibm.hpsys/Dataset"}
    for script in SCRIPTS:
        tests = yaml.safe_load((script.parent / "health_test.yaml").read_text())["tests"]
        statuses = {t["healthStatus"]["status"] for t in tests}
        assert {"Healthy", "Degraded", "Progressing"} <= statuses, script
        used = {Path(t["inputPath"]).name for t in tests}
        assert used == {p.name for p in (script.parent / "testdata").iterdir()}, \
            f"{script.parent}: testdata and health_test.yaml disagree"


def test_the_sandbox_is_argocds() -> None:
    """What production lacks fails here too: the string and math libraries, string methods."""
    probe = CUSTOMIZATIONS.parent / "probe.lua"
    for source in ('return {status = string.upper("x")}', 'return {status = ("x"):upper()}',
                   "return {status = tostring(math.floor(1.5))}"):
        probe_obj: dict[str, Any] = {}
        with pytest.raises(lua51.LuaError):
            _RUN(source, probe.name, _lua_value(probe_obj), _LUA.table_from(list(BASE)))
    ok = _RUN('local t = {} table.insert(t, "a") return {status = t[1] .. tostring(#t)}',
              probe.name, _lua_value({}), _LUA.table_from(list(BASE)))
    assert ok["status"] == "a1"


def argocd_cm() -> str:
    """The argocd-cm patch: one `resource.customizations.health.<group>_<Kind>` per script."""
    data = {}
    for script in SCRIPTS:
        kind_dir = script.parent
        data[f"resource.customizations.health.{kind_dir.parent.name}_{kind_dir.name}"] = \
            script.read_text()
    patch = {"apiVersion": "v1", "kind": "ConfigMap",
             "metadata": {"name": "argocd-cm", "labels": {"app.kubernetes.io/part-of": "argocd"}},
             "data": data}
    return HEADER + dump_yaml(patch)


def test_argocd_cm_holds_exactly_the_scripts() -> None:
    text = argocd_cm()
    if REGENERATE:
        ARGOCD_CM.write_text(text)
    assert ARGOCD_CM.read_text() == text, "run CODEFLARE_REGEN=1 pytest tests/test_argocd_health.py"
    data = yaml.safe_load(ARGOCD_CM.read_text())["data"]
    assert sorted(data.values()) == sorted(s.read_text() for s in SCRIPTS)
    assert not any(key.startswith("resource.customizations.useOpenLibs") for key in data)
