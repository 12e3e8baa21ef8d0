"""Where `appealwatch init` sends notifications.  In a graphical session the desktop; on a
machine without one (a home server, a NAS, a VPS) it offers what reaches a phone: a note in the
INBOX (needs nothing), ntfy (a random topic on ntfy.sh, or your own server) or apprise."""

from __future__ import annotations

import argparse
import importlib.util
import os
import secrets
import shlex

from appealwatch.initoptions import NOTIFY_BACKENDS
from appealwatch.wizard.dialogue import Dialogue, split_list
from appealwatch.wizard.questions import Answers, check_command

NTFY_SERVER = "https://ntfy.sh"
PHONE_HELP = """\
No desktop session here: notifications can reach your phone instead.
  inbox    a short note put into this account's INBOX; your phone's mail app shows it
           (needs nothing else)
  ntfy     a push through ntfy (its app on Android or iOS, no account needed) to a topic
           only you know
  apprise  Telegram, Matrix, Signal, Slack, Pushover, e-mail, ... (one URL each; needs
           pip install 'appealwatch[push]')
  command  your own program, with each event as JSON on its stdin
  log      a line in the log (the journal under systemd)"""


def has_desktop(environ: os._Environ[str] | dict[str, str] | None = None) -> bool:
    """A session bus and a display: a desktop notification service can be there."""
    env = os.environ if environ is None else environ
    graphical = env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")
    return bool(env.get("DBUS_SESSION_BUS_ADDRESS") and graphical)


def default_notify(environ: os._Environ[str] | dict[str, str] | None = None) -> list[str]:
    return ["log", "desktop"] if has_desktop(environ) else ["log", "inbox"]


def random_topic_url() -> str:
    """A topic on ntfy.sh nobody can guess (ntfy topics are open to whoever knows the name)."""
    return f"{NTFY_SERVER}/appealwatch-{secrets.token_urlsafe(18)}"


def check_ntfy_url(text: str) -> str | None:
    from appealwatch.config import NotifyModel, push_problems

    problems = push_problems(NotifyModel(ntfy_url=text))
    return problems[0].removeprefix("notify.ntfy_url: ") if problems else None


def ask_notify(args: argparse.Namespace, d: Dialogue, a: Answers) -> None:
    if args.notify:
        a.notify = list(dict.fromkeys(args.notify))
    else:
        names = ", ".join(NOTIFY_BACKENDS)

        def check(answer: str) -> str | None:
            bad = [x for x in split_list(answer) if x not in NOTIFY_BACKENDS]
            return f"unknown: {', '.join(bad)} (choose from {names})" if bad else None

        if d.interactive and not has_desktop():
            print(PHONE_HELP)
        answer = d.value(None, "--notify", f"Notifications: {names} (several with commas)",
                         ", ".join(default_notify()), check=check)
        a.notify = list(dict.fromkeys(split_list(answer))) or ["log"]
    if "command" in a.notify:
        text = d.value(args.notify_command, "--notify-command",
                       "Command to run for each notification (the event is on its stdin)", None,
                       check=check_command)
        a.notify_command = shlex.split(text)
    if "ntfy" in a.notify:
        _ntfy(args, d, a)
    if "apprise" in a.notify:
        a.apprise_urls_command = d.value(
            args.apprise_urls_command, "--apprise-urls-command",
            "Command that prints your apprise URLs, one per line (e.g. pass show apprise)", None,
            check=check_command)
        if importlib.util.find_spec("apprise") is None:
            print("  apprise is not installed: pip install 'appealwatch[push]' (or "
                  "~/.local/share/appealwatch/venv/bin/pip install apprise after install.sh)")


def _ntfy(args: argparse.Namespace, d: Dialogue, a: Answers) -> None:
    suggested = random_topic_url()
    a.ntfy_url = d.value(args.ntfy_url, "--ntfy-url", "ntfy topic URL (the suggestion is a new "
                         "random topic on ntfy.sh)", suggested, check=check_ntfy_url)
    if a.ntfy_url == suggested:
        topic = suggested.rpartition("/")[2]
        print(f"  subscribe to the topic {topic} in the ntfy app (server ntfy.sh) to get "
              "the notifications; anyone who knows the name can read them, so keep it private")
    if args.ntfy_token_command is not None or d.interactive:
        a.ntfy_token_command = d.value(
            args.ntfy_token_command, "--ntfy-token-command", "Command that prints an access "
            "token for the topic (empty: none, or the keyring's ntfy:HOST)", None,
            check=check_command, required=False) or None
