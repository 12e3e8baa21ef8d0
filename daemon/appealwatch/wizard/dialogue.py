"""The dialogue of `appealwatch init`: every answer from an option, else asked with a default,
else (with --non-interactive) an error naming the option.  All questions go through one
``ask(prompt, default) -> answer`` and the password through one ``read_secret(prompt)``, so
tests and other front ends can drive it."""

from __future__ import annotations

import getpass
import re
import sys
from collections.abc import Callable, Sequence
from typing import Any

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2
MAX_ATTEMPTS = 3  # a question asked again after a bad answer, at most this often

Ask = Callable[[str, str | None], str]
ReadSecret = Callable[[str], str]


class WizardError(Exception):
    """A problem stated in one sentence; ``exit_code`` 2 for a bad or missing answer."""

    def __init__(self, message: str, exit_code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def split_list(text: str) -> list[str]:
    return [x.strip().lower() for x in re.split(r"[,\s]+", text) if x.strip()]



def ask_stdin(prompt: str, default: str | None) -> str:
    """Ask on stdout, read one line from stdin; an empty answer takes the default."""
    shown = f"{prompt} [{default}]: " if default else f"{prompt}: "
    if sys.stdin.isatty():
        answer = input(shown)
    else:
        sys.stdout.write(shown)
        sys.stdout.flush()
        line = sys.stdin.readline()
        if not line:
            raise EOFError
        sys.stdout.write("\n")
        answer = line
    return answer.strip() or (default or "")


def read_secret_stdin(prompt: str) -> str:
    """A password: from the terminal without echo, or the next line of a piped stdin."""
    if sys.stdin.isatty():
        return getpass.getpass(f"{prompt}: ")
    sys.stdout.write(f"{prompt}: \n")
    sys.stdout.flush()
    line = sys.stdin.readline()
    if not line:
        raise EOFError
    return line.rstrip("\r\n")


class Dialogue:
    """The answers: from an option, else asked (with a default), else an error."""

    def __init__(self, interactive: bool, ask: Ask, read_secret: ReadSecret) -> None:
        self.interactive = interactive
        self._ask = ask
        self._read_secret = read_secret

    def ask(self, prompt: str, default: str | None, flag: str) -> str:
        try:
            return self._ask(prompt, default)
        except EOFError:
            raise WizardError(f"standard input ended before the question {prompt!r} was "
                              f"answered; give {flag} or answer every question") from None

    def value(self, given: Any, flag: str, prompt: str, default: str | None, *,
              check: Callable[[str], str | None] | None = None, required: bool = True,
              what: str | None = None) -> str:
        """``given`` if set (checked), else the answer to ``prompt``; with --non-interactive
        the default, or an error naming ``flag`` when there is none."""
        if given is not None:
            text = str(given)
            problem = check(text) if check else None
            if problem:
                raise WizardError(f"{flag}: {problem}")
            return text
        if not self.interactive:
            if default is None and required:
                what = what or prompt[:1].lower() + prompt[1:]
                raise WizardError(f"{flag} is required with --non-interactive ({what})")
            return default or ""
        for _ in range(MAX_ATTEMPTS):
            answer = self.ask(prompt, default, flag).strip()
            if not answer and required:
                print("  an answer is needed")
                continue
            problem = check(answer) if check and answer else None
            if problem:
                print(f"  {problem}")
                continue
            return answer
        raise WizardError(f"no usable answer to {prompt!r}; give {flag}")

    def choose(self, prompt: str, options: Sequence[str], default: str, flag: str) -> str:
        def check(answer: str) -> str | None:
            return None if answer.lower() in options else f"answer one of {', '.join(options)}"

        return self.value(None, flag, f"{prompt} ({'/'.join(options)})", default,
                          check=check).lower()

    def confirm(self, prompt: str, default: bool, flag: str) -> bool:
        def check(answer: str) -> str | None:
            return None if answer.lower() in ("y", "yes", "n", "no") else "answer y or n"

        answer = self.value(None, flag, f"{prompt} (y/n)", "y" if default else "n", check=check)
        return answer.lower().startswith("y")

    def secret(self, prompt: str, flag: str) -> str:
        try:
            return self._read_secret(prompt)
        except EOFError:
            raise WizardError(f"standard input ended before the password was given; use "
                              f"{flag}") from None


