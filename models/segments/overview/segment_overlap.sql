{#
    The overlap matrix: for every ordered pair of segments, how many members they share and what
    share of the first segment that is (the diagonal is each segment's size, share 1).
#}

with

registry as (
    select segment_name from {{ ref('segment_registry') }}
),

membership as (
    select * from {{ ref('segment_membership') }}
),

sizes as (
    select
        segment_name,
        count(*) as members
    from membership
    group by segment_name
),

shared as (
    select
        membership_a.segment_name as segment_a,
        membership_b.segment_name as segment_b,
        count(*) as shared_members
    from membership as membership_a
    inner join membership as membership_b on membership_a.profile_id = membership_b.profile_id
    group by membership_a.segment_name, membership_b.segment_name
),

matrix as (
    select
        registry_a.segment_name as segment_a,
        registry_b.segment_name as segment_b,
        coalesce(sizes.members, 0) as members_a,
        coalesce(shared.shared_members, 0) as shared_members,
        case
            when sizes.members > 0 then cast(coalesce(shared.shared_members, 0) as decimal(18, 6)) / sizes.members
        end as share_of_a
    from registry as registry_a
    cross join registry as registry_b
    left join sizes on registry_a.segment_name = sizes.segment_name
    left join shared
        on registry_a.segment_name = shared.segment_a
        and registry_b.segment_name = shared.segment_b
)

select * from matrix
