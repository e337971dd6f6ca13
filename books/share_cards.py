"""Share cards: the 1200 x 630 PNG that ``og:image`` and the Twitter card point to.

Drawn with Pillow from the cover (the uploaded one, or the generated design of
``books.covers``), the title and the authors. A card is drawn when it is first
asked for (``current_card``, behind the ``og:image`` address), and again only when
what it shows changes: its ``share_card_digest`` names the title, authors, cover
and main tag it was drawn from. Saving or importing a summary draws nothing.
"""

import hashlib
import io
import logging
from pathlib import Path
from textwrap import wrap

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import DEFAULT_DB_ALIAS, transaction
from PIL import Image, ImageDraw, ImageFont
from taggit.models import TaggedItem

from . import covers
from .models import Book, BookAuthor

logger = logging.getLogger(__name__)

SIZE = (1200, 630)
PAPER, INK, MUTED = "#fdfcf9", "#1d1d1f", "#55555a"
FONTS = Path("/usr/share/fonts/truetype/dejavu")
SITE_NAME = "Book summaries"


def _font(size, *, serif=True):
    """DejaVu where the system has it (it covers Cyrillic), else Pillow's own font."""
    name = "DejaVuSerif-Bold.ttf" if serif else "DejaVuSans.ttf"
    try:
        return ImageFont.truetype(str(FONTS / name), size)
    except OSError:
        return ImageFont.load_default(size=size)


