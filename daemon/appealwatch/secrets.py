"""Passwords and OAuth2 tokens: the system keyring and user-configured secret commands.

This is the only module that imports ``keyring`` or runs ``password_command`` /
``oauth2_token_command``. Rules kept here:

* a secret never goes into a log message or an exception message; every error is a
  :class:`SecretError` whose text says what to do next;
* every secret handed out (or stored) is registered with :class:`Redactor`, so a log line
  that carries it by accident is printed with ``***`` instead;
* secret commands run without a shell (``shlex.split``), with a timeout, and only their
  exit status and the first line of stderr are ever reported -- never their stdout.

Keyring entries are ``(SERVICE, f"{account}:{username}")``.
"""

from __future__ import annotations

import logging
import os
import shlex
import subprocess
import threading
from contextlib import closing
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    import keyring.backend
    import keyring.errors

# keyring and its backends (entry points, D-Bus) are imported by the functions that use the
# keyring: a service whose passwords come from password_command never loads them.

SERVICE = "appealwatch"
COMMAND_TIMEOUT = 30.0  # seconds a password/token command may take
_STDERR_MAX = 200  # characters of a failing command's stderr line quoted in the error
_MIN_SECRET = 4  # shorter strings are not redacted (they would mangle ordinary text)

log = logging.getLogger(__name__)

_NO_BACKEND_ADVICE = (
    "Either set password_command for this account in the config (for example "
    "`pass show mail/work` or `secret-tool lookup ...`), or make a Secret Service available: "
    "log in to a desktop session running gnome-keyring (or KWallet), or on a headless machine "
    "start and unlock gnome-keyring inside your D-Bus session with "
    '`printf %s "$KEYRING_PASSWORD" | gnome-keyring-daemon --unlock --components=secrets`. '
    "As a last resort, `pip install keyrings.alt` stores passwords in a file that is only "
    "base64-encoded, not encrypted."
)
_LOCKED_ADVICE = (
    "Unlock your login keyring (it is unlocked when you log in graphically; on a headless "
    'machine run `printf %s "$KEYRING_PASSWORD" | gnome-keyring-daemon --unlock '
    "--components=secrets` inside your D-Bus session), or set password_command for this "
    "account in the config. As a last resort, `pip install keyrings.alt` stores passwords in "
    "a file that is only base64-encoded, not encrypted."
)

PLAINTEXT_ADVICE = (
    "the only keyring here, {keyring}, keeps passwords unencrypted (only base64-encoded), "
    "readable by any program you run. A password command is safer: it prints the password "
    "from where you keep it (e.g. `pass show mail/work`, or `secret-tool lookup ...` with a "
    "Secret Service)")


class SecretError(Exception):
    """A password or token could not be obtained or stored.

    The message tells the user what to do. It never contains the secret itself.
    """


class Redactor(logging.Filter):
    """Replace every registered secret in a log record with ``***``.

    Attach it to handlers (see :func:`install_redactor`); a filter on a logger does not see
    records propagated from its children. Secrets are registered class-wide with
    :meth:`register`; strings shorter than 4 characters are ignored.
    """

    MASK = "***"
    _secrets: ClassVar[set[str]] = set()
    _ordered: ClassVar[tuple[str, ...]] = ()  # longest first; replaced atomically
    _lock: ClassVar[threading.Lock] = threading.Lock()

    @classmethod
    def register(cls, secret: str | None) -> None:
        if not secret or len(secret) < _MIN_SECRET:
            return
        forms = {secret, repr(secret)[1:-1]}  # repr() form: "%r" or a repr'd container
        with Redactor._lock:
            Redactor._secrets.update(f for f in forms if len(f) >= _MIN_SECRET)
            Redactor._ordered = tuple(sorted(Redactor._secrets, key=len, reverse=True))

    @classmethod
    def redact(cls, text: str) -> str:
        for secret in Redactor._ordered:
            if secret in text:
                text = text.replace(secret, cls.MASK)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not Redactor._ordered:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: let the handler report it as usual
            message = None
        if message is not None:
            redacted = self.redact(message)
            if redacted != message:
                record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            # what Formatter.format would do, done early so that the text can be checked
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            redacted = self.redact(record.exc_text)
            if redacted != record.exc_text:
                # Formatter appends exc_text even without exc_info; dropping exc_info keeps
                # other formatters from rendering the unredacted exception again.
                record.exc_text, record.exc_info = redacted, None
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def install_redactor(logger: logging.Logger | None = None) -> Redactor:
    """Add a :class:`Redactor` to every handler of ``logger`` (default: the root logger).

    Call it after logging is configured; handlers added later are not covered.
    """
    logger = logger if logger is not None else logging.getLogger()
    redactor = Redactor()
    for handler in logger.handlers:
        if not any(isinstance(f, Redactor) for f in handler.filters):
            handler.addFilter(redactor)
    return redactor


