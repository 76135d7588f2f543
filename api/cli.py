"""`todo-api`: serve, migrate, mint a development token, export the GraphQL schema."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
import uvicorn

from api.auth.signing_secret import signing_secret, uses_development_secret
from api.auth.tokens import mint_token
from api.ops.logging_config import configure_logging, logging_config
from api.ops.metrics_workers import share_metrics_across_workers
from api.server import uvicorn_options
from api.settings import ConfigurationError, Settings
from db.migrate import upgrade
from db.reachability import DatabaseUnreachable
from db.urls import DatabaseUrlError

HOST_HELP = (
    "Interface to listen on: 127.0.0.1 is this machine only; 0.0.0.0 every interface (in "
    "Docker, WSL or a VM, or behind a reverse proxy on another host)."
)
MIGRATE_HELP = "Apply the migrations first; --no-migrate where a `todo-api migrate` step runs them."

app = typer.Typer(help="Per-user tasks API.", no_args_is_help=True, add_completion=False)


def _settings(**overrides: Any) -> Settings:
    """The settings (command-line `overrides` that are not None win), or exit 2 saying why."""
    try:
        settings = Settings(
            **{name: value for name, value in overrides.items() if value is not None}
        )
        signing_secret(settings)
    except (ConfigurationError, ValueError) as error:
        typer.secho(f"Configuration error: {error}", fg="red", err=True)
        raise typer.Exit(2) from None
    return settings


@app.command()
def migrate() -> None:
    """Apply the database migrations to DATABASE_URL.

    Exits 2 on a configuration error, 1 when the database cannot be reached (the message says
    which host and what to check).
    """
    settings = _settings()
    try:
        upgrade(settings.database_url)
    except DatabaseUrlError as error:
        typer.secho(f"Configuration error: {error}", fg="red", err=True)
        raise typer.Exit(2) from None
    except DatabaseUnreachable as error:
        typer.secho(str(error), fg="red", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"Database is at the newest revision ({_redacted(settings.database_url)}).")


def _override(setting: str) -> Any:
    return typer.Option(
        help=f"Overrides the {setting} setting (see the README).", show_default=False
    )


@app.command()
def serve(
    host: Annotated[str, typer.Option(help=HOST_HELP)] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port to listen on.")] = 8000,
    migrate_first: Annotated[
        bool, typer.Option("--migrate/--no-migrate", help=MIGRATE_HELP)
    ] = True,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
    max_header_bytes: Annotated[int | None, _override("MAX_HEADER_BYTES")] = None,
    max_header_count: Annotated[int | None, _override("MAX_HEADER_COUNT")] = None,
    header_timeout: Annotated[float | None, _override("HEADER_TIMEOUT_SECONDS")] = None,
    body_timeout: Annotated[float | None, _override("BODY_TIMEOUT_SECONDS")] = None,
    max_connections: Annotated[int | None, _override("MAX_CONNECTIONS")] = None,
    forwarded_allow_ips: Annotated[str | None, _override("FORWARDED_ALLOW_IPS")] = None,
) -> None:
    """Run the service (migrating the database first)."""
    settings = _settings(
        max_header_bytes=max_header_bytes,
        max_header_count=max_header_count,
        header_timeout_seconds=header_timeout,
        body_timeout_seconds=body_timeout,
        max_connections=max_connections,
        forwarded_allow_ips=forwarded_allow_ips,
    )
    configure_logging(settings.resolved_log_format)
    if migrate_first:
        migrate()
    base = f"http://{host}:{port}"
    if settings.graphiql_enabled:
        typer.echo(f"GraphiQL explorer: {base}/graphql")
    if settings.api_docs_enabled:
        typer.echo(f"REST docs: {base}/docs")
    if uses_development_secret(settings):
        _make_development_secret(settings)
    share_metrics_across_workers(settings, workers)
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        # The same logging in every worker; the request log middleware writes one line per request.
        log_config=logging_config(settings.resolved_log_format),
        access_log=False,
        **uvicorn_options(settings),
    )


@app.command()
def token(
    user_id: Annotated[str, typer.Argument(help="The `sub` claim: the user id.")],
    minutes: Annotated[int, typer.Option(help="How long the token is valid, in minutes.")] = 60,
) -> None:
    """Print a token for USER_ID signed with BETTER_AUTH_SECRET, or the development secret
    that the server created (from any directory; it never creates one)."""
    settings = _settings()
    secret = signing_secret(settings)
    if secret is None and uses_development_secret(settings):
        typer.secho(
            f"No development secret yet at {settings.dev_secret_file}: start the server once "
            "(`todo-api serve` creates it), or set BETTER_AUTH_SECRET to the server's.",
            fg="red",
            err=True,
        )
        raise typer.Exit(2)
    if secret is None:
        typer.secho("No HS256 secret: set BETTER_AUTH_SECRET to mint tokens.", fg="red", err=True)
        raise typer.Exit(2)
    typer.echo(mint_token(secret, user_id, lifetime=timedelta(minutes=minutes)))


@app.command("export-schema")
def export_schema(
    output: Annotated[Path | None, typer.Option(help="File to write; stdout if omitted.")] = None,
) -> None:
    """Print the GraphQL SDL (the checked-in schema.graphql comes from this)."""
    from schema.build import build_schema

    sdl = build_schema().as_str() + "\n"
    if output is None:
        typer.echo(sdl, nl=False)
    else:
        output.write_text(sdl)


def _make_development_secret(settings: Settings) -> None:
    """Create the development secret before any worker starts, and say where it is."""
    try:
        signing_secret(settings, create=True)
    except ConfigurationError as error:
        typer.secho(f"Configuration error: {error}", fg="red", err=True)
        raise typer.Exit(2) from None
    typer.echo(
        f"Development signing secret in {settings.dev_secret_file}. "
        f"Get a token with: {sys.argv[0]} token <user_id>"
    )


def _redacted(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
