{#-
    Most frequent value per key (ties broken alphabetically), as a query to use as a CTE:

        favorite_skus as (
            {{ upstream.trait_most_frequent('product_views', 'profile_id', 'sku', within_days=90) }}
        )

    returns (<key>, value). Same window and filter arguments as trait().
-#}
{% macro trait_most_frequent(relation, key, expr, within_days=none, between_days=none, where=none, time_column='occurred_at') -%}
    select
        {{ key }},
        value
    from (
        select
            {{ key }},
            value,
            row_number() over (partition by {{ key }} order by occurrences desc, value asc) as frequency_rank
        from (
            select
                {{ key }},
                {{ expr }} as value,
                count(*) as occurrences
            from {{ relation }}
            where
                {{ upstream.trait_condition(time_column, within_days, between_days, where) }}
                and {{ expr }} is not null
            group by {{ key }}, {{ expr }}
        ) as counted
    ) as ranked
    where frequency_rank = 1
{%- endmacro %}
