"""Vertical partitioning: one Session over several engines, its commit coordinated across them.

Classes and tables are bound to engines with ``Session(binds=...)`` (core). What this
module adds is the choice of how a commit spans the engines, made once and stated in the
API: **two-phase** (every engine prepares, then every engine commits; a failed prepare
commits nothing anywhere) when every engine's dialect supports it, else **ordered** (the
engines commit one after another in the order the transaction first used them; a failure
midway rolls back the rest but leaves the earlier ones committed: best effort).
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any

from accord import exc
from accord.orm import Session

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

__all__ = ["CommitMode", "CoordinatedSession", "choose_commit_mode", "commit_mode"]


class CommitMode(str, enum.Enum):
    """How a commit spans several databases."""

    TWO_PHASE = "two_phase"
    """Prepare on every database, then commit on every database."""
    ORDERED = "ordered"
    """Commit database after database (join order); a failure midway is not undone."""


def _distinct_binds(binds: Iterable[Any]) -> list[Any]:
    out: list[Any] = []
    for bind in binds:
        if bind is not None and all(bind is not b for b in out):
            out.append(bind)
    return out


def _supports_two_phase(bind: Any) -> bool:
    return bool(getattr(getattr(bind, "dialect", None), "supports_two_phase", False))


def choose_commit_mode(binds: Iterable[Any], twophase: bool | str = "auto") -> CommitMode:
    """The commit mode for these engines: ``"auto"`` picks two-phase where all support it.

    ``twophase=True`` insists on two-phase (an ``ArgumentError`` naming the engines whose
    dialect lacks it); ``False`` always commits in order.
    """
    engines = _distinct_binds(binds)
    if twophase == "auto":
        if engines and all(_supports_two_phase(b) for b in engines):
            return CommitMode.TWO_PHASE
        return CommitMode.ORDERED
    if twophase is True:
        lacking = [b for b in engines if not _supports_two_phase(b)]
        if lacking:
            raise exc.ArgumentError(
                "twophase=True needs two-phase commit on every database, which these "
                "dialects do not support: "
                + ", ".join(
                    f"{getattr(b, 'dialect', None) and b.dialect.name} ({b!r})" for b in lacking
                )
            )
        return CommitMode.TWO_PHASE
    if twophase is False:
        return CommitMode.ORDERED
    raise exc.ArgumentError(f"twophase must be True, False or 'auto', got {twophase!r}")


def commit_mode(session: Session) -> CommitMode:
    """How ``session`` commits across its databases (any Session, sharded or not)."""
    return CommitMode.TWO_PHASE if session.twophase else CommitMode.ORDERED


class CoordinatedSession(Session):
    """A Session over several engines whose commit is coordinated across them.

    ``CoordinatedSession(binds={User: eng_a, Order: eng_b})`` commits with two-phase
    commit when every engine supports it, else in order; ``commit_mode`` says which.
    Pass ``twophase=True`` to refuse engines without two-phase, ``False`` for ordered.
    """

    def __init__(
        self,
        bind: Any = None,
        *,
        binds: Mapping[Any, Any] | None = None,
        twophase: bool | str = "auto",
        **kw: Any,
    ) -> None:
        engines = [bind, *(binds or {}).values()]
        self.commit_mode = choose_commit_mode(engines, twophase)
        super().__init__(
            bind, binds=binds, twophase=self.commit_mode is CommitMode.TWO_PHASE, **kw
        )

    def __repr__(self) -> str:
        return f"<CoordinatedSession {self.hash_key} commit_mode={self.commit_mode.value}>"
