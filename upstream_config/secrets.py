"""Secrets from the environment, read and checked in one place.

A value is stripped of surrounding white space (a trailing newline from `echo` or a secrets file
is the usual slip) and must then be printable ASCII without spaces, which every HTTP header can
carry. Errors name the variable, never the value.
"""

import os


class SecretError(Exception):
    """A secret is missing or unusable; the message names the variable, not the value."""


def read_secret(variable: str, purpose: str) -> str:
    """The stripped value of `variable`; `purpose` names who needs it ("sync x: destination.secret_env")."""
    raw = os.environ.get(variable)
    if raw is None or not raw.strip():
        raise SecretError(f"{purpose} names {variable}, which is not set")
    return checked_secret(raw, variable, purpose)


def checked_secret(raw: str, variable: str, purpose: str) -> str:
    """`raw` stripped, or a SecretError if a header could not carry it."""
    value = raw.strip()
    if not value:
        raise SecretError(f"{purpose} names {variable}, which is empty")
    if any(not 0x21 <= ord(character) <= 0x7E for character in value):
        raise SecretError(
            f"{purpose} names {variable}, which holds a space, a control character or a non-ASCII "
            "character inside the value; no HTTP header can carry it (the value is not shown)"
        )
    return value


def optional_secret(variable: str, purpose: str) -> str | None:
    """Like read_secret, but None when `variable` is unset or blank (a feature that works without it)."""
    raw = os.environ.get(variable)
    if raw is None or not raw.strip():
        return None
    return checked_secret(raw, variable, purpose)
