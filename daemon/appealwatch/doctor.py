"""`appealwatch doctor`: one PASS/FAIL line per thing that must work.  Never prints a secret."""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from appealwatch.config import Config

Check = tuple[bool, str]


def run_checks(config: Config, state: Path, settings_for: Callable[[Config, Any], Any],
               send_test: bool = False) -> Iterator[Check]:
    yield True, f"configuration {config.path or '(built-in defaults)'} is valid"
    if config.path is not None:
        mode = stat.S_IMODE(config.path.stat().st_mode)
        yield (not mode & 0o077,
               f"configuration file mode is {mode:o}" + ("" if not mode & 0o077 else
                                                         f"; run chmod 600 {config.path}"))
    if not config.model.user.email:
        yield False, "[user] email is not set: drafts need your address"
    yield from _state_checks(state)
    yield from _keyring_check(config)
    for acct in config.model.accounts:
        if acct.maildir:
            yield from _maildir_checks(acct)
        else:
            yield from _imap_checks(config, acct, settings_for)
    yield from _notify_checks(config)
    if send_test:
        yield from _notify_test(config)


def _state_checks(state: Path) -> Iterator[Check]:
    if state.exists():
        mode = stat.S_IMODE(state.stat().st_mode)
        yield (mode & 0o077 == 0, f"state file {state} has mode {mode:o}"
               + ("" if mode & 0o077 == 0 else f"; run chmod 600 {state}"))
    else:
        parent = state.parent
        while not parent.exists():
            parent = parent.parent
        yield (os.access(parent, os.W_OK),
               f"state file {state} will be created" + ("" if os.access(parent, os.W_OK)
                                                         else f"; {parent} is not writable"))


def _keyring_check(config: Config) -> Iterator[Check]:
    needs = [a for a in config.model.accounts
             if a.host and not a.password_command and not a.oauth2_token_command]
    if not needs:
        return
    from appealwatch.secrets import keyring_status

    usable, description = keyring_status()
    yield usable, f"keyring: {description}"


def _maildir_checks(acct: Any) -> Iterator[Check]:
    from appealwatch.maildir import MaildirError, MaildirSource

    try:
        source = MaildirSource(acct.name, acct.maildir, dict(acct.folders), create_drafts=False)
    except MaildirError as exc:
        yield False, str(exc)
        return
    folders = source.folders()
    yield True, f"account {acct.name}: Maildir {source.root}"
    for role in ("inbox", "junk", "sent", "drafts"):
        if role in folders:
            yield True, f"account {acct.name}: {role} folder {folders[role]}"
        else:
            yield (role != "inbox",
                   f"account {acct.name}: no {role} folder found"
                   + (" (it will be created)" if role == "drafts" else ""))


def _imap_checks(config: Config, acct: Any, settings_for: Callable[[Config, Any], Any]
                 ) -> Iterator[Check]:
    from appealwatch.imap import ImapError, connect, discover_folders

    settings = settings_for(config, acct)
    where = f"{acct.host}:{settings.effective_port} ({acct.tls})"
    try:
        client = connect(settings)
    except ImapError as exc:
        yield False, f"account {acct.name}: {exc}"
        return
    try:
        yield True, f"account {acct.name}: logged in to {where} as {acct.username}"
        caps = {c.decode() for c in client.capabilities()}
        has_idle = "IDLE" in caps
        yield True, (f"account {acct.name}: server supports "
                     f"{', '.join(sorted(caps & {'IDLE', 'UIDPLUS', 'SPECIAL-USE', 'MOVE'}))}"
                     + ("" if has_idle else " (no IDLE: new mail is polled every minute)"))
        listing = {name: flags for flags, _d, name in client.list_folders()}
        found = discover_folders(client, dict(acct.folders))
        for role in ("inbox", "junk", "sent", "drafts"):
            name = found.get(role)
            if name is None:
                yield role == "drafts", (
                    f"account {acct.name}: no {role} folder found; "
                    + ("drafts go to a new folder 'Drafts', or set " if role == "drafts" else
                       "set ") + f'folders = {{ {role} = "..." }}')
                continue
            flags = " ".join(f.decode() for f in listing.get(name, ()) if f.decode().lower()
                             in ("\\junk", "\\sent", "\\drafts", "\\spam"))
            yield True, f"account {acct.name}: {role} folder {name!r}" + (
                f" (special-use {flags})" if flags else " (found by name)")
    finally:
        try:
            client.logout()
        except Exception:
            client.shutdown()


def _notify_checks(config: Config) -> Iterator[Check]:
    from appealwatch.notify import default_backends

    notify = config.model.notify
    for backend in default_backends(notify.backends):
        if backend == "log":
            yield True, "notifications: log backend (stderr / the journal)"
        elif backend == "command":
            program = (notify.command or [""])[0]
            found = shutil.which(program) if program else None
            yield (bool(found), f"notifications: command {program!r}"
                   + (f" found at {found}" if found else " not found"))
        elif backend == "desktop":
            bus = os.environ.get("DBUS_SESSION_BUS_ADDRESS")
            yield bool(bus), "notifications: desktop (session bus " + (
                "present)" if bus else "missing: is this a desktop session?)")
        elif backend == "inbox":
            yield True, "notifications: inbox (a short message in each account's INBOX)"
        elif backend == "ntfy":
            yield bool(notify.ntfy_url), f"notifications: ntfy topic {notify.ntfy_url}"
        elif backend == "apprise":
            import importlib.util

            found = importlib.util.find_spec("apprise") is not None
            yield found, "notifications: apprise " + (
                "installed" if found else "is not installed: pip install 'appealwatch[push]'")


TEST_EVENT = {
    "id": "doctor-test", "event": "test", "case_id": None, "provider": None,
    "provider_name": "appealwatch", "urgency": "normal", "folder": None, "draft": None,
    "summary": "A test notification from `appealwatch doctor --notify`: this backend works.",
}


def _notify_test(config: Config) -> Iterator[Check]:
    """One test event through each configured backend on its own, so a failing one is named."""
    from appealwatch.notify import Notifier, default_backends

    notify = config.model.notify
    backends = default_backends(notify.backends)
    notifier = Notifier(backends, notify.command, settings=notify)
    try:
        for backend in backends:
            if backend == "inbox":
                yield True, ("notifications: inbox not tested (notes are written for real "
                             "events only)")
                continue
            others = [b for b in backends if b != backend]
            try:
                done = notifier.send(dict(TEST_EVENT, account=None), skip=others)
            except Exception as exc:  # a secret command that fails, for example
                yield False, f"notifications: test through {backend} failed: {exc}"
                continue
            yield (backend in done, f"notifications: test sent through {backend}"
                   if backend in done else
                   f"notifications: test through {backend} failed (see the log line above)")
    finally:
        notifier.close()
