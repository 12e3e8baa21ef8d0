from __future__ import annotations

import base64
import io
import json
import logging
import os
import shlex
import shutil
import stat
import subprocess
import sys
import uuid
from pathlib import Path

import keyring
import keyring.backend
import keyring.core
import keyring.errors
import pytest
from keyring.backends import fail, null
from tests.infra.keyrings import MemoryKeyring

from appealwatch import secrets as sec
from appealwatch.secrets import Redactor, SecretError

REPO = Path(__file__).resolve().parents[1]
USER = "alex@example.org"


def new_secret() -> str:
    return f"pw-{uuid.uuid4().hex}"


# --- an in-memory keyring -----------------------------------------------------------------


class LockedKeyring(keyring.backend.KeyringBackend):
    """Behaves like SecretService with gnome-keyring running but nobody to answer the prompt."""

    priority = 1

    def get_password(self, service, username, password=None):
        raise keyring.errors.InitError("Failed to create the collection: Prompt dismissed..")

    set_password = delete_password = get_password


def use_keyring(backend):
    old = keyring.get_keyring()
    keyring.set_keyring(backend)
    return old


@pytest.fixture
def mem_keyring():
    kr = MemoryKeyring()
    old = use_keyring(kr)
    yield kr
    keyring.set_keyring(old)


@pytest.fixture
def set_backend():
    """Install any backend for one test; the previous one is restored afterwards."""
    old = keyring.get_keyring()
    yield keyring.set_keyring
    keyring.set_keyring(old)


# --- keyring unit tests -------------------------------------------------------------------


def test_store_get_delete_round_trip(mem_keyring):
    pw = new_secret()
    name = sec.store_password("work", USER, pw)
    assert name == MemoryKeyring.name
    assert mem_keyring.data == {("appealwatch", f"work:{USER}"): pw}
    assert sec.get_password("work", USER, None) == pw
    assert sec.delete_password("work", USER) is True
    assert sec.delete_password("work", USER) is False
    assert mem_keyring.data == {}


def test_accounts_do_not_share_passwords(mem_keyring):
    pw1, pw2 = new_secret(), new_secret()
    sec.store_password("work", USER, pw1)
    sec.store_password("home", USER, pw2)
    assert sec.get_password("work", USER, None) == pw1
    assert sec.get_password("home", USER, None) == pw2


def test_missing_password_says_how_to_log_in(mem_keyring):
    with pytest.raises(SecretError) as err:
        sec.get_password("work", USER, None)
    assert str(err.value) == "no password stored for account work; run `appealwatch login work`"


def test_password_from_keyring_is_registered_for_redaction(mem_keyring):
    pw = new_secret()
    mem_keyring.data[("appealwatch", f"work:{USER}")] = pw
    assert sec.get_password("work", USER, None) == pw
    assert Redactor.redact(f"login {pw} failed") == "login *** failed"


def test_empty_username_is_an_error_not_a_warning(mem_keyring):
    with pytest.raises(SecretError, match="username"):
        sec.store_password("work", "", new_secret())
    with pytest.raises(SecretError, match="username"):
        sec.get_password("work", "", None)
    assert mem_keyring.data == {}


def test_empty_password_is_not_stored(mem_keyring):
    with pytest.raises(SecretError, match="empty password"):
        sec.store_password("work", USER, "")
    assert mem_keyring.data == {}


def test_fail_backend_gives_advice_not_a_traceback(set_backend):
    set_backend(fail.Keyring())
    pw = new_secret()
    for call in (lambda: sec.get_password("work", USER, None),
                 lambda: sec.store_password("work", USER, pw),
                 lambda: sec.delete_password("work", USER)):
        with pytest.raises(SecretError) as err:
            call()
        msg = str(err.value)
        assert msg.startswith("account work: cannot ")
        assert "no keyring backend is available" in msg
        assert "password_command" in msg
        assert "gnome-keyring-daemon --unlock" in msg
        assert "keyrings.alt" in msg and "not encrypted" in msg
        assert "\n" not in msg and "Traceback" not in msg and "NoKeyringError" not in msg
        assert "pypi.org" not in msg  # keyring's own text is replaced by ours
        assert pw not in msg


