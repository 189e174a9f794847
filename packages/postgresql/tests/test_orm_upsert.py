"""PostgreSQL's ON CONFLICT takes ORM attributes for index elements and SET keys."""

from __future__ import annotations

from accord.dialects.postgresql import insert
from accord.dialects.postgresql.base import PGDialect
from accord.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column("user_name")


def test_on_conflict_do_update_with_orm_attributes() -> None:
    stmt = insert(User).values(id=1, name="x")
    stmt = stmt.on_conflict_do_update(
        index_elements=[User.id], set_={User.name: stmt.excluded.user_name}
    )
    sql = str(stmt.returning(User).compile(dialect=PGDialect()))
    assert "ON CONFLICT (id) DO UPDATE SET user_name = excluded.user_name" in sql
    assert sql.endswith("RETURNING users.id, users.user_name")
