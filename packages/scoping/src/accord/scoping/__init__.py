"""Scoped (thread-local and contextvar) sessions for accord; built by a later issue."""

from __future__ import annotations

__all__: list[str] = []
