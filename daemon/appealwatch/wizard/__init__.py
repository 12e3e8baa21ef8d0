"""`appealwatch init`: ask a few questions, check the login, write a commented config.

Every answer can also be given as an option, so the same path runs unattended
(``--non-interactive``: a missing answer is an error naming its option).  All questions go
through one ``ask(prompt, default) -> answer`` function and the password through one
``read_secret(prompt) -> str``, so tests (and other front ends) can drive the dialogue.

The order: the e-mail address, the server (guessed from the address for the common providers),
the secret, a login that lists the folders, the config file (0600, verified with
:func:`appealwatch.config.load_config` before it is put in place), the doctor's checks, and the
systemd user unit if wanted.  The password goes only to the OS keyring, never into the file (and
not into a keyring that keeps it unencrypted unless the user says so).

The modules: ``servers`` (the providers' IMAP servers), ``place`` (the country and time zone),
``dialogue`` (asking), ``questions`` (the account), ``notify`` (where notifications go),
``login`` (the checks), ``configfile`` (the file); this one runs them.  The command line's
options are in ``appealwatch.initoptions``, so that the CLI is built without loading this.

Exit status: 0 done; 1 the config was written but something does not work yet (the login, a
doctor check, the keyring, the service unit) or an existing config was not replaced; 2 a bad or
missing answer.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import sys
from pathlib import Path
from typing import Any

from appealwatch.initoptions import add_arguments
from appealwatch.wizard.configfile import exists_error, render_config, target_path, write_config
from appealwatch.wizard.dialogue import (
    EXIT_FAILURE,
    EXIT_OK,
    Ask,
    Dialogue,
    ReadSecret,
    WizardError,
    ask_stdin,
    read_secret_stdin,
)
from appealwatch.wizard.login import login_until_it_works, maildir_folders
from appealwatch.wizard.notify import ask_notify
from appealwatch.wizard.questions import Answers, ask_place, collect

__all__ = ["add_arguments", "run"]


def run(args: argparse.Namespace, config_path: Path | None, *, ask: Ask | None = None,
        read_secret: ReadSecret | None = None) -> int:
    """`appealwatch init`; see the module docstring.  Returns the exit status."""
    try:
        return _run(args, target_path(config_path), ask or ask_stdin,
                    read_secret or read_secret_stdin)
    except WizardError as exc:
        print(f"appealwatch init: {exc}", file=sys.stderr)
        return exc.exit_code


def _run(args: argparse.Namespace, path: Path, ask: Ask, read_secret: ReadSecret) -> int:
    from appealwatch import secrets

    if path.is_dir():
        raise WizardError(f"{path} is a directory; give --config a file name")
    if path.exists() and not args.force:
        raise exists_error(path)
    password = None
    if args.password_stdin:  # the first line, before any question reads stdin
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise WizardError("--password-stdin: the first line of standard input is empty")
        secrets.Redactor.register(password)
    d = Dialogue(not args.non_interactive, ask, read_secret)
    a = collect(args, d, password)
    status = EXIT_OK

    # the login, and the folders it finds
    if a.maildir:
        problem = maildir_folders(a)
        if problem:
            print(f"the Maildir is not usable yet: {problem}", file=sys.stderr)
            status = EXIT_FAILURE
    elif args.skip_check:
        print("not logging in (--skip-check)")
    else:
        failure = login_until_it_works(args, d, a)
        if failure:
            print(f"the login does not work yet: {failure}", file=sys.stderr)
            status = EXIT_FAILURE
    if a.login_via == "keyring" and not a.maildir:
        try:
            backend = secrets.store_password(a.account, a.username, a.password or "")
            print(f"stored the password of {a.account} in the keyring ({backend})")
        except secrets.SecretError as exc:
            print(f"appealwatch init: {exc}", file=sys.stderr)
            status = EXIT_FAILURE

    ask_place(args, d, a)
    ask_notify(args, d, a)
    config = write_config(path, render_config(a), force=args.force)
    print(f"wrote {path}")

    if args.skip_check:
        print("skipped the checks (--skip-check); run `appealwatch doctor` when ready")
    else:
        status = max(status, _doctor(config))

    status = max(status, _service(args, d, path))
    _next_steps(path, a)
    return status


def _doctor(config: Any) -> int:
    from appealwatch.app import imap_settings, state_path
    from appealwatch.doctor import run_checks

    print("\nchecks:")
    failures = 0
    for ok, line in run_checks(config, state_path(config), imap_settings):
        failures += not ok
        print(f"{'PASS' if ok else 'FAIL'}  {line}")
    print(f"{failures} problem(s) found" if failures else "all checks passed")
    return EXIT_FAILURE if failures else EXIT_OK


def _default_path() -> Path:
    from appealwatch.config import default_config_path

    return default_config_path()


def _service(args: argparse.Namespace, d: Dialogue, path: Path) -> int:
    from appealwatch.systemd import enable_command, install_unit

    wanted = args.install_service
    if wanted is None:
        wanted = d.interactive and d.confirm("\nInstall the systemd user service (runs "
                                             "appealwatch whenever you are logged in)?", False,
                                             "--install-service")
    if not wanted:
        return EXIT_OK
    exe = shutil.which("appealwatch") or str(Path(sys.argv[0]).resolve())
    if not (os.path.isabs(exe) and os.path.isfile(exe) and os.access(exe, os.X_OK)):
        print("appealwatch init: cannot find the appealwatch command to run as a service; "
              "install it with ./install.sh, then run `appealwatch service install`",
              file=sys.stderr)
        return EXIT_FAILURE
    try:
        unit = install_unit(exe)
    except (ValueError, OSError) as exc:
        print(f"appealwatch init: cannot install the service unit: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    print(f"installed {unit} (runs {exe})\nstart it now and at every login with:\n"
          f"  {enable_command()}")
    if path != _default_path():
        print(f"note: the service reads {_default_path()}; for {path} add "
              f"Environment=APPEALWATCH_CONFIG={path} with `systemctl --user edit appealwatch`")
    return EXIT_OK


def _next_steps(path: Path, a: Answers) -> None:
    env = os.environ.get("APPEALWATCH_CONFIG")
    default = Path(env).expanduser() if env else _default_path()
    cfg = "" if path == default else f" --config {shlex.quote(str(path))}"
    print(f"\nnext: `appealwatch{cfg} scan` reads the mail of the last 180 days once"
          + ("" if a.login_via != "keyring" or a.maildir
             else f"; `appealwatch{cfg} login {shlex.quote(a.account)}` "
             "changes the stored password"))
    if set(a.notify) - {"log"}:
        print(f"`appealwatch{cfg} doctor --notify` sends a test notification through each of "
              f"{', '.join(b for b in a.notify if b != 'log')}")