def test_locked_keyring_says_unlock(set_backend):
    set_backend(LockedKeyring())
    pw = new_secret()
    with pytest.raises(SecretError) as err:
        sec.store_password("work", USER, pw)
    msg = str(err.value)
    assert "locked or cannot be opened (Failed to create the collection: Prompt dismissed)" in msg
    assert "Unlock your login keyring" in msg and "password_command" in msg
    assert pw not in msg


def test_backend_that_drops_passwords_is_reported(set_backend):
    set_backend(null.Keyring())
    with pytest.raises(SecretError, match="accepted the password but does not return it"):
        sec.store_password("work", USER, new_secret())


def test_unloadable_backend_from_environment(monkeypatch):
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "no_such_module.Keyring")
    monkeypatch.setattr(keyring.core, "_keyring_backend", None)  # force detection again
    with pytest.raises(SecretError, match=r"PYTHON_KEYRING_BACKEND .* cannot be loaded"):
        sec.get_password("work", USER, None)
    ok, text = sec.keyring_status()
    assert not ok and "no_such_module" in text


def test_keyring_status_reads_no_secret(mem_keyring):
    mem_keyring.data[("appealwatch", f"work:{USER}")] = new_secret()
    assert sec.keyring_status() == (True, MemoryKeyring.name)
    assert mem_keyring.reads == 0


@pytest.mark.parametrize(("backend", "expected"), [
    (fail.Keyring(), "no keyring backend is available"),
    (null.Keyring(), "the keyring is disabled"),
])
def test_keyring_status_unusable(set_backend, backend, expected):
    set_backend(backend)
    ok, text = sec.keyring_status()
    assert not ok and text.startswith(expected)


# --- password_command / oauth2_token_command ------------------------------------------------


def script(tmp_path: Path, body: str, name: str = "cmd") -> str:
    """An executable /bin/sh script; returns a command line naming it."""
    path = tmp_path / name
    path.write_text("#!/bin/sh\n" + body + "\n", encoding="utf-8")
    path.chmod(0o755)
    return shlex.quote(str(path))


def test_password_command_output_minus_one_newline(tmp_path, mem_keyring):
    pw = new_secret()
    cmd = script(tmp_path, f"printf '%s\\n' '{pw}'")
    assert sec.get_password("work", USER, cmd) == pw
    assert mem_keyring.reads == 0  # the keyring is not consulted
    assert Redactor.redact(pw) == "***"


def test_password_command_strips_only_one_newline(tmp_path):
    pw = new_secret()
    assert sec.get_password("work", USER, script(tmp_path, f"printf ' {pw} \\n\\n'")) == (
        f" {pw} \n")
    assert sec.get_password("work", USER, script(tmp_path, f"printf '{pw}'", "b")) == pw
    assert sec.get_password("work", USER, script(tmp_path, f"printf '{pw}\\r\\n'", "c")) == pw


def test_password_command_runs_without_a_shell(tmp_path):
    cmd = script(tmp_path, "printf '%s|' \"$@\"") + " 'two words' '$HOME' ';' '*'"
    assert sec.get_password("work", USER, cmd) == "two words|$HOME|;|*|"


def test_failing_command_reports_status_and_stderr_never_stdout(tmp_path):
    pw = new_secret()
    cmd = script(tmp_path, f"echo '{pw}'\n"
                           f"echo >&2\necho 'gpg: decryption failed: No secret key' >&2\n"
                           f"echo 'second line' >&2\nexit 3")
    with pytest.raises(SecretError) as err:
        sec.get_password("work", USER, cmd)
    msg = str(err.value)
    assert msg == ("account work: password_command: `cmd` failed with exit status 3: "
                   "gpg: decryption failed: No secret key")
    assert pw not in msg


def test_command_echoing_the_secret_to_stderr_is_masked(tmp_path):
    pw = new_secret()
    cmd = script(tmp_path, f"echo '{pw}'; echo 'bad output: {pw}' >&2; exit 1")
    with pytest.raises(SecretError) as err:
        sec.get_password("work", USER, cmd)
    assert pw not in str(err.value)
    assert str(err.value).endswith("exit status 1: bad output: ***")


