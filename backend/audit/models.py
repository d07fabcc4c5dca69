"""The audit table: entries are only ever inserted, never changed or deleted.

`actor_id` and `target_id` are plain columns, not foreign keys: an entry outlives what it names,
and no cascade may ever touch the table (PostgreSQL can then refuse every UPDATE and DELETE of
it with a trigger). `hash` chains each entry to the one before (`prev_hash`).
"""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class AuditEntry(Model):
    id = fields.BigIntField(primary_key=True)
    at = fields.DatetimeField()  # set by the writer: it is part of what the hash covers
    actor_id = fields.BigIntField(null=True)  # null: the system (a sweep, the command line)
    action = fields.CharField(max_length=64, db_index=True)  # dotted: `user.deactivate`
    target_type = fields.CharField(max_length=32)
    target_id = fields.BigIntField(null=True)
    data = fields.JSONField[dict[str, Any]](default=dict)
    prev_hash = fields.CharField(max_length=64)
    hash = fields.CharField(max_length=64, unique=True)

    class Meta:
        table = "audit_entries"
