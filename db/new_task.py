"""The values a new task row is inserted with: a created task's and a next occurrence's."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam

from db.models import Task


def new_task_values() -> dict[str, Any]:
    """INSERT values from the `new_*` parameters, the owner and `now`: not completed, version 1."""
    return {
        "user_id": bindparam("owner_id"),
        "title": bindparam("new_title"),
        "description": bindparam("new_description"),
        "priority": bindparam("new_priority"),
        "due_date": bindparam("new_due_date", type_=Task.due_date.type),
        "completed": False,
        "created_at": bindparam("now", type_=Task.created_at.type),
        "updated_at": bindparam("now", type_=Task.updated_at.type),
        "version": 1,
        "recurrence": bindparam("new_recurrence"),
        "time_zone": bindparam("new_time_zone"),
        "recurrence_start": bindparam("new_recurrence_start", type_=Task.recurrence_start.type),
        "occurrence": bindparam("new_occurrence"),
    }