def test_long_stderr_is_truncated(tmp_path):
    cmd = script(tmp_path, "printf 'x%.0s' $(seq 500) >&2; exit 2")
    with pytest.raises(SecretError) as err:
        sec.get_password("work", USER, cmd)
    detail = str(err.value).split("exit status 2: ", 1)[1]
    assert len(detail) == 200 and detail.endswith("…")


def test_killed_command(tmp_path):
    with pytest.raises(SecretError, match="was killed by signal 9"):
        sec.get_password("work", USER, script(tmp_path, "kill -9 $$"))


@pytest.mark.parametrize("body", ["true", "printf '\\n'", "printf '  \\n'"])
def test_empty_output_is_an_error(tmp_path, body):
    with pytest.raises(SecretError, match="exited with status 0 but printed nothing"):
        sec.get_password("work", USER, script(tmp_path, body))


def test_non_utf8_output_is_an_error_without_the_bytes(tmp_path):
    with pytest.raises(SecretError) as err:
        sec.get_password("work", USER, script(tmp_path, "printf 'ab\\377cd'"))
    assert str(err.value) == (
        "account work: password_command: `cmd` printed something that is not UTF-8")
    assert err.value.__cause__ is None and err.value.__suppress_context__


@pytest.mark.parametrize(("command", "expected"), [
    ("/nonexistent/pass show x", ": program `/nonexistent/pass` not found"),
    ("pass 'unclosed", " cannot be parsed (No closing quotation); check its quoting"),
    ("   ", " is empty"),
])
def test_unusable_command(command, expected):
    with pytest.raises(SecretError) as err:
        sec.get_password("work", USER, command)
    assert str(err.value) == "account work: password_command" + expected


def test_not_executable(tmp_path):
    path = tmp_path / "plain"
    path.write_text("echo hi\n", encoding="utf-8")
    with pytest.raises(SecretError, match="is not executable"):
        sec.get_password("work", USER, shlex.quote(str(path)))


def test_command_timeout(tmp_path, monkeypatch):
    monkeypatch.setattr(sec, "COMMAND_TIMEOUT", 0.3)
    pw = new_secret()
    with pytest.raises(SecretError) as err:
        sec.get_password("work", USER, script(tmp_path, f"echo '{pw}'; exec sleep 30"))
    assert str(err.value).startswith("account work: password_command: `cmd` did not finish "
                                     "within 0.3 s")
    assert err.value.__cause__ is None and err.value.__suppress_context__


def test_oauth2_token_command(tmp_path):
    token = f"ya29.{uuid.uuid4().hex}"
    assert sec.get_oauth2_token("work", script(tmp_path, f"echo {token}")) == token
    assert Redactor.redact(f"Bearer {token}") == "Bearer ***"
    with pytest.raises(SecretError, match=r"^account work: oauth2_token_command: `cmd2` failed"):
        sec.get_oauth2_token("work", script(tmp_path, "exit 1", "cmd2"))


# --- Redactor ------------------------------------------------------------------------------