# --- secret commands ---------------------------------------------------------------------


def _run_secret_command(account: str, command: str, setting: str) -> str:
    """Run ``command`` and return its stdout minus one trailing newline.

    Errors name the account, the setting, the program and its exit status, plus the first
    line of stderr; stdout is never quoted.
    """
    where = f"account {account}: {setting}"
    try:
        argv = shlex.split(command)
    except ValueError as exc:  # e.g. "No closing quotation"; the text holds no command part
        raise SecretError(f"{where} cannot be parsed ({exc}); check its quoting") from None
    if not argv:
        raise SecretError(f"{where} is empty")
    program = os.path.basename(argv[0])
    try:
        proc = subprocess.run(
            argv,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=COMMAND_TIMEOUT,
            check=False,
        )
    except FileNotFoundError:
        raise SecretError(f"{where}: program `{argv[0]}` not found") from None
    except PermissionError:
        raise SecretError(f"{where}: program `{argv[0]}` is not executable") from None
    except subprocess.TimeoutExpired:
        raise SecretError(
            f"{where}: `{program}` did not finish within {COMMAND_TIMEOUT:g} s "
            "(is it waiting for input, such as a passphrase prompt?)"
        ) from None
    except OSError as exc:
        raise SecretError(f"{where}: cannot run `{argv[0]}`: {exc.strerror or exc}") from None

    if proc.returncode != 0:
        status = (
            f"was killed by signal {-proc.returncode}"
            if proc.returncode < 0
            else f"failed with exit status {proc.returncode}"
        )
        detail = _stderr_line(proc.stderr, proc.stdout)
        raise SecretError(f"{where}: `{program}` {status}" + (f": {detail}" if detail else ""))
    try:
        value = proc.stdout.decode("utf-8")
    except UnicodeDecodeError:  # its message quotes a byte of the output: do not chain it
        raise SecretError(f"{where}: `{program}` printed something that is not UTF-8") from None
    value = value.removesuffix("\n")
    if value.endswith("\r"):  # "\r\n" counts as one newline
        value = value[:-1]
    if not value.strip():
        raise SecretError(f"{where}: `{program}` exited with status 0 but printed nothing")
    Redactor.register(value)
    return value


def _stderr_line(stderr: bytes, stdout: bytes) -> str:
    """First non-blank stderr line, shortened, with anything the command printed removed."""
    text = stderr.decode("utf-8", "replace")
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    out = stdout.decode("utf-8", "replace").strip()
    if len(out) >= _MIN_SECRET:
        line = line.replace(out, Redactor.MASK)  # a command may echo its output to stderr too
    line = Redactor.redact(line)
    if len(line) > _STDERR_MAX:
        line = line[: _STDERR_MAX - 1] + "…"
    return line


# --- keyring -------------------------------------------------------------------------------


def _key(account: str, username: str) -> str:
    if not account or not username:
        # keyring warns on empty usernames, and "work:" would be an odd key anyway
        raise SecretError(
            f"account {account or '(unnamed)'}: a username is needed to use the keyring; "
            "set `username` for this account in the config"
        )
    return f"{account}:{username}"


