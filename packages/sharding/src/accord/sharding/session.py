"""``ShardedSession``: one Session over several databases holding rows of the same tables.

Objects carry the id of the shard they came from as the ``identity_token`` of their
identity key, so one primary key on two shards gives two objects. New objects go to the
shard ``shard_chooser`` names; loaded objects stay with their shard (UPDATE, DELETE,
expired attributes, lazy and eager relationship loads go back there); ``get()`` looks on
the shards ``identity_chooser`` names; queries run on the shards ``execute_chooser``
names, all at once (``fanout``), and their rows are merged.
"""

from __future__ import annotations

import itertools
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from accord import exc
from accord.engine import IteratorResult, ResultMetaData
from accord.inspection import inspect
from accord.orm import ORMExecuteState, Session, identity_key
from accord.sql import Delete, Insert, Select, Update, func

from .fanout import ShardedDMLResult, limit_offset, merge_rows, order_keys, run_parallel
from .options import SHARD_ID, shard_id_from
from .vertical import CommitMode, choose_commit_mode

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping, Sequence

__all__ = ["ShardedSession"]

# the classes func.count() & co. build (taken from instances: their module is not public)
_AGGREGATES = tuple(type(getattr(func, name)()) for name in ("count", "sum", "min", "max", "avg"))


