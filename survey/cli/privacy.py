"""`kraftkartan privacy ...`: Members' data: export, erasure and purging old answers."""

from __future__ import annotations

import click


@click.group("privacy", help="Members' data: export, erasure and purging old answers.")
def privacy_group() -> None:
    pass