def _backend() -> keyring.backend.KeyringBackend:
    import keyring

    try:
        return keyring.get_keyring()
    except (ImportError, RuntimeError) as exc:
        # PYTHON_KEYRING_BACKEND or keyringrc.cfg names a backend that is missing/unusable
        raise SecretError(
            "the keyring backend chosen by PYTHON_KEYRING_BACKEND or "
            f"~/.config/python_keyring/keyringrc.cfg cannot be loaded: {exc}"
        ) from exc


def backend_name(backend: keyring.backend.KeyringBackend) -> str:
    """A short display name, e.g. "SecretService Keyring" or "file PlaintextKeyring"."""
    from keyring.backends import chainer

    if isinstance(backend, chainer.ChainerBackend):
        inner = ", ".join(b.name for b in backend.backends)
        return f"{backend.name} ({inner or 'empty'})"
    return str(backend.name)


def _keyring_error(
    account: str, doing: str, exc: keyring.errors.KeyringError, secret: str = ""
) -> SecretError:
    import keyring.errors

    if isinstance(exc, keyring.errors.NoKeyringError):
        what = "no keyring backend is available (no Secret Service on the D-Bus session bus)"
        advice = _NO_BACKEND_ADVICE
    else:
        reason = str(exc).strip().rstrip(".") or type(exc).__name__
        if secret and len(secret) >= _MIN_SECRET:
            reason = reason.replace(secret, Redactor.MASK)
        what = f"the keyring is locked or cannot be opened ({Redactor.redact(reason)})"
        advice = _LOCKED_ADVICE
    return SecretError(f"account {account}: cannot {doing} the system keyring: {what}. {advice}")


def get_password(account: str, username: str, password_command: str | None) -> str:
    """The account's password: from ``password_command`` if set, else from the keyring."""
    if password_command:
        return _run_secret_command(account, password_command, "password_command")
    import keyring.errors

    key = _key(account, username)
    backend = _backend()
    try:
        password = backend.get_password(SERVICE, key)
    except keyring.errors.KeyringError as exc:
        raise _keyring_error(account, "read the password from", exc) from exc
    if not password:
        raise SecretError(
            f"no password stored for account {account}; "
            f"run `appealwatch login {shlex.quote(account)}`"
        )
    Redactor.register(password)
    return password


def get_oauth2_token(account: str, token_command: str) -> str:
    """Run the account's ``oauth2_token_command`` and return the token (never logged)."""
    return _run_secret_command(account, token_command, "oauth2_token_command")


def store_password(account: str, username: str, password: str) -> str:
    """Store the password in the keyring; return the backend's name for the user message.

    The password is read back, so a backend that silently drops it (the null backend) is
    reported instead of leaving the user with a login that "worked".
    """
    import keyring.errors

    key = _key(account, username)
    if not password:
        raise SecretError(f"account {account}: refusing to store an empty password")
    Redactor.register(password)
    backend = _backend()
    try:
        backend.set_password(SERVICE, key, password)
        stored = backend.get_password(SERVICE, key)
    except keyring.errors.KeyringError as exc:
        raise _keyring_error(account, "store the password in", exc, password) from exc
    if stored != password:
        raise SecretError(
            f"account {account}: the keyring backend {backend_name(backend)} accepted the "
            "password but does not return it; choose a working backend (see `appealwatch "
            "doctor`) or set password_command for this account"
        )
    log.info("stored the password for account %s in %s", account, backend_name(backend))
    return backend_name(backend)


def delete_password(account: str, username: str) -> bool:
    """Remove the stored password; False if there was none."""
    import keyring.errors

    key = _key(account, username)
    backend = _backend()
    try:
        backend.delete_password(SERVICE, key)
    except keyring.errors.PasswordDeleteError:
        return False
    except keyring.errors.KeyringError as exc:
        raise _keyring_error(account, "delete the password from", exc) from exc
    return True


def unencrypted_keyring() -> str | None:
    """The keyring a password would be stored in, named with its file, when it keeps passwords
    unencrypted on disk (keyrings.alt's PlaintextKeyring, alone or first in the chain, which is
    where the chainer stores); else None (also when no backend loads: storing then fails with
    its own advice)."""
    try:
        backend = _backend()
    except SecretError:
        return None
    from keyring.backends import chainer

    if isinstance(backend, chainer.ChainerBackend):
        chained = backend.backends
        if not chained:
            return None
        backend = chained[0]
    if "plaintext" not in type(backend).__name__.lower():
        return None
    path = getattr(backend, "file_path", None)
    return backend_name(backend) + (f" ({path})" if path else "")


