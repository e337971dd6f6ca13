"""Image checks for editor uploads: decode the file, never trust its name or content type.

What decoding and re-encoding an image costs grows with its pixels, every frame of
an animation included: an 8-frame 6300x6300 GIF of 243 KB is 317 million pixels.
So the size in pixels is bounded before anything is decoded: a frame's area, the
number of frames and all the frames' pixels together (docs/operations.md has the
times).
"""

import io

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp", "GIF": "gif"}
ACCEPTED_LABEL = "PNG, JPEG, WebP or GIF"
_UNREADABLE = (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError,
               ValueError, EOFError)  # fmt: skip


def _limit_label(size):
    return f"{size / (1024 * 1024):.0f} MB" if size >= 1024 * 1024 else f"{size // 1024} KB"


def _unreadable():
    return ValidationError(
        _("This file is not a readable image. Upload a %(formats)s file."),
        code="invalid_image",
        params={"formats": ACCEPTED_LABEL},
    )


def _check_size(file):
    limit = settings.UPLOAD_IMAGE_MAX_BYTES
    if file.size is not None and file.size > limit:
        raise ValidationError(
            _("The image is too large: the limit is %(limit)s."),
            code="too_large",
            params={"limit": _limit_label(limit)},
        )


def _check_pixels(image):
    """Refuse an image whose decoding would cost too much, from its header alone."""
    area = image.width * image.height
    if area > settings.UPLOAD_IMAGE_MAX_PIXELS:
        raise ValidationError(_("The image has too many pixels."), code="too_many_pixels")
    # Counted without decoding: a GIF's frames are walked block by block (about 4 µs each).
    frames = getattr(image, "n_frames", 1)
    if frames > settings.UPLOAD_ANIMATION_MAX_FRAMES:
        raise ValidationError(
            _("The animation has too many frames: the limit is %(limit)d."),
            code="too_many_frames",
            params={"limit": settings.UPLOAD_ANIMATION_MAX_FRAMES},
        )
    if frames > 1 and area * frames > settings.UPLOAD_ANIMATION_MAX_PIXELS:
        raise ValidationError(
            _("The animation has too many pixels in all: make it smaller or shorter."),
            code="too_many_pixels",
        )


def check_image(file):
    """Decode ``file`` and return its Pillow format name; raise ValidationError otherwise."""
    _check_size(file)
    try:
        file.seek(0)
        with Image.open(file, formats=list(ACCEPTED_FORMATS)) as image:
            _check_pixels(image)
            image_format = image.format
            image.load()
    except ValidationError:
        raise
    except _UNREADABLE:
        raise _unreadable() from None
    finally:
        file.seek(0)
    return image_format


def reencode_image(file):
    """Return ``(bytes, extension)``: the image re-encoded, without metadata or trailing bytes.

    Decoded once: the bounds are checked from the header, then the encoder decodes
    as it writes.
    """
    _check_size(file)
    output = io.BytesIO()
    try:
        file.seek(0)
        with Image.open(file, formats=list(ACCEPTED_FORMATS)) as image:
            _check_pixels(image)
            image_format = image.format
            if image_format in {"GIF", "WEBP"} and getattr(image, "is_animated", False):
                image.save(output, image_format, save_all=True)
            elif image_format == "JPEG":
                ImageOps.exif_transpose(image).save(output, "JPEG", quality=90)
            elif image_format == "WEBP":
                # libwebp's fastest method: its default (4) takes 2.5 s on a 24-megapixel image.
                image.save(output, "WEBP", quality=85, method=0)
            else:
                image.save(output, image_format)
    except ValidationError:
        raise
    except _UNREADABLE:
        raise _unreadable() from None
    finally:
        file.seek(0)
    return output.getvalue(), ACCEPTED_FORMATS[image_format]


def validate_cover(file):
    """Model-field validator: a cover must be a decodable PNG, JPEG, WebP or GIF below the limit."""
    if file and not getattr(file, "_committed", True):
        check_image(file)


def image_extension(file):
    """The extension of the image format ``file`` really holds, whatever its name says."""
    try:
        file.seek(0)
        with Image.open(file, formats=list(ACCEPTED_FORMATS)) as image:
            return ACCEPTED_FORMATS[image.format]
    except (UnidentifiedImageError, OSError, ValueError):
        return "bin"
    finally:
        file.seek(0)
