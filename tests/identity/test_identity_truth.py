"""The identity graph scored against the generator's ground truth."""

import duckdb

from datagen.identity_scoring import score_identity
from tests.support.warehouse import query

MIN_PRECISION = 0.999
MIN_RECALL = 0.99


def test_pairwise_precision_and_recall(generated_and_built):
    with duckdb.connect(str(generated_and_built)) as con:
        score = score_identity(con)
    assert score.true_pairs > 1000, "the truth must hold enough linkable pairs to mean something"
    assert score.precision >= MIN_PRECISION, score
    assert score.recall >= MIN_RECALL, score


def test_no_profile_holds_two_user_ids(generated_and_built):
    rows = query(
        generated_and_built,
        "select count(*) from (select profile_id from id_graph where id_type = 'user_id' "
        "group by profile_id having count(*) > 1)",
    )
    assert rows == [(0,)]


def test_planted_junk_never_links(generated_and_built):
    linked = query(
        generated_and_built,
        "select g.id_type, g.id_value from id_graph g join truth.junk_identifiers j "
        "on g.id_value = j.id_value or g.id_value = '+1' || j.id_value",
    )
    assert linked == []


def test_every_person_with_an_account_has_one_profile_per_user_id(generated_and_built):
    (people, profiles) = query(
        generated_and_built,
        """
        select count(distinct t.person_id), count(distinct g.profile_id)
        from truth.identifiers t join id_graph g using (id_type, id_value)
        where t.id_type = 'user_id'
        """,
    )[0]
    assert people == profiles > 0
