"""Image checks for editor uploads: decode the file, never trust its name or content type."""

import io

from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp", "GIF": "gif"}
ACCEPTED_LABEL = "PNG, JPEG, WebP or GIF"


def _limit_label(size):
    return f"{size / (1024 * 1024):.0f} MB" if size >= 1024 * 1024 else f"{size // 1024} KB"


def check_image(file):
    """Decode ``file`` fully and return its Pillow format name; raise ValidationError otherwise."""
    max_bytes = settings.UPLOAD_IMAGE_MAX_BYTES
    if file.size is not None and file.size > max_bytes:
        raise ValidationError(
            f"The image is too large: the limit is {_limit_label(max_bytes)}.", code="too_large"
        )
    try:
        file.seek(0)
        with Image.open(file, formats=list(ACCEPTED_FORMATS)) as image:
            if image.width * image.height > settings.UPLOAD_IMAGE_MAX_PIXELS:
                raise ValidationError("The image has too many pixels.", code="too_many_pixels")
            image_format = image.format
            image.load()
    except ValidationError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        raise ValidationError(
            f"This file is not a readable image. Upload a {ACCEPTED_LABEL} file.",
            code="invalid_image",
        ) from None
    finally:
        file.seek(0)
    return image_format


def reencode_image(file):
    """Return ``(bytes, extension)``: the image re-encoded, without metadata or trailing bytes."""
    image_format = check_image(file)
    output = io.BytesIO()
    with Image.open(file, formats=[image_format]) as image:
        if image_format in {"GIF", "WEBP"} and getattr(image, "is_animated", False):
            image.save(output, image_format, save_all=True)
        elif image_format == "JPEG":
            ImageOps.exif_transpose(image).save(output, "JPEG", quality=90)
        else:
            image.save(output, image_format)
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
