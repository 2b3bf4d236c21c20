"""Object names: derived from the Run, stable, fitted to each kind's limits."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from codeflare_compile.api.durations import seconds
from codeflare_compile.namefit import fit_name

LABEL = st.from_regex(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?", fullmatch=True)


def test_short_names_are_kept() -> None:
    assert fit_name("train", 47) == "train"


def test_long_names_are_truncated_with_a_stable_hash() -> None:
    name = "a-very-long-run-name-that-does-not-fit-the-rayjob-length-limit"
    fitted = fit_name(name, 47, letter_first=True)
    assert len(fitted) == 47
    assert fitted.startswith(name[:41] + "-")
    assert fitted == fit_name(name, 47, letter_first=True)
    assert fitted != fit_name(name + "2", 47, letter_first=True)


def test_dns_1035_names_start_with_a_letter() -> None:
    assert fit_name("7up", 47, letter_first=True) == "r-7up"


@given(LABEL)
def test_fitted_names_are_valid_dns_1035_labels(name: str) -> None:
    fitted = fit_name(name, 47, letter_first=True)
    assert len(fitted) <= 47
    assert fitted[0].isalpha() and fitted[-1].isalnum()
    assert set(fitted) <= set("abcdefghijklmnopqrstuvwxyz0123456789-")


def test_durations() -> None:
    assert [seconds(d) for d in ("90s", "30m", "2h", "1h30m", "1h0m5s")] == \
        [90, 1800, 7200, 5400, 3605]
