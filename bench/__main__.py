"""`python -m bench run [options]`: see bench/README.md."""

from __future__ import annotations

import argparse
import os
import re
import signal
import sys
from pathlib import Path

from bench.load import Load, LoadError
from bench.runner import Options, run
from bench.scale import ScaleSettings
from bench.scenarios import BY_KEY, SCENARIOS

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"


def database_name(text: str) -> str:
    # Interpolated into CREATE/DROP DATABASE: a plain identifier only.
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,50}", text):
        raise argparse.ArgumentTypeError("use lowercase letters, digits and underscores")
    return text


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    commands = top.add_subparsers(dest="command", required=True)
    command = commands.add_parser(
        "run", help="Seed, serve ours and the reference, load both in turns, print the table."
    )
    add = command.add_argument
    add("--users", type=int, default=1000, help="users to seed (default 1000)")
    add("--tasks", type=int, default=50, help="tasks per user (default 50)")
    add("--duration", type=float, default=10, help="seconds per run (default 10)")
    add("--connections", type=int, default=32, help="wrk connections (default 32)")
    add("--threads", type=int, default=2, help="wrk threads (default 2)")
    add("--repeat", type=int, default=3, help="runs of each implementation (default 3)")
    add("--warmup", type=float, default=2, help="warm-up seconds per scenario and side")
    add(
        "--scenarios",
        nargs="+",
        choices=list(BY_KEY),
        default=[scenario.key for scenario in SCENARIOS],
        help="which scenarios (default: all)",
    )
    add(
        "--memory-duration",
        type=float,
        default=60,
        help="seconds of each of the two mixed runs for memory (0 skips them; default 60)",
    )
    add("--scale", action="store_true", help="also the list at 1,000,000 tasks and 100,000")
    add("--scale-users", type=int, default=20000, help="users in the scale table (default 20000)")
    add(
        "--big-user-tasks",
        type=int,
        default=100_000,
        help="tasks of the one big user in the scale table (default 100000)",
    )
    add(
        "--postgres",
        default=os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES),
        help="an admin URL of the PostgreSQL to use (env BENCH_POSTGRES_URL)",
    )
    add(
        "--database",
        type=database_name,
        default="todo_bench",
        help="database to (re)create (default todo_bench)",
    )
    add(
        "--baseline",
        choices=["reference", "unguarded"],
        default="reference",
        help="what ours is compared with: the hand-written reference (default), or ours"
        " without the server limits of api/server.py (their cost)",
    )
    add("--keep-database", action="store_true", help="leave the databases for inspection")
    add("--json", type=Path, dest="json_path", help="also write the figures to this file")
    return top


def options_from(arguments: argparse.Namespace) -> Options:
    load = Load(
        duration=arguments.duration, connections=arguments.connections, threads=arguments.threads
    )
    scale = None
    if arguments.scale:
        scale = ScaleSettings(
            users=arguments.scale_users,
            tasks=arguments.tasks,
            big_user_tasks=arguments.big_user_tasks,
            load=load,
            repeat=arguments.repeat,
            warmup=arguments.warmup,
        )
    chosen = set(arguments.scenarios)
    return Options(
        users=arguments.users,
        tasks=arguments.tasks,
        load=load,
        scenarios=[scenario for scenario in SCENARIOS if scenario.key in chosen],
        repeat=arguments.repeat,
        warmup=arguments.warmup,
        memory_duration=arguments.memory_duration,
        scale=scale,
        postgres=arguments.postgres,
        database=arguments.database,
        keep_database=arguments.keep_database,
        json_path=arguments.json_path,
        baseline=arguments.baseline,
    )


def main() -> int:
    arguments = parser().parse_args()
    # SIGTERM unwinds like Ctrl-C, so the servers, wrk and the databases are cleaned up.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        return run(options_from(arguments))
    except LoadError as error:
        print(error, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
