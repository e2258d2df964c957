"""The LINE rich menu: four areas (用語を調べる / 事業一覧 / 使い方 / 問い合わせ), its image drawn from
code, and ``deploy`` (create → upload the image to the data host → make it the default → remove
the menus an earlier deploy left).

Every area sends a postback whose ``data`` the webhook understands (``bot/line/postback.py``), with
a ``displayText`` so that the chat shows what the citizen tapped.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import noto_cjk_sans_jp_regular
from linebot.v3.messaging import ApiClient, Configuration, MessagingApi, MessagingApiBlob, RichMenuRequest

NAME = "dxbot"  # deploy replaces every menu of this name, so running it twice leaves one
SIZE = (2500, 1686)  # the large size: a 2 × 2 grid keeps the labels big on a phone
CHAT_BAR = "メニュー"
# The default comes with dxbot: Noto Sans CJK JP, from the noto-cjk-sans-jp-regular wheel (SIL OFL).
# System fonts are the fallback for an install without it.
FONT_PATHS = (
    str(noto_cjk_sans_jp_regular.FONT_PATH),
    "/usr/share/fonts/opentype/ipafont-gothic/ipagp.ttf",  # Debian's fonts-ipafont-gothic
    "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf",
    "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
)
BACKGROUND = "#0B3F7A"  # white text on it: 10.4:1 (WCAG AAA)
CAPTION = "#DCE8F7"  # captions on the background: 8.4:1
DIVIDER = "#FFFFFF"


@dataclass(frozen=True)
class Area:
    label: str  # drawn on the image and used as the action's label
    caption: str  # the smaller line under it
    data: str  # the postback the webhook answers
    display: str  # what appears in the chat as the citizen's message


AREAS = (
    Area("用語を調べる", "DX の言葉の意味", "menu=terms", "用語を調べる"),
    Area("事業一覧", "取り組みの一覧", "menu=projects", "事業一覧"),
    Area("使い方", "聞き方の例", "menu=help", "使い方"),
    Area("問い合わせ", "市の担当窓口", "menu=contact", "問い合わせ"),
)


class FontMissing(RuntimeError):
    pass


def _cells() -> list[tuple[int, int, int, int]]:
    w, h = SIZE[0] // 2, SIZE[1] // 2
    return [(x * w, y * h, w, h) for y in range(2) for x in range(2)]


def definition(*, name: str = NAME) -> dict[str, Any]:
    """The rich menu object (the Messaging API's JSON), areas laid out as in the image."""
    return {
        "size": {"width": SIZE[0], "height": SIZE[1]}, "selected": True, "name": name, "chatBarText": CHAT_BAR,
        "areas": [{"bounds": {"x": x, "y": y, "width": w, "height": h},
                   "action": {"type": "postback", "label": a.label, "data": a.data, "displayText": a.display}}
                  for a, (x, y, w, h) in zip(AREAS, _cells(), strict=True)],
    }


def find_font(*, override: str | None = None, candidates: tuple[str, ...] = FONT_PATHS) -> Path:
    for candidate in ([override] if override else []) + list(candidates):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise FontMissing("No Japanese font for the rich menu image: reinstall dxbot (`uv sync` brings the "
                      "noto-cjk-sans-jp-regular font), set DXBOT_FONT to a .ttf/.otf with Japanese, "
                      "or deploy the shipped image with --image docs/line-richmenu.png.")


def _icon(draw: Any, kind: str, cx: int, cy: int, r: int) -> None:
    """Simple line icons, so the image needs nothing but Pillow and a font."""
    white, width = DIVIDER, max(6, r // 7)
    if kind == "menu=terms":  # a magnifying glass
        draw.ellipse((cx - r, cy - r, cx + r * 0.6, cy + r * 0.6), outline=white, width=width)
        draw.line((cx + r * 0.45, cy + r * 0.45, cx + r * 1.1, cy + r * 1.1), fill=white, width=width + 4)
    elif kind == "menu=projects":  # a list
        for i in range(3):
            y = cy - r + i * r
            draw.ellipse((cx - r, y - width, cx - r + 2 * width, y + width), fill=white)
            draw.line((cx - r + 4 * width, y, cx + r, y), fill=white, width=width)
    elif kind == "menu=help":  # a speech bubble
        draw.rounded_rectangle((cx - r, cy - r * 0.8, cx + r, cy + r * 0.6), radius=r // 3, outline=white, width=width)
        draw.polygon([(cx - r * 0.4, cy + r * 0.55), (cx - r * 0.6, cy + r * 1.1), (cx, cy + r * 0.55)], fill=white)
    else:  # an envelope
        draw.rectangle((cx - r, cy - r * 0.7, cx + r, cy + r * 0.7), outline=white, width=width)
        draw.line((cx - r, cy - r * 0.7, cx, cy + r * 0.1, cx + r, cy - r * 0.7), fill=white, width=width)


def draw_image(*, font_path: Path) -> bytes:
    """The menu as a PNG of exactly ``SIZE``: white labels on dark blue, one cell per area."""
    from PIL import Image, ImageDraw, ImageFont  # start-up cost: Pillow loads only to draw the menu

    image = Image.new("RGB", SIZE, BACKGROUND)
    draw = ImageDraw.Draw(image)
    label_font = ImageFont.truetype(str(font_path), 150)
    caption_font = ImageFont.truetype(str(font_path), 78)
    for area, (x, y, w, h) in zip(AREAS, _cells(), strict=True):
        cx = x + w // 2
        _icon(draw, area.data, cx, y + int(h * 0.30), 120)
        draw.text((cx, y + int(h * 0.62)), area.label, font=label_font, fill="#FFFFFF", anchor="mm")
        draw.text((cx, y + int(h * 0.80)), area.caption, font=caption_font, fill=CAPTION, anchor="mm")
    w, h = SIZE
    draw.line((w // 2, 40, w // 2, h - 40), fill=DIVIDER, width=6)
    draw.line((40, h // 2, w - 40, h // 2), fill=DIVIDER, width=6)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def image_bytes(*, image: Path | None = None, font: str | None = None) -> bytes:
    """The PNG to upload: ``image`` as given, else drawn now (font from DXBOT_FONT or the bundled one)."""
    if image is not None:
        return Path(image).read_bytes()
    return draw_image(font_path=find_font(override=font or os.environ.get("DXBOT_FONT")))


@dataclass(frozen=True)
class Deployed:
    rich_menu_id: str
    removed: tuple[str, ...]


def deploy(*, access_token: str, api_url: str, data_api_url: str, png: bytes, name: str = NAME) -> Deployed:
    """Create the menu, upload its image, make it every user's default, then delete older menus of
    the same name (after, so that no citizen is ever left without a menu)."""
    api = MessagingApi(ApiClient(Configuration(access_token=access_token, host=api_url)))
    blob = MessagingApiBlob(ApiClient(Configuration(access_token=access_token, host=data_api_url)))
    request = RichMenuRequest.from_dict(definition(name=name))
    old = [m.rich_menu_id for m in api.get_rich_menu_list().richmenus if m.name == name]
    created = api.create_rich_menu(request).rich_menu_id
    blob.set_rich_menu_image(created, png, _headers={"Content-Type": "image/png"})
    api.set_default_rich_menu(created)
    for menu_id in old:
        api.delete_rich_menu(menu_id)
    return Deployed(created, tuple(old))
