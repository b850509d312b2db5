"""Score an identity graph against the generator's ground truth (pairwise precision and recall).

What counts as truth: two identifiers of the same true person are *linkable* when a chain of
rows connects them, each row mentioning two of that person's (non-junk) identifiers together.
Identifiers the data never ties together (a cookie that never logged in) are not linkable, so
no deterministic method could be expected to join them.

- predicted pairs: identifier pairs sharing a profile_id in id_graph (truth identifiers only);
- true pairs: identifier pairs in the same linkable component;
- precision = correct predicted pairs / predicted pairs; recall = correct pairs / true pairs.
Pairs are counted from group sizes (n * (n - 1) / 2), never enumerated.
People who asked to be deleted (truth.deleted_persons) are left out: the graph forgets them on
purpose.
"""

from dataclasses import dataclass

import duckdb
import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components


@dataclass(frozen=True)
class IdentityScore:
    """Pairwise scores and the counts behind them."""

    precision: float
    recall: float
    predicted_pairs: int
    true_pairs: int
    correct_pairs: int
    identifiers_scored: int


def _pairs(sizes: np.ndarray) -> int:
    return int((sizes * (sizes - 1) // 2).sum())


def score_identity(con: duckdb.DuckDBPyConnection, truth_schema: str = "truth") -> IdentityScore:
    """Compare main.id_graph with the truth schema in the same DuckDB database."""
    con.execute(
        f"""
        create or replace temp table scored_ids as
        select row_number() over (order by t.id_type, t.id_value) - 1 as ix,
               t.id_type, t.id_value, t.person_id, g.profile_id
        from {truth_schema}.identifiers as t
        left join main.id_graph as g using (id_type, id_value)
        where t.person_id not in (select d.person_id from {truth_schema}.deleted_persons as d)
        """
    )
    truth_edges = con.execute(
        """
        select distinct a.ix as ix_a, b.ix as ix_b
        from main.int_identifier_mentions as ma
        join main.int_identifier_mentions as mb
            on ma.message_id = mb.message_id and (ma.id_type, ma.id_value) < (mb.id_type, mb.id_value)
        join scored_ids as a on a.id_type = ma.id_type and a.id_value = ma.id_value
        join scored_ids as b on b.id_type = mb.id_type and b.id_value = mb.id_value
        where a.person_id = b.person_id
        """
    ).fetchnumpy()
    ids = con.execute("select ix, profile_id from scored_ids order by ix").fetchnumpy()
    n = len(ids["ix"])
    rows, cols = truth_edges["ix_a"], truth_edges["ix_b"]
    graph = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    _, component = connected_components(graph, directed=False)

    con.register("components", {"ix": np.arange(n), "component": component})
    true_pairs = _pairs(
        con.execute("select count(*) from components group by component").fetchnumpy()["count_star()"]
    )
    predicted_pairs = _pairs(
        con.execute(
            "select count(*) from scored_ids where profile_id is not null group by profile_id"
        ).fetchnumpy()["count_star()"]
    )
    correct_pairs = _pairs(
        con.execute(
            "select count(*) from scored_ids s join components c using (ix) "
            "where s.profile_id is not null group by s.profile_id, c.component"
        ).fetchnumpy()["count_star()"]
    )
    con.unregister("components")
    return IdentityScore(
        precision=correct_pairs / predicted_pairs if predicted_pairs else 1.0,
        recall=correct_pairs / true_pairs if true_pairs else 1.0,
        predicted_pairs=predicted_pairs,
        true_pairs=true_pairs,
        correct_pairs=correct_pairs,
        identifiers_scored=n,
    )