@pytest.fixture
def log_to_string(request):
    """A private logger writing through a Redactor-filtered handler into a StringIO."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    handler.addFilter(Redactor())
    logger = logging.getLogger(f"appealwatch.test.{request.node.name}")
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    yield logger, stream
    logger.removeHandler(handler)
    handler.close()


def test_redactor_masks_percent_args(log_to_string):
    logger, stream = log_to_string
    pw = new_secret()
    Redactor.register(pw)
    logger.info("login with %s for %s", pw, "work")
    logger.info("as repr: %r", {"password": pw})
    logger.info("in the format string itself: " + pw)
    out = stream.getvalue()
    assert pw not in out
    assert out.splitlines() == [
        "INFO login with *** for work",
        "INFO as repr: {'password': '***'}",
        "INFO in the format string itself: ***",
    ]


def test_redactor_masks_exception_text(log_to_string):
    logger, stream = log_to_string
    pw = new_secret()
    Redactor.register(pw)
    try:
        raise RuntimeError(f"AUTHENTICATE failed for password {pw}")
    except RuntimeError:
        logger.exception("connecting to %s", "imap.example.org")
    out = stream.getvalue()
    assert pw not in out
    assert out.startswith("ERROR connecting to imap.example.org\nTraceback")
    assert "RuntimeError: AUTHENTICATE failed for password ***" in out


def test_redactor_masks_stack_info():
    pw = new_secret()
    Redactor.register(pw)
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "m", None, None,
                               sinfo=f"Stack (most recent call last):\n  login({pw!r})")
    Redactor().filter(record)
    assert record.stack_info == "Stack (most recent call last):\n  login('***')"


def test_redactor_ignores_short_strings_and_leaves_clean_records_alone(log_to_string):
    logger, stream = log_to_string
    Redactor.register("abc")
    Redactor.register("")
    Redactor.register(None)
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "value %s", ("abc",), None)
    assert Redactor().filter(record) is True
    assert (record.msg, record.args) == ("value %s", ("abc",))
    logger.info("abc is %d letters", 3)
    assert stream.getvalue() == "INFO abc is 3 letters\n"


def test_redactor_prefers_the_longest_secret(log_to_string):
    logger, stream = log_to_string
    short = "pw-" + uuid.uuid4().hex[:8]
    long_ = short + "-and-more"
    Redactor.register(short)
    Redactor.register(long_)
    logger.info("%s / %s", long_, short)
    assert stream.getvalue() == "INFO *** / ***\n"


def test_install_redactor_on_every_handler(caplog):
    pw = new_secret()
    Redactor.register(pw)
    root = logging.getLogger()
    extra = logging.StreamHandler(io.StringIO())
    root.addHandler(extra)
    try:
        redactor = sec.install_redactor()
        sec.install_redactor()  # a second call adds nothing
        assert root.handlers and all(
            [type(f) for f in h.filters].count(Redactor) == 1 for h in root.handlers)
        assert redactor in extra.filters and redactor in caplog.handler.filters
        with caplog.at_level(logging.INFO):
            logging.getLogger("appealwatch.imap").info("password=%s", pw)
        assert caplog.messages == ["password=***"]
        assert pw not in extra.stream.getvalue() and "password=***" in extra.stream.getvalue()
    finally:
        root.removeHandler(extra)
        extra.close()
        for handler in root.handlers:
            for f in [f for f in handler.filters if isinstance(f, Redactor)]:
                handler.removeFilter(f)


def test_install_redactor_on_a_given_logger():
    logger = logging.getLogger("appealwatch.test.install")
    handlers = [logging.StreamHandler(io.StringIO()) for _ in range(2)]
    for h in handlers:
        logger.addHandler(h)
    try:
        redactor = sec.install_redactor(logger)
        assert all(h.filters == [redactor] for h in handlers)
    finally:
        for h in handlers:
            logger.removeHandler(h)
            h.close()


# --- integration: a real Secret Service (gnome-keyring) and keyrings.alt ---------------------

SESSION_PY = r"""
import json, os, sys
from appealwatch import secrets
out = {"status": list(secrets.keyring_status())}
if "store" in sys.argv[1:]:
    out["backend"] = secrets.store_password("work", "alex@example.org", os.environ["AW_SECRET"])
try:
    out["got"] = secrets.get_password("work", "alex@example.org", None)
except secrets.SecretError as exc:
    out["error"] = str(exc)
print(json.dumps(out))
"""
SESSION_SH = r"""
set -eu
if [ -n "${AW_UNLOCK:-}" ]; then
    eval "$(printf %s "$AW_KEYRING_PW" | gnome-keyring-daemon --unlock --components=secrets)"
