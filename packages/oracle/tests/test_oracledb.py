"""python-oracledb glue with a fake connection: URLs, RETURNING INTO, two-phase, disconnects."""

from __future__ import annotations

import decimal
from typing import TYPE_CHECKING, Any

import oracledb
import pytest

from accord import exc
from accord.dialects.oracle import OracleDialect_oracledb
from accord.dialects.oracle.oracledb import XID_FORMAT_ID, make_xid
from accord.engine import create_engine
from accord.engine.registry import load
from accord.engine.url import make_url
from accord.sql import Column, Integer, MetaData, String, Table, insert, select, update

if TYPE_CHECKING:
    from accord.engine import Engine

FakeConnection = Any  # conftest's fake python-oracledb connection

metadata = MetaData()
things = Table(
    "things",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(20)),
)


# -- registry and URLs ----------------------------------------------------------------------


def test_entry_point_loads_oracle_dialect_by_backend_name() -> None:
    assert load("oracle") is OracleDialect_oracledb
    assert load("oracle+oracledb") is OracleDialect_oracledb


def test_connect_args_with_service_name(dialect: OracleDialect_oracledb) -> None:
    url = make_url("oracle+oracledb://scott:tiger@db.example:1522/?service_name=FREEPDB1")
    assert dialect.create_connect_args(url) == (
        [],
        {
            "user": "scott",
            "password": "tiger",
            "host": "db.example",
            "port": 1522,
            "service_name": "FREEPDB1",
        },
    )


def test_connect_args_with_sid_in_path_and_default_port(dialect: OracleDialect_oracledb) -> None:
    url = make_url("oracle://scott:tiger@db.example/XE")
    _, kw = dialect.create_connect_args(url)
    assert kw == {
        "user": "scott",
        "password": "tiger",
        "host": "db.example",
        "port": 1521,
        "sid": "XE",
    }


def test_connect_args_without_host_use_dsn(dialect: OracleDialect_oracledb) -> None:
    _, kw = dialect.create_connect_args(make_url("oracle://scott:tiger@/mydb_high"))
    assert kw == {"user": "scott", "password": "tiger", "dsn": "mydb_high"}


def test_connect_args_coerce_known_options(dialect: OracleDialect_oracledb) -> None:
    url = make_url("oracle://u:p@h/?service_name=S&tcp_connect_timeout=5&disable_oob=true")
    _, kw = dialect.create_connect_args(url)
    assert kw["tcp_connect_timeout"] == 5.0
    assert kw["disable_oob"] is True


def test_connect_args_sid_and_service_name_together_is_an_error(
    dialect: OracleDialect_oracledb,
) -> None:
    with pytest.raises(exc.ArgumentError, match="not both"):
        dialect.create_connect_args(make_url("oracle://u:p@h/XE?service_name=S"))


def test_connect_args_repeated_option_is_an_error(dialect: OracleDialect_oracledb) -> None:
    with pytest.raises(exc.ArgumentError, match="more than once"):
        dialect.create_connect_args(make_url("oracle://u:p@h/?service_name=a&service_name=b"))


def test_url_hides_password() -> None:
    engine = create_engine("oracle+oracledb://scott:tiger@h:1521/?service_name=S")
    assert "tiger" not in repr(engine.url)
    assert "tiger" not in str(engine.url)
    engine.dispose()


def test_thin_mode_never_initialises_the_client() -> None:
    import ast
    import inspect

    from accord.dialects.oracle import oracledb as glue

    calls = [
        node
        for node in ast.walk(ast.parse(inspect.getsource(glue)))
        if isinstance(node, ast.Attribute) and node.attr == "init_oracle_client"
    ]
    assert calls == []


# -- connecting and execution ---------------------------------------------------------------


def test_new_connection_is_set_up(fake_engine: Engine, fake_connection: FakeConnection) -> None:
    with fake_engine.connect():
        pass
    assert fake_connection.outputtypehandler is not None
    assert "ALTER SESSION SET TIME_ZONE = 'UTC'" in fake_connection.statements()
    assert fake_engine.dialect.server_version_info == (23, 4, 0, 24, 5)
    assert fake_engine.dialect.max_identifier_length == 128


def test_old_server_limits_identifiers_to_30(fake_connection: FakeConnection) -> None:
    fake_connection.version = "12.1.0.2.0"
    engine = create_engine("oracle://u:p@h/XE", creator=lambda: fake_connection)
    with engine.connect():
        pass
    assert engine.dialect.max_identifier_length == 30
    engine.dispose()


