"""One benchmark run: seed, start ours and the references, load them in turns, print the tables."""

from __future__ import annotations

import asyncio
import json
import secrets
import sys
import tempfile
from contextlib import ExitStack
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from bench import scale, seed, servers
from bench.load import Load, LoadResult, require_wrk
from bench.report import Comparison, MemoryCheck, comparison_table, memory_table
from bench.rounds import Target, alternate, measured_run, progress
from bench.scenarios import MIXED, REFERENCES, Scenario


@dataclass(frozen=True)
class Options:
    users: int
    tasks: int
    load: Load
    scenarios: list[Scenario]
    references: list[str]
    """Keys of REFERENCES, each compared with ours in every scenario it implements."""
    repeat: int
    warmup: float
    memory_duration: float
    scale: scale.ScaleSettings | None
    postgres: str
    database: str
    keep_database: bool
    json_path: Path | None


@dataclass(frozen=True)
class Results:
    comparisons: list[Comparison]
    memory: MemoryCheck | None
    scale: scale.ScaleReport | None

    @property
    def rows(self) -> list[Comparison]:
        """Every comparison, the scale ones included."""
        if self.scale is None:
            return self.comparisons
        return [*self.comparisons, *self.scale.against_reference, self.scale.against_small_table]

    @property
    def clean(self) -> bool:
        memory_clean = self.memory is None or self.memory.clean
        return memory_clean and all(row.clean for row in self.rows)


LEGEND = (
    "vs: the reference of the row (ref); ratio: ours/ref req/s (median of each); p99 x: ours p99"
    " / ref p99; CPU ms/req: CPU time of the server process per request; bad: answers not 2xx,"
    " GraphQL errors, socket errors; n/a: the reference does not implement the scenario."
)


def run(options: Options) -> int:
    """The whole benchmark; 0 when every answer was a success, 1 otherwise (targets aside)."""
    require_wrk()
    secret = secrets.token_urlsafe(32)
    with tempfile.TemporaryDirectory(prefix="todo-bench-") as tmp, ExitStack() as stack:
        workdir = Path(tmp)
        if not options.keep_database:
            stack.callback(
                lambda: asyncio.run(seed.drop_database(options.postgres, options.database))
            )
        url, data_file = _seed(options, secret, workdir)
        env = servers.environment(url, secret)
        ours = stack.enter_context(servers.running("ours", servers.ours_command, env, workdir))
        references = {
            key: stack.enter_context(
                servers.running(key, servers.command_of(REFERENCES[key]), env, workdir)
            )
            for key in options.references
        }
        try:
            results = _measure(options, ours, references, data_file, secret, workdir)
        except BaseException:
            for server in (ours, *references.values()):
                progress(f"--- {server.name} log ---\n{server.log.read_text()[-4000:]}")
            raise
    print(render(options, results))
    if options.json_path is not None:
        options.json_path.write_text(json.dumps(_as_json(results), indent=2) + "\n")
    return 0 if results.clean else 1


def _seed(options: Options, secret: str, workdir: Path) -> tuple[str, Path]:
    """The main database, seeded; the data file of its users for load.lua."""
    progress(f"Seeding {options.users} users x {options.tasks} tasks into {options.database}")
    url = asyncio.run(seed.recreate_database(options.postgres, options.database))
    asyncio.run(seed.seed_tasks(url, options.users, options.tasks))
    users = [seed.user_id(number) for number in range(1, options.users + 1)]
    data_file = workdir / "users.tsv"
    asyncio.run(seed.write_data_file(url, users, secret, data_file))
    return url, data_file


def _measure(
    options: Options,
    ours: servers.Server,
    references: dict[str, servers.Server],
    data_file: Path,
    secret: str,
    workdir: Path,
) -> Results:
    main_ours = Target("ours", ours, data_file)
    scale_report = None
    # Before the writes: the scale comparison wants the main table as it was seeded.
    if options.scale is not None:
        scale_report = scale.run(
            options.scale,
            replace(main_ours, name="ours (main table)"),
            options.users * options.tasks,
            options.postgres,
            f"{options.database}_scale",
            secret,
            workdir,
            keep_database=options.keep_database,
        )
    comparisons = []
    for scenario in options.scenarios:
        comparisons += _compare(options, scenario, main_ours, references, data_file)
    memory = None
    if options.memory_duration > 0:
        load = replace(options.load, duration=options.memory_duration)
        memory = _memory(ours, references, data_file, load)
    return Results(comparisons, memory, scale_report)


def _compare(
    options: Options,
    scenario: Scenario,
    ours: Target,
    references: dict[str, servers.Server],
    data_file: Path,
) -> list[Comparison]:
    """Ours and every reference implementing the scenario in turns; a row per reference."""
    implementing = [key for key in references if scenario.key in REFERENCES[key].targets]
    runs: dict[str, list[LoadResult]] = {}
    if implementing:
        targets = [ours, *(Target(key, references[key], data_file) for key in implementing)]
        results = alternate(
            scenario.label,
            scenario.key,
            targets,
            options.load,
            repeat=options.repeat,
            warmup=options.warmup,
        )
        runs = dict(zip(["ours", *implementing], results, strict=True))
    rows = []
    for key in references:
        reference = REFERENCES[key]
        target = reference.targets.get(scenario.key)
        ours_runs, its_runs = runs.get("ours", []), runs.get(key, [])
        rows.append(
            Comparison(scenario.label, key, ours_runs, its_runs, target, reference.p99_target)
        )
    return rows


def _memory(
    ours: servers.Server, references: dict[str, servers.Server], data_file: Path, load: Load
) -> MemoryCheck:
    """Ours after one mixed run and after a second: the peak should not move."""
    readings, runs = [], []
    for number in (1, 2):
        runs.append(measured_run(Target("ours", ours, data_file), MIXED, load))
        readings.append(ours.memory())
        progress(f"  memory: mixed run {number}: {readings[-1]}")
    others = {key: server.memory() for key, server in references.items()}
    return MemoryCheck(readings[0], readings[1], others, runs)


def render(options: Options, results: Results) -> str:
    load = options.load
    parts = [
        f"Todo API benchmark: {options.users} users x {options.tasks} tasks,"
        f" {load.connections} connections, {load.duration:g} s per run,"
        f" median of {options.repeat} (ours, {', '.join(options.references)} in turns)",
        "",
        comparison_table(results.comparisons),
        LEGEND,
    ]
    if results.memory is not None:
        parts += ["", f"Memory after {options.memory_duration:g} s mixed runs", ""]
        parts.append(memory_table(results.memory))
    if results.scale is not None:
        parts += ["", f"Scale: {results.scale.total_tasks:,} tasks in the table", ""]
        parts.append(comparison_table(results.scale.against_reference))
        parts += ["", comparison_table([results.scale.against_small_table], "big", "main")]
        for name, plan in results.scale.plans.items():
            parts += ["", f"EXPLAIN (ANALYZE, BUFFERS) of the list for {name}:", plan]
    return "\n".join(parts)


def _as_json(results: Results) -> dict[str, Any]:
    return {
        "comparisons": [
            asdict(row) | {"ratio": row.ratio, "p99_ratio": row.p99_ratio, "result": row.result}
            for row in results.rows
        ],
        "memory": None if results.memory is None else asdict(results.memory),
        "plans": None if results.scale is None else results.scale.plans,
        "python": sys.version,
    }
