"""Where things sit inside a Run's pods: the working directory, the clone, dataset mounts, and
the environment a dataset is read from.

The policy passes decide with these (passes/code.py, passes/datasets.py) and the cross-cutting
passes write them (crosscut/workspace.py, crosscut/dataset_mounts.py). A leaf module: it imports
nothing of the compiler.
"""

from __future__ import annotations

#: The shared working directory of every pod of a Run with code.
WORKSPACE = "/workspace"
#: Where a `repo` is cloned.
CLONE_DIR = f"{WORKSPACE}/src"
#: Where a DataSet is mounted unless the input gives a `mountPath` (Datashim's fixed place).
MOUNT_ROOT = "/mnt/datasets"


def dataset_mount_path(name: str) -> str:
    """The default mount path of DataSet `name`."""
    return f"{MOUNT_ROOT}/{name}"


def env_prefix(name: str) -> str:
    """The environment-variable prefix for a DataSet: `train-data` → `TRAIN_DATA`."""
    return name.upper().replace("-", "_")