def test_insert_reads_identity_key_from_out_bind(
    fake_engine: Engine, fake_connection: FakeConnection
) -> None:
    fake_connection.returning = [[42]]
    with fake_engine.begin() as conn:
        result = conn.execute(insert(things).values(name="a"))
    assert result.inserted_primary_key == (42,)
    kind, statement, params, _ = fake_connection.log[-3]
    assert kind == "execute"
    assert statement == "INSERT INTO things (name) VALUES (:name) RETURNING things.id INTO :out_1"
    assert params["name"] == "a"
    assert params["out_1"].type is int


def test_update_returning_gives_rows(fake_engine: Engine, fake_connection: FakeConnection) -> None:
    fake_connection.returning = [[1, 2], ["x", "y"]]
    with fake_engine.begin() as conn:
        rows = conn.execute(
            update(things).values(name="z").returning(things.c.id, things.c.name)
        ).all()
    assert rows == [(1, "x"), (2, "y")]
    params = next(e[2] for e in fake_connection.log if e[1].startswith("UPDATE"))
    assert (params["out_1"].type, params["out_2"].type, params["out_2"].size) == (int, str, 20)


def test_returning_no_rows_gives_empty_result(
    fake_engine: Engine, fake_connection: FakeConnection
) -> None:
    fake_connection.returning = [[]]
    with fake_engine.begin() as conn:
        result = conn.execute(update(things).values(name="z").returning(things.c.id))
        assert result.all() == []


def test_executemany_returning_uses_array_out_binds(
    fake_engine: Engine, fake_connection: FakeConnection
) -> None:
    fake_connection.returning = [[10], [11], [12]]
    with fake_engine.begin() as conn:
        rows = conn.execute(
            insert(things).returning(things.c.id), [{"name": n} for n in "abc"]
        ).all()
    assert rows == [(10,), (11,), (12,)]
    entry = next(e for e in fake_connection.log if e[0] == "executemany")
    assert entry[3]["out_1"].arraysize == 3


def test_executemany_without_returning_passes_dicts(
    fake_engine: Engine, fake_connection: FakeConnection
) -> None:
    with fake_engine.begin() as conn:
        result = conn.execute(insert(things), [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}])
    assert result.rowcount == 2
    entry = next(e for e in fake_connection.log if e[0] == "executemany")
    assert entry[1] == "INSERT INTO things (id, name) VALUES (:id, :name)"
    assert entry[2] == [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}]


def test_datetime_binds_are_declared_timestamp(
    fake_engine: Engine, fake_connection: FakeConnection
) -> None:
    import datetime

    from accord.sql import DateTime

    t = Table("ev", MetaData(), Column("id", Integer, primary_key=True), Column("at", DateTime))
    with fake_engine.begin() as conn:
        conn.execute(insert(t).values(id=1, at=datetime.datetime(2024, 1, 2, 3, 4, 5, 6)))
    entry = next(e for e in fake_connection.log if e[0] == "execute" and "ev" in e[1])
    assert entry[3] == {"at": oracledb.DB_TYPE_TIMESTAMP}


def test_select_with_limit_sends_named_params(
    fake_engine: Engine, fake_connection: FakeConnection
) -> None:
    fake_connection.results = [[("SCOTT",)], [(1, "a")]]
    with fake_engine.connect() as conn:
        rows = conn.execute(select(things).where(things.c.id > 0).limit(5)).all()
    assert rows == [(1, "a")]
    entry = next(e for e in fake_connection.log if "FETCH" in e[1])
    assert entry[1].endswith("FETCH FIRST :param_1 ROWS ONLY")
    assert entry[2] == {"id_1": 0, "param_1": 5}


# -- output type handler --------------------------------------------------------------------


class _Meta:
    def __init__(self, type_code: Any, scale: int | None = 0) -> None:
        self.type_code = type_code
        self.scale = scale


class _VarCursor:
    arraysize = 50

    def var(self, type_: Any, arraysize: int = 1) -> tuple[Any, int]:
        return (type_, arraysize)


@pytest.mark.parametrize(
    ("type_code", "scale", "expected"),
    [
        (oracledb.DB_TYPE_CLOB, 0, oracledb.DB_TYPE_LONG),
        (oracledb.DB_TYPE_NCLOB, 0, oracledb.DB_TYPE_LONG_NVARCHAR),
        (oracledb.DB_TYPE_BLOB, 0, oracledb.DB_TYPE_LONG_RAW),
        (oracledb.DB_TYPE_NUMBER, 2, decimal.Decimal),
        (oracledb.DB_TYPE_NUMBER, 0, None),
        (oracledb.DB_TYPE_NUMBER, -127, None),
        (oracledb.DB_TYPE_VARCHAR, 0, None),
    ],
)
def test_output_type_handler_fetches_lobs_as_values_and_scaled_numbers_as_decimal(
    dialect: OracleDialect_oracledb, type_code: Any, scale: int, expected: Any
) -> None:
    var = dialect.output_type_handler(_VarCursor(), _Meta(type_code, scale))
    if expected is None:
        assert var is None
    else:
        assert var == (expected, 50)


