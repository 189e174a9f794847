"""Fixtures for testing the accord pytest plugin itself."""

from __future__ import annotations

pytest_plugins = ["pytester"]
