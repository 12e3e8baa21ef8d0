"""What the commands share, below the command line: exit codes, the user's error, and the wiring
of a configuration into a state store, mail sources and an engine.

``cli`` (argument parsing), ``demo`` and ``wizard`` build on this module; nothing here imports
them, and nothing but the entry point imports ``cli`` (tests/test_cli.py keeps it so).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from appealwatch.config import Config

EXIT_OK, EXIT_FAILURE, EXIT_CONFIG = 0, 1, 2


class UserError(Exception):
    """A problem the user can fix; printed as one sentence, without a traceback."""

    exit_code = EXIT_FAILURE


def state_path(config: Config) -> Path:
    from appealwatch.store import default_state_path

    configured = config.model.state.path
    return Path(configured).expanduser() if configured else default_state_path()


def open_store(config: Config, *, dry_run: bool = False):
    from appealwatch.store import Store, StoreError

    path = state_path(config)
    try:
        if dry_run:
            return Store.in_memory_copy(path)
        return Store(path)
    except StoreError as exc:
        raise UserError(str(exc)) from None


def imap_settings(config: Config, acct):
    from appealwatch import secrets
    from appealwatch.imap import ImapSettings

    def secret() -> tuple[str, str]:
        try:
            if acct.oauth2_token_command:
                token = secrets.get_oauth2_token(acct.name, acct.oauth2_token_command)
                secrets.Redactor.register(token)
                return "oauth2", token
            password = secrets.get_password(acct.name, acct.username or "",
                                            acct.password_command)
            secrets.Redactor.register(password)
            return "password", password
        except secrets.SecretError as exc:
            from appealwatch.imap import AuthError

            raise AuthError(str(exc)) from None

    return ImapSettings(
        host=acct.host, port=acct.port, tls=acct.tls, username=acct.username or "",
        secret=secret, ca_file=str(Path(acct.ca_file).expanduser()) if acct.ca_file else None,
        allow_plaintext_loopback=acct.allow_plaintext_loopback,
    )


def make_sources(config: Config) -> list:
    from appealwatch.classify import may_matter, prescreen
    from appealwatch.imap import ImapSource
    from appealwatch.maildir import MaildirError, MaildirSource
    from appealwatch.parse import quick_headers

    sources = []
    if not config.model.accounts:
        raise UserError("no accounts are configured: add an [[accounts]] table to "
                        f"{config.path or 'your config'} (see appealwatch.example.toml)")
    rules = config.rules

    def prefilter(headers: bytes, role: str) -> bool:
        return prescreen(headers, rules) and may_matter(quick_headers(headers), role, rules)

    for acct in config.model.accounts:
        if acct.maildir:
            try:
                sources.append(MaildirSource(acct.name, acct.maildir, dict(acct.folders)))
            except MaildirError as exc:
                raise UserError(str(exc)) from None
        else:
            sources.append(ImapSource(acct.name, imap_settings(config, acct), dict(acct.folders),
                                      lookback_days=acct.lookback_days, may_matter=prefilter))
    return sources


def make_engine(config: Config, store, *, now: datetime | None, dry_run: bool,
                backends: list[str] | None = None, on_action=None, clock=None):
    """``now`` fixes the time; ``clock`` (a function returning the time) lets it run."""
    from appealwatch.engine import Engine
    from appealwatch.notify import Notifier, default_backends

    chosen = backends if backends is not None else default_backends(config.model.notify.backends)
    desktop = "desktop" in chosen
    notifier = Notifier(chosen, config.model.notify.command, on_action=on_action,
                        settings=config.model.notify,
                        shown=store.desktop_ids() if desktop else None,
                        remember=store.set_desktop_id if desktop and not dry_run else None)
    clock = (lambda: now) if now else clock
    return Engine(config, store, make_sources(config), notifier, now=clock, dry_run=dry_run)


def get_case(store, case_id: int):
    case = store.case(case_id)
    if case is None:
        raise UserError(f"there is no case {case_id}; 'appealwatch cases' lists them")
    return case
