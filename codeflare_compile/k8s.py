"""Kubernetes name and label syntax, shared by the input models and the output checks.

Unanchored: match with `fullmatch`; `anchored` gives the form JSON Schema `pattern` needs.
Kept free of heavy imports, since the output checks run on every compile.
"""

from __future__ import annotations

import re

DNS1123_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
DNS1123_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
DNS1035_LABEL = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")
LABEL_NAME = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")
LABEL_VALUE = re.compile(r"(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?")


def anchored(pattern: re.Pattern[str]) -> str:
    """The pattern as a JSON Schema `pattern`, which matches anywhere unless anchored."""
    return f"^{pattern.pattern}$"