def card_digest(book, author_names, tag_slug):
    """What a card shows, as a digest: the card is drawn again only when it changes."""
    parts = [book.title, *author_names, book.cover.name or "", tag_slug or ""]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _draw_generated_cover(image, box, cover):
    left, top, right, bottom = box
    scale = (right - left) / covers.WIDTH
    draw = ImageDraw.Draw(image)
    draw.rectangle(box, fill=cover.background)
    cover_image = Image.new("RGB", (right - left, bottom - top), cover.background)
    pen = ImageDraw.Draw(cover_image)
    width, height = cover_image.size
    step = int(24 * scale)
    if cover.pattern == "stripes":
        for x in range(0, width + height, int(28 * scale)):
            pen.line([(x, 0), (x - height * 0.4, height)], fill=cover.accent, width=int(10 * scale))
    elif cover.pattern == "dots":
        for y in range(step // 2, height, step):
            for x in range(step // 2, width, step):
                r = 4 * scale
                pen.ellipse([x - r, y - r, x + r, y + r], fill=cover.accent)
    elif cover.pattern == "rings":
        for r in range(int(24 * scale), int(320 * scale), int(26 * scale)):
            cx, cy = 170 * scale, 270 * scale
            pen.ellipse(
                [cx - r, cy - r, cx + r, cy + r], outline=cover.accent, width=int(8 * scale)
            )
    elif cover.pattern == "grid":
        for x in range(0, width, int(20 * scale)):
            pen.line([(x, 0), (x, height)], fill=cover.accent, width=int(3 * scale))
        for y in range(0, height, int(20 * scale)):
            pen.line([(0, y), (width, y)], fill=cover.accent, width=int(3 * scale))
    elif cover.pattern == "chevrons":
        for y in range(int(40 * scale), height + step * 2, int(34 * scale)):
            pen.line(
                [(0, y), (width / 2, y - 40 * scale), (width, y)],
                fill=cover.accent,
                width=int(9 * scale),
            )
    else:
        pen.rectangle([0, 0, 14 * scale, height], fill=cover.accent)
    font = _font(int(21 * scale))
    lines = cover.title_lines
    band_top = (78 - 34) * scale
    pen.rectangle(
        [12 * scale, band_top, 188 * scale, band_top + (25 * len(lines) + 26) * scale],
        fill=cover.background,
    )
    for index, line in enumerate(lines):
        pen.text(
            (24 * scale, (78 + index * 25) * scale), line, font=font, fill=cover.ink, anchor="ls"
        )
    pen.rectangle([12 * scale, 248 * scale, 188 * scale, 282 * scale], fill=cover.background)
    pen.text(
        (24 * scale, 270 * scale),
        cover.author_line,
        font=_font(int(13 * scale), serif=False),
        fill=cover.ink,
        anchor="ls",
    )
    image.paste(cover_image, (left, top))


def _paste_uploaded_cover(image, box, cover_file):
    left, top, right, bottom = box
    with cover_file.open("rb") as handle, Image.open(handle) as uploaded:
        uploaded = uploaded.convert("RGB")
        uploaded.thumbnail((right - left, bottom - top))
        image.paste(uploaded, (left + (right - left - uploaded.width) // 2, top))


def render_card(book, author_names, tag_slug):
    """The PNG bytes of ``book``'s share card."""
    image = Image.new("RGB", SIZE, PAPER)
    draw = ImageDraw.Draw(image)
    cover_box = (70, 60, 70 + 340, 60 + 510)
    if book.cover:
        try:
            _paste_uploaded_cover(image, cover_box, book.cover)
        except (OSError, ValueError):
            _draw_generated_cover(
                image, cover_box, covers.design(book.title, author_names, tag_slug)
            )
    else:
        _draw_generated_cover(image, cover_box, covers.design(book.title, author_names, tag_slug))
    text_left = 480
    title_font = _font(58)
    lines = wrap(book.title, 22) or [""]
    if len(lines) > 4:
        lines = [*lines[:3], lines[3][:20].rstrip() + "…"]
    y = 110
    for line in lines:
        draw.text((text_left, y), line, font=title_font, fill=INK)
        y += 72
    if author_names:
        names = ", ".join(author_names)
        for line in wrap(names, 36)[:2]:
            y += 10
            draw.text((text_left, y), line, font=_font(32, serif=False), fill=MUTED)
            y += 38
    draw.rectangle([text_left, 520, text_left + 60, 526], fill="#0b57d0")
    draw.text((text_left, 540), f"{SITE_NAME} · a summary", font=_font(28, serif=False), fill=INK)
    output = io.BytesIO()
    # Pillow's default compression: ``optimize=True`` made a card 5 % smaller and took 3.5
    # times as long to encode (52 ms against 14), which a bulk import pays once per summary.
    image.save(output, format="PNG")
    return output.getvalue()


def _cards_to_draw(book_ids):
    """``(book, author names, main tag's slug, digest)`` of each of ``book_ids`` whose card is
    missing or shows an older title, authors, cover or main tag. Read on the primary."""
    primary = Book.objects.using(DEFAULT_DB_ALIAS)
    books = list(primary.filter(pk__in=book_ids).order_by("pk"))
    if not books:
        return []
    names = {}
    for book_id, name in (
        BookAuthor.objects.using(DEFAULT_DB_ALIAS)
        .filter(book__in=books)
        .order_by("position")
        .values_list("book_id", "author__name")
    ):
        names.setdefault(book_id, []).append(name)
    tags = {}
    book_type = ContentType.objects.get_for_model(Book)
    for book_id, tag_id, slug in (
        TaggedItem.objects.using(DEFAULT_DB_ALIAS)
        .filter(content_type=book_type, object_id__in=[book.pk for book in books])
        .values_list("object_id", "tag_id", "tag__slug")
    ):
        if book_id not in tags or tag_id < tags[book_id][0]:
            tags[book_id] = (tag_id, slug)
    stale = []
    for book in books:
        author_names = names.get(book.pk, [])
        tag_slug = tags.get(book.pk, (None, None))[1]
        digest = card_digest(book, author_names, tag_slug)
        if digest != book.share_card_digest or not book.share_card:
            stale.append((book, author_names, tag_slug, digest))
    return stale


def refresh_share_cards(book_ids):
    """Draw the cards of ``book_ids`` whose title, authors, cover or main tag changed."""
    for book, author_names, tag_slug, digest in _cards_to_draw(book_ids):
        old = book.share_card.name if book.share_card else ""
        field = book.share_card
        name = field.storage.save(
            f"share-cards/{book.slug[:80]}-{digest[:12]}.png",
            ContentFile(render_card(book, author_names, tag_slug)),
        )
        # A plain update: the card is derived, not an edit (no new version, no signal).
        Book.objects.filter(pk=book.pk).update(share_card=name, share_card_digest=digest)
        if old and old != name:
            field.storage.delete(old)


def current_card(book_id):
    """The share card of the summary ``book_id`` as it is now: drawn first if it has none,
    or one of an older title, authors, cover or tag. None if it cannot be drawn.

    A current card is only read (on the primary, never a lagging replica); the row lock, a
    write lock on SQLite, is taken only to draw.
    """
    try:
        if _cards_to_draw([book_id]):
            with transaction.atomic():
                # Two readers asking at once take turns: the second finds the card drawn.
                Book.objects.select_for_update().filter(pk=book_id).exists()
                refresh_share_cards([book_id])
        card = Book.objects.using(DEFAULT_DB_ALIAS).only("share_card").get(pk=book_id).share_card
    except OSError:
        logger.exception("Could not draw the share card of summary %s", book_id)
        return None
    return card or None
