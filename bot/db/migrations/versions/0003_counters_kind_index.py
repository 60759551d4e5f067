"""Counters read by kind over a range of days (``bot.insight.counters.counts``): an index on (kind, day).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A database adopted from create_all code that already knew the index has it.
    if "ix_insight_counters_kind_day" not in {i["name"] for i in sa.inspect(op.get_bind()).get_indexes("insight_counters")}:
        op.create_index("ix_insight_counters_kind_day", "insight_counters", ["kind", "day"])
