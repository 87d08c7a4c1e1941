"""Switching key identity (profile): each profile has its own workspace, and what the previous one left unsent
stays in that workspace, said in words (see :mod:`.settings`)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from .i18n import tr
from .settings import ROLES, PluginSettings

log = logging.getLogger(__name__)

UNSENT_STATES = ("pending", "conflict")


def unsent_count(address: str) -> int:
    """Responses waiting in the outbox of the workspace ``address`` (0 when it does not exist or cannot be read)."""
    from .store.factory import open_store, workspace_exists

    if not address or not workspace_exists(address):
        return 0
    try:
        store = open_store(address)
    except Exception as exc:  # noqa: BLE001 - a note, not a failure
        log.warning("Cannot count the unsent responses in %s: %s", address, exc)
        return 0
    try:
        return len(store.outbox_entries(UNSENT_STATES))
    finally:
        store.close()


def profile_label(profile: str) -> str:
    """A profile in words: the role's name, and the department of an officer."""
    from .workflow import role_label

    role, _sep, department = profile.partition(":")
    return role_label(role) + (f" ({department})" if department else "")


def role_mismatch(key_role: str | None, profile: str, role_set: str, label: Callable[[str], str]) -> str:
    """A warning when the platform says the key belongs to another profile than the one set; '' otherwise
    (also when the platform does not say: third-party servers keep the role to themselves). ``role_set`` is the
    role chosen, in words; ``label`` names a role."""
    if not key_role:
        return ""
    role, _sep, department = key_role.partition(":")
    if role not in ROLES or key_role == profile:
        return ""
    said = label(role) + (f" ({department})" if department else "")
    return tr(
        "This key belongs to the role «{key}», but the role set below is «{set}». Choose the role of the key, "
        "or the key of the role: the platform will only allow what the key's role may do."
    ).format(key=said, set=role_set)


def switch_note(before: PluginSettings, after: PluginSettings) -> str:
    """What the user should know after the profile changed ('' when the workspace stays the same)."""
    from .store.factory import describe

    if before.workspace == after.workspace:
        return ""
    text = tr("The role «{profile}» works in its own workspace: {path}.").format(
        profile=profile_label(after.profile), path=describe(after.workspace)
    )
    unsent = unsent_count(before.workspace)
    if unsent:
        text += " " + tr(
            "{n} responses made as «{profile}» are not sent yet: they are kept in {path} and are sent when you "
            "switch back to that role."
        ).format(n=unsent, profile=profile_label(before.profile), path=describe(before.workspace))
    return text
