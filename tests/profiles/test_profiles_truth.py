"""Profiles scored against the generator's ground truth: order counts and revenue per person
(people who asked to be deleted are forgotten on purpose and left out)."""

from tests.support.warehouse import query

MIN_EXACT_SHARE = 0.995


def test_order_count_and_revenue_exact_for_true_people(generated_and_built):
    (people, exact) = query(
        generated_and_built,
        """
        with truth_people as (
            select person_id, count(*) as true_orders, sum(revenue) as true_revenue
            from truth.orders
            where person_id not in (select person_id from truth.deleted_persons)
            group by person_id
        ),
        landed as (
            select t.person_id, min(o.profile_id) as profile_id, count(distinct o.profile_id) as profiles
            from truth.orders as t
            join main.int_orders_deduplicated as o using (order_id)
            group by t.person_id
        )
        select
            count(*),
            count(*) filter (
                where l.profiles = 1
                and p.order_count = tp.true_orders
                and p.lifetime_revenue = round(tp.true_revenue, 2)
            )
        from truth_people as tp
        left join landed as l using (person_id)
        left join main.profiles as p on p.profile_id = l.profile_id
        """,
    )[0]
    assert people > 100
    assert exact / people >= MIN_EXACT_SHARE, f"{exact} of {people} people exact"


def test_every_order_is_counted_once(generated_and_built):
    (true_orders, counted) = query(
        generated_and_built,
        "select (select count(*) from truth.orders "
        "where person_id not in (select person_id from truth.deleted_persons)), "
        "(select sum(order_count) from main.profiles)",
    )[0]
    assert counted == true_orders


def test_profiles_carry_contact_fields_for_known_people(generated_and_built):
    (with_user, with_email) = query(
        generated_and_built,
        "select count(user_id), count(email) from main.profiles where user_id is not null",
    )[0]
    assert with_user > 0 and with_email == with_user
