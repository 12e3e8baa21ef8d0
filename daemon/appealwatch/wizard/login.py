"""`appealwatch init` checks what it was told: a login that lists the folders (asking again
for what can be fixed in the dialogue: a refused password, a private CA), or the Maildir's
folders."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from appealwatch.wizard.dialogue import MAX_ATTEMPTS, Dialogue
from appealwatch.wizard.questions import Answers, absolute, ask_password, check_file

ROLES = ("inbox", "junk", "sent", "drafts")


def _settings(a: Answers) -> Any:
    from appealwatch import secrets
    from appealwatch.imap import AuthError, ImapSettings

    def secret() -> tuple[str, str]:
        try:
            if a.oauth2_token_command:
                return "oauth2", secrets.get_oauth2_token(a.account, a.oauth2_token_command)
            if a.password_command:
                return "password", secrets.get_password(a.account, a.username,
                                                        a.password_command)
        except secrets.SecretError as exc:
            raise AuthError(str(exc)) from None
        secrets.Redactor.register(a.password)
        return "password", a.password or ""

    return ImapSettings(host=a.host or "", port=a.port, tls=a.tls, username=a.username,
                        secret=secret, ca_file=str(Path(a.ca_file).expanduser())
                        if a.ca_file else None)


def _login(a: Answers) -> Exception | None:
    """Log in and look at the folders; None when it works, else the ImapError."""
    from appealwatch.imap import ImapError, connect, discover_folders

    try:
        client = connect(_settings(a))
    except ImapError as exc:
        return exc
    try:
        print(f"logged in to {a.host}:{a.port} as {a.username}")
        listing = client.list_folders()
        flags_of = {name: {f.decode().lower() for f in flags} for flags, _d, name in listing}
        found = discover_folders(client, {})
    except Exception as exc:  # a server that logs in but cannot list: report, do not crash
        return ImapError(f"{a.host}: logged in, but listing the folders failed: {exc}")
    finally:
        try:
            client.logout()
        except Exception:
            client.shutdown()
    a.server_folders = sorted(flags_of)
    print("folders:")
    for role in ROLES:
        name = found.get(role)
        if name is None:
            a.missing_folders.append(role)
            print(f"  {role:7} not found")
            continue
        flags = flags_of.get(name, set())
        special = f"\\{role}" in flags or (role == "junk" and "\\spam" in flags)
        print(f"  {role:7} {name}" + ("" if role == "inbox" else
                                     " (special-use)" if special else " (by name)"))
    if a.missing_folders:
        print(f"  the server's folders: {', '.join(a.server_folders)}")
        print("  a commented `folders = { ... }` line in the config says where to put the "
              "exact names")
    return None


def _untrusted(exc: Exception) -> bool:
    # imap.connect says so in its message; there is no separate exception class for it
    return "certificate" in str(exc) and "could not be verified" in str(exc)


def login_until_it_works(args: argparse.Namespace, d: Dialogue, a: Answers) -> Exception | None:
    """Log in; in a dialogue, ask again for what can be fixed here: a refused password, or the
    private CA of a server whose certificate is not trusted."""
    from appealwatch.imap import AuthError

    problem = _login(a)
    for _ in range(MAX_ATTEMPTS):
        if problem is None or not d.interactive:
            break
        if (isinstance(problem, AuthError) and a.login_via == "keyring"
                and not args.password_stdin):
            print(f"  {problem}")
            a.password = ask_password(d, a)
        elif _untrusted(problem) and args.ca_file is None:
            print(f"  {problem}")
            ca = d.value(None, "--ca-file", "If the server uses a private CA, the CA's PEM file "
                         "(empty: skip)", None, check=check_file, required=False)
            if not ca:
                break
            a.ca_file = absolute(ca)
        else:
            break
        problem = _login(a)
    return problem


def maildir_folders(a: Answers) -> str | None:
    from appealwatch.maildir import MaildirError, MaildirSource

    try:
        source = MaildirSource(a.account, a.maildir or "", {}, create_drafts=False)
    except MaildirError as exc:
        return str(exc)
    found = source.folders()
    print(f"Maildir {source.root}:")
    for role in ROLES:
        if role in found:
            print(f"  {role:7} {found[role]}")
        else:
            a.missing_folders.append(role)
            print(f"  {role:7} not found" + (" (it will be created)" if role == "drafts" else ""))
    a.missing_folders = [r for r in a.missing_folders if r != "drafts"]
    return None