# --- diagnostics ---------------------------------------------------------------------------


def keyring_status() -> tuple[bool, str]:
    """(usable, description) of the keyring backend, for ``appealwatch doctor``.

    No secret is read and no unlock prompt is triggered: for the Secret Service only the
    default collection's existence and lock state are queried.
    """
    try:
        backend = _backend()
    except SecretError as exc:
        return False, str(exc)
    return _backend_status(backend)


def _backend_status(backend: keyring.backend.KeyringBackend) -> tuple[bool, str]:
    from keyring.backends import chainer, fail, null

    name = backend_name(backend)
    if isinstance(backend, fail.Keyring):
        return False, f"no keyring backend is available ({name}). {_NO_BACKEND_ADVICE}"
    if isinstance(backend, null.Keyring):
        return False, f"the keyring is disabled ({name} stores nothing)"
    if isinstance(backend, chainer.ChainerBackend):
        parts = [_backend_status(b) for b in backend.backends]
        if not parts:
            return False, f"no keyring backend is available ({name}). {_NO_BACKEND_ADVICE}"
        # a read asks every backend in turn and stops at the first error: all must work
        usable = all(ok for ok, _ in parts)
        return usable, f"{name}: " + "; ".join(text for _, text in parts)
    module = type(backend).__module__
    if module == "keyring.backends.SecretService":
        return _secret_service_status(backend, name)
    if module.startswith("keyrings.alt"):
        path = getattr(backend, "file_path", None)
        where = f" in {path}" if path else ""
        if "Plaintext" in type(backend).__name__:
            return True, f"{name}{where} (NOT encrypted: passwords are only base64-encoded)"
        return True, f"{name}{where}"
    return True, name


def _secret_service_status(backend: keyring.backend.KeyringBackend, name: str) -> tuple[bool, str]:
    try:
        import secretstorage
        from secretstorage.collection import DEFAULT_COLLECTION
        from secretstorage.exceptions import ItemNotFoundException
    except ImportError as exc:  # keyring would not have chosen this backend
        return False, f"{name}: SecretStorage cannot be imported ({exc})"
    path = getattr(backend, "preferred_collection", DEFAULT_COLLECTION)
    try:
        with closing(secretstorage.dbus_init()) as connection:
            try:
                collection = secretstorage.Collection(connection, path)
            except ItemNotFoundException:
                return False, (
                    f"{name}: the Secret Service has no default collection yet, and creating "
                    f"one needs an interactive prompt. {_LOCKED_ADVICE}"
                )
            label = collection.get_label() or path
            if collection.is_locked():
                return False, f"{name}: the collection {label!r} is locked. {_LOCKED_ADVICE}"
            return True, f"{name}: the collection {label!r} is unlocked"
    except Exception as exc:  # diagnostics: report whatever D-Bus says, never raise
        return False, f"{name}: the Secret Service cannot be reached ({type(exc).__name__}: {exc})"


def notify_secret(key: str, command: str | None, setting: str, *,
                  required: bool = True) -> str | None:
    """A notification backend's secret (an ntfy token, apprise URLs): from ``command`` if set,
    else from the keyring under ``key`` (store it with ``keyring set appealwatch KEY``).
    Without ``required`` a missing secret is None (ntfy works without a token)."""
    if command:
        return _run_secret_command("notify", command, setting)
    import keyring.errors

    try:
        value = _backend().get_password(SERVICE, key)
    except (keyring.errors.KeyringError, SecretError) as exc:
        if required:
            raise SecretError(f"notify: cannot read {key} from the keyring: {exc}") from exc
        return None
    if not value and required:
        raise SecretError(f"notify: no {setting} configured and no {key} in the keyring")
    if value:
        Redactor.register(value)
    return value or None
