"""``inspect()``: one entry point that returns the inspector registered for an object's type."""

from __future__ import annotations

from accord.util.inspect_registry import inspect, register_inspector, register_self_inspecting

__all__ = ["inspect", "register_inspector", "register_self_inspecting"]
