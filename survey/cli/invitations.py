"""`kraftkartan invitations ...`: Email survey invitations and reminders."""

from __future__ import annotations

import click


@click.group("invitations", help="Email survey invitations and reminders.")
def invitations_group() -> None:
    pass
