"""The target choices the Platform and the command line share; kept free of heavy imports."""

from __future__ import annotations

from typing import Literal

Queueing = Literal["appwrapper", "mcad", "kueue", "none"]
Gang = Literal["coscheduler", "none"]
DatasetsBackend = Literal["datashim", "native"]
Logging = Literal["none", "fluentbit"]
PodSecurity = Literal["baseline", "restricted"]
TorchBackend = Literal["job", "pytorchjob"]
DatashimGroup = Literal["datashim.io", "com.ie.ibm.hpsys"]
OutputFormat = Literal["yaml", "json"]
ExplainFormat = Literal["text", "json"]
