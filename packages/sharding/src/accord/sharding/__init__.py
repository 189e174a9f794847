"""Vertical and horizontal sharding for accord; built by a later issue."""

from __future__ import annotations

__all__: list[str] = []
