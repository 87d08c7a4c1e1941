"""Switching key identity (profile): each profile has its own workspace, and what the previous one left unsent
stays in that workspace, said in words (see :mod:`.settings`)."""

from __future__ import annotations

import logging

from .i18n import tr
from .settings import PluginSettings

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