class ShardedSession(Session):
    """A Session spreading rows of the same tables over several databases (shards).

    ``shards`` maps shard ids to engines. ``shard_chooser(mapper, instance, clause=None)``
    returns the shard of a new object; ``identity_chooser(mapper, primary_key, *,
    lazy_loaded_from, execution_options, bind_arguments)`` the shards to look for a primary
    key in; ``execute_chooser(orm_execute_state)`` the shards a statement runs on. A
    built-in chooser (``accord.sharding.choosers``) given as ``chooser=`` supplies any of
    the three left out. ``twophase`` is True, False (the default: ordered commit) or
    ``"auto"`` (two-phase where every shard's dialect has it); ``commit_mode`` says which.
    """

    def __init__(
        self,
        *,
        shards: Mapping[Any, Any],
        shard_chooser: Callable[..., Any] | None = None,
        identity_chooser: Callable[..., Any] | None = None,
        execute_chooser: Callable[..., Any] | None = None,
        chooser: Any = None,
        twophase: bool | str = False,
        max_workers: int | None = None,
        **kw: Any,
    ) -> None:
        if not shards:
            raise exc.ArgumentError("ShardedSession needs shards={shard_id: engine, ...}")
        for sid, engine in shards.items():
            if not (hasattr(engine, "connect") or hasattr(engine, "in_transaction")):
                raise exc.ArgumentError(
                    f"Shard {sid!r} must map to an Engine or Connection, not {engine!r}"
                )
        if kw.get("bind") is not None or kw.get("binds"):
            raise exc.ArgumentError(
                "ShardedSession takes its databases from shards=; bind= and binds= are not used"
            )
        kw.pop("bind", None)
        kw.pop("binds", None)
        if chooser is not None:
            shard_chooser = shard_chooser or chooser.shard_chooser
            identity_chooser = identity_chooser or chooser.identity_chooser
            execute_chooser = execute_chooser or chooser.execute_chooser
        if shard_chooser is None:
            raise exc.ArgumentError(
                "ShardedSession needs shard_chooser= (or chooser=) to place new objects"
            )
        self.shards: dict[Any, Any] = dict(shards)
        self.shard_chooser = shard_chooser
        self.identity_chooser = identity_chooser
        self.execute_chooser = execute_chooser
        self.commit_mode: CommitMode = choose_commit_mode(self.shards.values(), twophase)
        self.max_workers = max_workers or len(self.shards)
        self._route = threading.local()
        self._executor: ThreadPoolExecutor | None = None
        super().__init__(twophase=self.commit_mode is CommitMode.TWO_PHASE, **kw)

    # -- shard ids ---------------------------------------------------------------------

    def _check_shard(self, sid: Any, source: str) -> Any:
        if sid is None:
            raise exc.InvalidRequestError(
                f"{source} returned no shard id; it must return one of {self._known()}"
            )
        try:
            known = sid in self.shards
        except TypeError:  # unhashable
            known = False
        if not known:
            raise exc.InvalidRequestError(
                f"Unknown shard id {sid!r} (from {source}); known shards: {self._known()}"
            )
        return sid

    def _known(self) -> str:
        return ", ".join(repr(s) for s in self.shards)

    def _check_many(self, ids: Any, source: str) -> list[Any]:
        if ids is None or isinstance(ids, (str, bytes)) or not hasattr(ids, "__iter__"):
            raise exc.InvalidRequestError(f"{source} must return a list of shard ids, got {ids!r}")
        out = list(dict.fromkeys(self._check_shard(s, source) for s in ids))
        if not out:
            raise exc.InvalidRequestError(
                f"{source} returned no shard ids; it must name at least one of {self._known()}"
            )
        return out

    def shard_of(self, instance: Any) -> Any:
        """The shard id of a persistent object (its identity token), or None if it has none."""
        state = inspect(instance)
        key = state.key
        return None if key is None else key[2]

    def _choose_for_instance(self, mapper: Any, instance: Any, clause: Any = None) -> Any:
        token = self.shard_of(instance)
        if token is not None:
            return self._check_shard(token, "the object's identity token")
        sid = self.shard_chooser(mapper, instance, clause=clause)
        return self._check_shard(sid, "shard_chooser")

    @contextmanager
    def _routed(self, sid: Any) -> Iterator[None]:
        # the shard every get_bind() in this thread resolves to (per thread: fan-out)
        previous = getattr(self._route, "shard", None)
        self._route.shard = sid
        try:
            yield
        finally:
            self._route.shard = previous

    # -- binds -------------------------------------------------------------------------

    def get_bind(
        self,
        mapper: Any = None,
        *,
        clause: Any = None,
        bind: Any = None,
        shard_id: Any = None,
        instance: Any = None,
        **kw: Any,
    ) -> Any:
        """The engine of ``shard_id``; else of the shard being worked on, of ``instance``,
        or the one ``shard_chooser(mapper, None, clause=clause)`` names."""
        if bind is not None:
            return bind
        if shard_id is None:
            shard_id = getattr(self._route, "shard", None)
        if shard_id is None and instance is not None:
            shard_id = self._choose_for_instance(mapper, instance, clause)
        if shard_id is None:
            shard_id = self.shard_chooser(mapper, None, clause=clause)
            source = "shard_chooser"
        else:
            source = "shard_id"
        return self.shards[self._check_shard(shard_id, source)]

    def connection(
        self,
        bind_arguments: Mapping[str, Any] | None = None,
        execution_options: Mapping[str, Any] | None = None,
    ) -> Any:
        """The Connection of the current transaction on a shard: ``bind_arguments={"shard_id":
        ...}`` (or ``"mapper"`` / ``"clause"`` for ``shard_chooser``)."""
        return super().connection(bind_arguments, execution_options)

    # -- flush: per shard --------------------------------------------------------------

    def flush(self, objects: Sequence[Any] | None = None) -> None:
        """Flush each shard's objects to that shard (new ones where ``shard_chooser`` says)."""
        wanted = None if objects is None else {id(o) for o in objects}
        groups: dict[Any, list[Any]] = {}
        pending: dict[Any, list[Any]] = {}
        for obj in [*self.new, *self.dirty, *self.deleted]:
            if wanted is not None and id(obj) not in wanted:
                continue
            state = inspect(obj)
            if state.key is None:
                sid = self._check_shard(
                    self.shard_chooser(state.mapper, obj, clause=None), "shard_chooser"
                )
                pending.setdefault(sid, []).append(state)
            else:
                sid = self._check_shard(state.key[2], "the object's identity token")
            groups.setdefault(sid, []).append(obj)
        if not groups:
            super().flush(objects)
            return
        for sid in [s for s in self.shards if s in groups]:
            with self._routed(sid):
                super().flush(groups[sid])
            self._assign_tokens(pending.get(sid, ()), sid)

    def _assign_tokens(self, states: Sequence[Any], sid: Any) -> None:
        # the flush keyed the new objects without a token: re-key them under their shard
        idmap = self.identity_map
        for state in states:
            key = state.key
            if key is None or key[2] is not None:
                continue
            idmap.discard(state)
            state.key = (key[0], key[1], sid)
            idmap.add(state)

    # -- get: by identity --------------------------------------------------------------

    def get(
        self,
        entity: Any,
        ident: Any,
        *,
        identity_token: Any = None,
        execution_options: Mapping[str, Any] | None = None,
        bind_arguments: Mapping[str, Any] | None = None,
        **kw: Any,
    ) -> Any:
        """The object with this primary key on the shard ``identity_token`` (or
        ``bind_arguments["shard_id"]``), else the first of ``identity_chooser``'s shards
        holding it; None if none does."""
        mapper = inspect(entity)
        pinned = identity_token
        if pinned is None:
            pinned = shard_id_from((), execution_options, bind_arguments)
        if pinned is not None:
            shards = [self._check_shard(pinned, "identity_token")]
        elif self.identity_chooser is None:
            shards = list(self.shards)
        else:
            pk = _pk_tuple(mapper, ident)
            shards = self._check_many(
                self.identity_chooser(
                    mapper,
                    pk,
                    lazy_loaded_from=None,
                    execution_options=execution_options,
                    bind_arguments=bind_arguments,
                ),
                "identity_chooser",
            )
        if len(shards) > 1:
            # an object already in the identity map wins over a SELECT on any shard
            pk = _pk_tuple(mapper, ident)
            for sid in shards:
                if identity_key(mapper.class_, pk, identity_token=sid) in self.identity_map:
                    shards = [sid]
                    break
        for sid in shards:
            with self._routed(sid):
                obj = super().get(
                    entity, ident, identity_token=sid, execution_options=execution_options, **kw
                )
            if obj is not None:
                return obj
        return None

    # -- execute: fan out --------------------------------------------------------------

    def execute(
        self,
        statement: Any,
        params: Any = None,
        *,
        execution_options: Mapping[str, Any] | None = None,
        bind_arguments: Mapping[str, Any] | None = None,
    ) -> Any:
        """Run a statement on its shard(s): pinned, by identity token, else ``execute_chooser``.

        On several shards the statement runs on all of them in parallel and the rows are
        merged (ORDER BY, LIMIT / OFFSET and DISTINCT across shards); UPDATE / DELETE
        return the summed ``rowcount``.
        """
        local = dict(execution_options or {})
        args = dict(bind_arguments or {})
        state = ORMExecuteState(self, statement, params, local, args)
        opts = state.execution_options
        shards = self._shards_for(state, opts, args)
        if len(shards) == 1:
            return self._run_on(shards[0], statement, params, local, args)
        if isinstance(statement, Insert):
            raise exc.InvalidRequestError(
                f"An INSERT can't run on several shards ({shards!r}); pin it to one with "
                "set_shard_id() or bind_arguments={'shard_id': ...}"
            )
        is_select = isinstance(statement, Select)
        if opts.get("autoflush", True) and (is_select or isinstance(statement, (Update, Delete))):
            # once, here (the Session's own rule: autoflush flag, no_autoflush blocks): the
            # shards' threads then find nothing to flush
            self._autoflush()
        if is_select:
            return self._fan_out_select(shards, statement, params, local, args)
        results = self._parallel(shards, statement, params, local, args, freeze=False)
        if all(getattr(r, "returns_rows", False) is False for r in results):
            return ShardedDMLResult(dict(zip(shards, results, strict=True)))
        frozen = [r.freeze() for r in results]
        return frozen[0].with_new_rows([row for f in frozen for row in f.data])()

    def _shards_for(
        self, state: ORMExecuteState, opts: Mapping[str, Any], args: Mapping[str, Any]
    ) -> list[Any]:
        pinned = shard_id_from(state.user_defined_options, opts, args)
        if pinned is not None:
            return [self._check_shard(pinned, "shard_id")]
        token = opts.get("identity_token")
        if token is not None:
            return [self._check_shard(token, "identity_token")]
        lazy = state.lazy_loaded_from
        if lazy is not None and lazy.key is not None and lazy.key[2] is not None:
            return [self._check_shard(lazy.key[2], "the parent's identity token")]
        routed = getattr(self._route, "shard", None)
        if routed is not None:
            return [routed]
        if state.is_insert:
            mapper = state.bind_mapper
            sid = self.shard_chooser(mapper, None, clause=state.statement)
            return [self._check_shard(sid, "shard_chooser")]
        if self.execute_chooser is None:
            return list(self.shards)
        return self._check_many(self.execute_chooser(state), "execute_chooser")

    def _run_on(
        self,
        sid: Any,
        statement: Any,
        params: Any,
        options: Mapping[str, Any],
        args: Mapping[str, Any],
    ) -> Any:
        with self._routed(sid):
            return super().execute(
                statement,
                params,
                execution_options={**options, "identity_token": sid},
                bind_arguments={**args, SHARD_ID: sid, "bind": self.shards[sid]},
            )

    def _parallel(
        self,
        shards: list[Any],
        statement: Any,
        params: Any,
        options: Mapping[str, Any],
        args: Mapping[str, Any],
        freeze: bool,
    ) -> list[Any]:
        # each shard's connection joins the transaction here, in this thread: the workers
        # then only find it (the transaction's bookkeeping is not thread-safe)
        for sid in shards:
            self.connection(bind_arguments={"bind": self.shards[sid]})
        options = {**options, "autoflush": False}

        def task(sid: Any) -> Callable[[], Any]:
            def run() -> Any:
                result = self._run_on(sid, statement, params, options, args)
                return _frozen(result) if freeze else result

            return run

        if self._executor is None:
            self._executor = ThreadPoolExecutor(
                max_workers=self.max_workers, thread_name_prefix="accord-shard"
            )
        return run_parallel([task(sid) for sid in shards], self._executor)

    def _fan_out_select(
        self,
        shards: list[Any],
        statement: Any,
        params: Any,
        options: Mapping[str, Any],
        args: Mapping[str, Any],
    ) -> Any:
        _refuse_aggregates(statement, shards)
        keys = order_keys(statement.order_by_clauses)
        limit, offset = limit_offset(statement)
        per_shard = statement
        if limit is not None or offset:
            per_shard = per_shard.offset(None).limit(None if limit is None else limit + offset)
        if keys:
            # the ORDER BY values come back as extra columns the merge reads, then drops
            per_shard = per_shard.add_columns(
                *[k.expression.label(f"accord_shard_sort_{i}") for i, k in enumerate(keys)]
            )
        frozen = self._parallel(shards, per_shard, params, options, args, freeze=True)
        names = frozen[0].metadata.keys()
        n_visible = len(names) - len(keys)
        rows: Any = merge_rows([f.data for f in frozen], keys, n_visible)
        if keys:
            rows = (row[:n_visible] for row in rows)
        if statement.is_distinct:
            rows = _unique(rows)
        if offset or limit is not None:
            rows = itertools.islice(rows, offset, None if limit is None else offset + limit)
        data = list(rows)
        if keys:
            return IteratorResult(ResultMetaData(names[:n_visible]), iter(data))
        return frozen[0].with_new_rows(data)()

    # -- closing -----------------------------------------------------------------------

    def close(self) -> None:
        """Close the Session (on every shard) and stop its fan-out threads."""
        try:
            super().close()
        finally:
            executor, self._executor = self._executor, None
            if executor is not None:
                executor.shutdown(wait=True)

    def __repr__(self) -> str:
        return f"<ShardedSession {self.hash_key} shards={list(self.shards)!r}>"