fi
exec "$AW_PYTHON" -c "$AW_CODE" "$@"
"""
# never talk to the developer's own bus, keyring daemon or display (a prompt would block)
_DROP_ENV = ("DBUS_SESSION_BUS_ADDRESS", "DISPLAY", "WAYLAND_DISPLAY", "GNOME_KEYRING_CONTROL",
             "SSH_AUTH_SOCK", "PYTHON_KEYRING_BACKEND", "XDG_RUNTIME_DIR")


def keyring_env(root: Path, backend: str, secret: str) -> dict[str, str]:
    home = root / "home"
    run = root / "run"
    run.mkdir(mode=0o700, parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in _DROP_ENV}
    pythonpath = [str(REPO / "daemon"), *filter(None, [os.environ.get("PYTHONPATH")])]
    env.update(
        HOME=str(home),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_RUNTIME_DIR=str(run),
        PYTHONPATH=os.pathsep.join(pythonpath),
        PYTHON_KEYRING_BACKEND=backend,
        AW_PYTHON=sys.executable,
        AW_CODE=SESSION_PY,
        AW_SECRET=secret,
        AW_KEYRING_PW="login-keyring-password",
    )
    return env


def parse_result(proc: subprocess.CompletedProcess[str]) -> dict:
    assert proc.returncode == 0, (
        f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.fixture
def secret_service():
    missing = [t for t in ("dbus-run-session", "gnome-keyring-daemon") if not shutil.which(t)]
    if missing:
        pytest.fail(f"{' and '.join(missing)} not found: `./tests/run` installs them "
                    "(Debian packages dbus and gnome-keyring)", pytrace=False)

    def run(env: dict[str, str], *args: str, unlock: bool) -> dict:
        env = {**env, "AW_UNLOCK": "1" if unlock else ""}
        proc = subprocess.run(["dbus-run-session", "--", "bash", "-c", SESSION_SH, "bash", *args],
                              env=env, capture_output=True, text=True, timeout=60, check=False)
        return parse_result(proc)

    return run


def assert_not_on_disk(root: Path, secret: str) -> list[Path]:
    files = [p for p in root.rglob("*") if p.is_file()]
    for path in files:
        data = path.read_bytes()
        assert secret.encode() not in data, path
        assert base64.b64encode(secret.encode()) not in data, path
    return files


@pytest.mark.integration
def test_secret_service_round_trip(tmp_path, secret_service):
    pw = new_secret()
    env = keyring_env(tmp_path, "keyring.backends.SecretService.Keyring", pw)

    first = secret_service(env, "store", unlock=True)
    assert first["status"] == [True, "SecretService Keyring: the collection 'Login' is unlocked"]
    assert first["backend"] == "SecretService Keyring"
    assert first["got"] == pw
    keyring_file = tmp_path / "home/.local/share/keyrings/login.keyring"
    assert keyring_file.is_file()
    assert_not_on_disk(tmp_path / "home", pw)

    # a new session: the keyring on disk is locked until it is unlocked again
    locked = secret_service(env, unlock=False)
    assert locked["status"][0] is False
    assert "the collection 'Login' is locked" in locked["status"][1]
    assert locked["error"].startswith(
        "account work: cannot read the password from the system keyring: the keyring is locked")
    assert "gnome-keyring-daemon --unlock" in locked["error"] and pw not in locked["error"]

    again = secret_service(env, unlock=True)
    assert again["got"] == pw


@pytest.mark.integration
def test_secret_service_without_a_login_keyring(tmp_path, secret_service):
    # gnome-keyring is D-Bus-activated, but creating the collection needs a prompter (a display)
    env = keyring_env(tmp_path, "keyring.backends.SecretService.Keyring", new_secret())
    result = secret_service(env, unlock=False)
    assert result["status"][0] is False
    assert "no default collection yet" in result["status"][1]
    assert "Prompt dismissed" in result["error"] and "Unlock your login keyring" in result["error"]


@pytest.mark.integration
def test_keyrings_alt_plaintext_round_trip(tmp_path):
    try:
        import keyrings.alt.file  # noqa: F401
    except ImportError:
        pytest.fail("keyrings.alt is not installed: install the test extra "
                    "(`pip install -e '.[test]'`, which `./tests/run` does)", pytrace=False)
    pw = new_secret()
    env = keyring_env(tmp_path, "keyrings.alt.file.PlaintextKeyring", pw)

    def run(*args: str) -> dict:
        return parse_result(subprocess.run([sys.executable, "-c", SESSION_PY, *args], env=env,
                                           capture_output=True, text=True, timeout=60,
                                           check=False))

    first = run("store")
    assert first["backend"] == "file PlaintextKeyring" and first["got"] == pw
    assert first["status"][0] is True and "NOT encrypted" in first["status"][1]
    assert run()["got"] == pw  # read back by a new process

    path = tmp_path / "home/.local/share/python_keyring/keyring_pass.cfg"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    data = path.read_bytes()
    assert pw.encode() not in data
    # ... but only base64-encoded: this is why it is a last resort
    assert base64.b64encode(pw.encode()) in data.replace(b"\n", b"")
