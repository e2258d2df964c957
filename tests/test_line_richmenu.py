"""`dxbot line richmenu deploy` against the fake Messaging API and data host, in a process of its own."""

from __future__ import annotations

import io

import pytest
from linebot.v3.messaging import RichMenuRequest
from PIL import Image, ImageChops

from bot.line import richmenu
from tests.fakes import REPO, cli_env, dxbot, line_api, line_data_api


def deploy_env(db_path, api, data) -> dict[str, str]:
    return cli_env(db_path, LINE_CHANNEL_SECRET="s", LINE_CHANNEL_ACCESS_TOKEN="line-token",
                   LINE_API_URL=api.url, LINE_DATA_API_URL=data.url)


def test_deploy_creates_uploads_sets_default_and_replaces_the_old_menu(db_path) -> None:
    api, data = line_api(), line_data_api()
    try:
        first = dxbot("line", "richmenu", "deploy", env=deploy_env(db_path, api, data))
        assert first.returncode == 0, first.stderr
        assert [(c.method, c.path) for c in api.calls] == [
            ("GET", "/v2/bot/richmenu/list"), ("POST", "/v2/bot/richmenu"),
            ("POST", "/v2/bot/user/all/richmenu/richmenu-0001")]
        assert all(c.headers["authorization"] == "Bearer line-token" for c in api.calls)
        menu = api.to("/v2/bot/richmenu")[0].json
        RichMenuRequest.from_dict(menu)  # the SDK's model accepts what was sent
        assert menu["name"] == "dxbot" and menu["size"] == {"width": 2500, "height": 1686}
        labels = [a["action"]["label"] for a in menu["areas"]]
        assert labels == ["用語を調べる", "事業一覧", "使い方", "問い合わせ"]
        assert all(a["action"]["type"] == "postback" for a in menu["areas"])

        # The image goes to the data host, as a PNG of the menu's exact size.
        upload = data.to("/v2/bot/richmenu/richmenu-0001/content")
        assert len(upload) == 1 and upload[0].headers["content-type"] == "image/png"
        png = Image.open(io.BytesIO(upload[0].body))
        assert png.format == "PNG" and png.size == (2500, 1686)
        assert api.richmenu_state["default"] == "richmenu-0001"

        # Deploying again leaves one dxbot menu: the new one is the default, the old one is gone.
        second = dxbot("line", "richmenu", "deploy", env=deploy_env(db_path, api, data))
        assert second.returncode == 0, second.stderr
        assert "removed richmenu-0001" in second.stdout
        assert list(api.richmenus) == ["richmenu-0002"] and api.richmenu_state["default"] == "richmenu-0002"
        assert [c.method for c in api.calls[3:]] == ["GET", "POST", "POST", "DELETE"]  # delete only after the switch
    finally:
        api.close()
        data.close()


def test_deploy_without_a_token_says_so(db_path) -> None:
    r = dxbot("line", "richmenu", "deploy", env=cli_env(db_path))
    assert r.returncode != 0 and "LINE_CHANNEL_ACCESS_TOKEN" in r.stderr


def test_the_image_has_the_menu_size_and_its_areas_tile_it() -> None:
    png = Image.open(io.BytesIO(richmenu.draw_image(font_path=richmenu.find_font())))
    assert png.size == richmenu.SIZE
    areas = [a["bounds"] for a in richmenu.definition()["areas"]]
    assert sum(b["width"] * b["height"] for b in areas) == richmenu.SIZE[0] * richmenu.SIZE[1]
    # Labels are drawn: each cell has white text pixels on the dark background.
    rgb = png.convert("RGB")
    for b in areas:
        cell = rgb.crop((b["x"], b["y"] + b["height"] // 2, b["x"] + b["width"], b["y"] + b["height"] * 3 // 4))
        assert cell.convert("L").getextrema()[1] == 255  # white label pixels on the dark cell


def test_the_shipped_image_matches_the_code() -> None:
    shipped = Image.open(REPO / "docs" / "line-richmenu.png").convert("L")
    assert shipped.size == richmenu.SIZE
    drawn = Image.open(io.BytesIO(richmenu.draw_image(font_path=richmenu.find_font()))).convert("L")
    # Tolerant of a font renderer's anti-aliasing, not of a changed label (one caption is ~0.3%).
    changed = ImageChops.difference(shipped, drawn).point(lambda v: 255 if v > 64 else 0).histogram()[255]
    assert changed / (shipped.size[0] * shipped.size[1]) < 0.001, \
        "docs/line-richmenu.png is stale: run `dxbot line richmenu draw`"


def test_a_missing_font_is_named_with_the_fix(tmp_path) -> None:
    with pytest.raises(richmenu.FontMissing, match="noto-cjk-sans-jp-regular"):
        richmenu.find_font(override=str(tmp_path / "nope.ttf"), candidates=(str(tmp_path / "absent.ttf"),))
