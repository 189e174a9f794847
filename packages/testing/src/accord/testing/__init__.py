"""accord-testing: a pytest plugin that gives tests real databases (see docs/testing.md)."""

from __future__ import annotations

from accord.testing.backends import BACKENDS, BackendTarget, backend_url, find_backend, ping
from accord.testing.fixtures import Backend
from accord.testing.provision import database_name, worker_id
from accord.testing.requirements import CAPABILITIES

__all__ = [
    "BACKENDS",
    "Backend",
    "BackendTarget",
    "CAPABILITIES",
    "backend_url",
    "database_name",
    "find_backend",
    "ping",
    "worker_id",
]
