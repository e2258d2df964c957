"""``dxbot line richmenu deploy`` (and ``draw``): the rich menu through the Messaging API."""

from __future__ import annotations

from pathlib import Path

import click

from bot.config import Settings
from bot.line import richmenu


@click.group("line")
def line_group() -> None:
    """The LINE official account."""


@line_group.group("richmenu")
def richmenu_group() -> None:
    """The rich menu (用語を調べる / 事業一覧 / 使い方 / 問い合わせ)."""


@richmenu_group.command("draw")
@click.argument("output", type=click.Path(dir_okay=False, path_type=Path), default=Path("docs/line-richmenu.png"))
def richmenu_draw(output: Path) -> None:
    """Draw the menu's image to OUTPUT (default docs/line-richmenu.png)."""
    try:
        png = richmenu.image_bytes()
    except richmenu.FontMissing as exc:
        raise click.ClickException(str(exc)) from exc
    output.write_bytes(png)
    click.echo(f"{output}: {richmenu.SIZE[0]}×{richmenu.SIZE[1]} PNG, {len(png):,} bytes")


@richmenu_group.command("deploy")
@click.option("--image", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Upload this PNG instead of drawing one (e.g. docs/line-richmenu.png).")
@click.pass_obj
def richmenu_deploy(settings: Settings, image: Path | None) -> None:
    """Create the menu, upload its image, make it the default; replaces an earlier dxbot menu."""
    if not settings.line_channel_access_token:
        raise click.ClickException("LINE_CHANNEL_ACCESS_TOKEN is not set")
    try:
        png = richmenu.image_bytes(image=image)
    except richmenu.FontMissing as exc:
        raise click.ClickException(str(exc)) from exc
    result = richmenu.deploy(access_token=settings.line_channel_access_token, api_url=settings.line_api_url,
                             data_api_url=settings.line_data_api_url, png=png)
    click.echo(f"rich menu {result.rich_menu_id} is the default"
               + (f"; removed {', '.join(result.removed)}" if result.removed else ""))
