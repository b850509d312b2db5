{#-
    Generic data test: no two rows share the same values in `columns` (a list of column names).
    Groups by the columns themselves rather than by one concatenated text: exact (no separator can
    make two different tuples collide) and several times faster on millions of rows, which the
    new-data sensor's runs pay for. Rows with a NULL in a key column are skipped, as
    dbt's `unique` skips NULLs; the columns' not_null tests say whether NULL is allowed.

    `latest_by` (optional): a column every run stamps its rows with (loaded_at). Only the keys of
    the rows the latest run wrote are checked, against the whole table: a run can only have made
    a duplicate with a row it wrote, and the runs before were checked when they ran. After a full
    rebuild every row has the latest stamp, so the whole table is checked.
-#}
{% test unique_combination(model, columns, latest_by=none) %}
    {%- set column_list = columns | join(', ') %}
with

keyed as (
    select {{ column_list }}
    from {{ model }}
    where
        {%- for column in columns %}
        {{ column }} is not null{{ " and" if not loop.last }}
        {%- endfor %}
        {%- if latest_by %}
        and {{ latest_by }} = (select max({{ latest_by }}) from {{ model }})
        {%- endif %}
)

{%- if latest_by %},

latest_keys as (
    select distinct {{ column_list }}
    from keyed
)

select
    {%- for column in columns %}
    all_rows.{{ column }},
    {%- endfor %}
    count(*) as copies
from {{ model }} as all_rows
inner join latest_keys
    on
    {%- for column in columns %}
    all_rows.{{ column }} = latest_keys.{{ column }}{{ " and" if not loop.last }}
    {%- endfor %}
group by {% for column in columns %}all_rows.{{ column }}{{ ", " if not loop.last }}{% endfor %}
having count(*) > 1
{%- else %}

select
    {{ column_list }},
    count(*) as copies
from keyed
group by {{ column_list }}
having count(*) > 1
{%- endif %}
{% endtest %}
