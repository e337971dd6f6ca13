"""Staff-only endpoints behind the admin's Markdown editor: live preview and image upload."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import View

from .images import reencode_image
from .markdown import render_markdown


class StaffOnlyView(View):
    """Answers 403 to anyone who is not an active staff member (no redirect to a login page)."""

    http_method_names = ["post"]

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if not (user.is_active and user.is_staff):
            return JsonResponse(
                {"error": _("Only editors signed in to the admin may do this.")}, status=403
            )
        return super().dispatch(request, *args, **kwargs)


class MarkdownPreviewView(StaffOnlyView):
    """Render the editor's Markdown through the same sanitiser as the public pages."""

    def post(self, request):
        return HttpResponse(render_markdown(request.POST.get("content", "")))


class ImageUploadView(StaffOnlyView):
    """Accept a PNG, JPEG, WebP or GIF image, re-encode it and store it under a random name."""

    def post(self, request):
        upload = request.FILES.get("image")
        if upload is None:
            return JsonResponse({"image": [_("Choose an image file to upload.")]}, status=400)
        try:
            data, extension = reencode_image(upload)
        except ValidationError as error:
            return JsonResponse({"image": error.messages}, status=400)
        path = f"{settings.MARKDOWNX_MEDIA_PATH}{uuid.uuid4().hex}.{extension}"
        name = default_storage.save(path, ContentFile(data))
        return JsonResponse({"image_code": f"![]({default_storage.url(name)})"})