# -- transactions ---------------------------------------------------------------------------


def test_savepoint_release_emits_nothing(
    fake_engine: Engine, fake_connection: FakeConnection
) -> None:
    with fake_engine.begin() as conn:
        with conn.begin_nested():
            pass
        nested = conn.begin_nested()
        nested.rollback()
    statements = fake_connection.statements()
    assert any(s.startswith("SAVEPOINT ") for s in statements)
    assert any(s.startswith("ROLLBACK TO SAVEPOINT ") for s in statements)
    assert not any(s.startswith("RELEASE") for s in statements)


def test_make_xid_from_accord_string(fake_connection: FakeConnection) -> None:
    xid = make_xid(fake_connection, "accord_xid_abc_1")
    assert (xid.format_id, xid.global_transaction_id, xid.branch_qualifier) == (
        XID_FORMAT_ID,
        "accord_xid_abc_1",
        "accord",
    )


def test_make_xid_from_triple_and_passthrough(fake_connection: FakeConnection) -> None:
    xid = make_xid(fake_connection, (7, "g", "b"))
    assert (xid.format_id, xid.global_transaction_id, xid.branch_qualifier) == (7, "g", "b")
    assert make_xid(fake_connection, xid) is xid


def test_two_phase_commit_calls_tpc_in_order(
    fake_engine: Engine, fake_connection: FakeConnection
) -> None:
    with fake_engine.connect() as conn:
        tx = conn.begin_twophase("accord_xid_t_1")
        tx.prepare()
        tx.commit()
    calls = [e[0] for e in fake_connection.log if e[0].startswith("tpc")]
    assert calls == ["tpc_begin", "tpc_prepare", "tpc_commit"]
    begin = next(e for e in fake_connection.log if e[0] == "tpc_begin")
    assert begin[1].global_transaction_id == "accord_xid_t_1"


def test_two_phase_read_only_branch_needs_no_commit(
    fake_engine: Engine, fake_connection: FakeConnection
) -> None:
    fake_connection.prepare_result = False
    with fake_engine.connect() as conn:
        tx = conn.begin_twophase("x")
        tx.prepare()
        tx.commit()
    calls = [e[0] for e in fake_connection.log if e[0].startswith("tpc")]
    assert calls == ["tpc_begin", "tpc_prepare"]


def test_two_phase_rollback(fake_engine: Engine, fake_connection: FakeConnection) -> None:
    with fake_engine.connect() as conn:
        tx = conn.begin_twophase("x")
        tx.rollback()
    calls = [e[0] for e in fake_connection.log if e[0].startswith("tpc")]
    assert calls == ["tpc_begin", "tpc_rollback"]


def test_recover_and_commit_prepared_by_xid(
    fake_engine: Engine, fake_connection: FakeConnection
) -> None:
    other = fake_connection.xid(1, "foreign", "b")
    mine = fake_connection.xid(XID_FORMAT_ID, "accord_xid_a_1", "accord")
    fake_connection.recovered = [mine, other]
    with fake_engine.connect() as conn:
        assert conn.recover_twophase() == ["accord_xid_a_1", other]
        conn.commit_prepared("accord_xid_a_1", recover=True)
        conn.rollback_prepared(other, recover=True)
    commit = next(e for e in fake_connection.log if e[0] == "tpc_commit")
    assert commit[1].global_transaction_id == "accord_xid_a_1"
    rollback = next(e for e in fake_connection.log if e[0] == "tpc_rollback")
    assert rollback[1] is other


# -- isolation ------------------------------------------------------------------------------


def test_isolation_levels_set_by_alter_session_and_autocommit(
    dialect: OracleDialect_oracledb, fake_connection: FakeConnection
) -> None:
    dialect.set_isolation_level(fake_connection, "serializable")
    assert fake_connection.statements()[-1] == "ALTER SESSION SET ISOLATION_LEVEL = SERIALIZABLE"
    assert dialect.get_isolation_level(fake_connection) == "SERIALIZABLE"
    dialect.set_isolation_level(fake_connection, "AUTOCOMMIT")
    assert fake_connection.autocommit is True
    assert dialect.get_isolation_level(fake_connection) == "AUTOCOMMIT"
    dialect.reset_isolation_level(fake_connection)
    assert fake_connection.autocommit is False
    assert dialect.get_isolation_level(fake_connection) == "READ COMMITTED"


def test_unknown_isolation_level_is_an_argument_error(dialect: OracleDialect_oracledb) -> None:
    with pytest.raises(exc.ArgumentError, match="repeatable read"):
        dialect.check_isolation_level("repeatable read")


