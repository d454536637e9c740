"""The installed package's version, as `chanwarden --version`, Sentry's release and the metrics' target_info tell it."""

from importlib.metadata import PackageNotFoundError, version

try:
    VERSION = version("chanwarden")
except PackageNotFoundError:  # a source tree that was never installed
    VERSION = "0.0.0"
