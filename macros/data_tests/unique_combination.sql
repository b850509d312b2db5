{#-
    Generic data test: no two rows share the same values in `columns` (a list of column names).
    Groups by the columns themselves rather than by one concatenated text: exact (no separator can
    make two different tuples collide) and several times faster on millions of rows, which the
    new-data sensor's runs pay for (issue 10). A row with NULL in a column is grouped like any
    other; the columns' own not_null tests say whether NULL is allowed.
-#}
{% test unique_combination(model, columns) %}
    {%- set column_list = columns | join(', ') %}
select
    {{ column_list }},
    count(*) as copies
from {{ model }}
group by {{ column_list }}
having count(*) > 1
{% endtest %}
