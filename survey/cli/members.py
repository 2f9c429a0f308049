"""`kraftkartan members ...`: The member registry: import and list members."""

from __future__ import annotations

import click


@click.group("members", help="The member registry: import and list members.")
def members_group() -> None:
    pass
