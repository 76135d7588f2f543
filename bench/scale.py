"""The list at scale: a 1,000,000-task table, and one user holding 100,000 tasks.

Ours and bench/reference.py (whichever references the run compares with) run against a second
database; ours on the main (50,000-task) database takes turns with them, so "1M against 50k" is
measured in the same rounds.
"""

from __future__ import annotations

import asyncio
import random
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from bench import explain, seed, servers
from bench.load import Load
from bench.report import Comparison
from bench.rounds import Target, alternate, progress
from bench.scenarios import DEFAULT_REFERENCE, REFERENCES, SCALE_TARGET

BIG_USER_PREFIX = "bench-big-user-"
BIG_USER = seed.user_id(1, BIG_USER_PREFIX)
REFERENCE = REFERENCES[DEFAULT_REFERENCE]


@dataclass(frozen=True)
class ScaleSettings:
    users: int
    tasks: int
    big_user_tasks: int
    load: Load
    repeat: int
    warmup: float


@dataclass(frozen=True)
class ScaleReport:
    total_tasks: int
    against_reference: list[Comparison]
    against_small_table: Comparison
    plans: dict[str, str]


@dataclass(frozen=True)
class _Seeded:
    url: str
    users_file: Path
    big_user_file: Path
    typical_user: str


def run(
    settings: ScaleSettings,
    small_table: Target,
    small_total: int,
    postgres: str,
    database: str,
    secret: str,
    workdir: Path,
    *,
    keep_database: bool,
) -> ScaleReport:
    """Seed the scale database, measure the list on it, explain its plans, drop it."""
    progress(
        f"Scale: seeding {settings.users} users x {settings.tasks} tasks"
        f" and one user with {settings.big_user_tasks} tasks into {database}"
    )
    url = asyncio.run(seed.recreate_database(postgres, database))
    with ExitStack() as stack:
        if not keep_database:
            stack.callback(lambda: asyncio.run(seed.drop_database(postgres, database)))
        seeded = asyncio.run(_seed(url, settings, secret, workdir))
        env = servers.environment(url, secret)
        ours = stack.enter_context(
            servers.running("ours-scale", servers.ours_command, env, workdir)
        )
        reference = stack.enter_context(
            servers.running(
                "reference-scale", servers.reference_command(REFERENCE.app), env, workdir
            )
        )
        report = _measure(settings, small_table, small_total, ours, reference, seeded)
        report.plans.update(asyncio.run(_plans(settings, seeded)))
    return report


async def _seed(url: str, settings: ScaleSettings, secret: str, workdir: Path) -> _Seeded:
    await seed.seed_tasks(url, settings.users, settings.tasks)
    await seed.seed_tasks(url, 1, settings.big_user_tasks, prefix=BIG_USER_PREFIX)
    users = [seed.user_id(number) for number in range(1, settings.users + 1)]
    seeded = _Seeded(
        url, workdir / "scale-users.tsv", workdir / "big-user.tsv", random.choice(users)
    )
    await seed.write_data_file(url, users, secret, seeded.users_file, with_task_ids=False)
    await seed.write_data_file(url, [BIG_USER], secret, seeded.big_user_file)
    return seeded


def _measure(
    settings: ScaleSettings,
    small_table: Target,
    small_total: int,
    ours: servers.Server,
    reference: servers.Server,
    seeded: _Seeded,
) -> ScaleReport:
    total = settings.users * settings.tasks
    label = f"REST list, {total:,} tasks"
    large_targets = [
        small_table,
        Target("ours", ours, seeded.users_file),
        Target("reference", reference, seeded.users_file),
    ]
    small, large, reference_large = alternate(
        label,
        "rest_list",
        large_targets,
        settings.load,
        repeat=settings.repeat,
        warmup=settings.warmup,
    )
    big_label = f"REST list, one user with {settings.big_user_tasks:,} tasks (first page)"
    big_targets = [
        Target("ours", ours, seeded.big_user_file),
        Target("reference", reference, seeded.big_user_file),
    ]
    big_ours, big_reference = alternate(
        big_label,
        "rest_list",
        big_targets,
        settings.load,
        repeat=settings.repeat,
        warmup=settings.warmup,
    )
    return ScaleReport(
        total_tasks=total,
        against_reference=[
            Comparison(
                label, REFERENCE.key, large, reference_large, REFERENCE.targets["rest_list"]
            ),
            Comparison(big_label, REFERENCE.key, big_ours, big_reference, None, None),
        ],
        against_small_table=Comparison(
            f"REST list (ours), {total:,} vs {small_total:,} tasks",
            "ours, main table",
            large,
            small,
            SCALE_TARGET,
            None,
        ),
        plans={},
    )


async def _plans(settings: ScaleSettings, seeded: _Seeded) -> dict[str, str]:
    typical = f"a user with {settings.tasks} tasks ({seeded.typical_user})"
    big = f"the user with {settings.big_user_tasks:,} tasks ({BIG_USER})"
    return {
        typical: await explain.explain_list(seeded.url, seeded.typical_user),
        big: await explain.explain_list(seeded.url, BIG_USER),
    }