# -- introspection --------------------------------------------------------------------------


def test_has_table_binds_upper_cased_name(
    fake_engine: Engine, fake_connection: FakeConnection
) -> None:
    fake_connection.results = [[("SCOTT",)], [("THINGS",)], []]
    with fake_engine.connect() as conn:
        assert fake_engine.dialect.has_table(conn, "things") is True
        assert fake_engine.dialect.has_table(conn, "MixedCase", schema="app") is False
    first, second = (e for e in fake_connection.log if e[0] == "execute" and "all_tables" in e[1])
    assert "owner = SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA')" in first[1]
    assert first[2] == {"name": "THINGS"}
    assert second[2] == {"name": "MixedCase", "owner": "APP"}


def test_name_normalisation_follows_oracle_case_rules(dialect: OracleDialect_oracledb) -> None:
    assert dialect.denormalize_name("users") == "USERS"
    assert dialect.denormalize_name("Users") == "Users"
    assert dialect.denormalize_name("size") == "size"
    assert dialect.normalize_name("USERS") == "users"
    assert dialect.normalize_name("Users") == "Users"


def test_ping_uses_connection_ping(
    dialect: OracleDialect_oracledb, fake_connection: FakeConnection
) -> None:
    assert dialect.do_ping(fake_connection) is True
    assert fake_connection.log[-1] == ("ping",)


# -- disconnects ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "message",
    [
        "DPY-1001: not connected to database",
        "DPY-4011: the database or network closed the connection",
        "ORA-03113: end-of-file on communication channel",
        "ORA-03114: not connected to ORACLE",
        "ORA-03135: connection lost contact",
        "ORA-02396: exceeded maximum idle time, please connect again",
        "ORA-01012: not logged on",
        "DPI-1010: not connected",
        "ORA-00028: your session has been killed",
    ],
)
def test_is_disconnect_recognises_lost_sessions(
    dialect: OracleDialect_oracledb, message: str
) -> None:
    assert dialect.is_disconnect(oracledb.DatabaseError(message), None, None) is True
    assert dialect.is_disconnect(oracledb.InterfaceError(message), None, None) is True


@pytest.mark.parametrize(
    "error",
    [
        oracledb.IntegrityError("ORA-00001: unique constraint (X.PK) violated"),
        oracledb.DatabaseError("ORA-00942: table or view does not exist"),
        ValueError("ORA-03113 inside a non-driver error"),
    ],
)
def test_is_disconnect_ignores_other_errors(
    dialect: OracleDialect_oracledb, error: BaseException
) -> None:
    assert dialect.is_disconnect(error, None, None) is False


def test_disconnect_during_execute_invalidates_the_connection(
    fake_engine: Engine, fake_connection: FakeConnection
) -> None:
    with fake_engine.connect() as conn:
        fake_connection.fail = oracledb.DatabaseError("DPY-4011: connection closed")
        with pytest.raises(exc.DBAPIError) as info:
            conn.execute(select(things))
        assert info.value.connection_invalidated is True


# -- create_all / drop_all ------------------------------------------------------------------


def test_create_all_checks_dictionary_then_creates_sequence_and_tables(
    fake_engine: Engine, fake_connection: FakeConnection
) -> None:
    from accord.sql import ForeignKey, Sequence

    meta = MetaData()
    Table("parent", meta, Column("id", Integer, Sequence("parent_seq"), primary_key=True))
    Table(
        "child",
        meta,
        Column("id", Integer, primary_key=True),
        Column("parent_id", Integer, ForeignKey("parent.id")),
    )
    fake_connection.results = [[("SCOTT",)]]  # USER; every dictionary lookup finds nothing
    meta.create_all(fake_engine)
    statements = fake_connection.statements()
    creates = [s for s in statements if s.startswith("CREATE")]
    assert creates == [
        "CREATE SEQUENCE parent_seq",
        "CREATE TABLE parent ( id INTEGER NOT NULL, PRIMARY KEY (id) )",
        "CREATE TABLE child ( id INTEGER GENERATED BY DEFAULT AS IDENTITY, parent_id INTEGER, "
        "PRIMARY KEY (id), FOREIGN KEY(parent_id) REFERENCES parent (id) )",
    ]
    lookups = [e for e in fake_connection.log if e[0] == "execute" and "all_" in e[1]]
    assert {"name": "PARENT_SEQ"} in [e[2] for e in lookups]
    assert {"name": "CHILD"} in [e[2] for e in lookups]


def test_engine_arraysize_option_reaches_cursors(fake_connection: FakeConnection) -> None:
    engine = create_engine("oracle://u:p@h/XE", creator=lambda: fake_connection, arraysize=500)
    assert getattr(engine.dialect, "arraysize", None) == 500
    engine.dispose()
