"""accord-testing: a pytest plugin that gives tests real databases (see docs/testing.md)."""

from __future__ import annotations

from accord.testing.backends import BACKENDS, backend_url

__all__ = ["BACKENDS", "backend_url"]
