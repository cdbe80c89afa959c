"""Which Pioneer this is: the installed package's version, for `--version` and /metrics."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version


def version() -> str:
    try:
        return package_version("pioneer")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"
