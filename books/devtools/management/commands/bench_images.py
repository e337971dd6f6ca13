"""``bench_images``: how long the upload checks take on the costliest images, accepted or refused.

Builds images in memory at the limits and beyond them (an 8-frame 6300x6300 GIF of
243 KB, animations at the total-pixel limit, still images at the per-image limit in
each format) and times ``reencode_image`` on each, as the editor's upload endpoint
runs it. Every upload of at most 5 MB must be processed or refused within 2 s.
"""

import io
import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from PIL import Image

from books.images import reencode_image

TARGET_SECONDS = 2.0


def _animation(image_format, frames, side):
    images = [
        Image.new("RGB", (side, side), (40 * n % 256, 255 - 40 * n % 256, 90))
        for n in range(frames)
    ]
    buffer = io.BytesIO()
    images[0].save(buffer, image_format, save_all=True, append_images=images[1:])
    return buffer.getvalue()


def _still(image_format, side):
    """A photo-sized image that still fits in an upload: smooth gradients, lightly noisy."""
    gradient = Image.linear_gradient("L").resize((side, side))
    noise = Image.effect_noise((side, side), 8)
    image = Image.merge("RGB", (gradient, noise, gradient.transpose(Image.Transpose.ROTATE_90)))
    buffer = io.BytesIO()
    options = {"quality": 85} if image_format in {"JPEG", "WEBP"} else {}
    image.save(buffer, image_format, **options)
    return buffer.getvalue()


class Command(BaseCommand):
    """Time the upload checks on the costliest images."""

    help = "Time reencode_image on hostile and limit-sized images; each must take at most 2 s."

    def handle(self, *args, **options):
        pixels = settings.UPLOAD_IMAGE_MAX_PIXELS
        frames_total = settings.UPLOAD_ANIMATION_MAX_PIXELS
        still_side = int(pixels**0.5)
        frame_side = int((frames_total / 8) ** 0.5)
        cases = [
            ("GIF, 8 frames of 6300x6300 (the attack)", "gif", _animation("GIF", 8, 6300)),
            ("GIF, 8 frames of 4500x4500", "gif", _animation("GIF", 8, 4500)),
            (f"GIF, 8 frames of {frame_side}x{frame_side} (at the limit)", "gif",
             _animation("GIF", 8, frame_side)),
            (f"WebP, 8 frames of {frame_side}x{frame_side} (at the limit)", "webp",
             _animation("WEBP", 8, frame_side)),
            (f"GIF, {settings.UPLOAD_ANIMATION_MAX_FRAMES + 1} frames of 8x8", "gif",
             _animation("GIF", settings.UPLOAD_ANIMATION_MAX_FRAMES + 1, 8)),
        ]  # fmt: skip
        for image_format, extension in (("PNG", "png"), ("JPEG", "jpg"), ("WEBP", "webp")):
            cases.append(
                (f"{image_format}, {still_side}x{still_side} (at the limit)", extension,
                 _still(image_format, still_side))
            )  # fmt: skip
        self.stdout.write(
            f"bench_images: limits {pixels:,} pixels an image, {frames_total:,} pixels and "
            f"{settings.UPLOAD_ANIMATION_MAX_FRAMES} frames an animation, "
            f"{settings.UPLOAD_IMAGE_MAX_BYTES / 2**20:.0f} MB a file"
        )
        worst = 0.0
        for label, extension, data in cases:
            upload = SimpleUploadedFile(f"upload.{extension}", data)
            start = time.perf_counter()
            try:
                output, _ = reencode_image(upload)
                outcome = f"processed ({len(output) / 2**20:.1f} MB out)"
            except ValidationError as error:
                outcome = f"refused: {error.messages[0]}"
            seconds = time.perf_counter() - start
            if len(data) <= settings.UPLOAD_IMAGE_MAX_BYTES:
                worst = max(worst, seconds)
            self.stdout.write(f"  {label}: {len(data) / 2**20:.2f} MB, {seconds:.2f} s, {outcome}")
        verdict = "PASS" if worst <= TARGET_SECONDS else "MISS"
        self.stdout.write(
            f"target every upload of at most 5 MB processed or refused in ≤ {TARGET_SECONDS:.0f} s:"
            f" slowest {worst:.2f} s {verdict}"
        )