def _frozen(result: Any) -> Any:
    try:
        return result.freeze()
    except exc.InvalidRequestError:
        # joined eager loading of a collection: rows repeat until unique() is applied
        return result.unique().freeze()


def _unique(rows: Any) -> Iterator[Any]:
    seen: set[Any] = set()
    for row in rows:
        marker = tuple(row)
        if marker not in seen:
            seen.add(marker)
            yield row


def _pk_tuple(mapper: Any, ident: Any) -> tuple[Any, ...]:
    if isinstance(ident, dict):
        return tuple(ident.get(mapper.get_property_by_column(c).key) for c in mapper.primary_key)
    if isinstance(ident, (tuple, list)):
        return tuple(ident)
    return (ident,)


def _refuse_aggregates(statement: Any, shards: Sequence[Any]) -> None:
    """GROUP BY or an aggregate over several shards would give one row per shard: refuse."""
    what = None
    if statement.group_by_clauses:
        what = "GROUP BY"
    else:
        for col in statement.selected_columns:
            if _has_aggregate(col):
                what = f"the aggregate {col}"
                break
    if what is not None:
        raise exc.InvalidRequestError(
            f"Can't merge {what} across shards {list(shards)!r}: each shard would return its "
            "own partial rows. Run the statement per shard with set_shard_id() and combine "
            "the results yourself"
        )


def _has_aggregate(expr: Any) -> bool:
    if isinstance(expr, _AGGREGATES):
        return True
    if getattr(expr, "_is_select", False):
        return False  # a scalar subquery aggregates within its own SELECT
    return any(_has_aggregate(c) for c in expr.get_children())
