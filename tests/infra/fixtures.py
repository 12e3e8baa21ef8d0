"""pytest fixtures for the real test peers. Load with
``pytest_plugins = ["tests.infra.fixtures"]`` (in a test module or the root conftest.py).

* ``dovecot`` (session): one started server shared by the whole run.
* ``fresh_account``: a brand-new user on that server for each test (empty mailboxes).
* ``dovecot_factory``: start private servers (e.g. to kill or restart them, or with an
  expired certificate); all are stopped at the end of the test.
* ``notifications``: a NotificationSession (Xvfb + session bus + dunst) for one test.

A missing program fails the test with the setup command; nothing is ever skipped.
"""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from . import InfraSetupError
from .imapd import Account, Dovecot
from .notifyd import NotificationSession

_counter = itertools.count(1)


def _start_or_fail(starter: Callable[[], Any]) -> Any:
    try:
        return starter()
    except InfraSetupError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="session")
def dovecot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dovecot]:
    server = Dovecot(tmp_path_factory.mktemp("dovecot"))
    _start_or_fail(server.start)
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def fresh_account(dovecot: Dovecot) -> Account:
    """A new user (password "secret-<n>") whose mailboxes nobody else touches."""
    n = next(_counter)
    user = f"t{os.getpid()}-{n}-{uuid.uuid4().hex[:6]}"
    password = f"secret-{n}"
    dovecot.add_user(user, password)
    return Account(dovecot, user, password)


@pytest.fixture
def dovecot_factory(tmp_path: Path) -> Iterator[Callable[..., Dovecot]]:
    """``dovecot_factory(expired_cert=False, users=None)`` -> a started private Dovecot."""
    servers: list[Dovecot] = []

    def make(**kwargs: Any) -> Dovecot:
        server = Dovecot(tmp_path / f"dovecot{len(servers)}", **kwargs)
        servers.append(server)
        return _start_or_fail(server.start)

    try:
        yield make
    finally:
        for server in servers:
            server.close()


@pytest.fixture
def notifications(tmp_path: Path) -> Iterator[NotificationSession]:
    session = NotificationSession(tmp_path / "notify")
    _start_or_fail(session.start)
    try:
        yield session
    finally:
        session.close()
