"""Explain the identity graph: why two identifiers are one profile, and which profiles are largest.

    python -m upstream_cli.explain_identity why email:ana@gmail.com user_id:u_42
    python -m upstream_cli.explain_identity largest --top 10

`why` prints the shortest chain of links between the two identifiers inside their profile and,
for each link, the source rows that mentioned both. When they are not one profile it says why
not: unknown, excluded (with the rule), or kept apart by a refused link.
"""

import argparse
import itertools
import sys
from collections import deque
from dataclasses import dataclass
from pathlib import Path

import duckdb

from upstream_config.warehouse import warehouse_path

ROWS_PER_LINK = 3


@dataclass(frozen=True)
class Identifier:
    """An identifier as the graph stores it."""

    id_type: str
    id_value: str

    @classmethod
    def parse(cls, text: str) -> "Identifier":
        """`email:ana@gmail.com` -> Identifier('email', 'ana@gmail.com')."""
        id_type, sep, id_value = text.partition(":")
        if not sep or not id_type or not id_value:
            raise argparse.ArgumentTypeError(f"expected <id_type>:<value>, got {text!r}")
        return cls(id_type, id_value)

    def __str__(self) -> str:
        return f"{self.id_type}:{self.id_value}"


def _node(con: duckdb.DuckDBPyConnection, ident: Identifier) -> tuple[int, str] | None:
    row = con.execute(
        "select node_key, profile_id from int_identity_profiles where id_type = ? and id_value = ?",
        [ident.id_type, ident.id_value],
    ).fetchone()
    return (row[0], row[1]) if row else None


def _why_not_linkable(con: duckdb.DuckDBPyConnection, ident: Identifier) -> str:
    row = con.execute(
        "select exclusion_reason, mention_count, distinct_user_ids, distinct_anonymous_ids "
        "from identity_excluded_identifiers where id_type = ? and id_value = ?",
        [ident.id_type, ident.id_value],
    ).fetchone()
    if row is None:
        return f"{ident} was never seen in the data"
    reason, mentions, user_ids, anonymous_ids = row
    return (
        f"{ident} is excluded from linking: {reason} "
        f"({mentions} mentions, {user_ids} user ids, {anonymous_ids} anonymous ids)"
    )


def shortest_chain(con: duckdb.DuckDBPyConnection, profile_id: str, start: int, goal: int) -> list[int]:
    """Node keys on a shortest path from start to goal over the profile's own links."""
    edges = con.execute(
        """
        select e.node_a, e.node_b
        from int_identity_edges as e
        join int_identity_profiles as a on e.node_a = a.node_key and a.profile_id = ?
        join int_identity_profiles as b on e.node_b = b.node_key and b.profile_id = ?
        """,
        [profile_id, profile_id],
    ).fetchall()
    neighbours: dict[int, list[int]] = {}
    for a, b in edges:
        neighbours.setdefault(a, []).append(b)
        neighbours.setdefault(b, []).append(a)
    previous: dict[int, int | None] = {start: None}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if node == goal:
            break
        for nxt in sorted(neighbours.get(node, [])):
            if nxt not in previous:
                previous[nxt] = node
                queue.append(nxt)
    if goal not in previous:
        return []
    chain, node = [], goal
    while node is not None:
        chain.append(node)
        node = previous[node]
    return chain[::-1]


def explain_why(con: duckdb.DuckDBPyConnection, first: Identifier, second: Identifier) -> str:
    """A readable explanation of whether and why two identifiers share a profile."""
    nodes = [_node(con, first), _node(con, second)]
    for ident, node in zip((first, second), nodes, strict=True):
        if node is None:
            return _why_not_linkable(con, ident)
    (start, profile_a), (goal, profile_b) = nodes
    if profile_a != profile_b:
        refused = con.execute(
            "select id_type_a, id_value_a, id_type_b, id_value_b, reason from identity_refused_links "
            "where profile_id_a in (?, ?) and profile_id_b in (?, ?)",
            [profile_a, profile_b, profile_a, profile_b],
        ).fetchall()
        lines = [f"{first} (profile {profile_a}) and {second} (profile {profile_b}) are different profiles."]
        lines += [f"  refused link {a}:{b} - {c}:{d}: {reason}" for a, b, c, d, reason in refused]
        return "\n".join(lines)

    chain = shortest_chain(con, profile_a, start, goal)
    labels = dict(
        (key, Identifier(t, v))
        for key, t, v in con.execute(
            "select node_key, id_type, id_value from int_identity_profiles where profile_id = ?", [profile_a]
        ).fetchall()
    )
    lines = [f"{first} and {second} are one profile ({profile_a}), linked in {len(chain) - 1} step(s):"]
    for left, right in itertools.pairwise(chain):
        a, b = labels[left], labels[right]
        lines.append(f"  {a}  <->  {b}")
        rows = con.execute(
            """
            select ma.source_model, ma.message_id, ma.occurred_at
            from int_identifier_mentions as ma
            join int_identifier_mentions as mb on ma.message_id = mb.message_id
            where ma.id_type = ? and ma.id_value = ? and mb.id_type = ? and mb.id_value = ?
            order by ma.received_at
            limit ?
            """,
            [a.id_type, a.id_value, b.id_type, b.id_value, ROWS_PER_LINK],
        ).fetchall()
        lines += [f"      seen together in {src} row {msg} at {at}" for src, msg, at in rows]
    return "\n".join(lines)


def largest_profiles(con: duckdb.DuckDBPyConnection, top: int) -> str:
    """The largest profiles, their identifiers per type, and the identifiers with most links."""
    profiles = con.execute(
        """
        select profile_id, sum(n) as identifiers,
               string_agg(id_type || '=' || n, ', ' order by id_type) as by_type
        from (select profile_id, id_type, count(*) as n from id_graph group by all)
        group by profile_id order by identifiers desc, profile_id limit ?
        """,
        [top],
    ).fetchall()
    lines = []
    for profile_id, identifiers, by_type in profiles:
        lines.append(f"{profile_id}: {identifiers} identifiers ({by_type})")
        bridges = con.execute(
            """
            with profile_nodes as (
                select node_key, id_type, id_value from int_identity_profiles where profile_id = ?
            )
            select n.id_type, n.id_value, count(*) as links
            from int_identity_edges as e
            join profile_nodes as n on n.node_key in (e.node_a, e.node_b)
            group by all order by links desc, n.id_type, n.id_value limit 3
            """,
            [profile_id],
        ).fetchall()
        lines += [f"    bridge {t}:{v} ({links} links)" for t, v, links in bridges]
    return "\n".join(lines) if lines else "id_graph is empty"


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=warehouse_path())
    commands = parser.add_subparsers(dest="command", required=True)
    why = commands.add_parser("why", help="why are these two identifiers one profile?")
    why.add_argument("first", type=Identifier.parse)
    why.add_argument("second", type=Identifier.parse)
    largest = commands.add_parser("largest", help="the largest profiles and their bridges")
    largest.add_argument("--top", type=int, default=10)
    args = parser.parse_args(argv)
    if not args.db.exists():
        print(f"no warehouse at {args.db}: run `make demo` first", file=sys.stderr)
        return 2
    with duckdb.connect(str(args.db), read_only=True) as con:
        if args.command == "why":
            print(explain_why(con, args.first, args.second))
        else:
            print(largest_profiles(con, args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
