"""Identifier quoting: reserved words, mixed case and unusual characters."""

from __future__ import annotations

import re
from typing import Any

__all__ = ["IdentifierPreparer", "RESERVED_WORDS"]


RESERVED_WORDS = frozenset(
    """
    all analyse analyze and any array as asc asymmetric authorization between binary both
    case cast check collate column constraint create cross current_date current_role
    current_time current_timestamp current_user default deferrable desc distinct do else end
    except false fetch for foreign freeze from full grant group having ilike in initially
    inner intersect into is isnull join leading left like limit localtime localtimestamp
    natural new not notnull null off offset old on only or order outer overlaps placing
    primary references right select session_user similar some symmetric table then to
    trailing true union unique user using verbose when where
    """.split()  # noqa: SIM905 - a word list reads best as text
)


_LEGAL = re.compile(r"^[a-z_][a-z0-9_$]*$")


class IdentifierPreparer:
    """Quotes identifiers that are reserved words, mixed-case, or use unusual characters."""

    reserved_words: frozenset[str] = RESERVED_WORDS
    illegal_initial_characters = frozenset("0123456789$")

    def __init__(
        self,
        dialect: Any,
        initial_quote: str = '"',
        final_quote: str | None = None,
        escape_quote: str = '"',
        omit_schema: bool = False,
    ) -> None:
        self.dialect = dialect
        self.initial_quote = initial_quote
        self.final_quote = final_quote or initial_quote
        self.escape_quote = escape_quote
        self.escape_to_quote = escape_quote * 2
        self.omit_schema = omit_schema
        self._strings: dict[str, str] = {}

    def _requires_quotes(self, value: str) -> bool:
        lc = value.lower()
        return (
            lc in self.reserved_words
            or value[:1] in self.illegal_initial_characters
            or not _LEGAL.match(lc)
            or lc != value
        )

    def quote_identifier(self, value: str) -> str:
        """``value`` in quotes, with embedded quotes escaped."""
        escaped = value.replace(self.escape_quote, self.escape_to_quote)
        return self.initial_quote + escaped + self.final_quote

    def quote(self, ident: str, force: bool | None = None) -> str:
        """``ident``, quoted only when it needs to be."""
        cached = self._strings.get(ident)
        if cached is None:
            if self._requires_quotes(ident):
                cached = self.quote_identifier(ident)
            else:
                cached = ident
            self._strings[ident] = cached
        return cached

    def quote_schema(self, schema: str) -> str:
        """A schema name, quoted per part when needed."""
        return ".".join(self.quote(p) for p in schema.split("."))

    def format_table(self, table: Any, use_schema: bool = True, name: str | None = None) -> str:
        """A table name with its schema, quoted as needed."""
        result = self.quote(name or table.name)
        if use_schema and not self.omit_schema and getattr(table, "schema", None):
            result = self.quote_schema(table.schema) + "." + result
        return result

    def format_column(self, column: Any) -> str:
        """A column name, quoted as needed."""
        if getattr(column, "is_literal", False):
            return str(column.name)
        return self.quote(column.name)

    def format_constraint(self, constraint: Any) -> str | None:
        """A constraint's name, quoted as needed (None when unnamed)."""
        if constraint.name is None:
            return None
        return self.quote(constraint.name)

    def format_index(self, index: Any) -> str:
        """An index name, quoted as needed."""
        return self.quote(index.name)

    def format_sequence(self, sequence: Any, use_schema: bool = True) -> str:
        """A sequence name with its schema."""
        name = self.quote(sequence.name)
        if use_schema and sequence.schema and not self.omit_schema:
            name = self.quote_schema(sequence.schema) + "." + name
        return name

    def format_label_name(self, name: str) -> str:
        """A column label, quoted as needed."""
        return self.quote(name)


def _preparer_of(dialect: Any) -> IdentifierPreparer:
    prep = getattr(dialect, "identifier_preparer", None)
    if prep is None:
        prep = dialect.preparer(dialect)
        dialect.identifier_preparer = prep
    return prep  # type: ignore[no-any-return]
