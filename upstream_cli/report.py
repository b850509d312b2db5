"""Print what a build did with the raw data: rows in, staged, duplicates dropped, rejected by reason.

`make demo` ends with this, so a newcomer sees at once that nothing was lost on the way.
"""

import argparse
import sys
from pathlib import Path

import duckdb

from upstream_cli.report_privacy import activation_summary, privacy_summary
from upstream_cli.report_segments import journey_summary, overlap_matrix, segment_summary
from upstream_config.warehouse import warehouse_path


def load_summary(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """Per source table: raw, staged, duplicate and rejected row counts."""
    return con.execute(
        "select source_table, raw_rows, staged_rows, duplicate_rows_dropped, rejected_rows "
        "from segment_load_summary order by source_table"
    ).fetchall()


def rejections_by_reason(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """Quarantined raw rows per reason (counting exact repeats)."""
    return con.execute(
        "select reason, sum(copy_count) from rejected_events group by reason order by reason"
    ).fetchall()


def identity_summary(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Profiles, their size, the limit check, and what the junk defences kept out."""
    profiles, identifiers, largest = con.execute(
        "select count(distinct profile_id), count(*), "
        "(select max(n) from (select count(*) as n from id_graph group by profile_id)) from id_graph"
    ).fetchone()
    over_limit = con.execute(
        "select count(*) from (select profile_id from id_graph where id_type = 'user_id' "
        "group by profile_id having count(*) > 1)"
    ).fetchone()[0]
    lines = [
        "Identity graph",
        f"  {identifiers:,} identifiers in {profiles:,} profiles (largest: {largest or 0} identifiers)",
        f"  profiles holding two or more user ids: {over_limit}",
    ]
    excluded = con.execute(
        "select exclusion_reason, count(*) from identity_excluded_identifiers group by 1 order by 1"
    ).fetchall()
    refused = con.execute(
        "select reason, count(*) from identity_refused_links group by 1 order by 1"
    ).fetchall()
    lines += [f"  excluded ({reason}): {count:,}" for reason, count in excluded]
    lines += [f"  refused links ({reason}): {count:,}" for reason, count in refused]
    return lines


def sample_profiles(con: duckdb.DuckDBPyConnection, limit: int = 3) -> list[str]:
    """A few profiles with orders and an open cart: what a channel would receive."""
    rows = con.execute(
        "select profile_id, coalesce(email, '-'), order_count, lifetime_revenue, lifecycle_stage, "
        "coalesce(favorite_sku, '-'), coalesce(open_cart_items, '[]'), device_types "
        "from profiles where order_count > 0 and open_cart_items is not null "
        "order by lifetime_revenue desc, profile_id limit ?",
        [limit],
    ).fetchall()
    lines = ["Sample profiles"]
    for profile_id, email, orders, revenue, stage, sku, cart, devices in rows:
        lines.append(
            f"  {profile_id[:12]}  {email:<32} {orders} orders  {revenue:>9} revenue  {stage:<8} "
            f"favorite {sku}  devices {devices}  open cart {cart}"
        )
    return lines


def render(summary: list[tuple], reasons: list[tuple]) -> str:
    """The report as text."""
    header = f"{'source table':<18}{'raw in':>12}{'staged':>12}{'duplicates':>12}{'rejected':>10}"
    lines = ["Staging summary", header, "-" * len(header)]
    totals = [0, 0, 0, 0]
    for table, *counts in summary:
        lines.append(f"{table:<18}" + "".join(f"{n:>12,}" for n in counts[:3]) + f"{counts[3]:>10,}")
        totals = [t + n for t, n in zip(totals, counts, strict=True)]
    lines.append("-" * len(header))
    lines.append(f"{'total':<18}" + "".join(f"{n:>12,}" for n in totals[:3]) + f"{totals[3]:>10,}")
    lines.append("")
    lines.append("Rejected rows by reason (details in rejected_events)")
    lines.extend(f"  {reason:<28}{count:>8,}" for reason, count in reasons)
    if not reasons:
        lines.append("  none")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Open the warehouse read-only and print the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--db",
        type=Path,
        default=warehouse_path(),
    )
    args = parser.parse_args(argv)
    if not args.db.exists():
        print(f"no warehouse at {args.db}: run `make demo` first", file=sys.stderr)
        return 2
    with duckdb.connect(str(args.db), read_only=True) as con:
        print(render(load_summary(con), rejections_by_reason(con)))
        print()
        print("\n".join(identity_summary(con)))
        print()
        print("\n".join(sample_profiles(con)))
        for section in (
            segment_summary,
            overlap_matrix,
            journey_summary,
            privacy_summary,
            activation_summary,
        ):
            print()
            print("\n".join(section(con)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
