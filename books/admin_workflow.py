"""The editors' workflow in the admin: publishing, history, restores, conflicts and share links."""

import json

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.models import LogEntry
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from reversion.admin import VersionAdmin
from reversion.models import Version

from . import presence
from .models import ShareLink, StaleSummaryError, Status
from .preview import create_share_link, revoke_share_link, share_expires_at
from .summaries import writing
from .summaries.completeness import (
    checklist,
    complete,
    incomplete,
    section_word_counts,
    with_completeness,
)
from .summaries.history import (
    RestoreError,
    changes_since,
    compare_versions,
    restore,
    summary_document,
)
from .summaries.revisions import revision_objects, versions_of

CONFLICT_MESSAGE = _(
    "Someone else saved this summary after you opened it, so your changes were not saved "
    "and theirs are kept. See what changed below, then open the summary again and re-apply "
    "your edits."
)


def change_comment(change_message):
    """The admin's change message (a list of changes) as the text its history shows."""
    return LogEntry(change_message=json.dumps(change_message)).get_change_message()


# The buttons of the summary's page (templates/admin/books/book/submit_line.html).
SAVE_DRAFT, PUBLISH_NOW, SCHEDULE = "_save_draft", "_publish_now", "_schedule"
PUBLISHING_BUTTONS = (SAVE_DRAFT, PUBLISH_NOW, SCHEDULE)


class SummaryForm(forms.ModelForm):
    """The summary's main form: the publishing buttons, and no save from an outdated copy."""

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    schedule_at = forms.DateTimeField(
        required=False,
        label=_("Publish at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        help_text=_("A future time: the summary becomes public then."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conflict = None
        if self.instance.pk:
            self.fields["loaded_version"].initial = self.instance.version

    def clean_tags(self):
        from .tags import canonical_tag_names

        return canonical_tag_names(self.cleaned_data.get("tags") or [])

    def validate_constraints(self):
        # The unpublication time is checked in ``clean()``, next to its field.
        exclude = self._get_validation_exclusions() | {"unpublish_at"}
        try:
            self.instance.validate_constraints(exclude=exclude)
        except ValidationError as error:
            self._update_errors(error)

    def _apply_button(self, cleaned_data):
        """Set the status and dates the pressed button asks for."""
        now = timezone.now()
        if SAVE_DRAFT in self.data:
            cleaned_data["status"] = Status.DRAFT
        elif PUBLISH_NOW in self.data:
            cleaned_data["status"] = Status.PUBLISHED
            published_at = cleaned_data.get("published_at")
            if published_at is None or published_at > now:
                cleaned_data["published_at"] = now
        elif SCHEDULE in self.data:
            when = cleaned_data.get("schedule_at")
            if when is None or when <= now:
                self.add_error("schedule_at", _("Choose a time in the future to schedule for."))
                return
            cleaned_data["status"] = Status.PUBLISHED
            cleaned_data["published_at"] = when
        # "Published" with no date means now, as the field's help says.
        undated = not cleaned_data.get("published_at") and "published_at" not in self.errors
        if cleaned_data.get("status") == Status.PUBLISHED and undated:
            cleaned_data["published_at"] = now

    def clean(self):
        cleaned_data = super().clean()
        self._apply_button(cleaned_data)
        published_at, unpublish_at = (
            cleaned_data.get("published_at"),
            cleaned_data.get("unpublish_at"),
        )
        if published_at and unpublish_at and unpublish_at <= published_at:
            self.add_error(
                "unpublish_at", _("The unpublication time must come after the publication time.")
            )
        if self.instance.pk is None:
            return cleaned_data
        # The summary is saved at the version the editor opened; checking it now, in
        # the admin's transaction, shows a conflict in the form instead of failing
        # the save. The row stays locked, so a concurrent save waits for this one.
        loaded = cleaned_data.get("loaded_version")
        self.instance.version = loaded
        try:
            self.instance.check_version()
        except StaleSummaryError:
            self.conflict = changes_since(self.instance, loaded)
            raise ValidationError(CONFLICT_MESSAGE, code="stale") from None
        return cleaned_data


class VisibilityFilter(admin.SimpleListFilter):
    """Filter summaries by what readers see: public now, scheduled for later, or draft."""

    title = _("visibility")
    parameter_name = "visibility"

    def lookups(self, request, model_admin):
        return [
            ("public", _("Public")),
            ("scheduled", _("Scheduled")),
            ("withdrawn", _("Unpublished on schedule")),
            ("draft", _("Draft")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "public":
            return queryset.published()
        if self.value() == "scheduled":
            return queryset.scheduled()
        if self.value() == "withdrawn":
            return queryset.withdrawn()
        if self.value() == "draft":
            return queryset.filter(status=Status.DRAFT)
        return queryset


class CompletenessFilter(admin.SimpleListFilter):
    """Filter summaries by the completeness checklist (``with_completeness``)."""

    title = _("completeness")
    parameter_name = "completeness"

    def lookups(self, request, model_admin):
        return [("complete", _("Complete")), ("incomplete", _("Something missing"))]

    def queryset(self, request, queryset):
        if self.value() == "complete":
            return complete(queryset)
        if self.value() == "incomplete":
            return incomplete(queryset)
        return queryset


class EditorialAdminMixin(VersionAdmin):
    """Adds publishing actions, the summary's history (diff, one-click restore) and share links."""

    form = SummaryForm
    change_form_template = "admin/books/book/change_form.html"
    object_history_template = "admin/books/book/object_history.html"
    actions = ["publish", "unpublish"]

    # --- List --------------------------------------------------------------------------

    @admin.display(description=_("Publication"), ordering="published_at")
    def publication(self, book):
        if book.published_at is None:
            return "—"
        when = timezone.localtime(book.published_at).strftime("%Y-%m-%d %H:%M")
        if book.is_scheduled:
            return format_html(
                '<strong class="scheduled">{}</strong>', _("Scheduled for %s") % when
            )
        if book.is_withdrawn:
            until = timezone.localtime(book.unpublish_at).strftime("%Y-%m-%d %H:%M")
            return format_html("{} <em>{}</em>", when, _("(unpublished %s)") % until)
        return when

    @admin.display(description=_("Complete"))
    def completeness(self, book):
        if not hasattr(book, "done_cover"):
            return "—"
        items = checklist(book)
        if items.complete:
            return format_html('<span class="checklist-done">✓ {}</span>', _("Complete"))
        missing = ", ".join(str(check.label) for check in items.missing)
        return format_html(
            '<span class="checklist-missing" title="{}">{}/{} · {}</span>',
            _("Missing: %s") % missing,
            items.done_count,
            len(items.checks),
            _("missing: %s") % missing,
        )

    @admin.action(description=_("Publish selected summaries"), permissions=["change"])
    def publish(self, request, queryset):
        published, scheduled = 0, 0
        for book in queryset.filter(status=Status.DRAFT):
            book.status = Status.PUBLISHED
            with writing(
                user=request.user, comment=gettext("Published from the list of summaries.")
            ) as w:
                w.save([book])
            if book.is_scheduled:
                scheduled += 1
            else:
                published += 1
        if published:
            self.message_user(
                request,
                ngettext(
                    "%(count)d summary published: readers see it now.",
                    "%(count)d summaries published: readers see them now.",
                    published,
                )
                % {"count": published},
            )
        if scheduled:
            self.message_user(
                request,
                ngettext(
                    "%(count)d summary scheduled: it appears at its publication date.",
                    "%(count)d summaries scheduled: they appear at their publication date.",
                    scheduled,
                )
                % {"count": scheduled},
            )
        if not published and not scheduled:
            self.message_user(
                request, _("The selected summaries were already published."), messages.WARNING
            )

    @admin.action(
        description=_("Unpublish selected summaries (back to draft)"), permissions=["change"]
    )
    def unpublish(self, request, queryset):
        count = 0
        for book in queryset.exclude(status=Status.DRAFT):
            book.status = Status.DRAFT
            with writing(
                user=request.user, comment=gettext("Unpublished from the list of summaries.")
            ) as w:
                w.save([book])
            count += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d summary is a draft again, hidden from readers.",
                "%(count)d summaries are drafts again, hidden from readers.",
                count,
            )
            % {"count": count},
        )

    def changelist_view(self, request, extra_context=None):
        # reversion wraps the whole list page in one revision; the actions above
        # record each summary they change as a revision of its own instead, so that
        # each can be restored on its own.
        context = {"has_change_permission": self.has_change_permission(request)}
        return super(VersionAdmin, self).changelist_view(request, context | (extra_context or {}))

    # --- Saving: through the write path (books/summaries/saving.py) ---------------------

    # Not reversion's revision around the whole page: the write path records the revision.
    def add_view(self, request, form_url="", extra_context=None):
        return super(VersionAdmin, self).add_view(request, form_url, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return super(VersionAdmin, self).change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        """Saved with its inlines in ``save_related``, through the write path."""

    def save_related(self, request, form, formsets, change):
        save_inlines = super().save_related
        with writing(user=request.user) as write:
            write.save(
                [form.instance], write_rows=lambda: save_inlines(request, form, formsets, change)
            )
            write.comment = change_comment(
                self.construct_change_message(request, form, formsets, not change)
            )

    def _stay_on_page(self, request):
        if any(button in request.POST for button in PUBLISHING_BUTTONS):
            request.POST = request.POST.copy()
            request.POST["_continue"] = "1"

    def response_add(self, request, obj, post_url_continue=None):
        self._stay_on_page(request)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        self._stay_on_page(request)
        return super().response_change(request, obj)

    # --- URLs -----------------------------------------------------------------------------

    def get_urls(self):
        opts = self.model._meta
        name = f"{opts.app_label}_{opts.model_name}"
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/history/compare/",
                view(self.compare_view),
                name=f"{name}_compare",
            ),
            path(
                "<path:object_id>/history/<int:version_id>/restore/",
                view(self.restore_view),
                name=f"{name}_restore",
            ),
            path("<path:object_id>/share/", view(self.share_view), name=f"{name}_share"),
            path(
                "<path:object_id>/share/<int:link_id>/revoke/",
                view(self.revoke_share_view),
                name=f"{name}_share_revoke",
            ),
            path("<path:object_id>/editing/", view(self.editing_view), name=f"{name}_editing"),
            *super().get_urls(),
        ]

    def _url(self, view_name, *args):
        opts = self.model._meta
        return reverse(
            f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_{view_name}", args=args
        )

    def _context(self, request, book, title, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "app_label": self.model._meta.app_label,
            "original": book,
            "object": book,
            "title": title,
            "subtitle": None,
            **extra,
        }

    def _book_or_404(self, request, object_id):
        book = self.get_object(request, unquote(object_id))
        if book is None:
            raise Http404(_("No summary with this id."))
        return book

    # --- History ----------------------------------------------------------------------------

    def history_view(self, request, object_id, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        versions = list(versions_of(unquote(object_id))[:200])
        context = {
            "versions": versions,
            "can_restore": self.has_change_permission(request),
            **(extra_context or {}),
        }
        return admin.ModelAdmin.history_view(self, request, object_id, context)

    def compare_view(self, request, object_id):
        """The differences between two recorded versions, or between one and the summary now."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        book = self._book_or_404(request, object_id)
        versions = versions_of(book.pk)
        old = self._version_param(request, versions, "from")
        new = self._version_param(request, versions, "to")
        if old is None:
            messages.error(request, _("Choose a version to compare."))
            return HttpResponseRedirect(self._url("history", quote(book.pk)))
        if new is not None and new.revision.date_created < old.revision.date_created:
            old, new = new, old
        context = self._context(
            request,
            book,
            _("Changes to “%s”") % book,
            old=old,
            new=new,
            hunks=compare_versions(old, new),
            can_restore=self.has_change_permission(request),
        )
        return TemplateResponse(request, "admin/books/book/compare.html", context)

    @staticmethod
    def _version_param(request, versions, name):
        value = request.GET.get(name, "")
        if not value.isdigit() or len(value) > 18:
            return None
        return versions.filter(pk=int(value)).first()

    def restore_view(self, request, object_id, version_id):
        """Put the summary back as it was in one recorded version (a POST from the history)."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        book = self._book_or_404(request, object_id)
        version = get_object_or_404(versions_of(book.pk), pk=version_id)
        if request.method != "POST":
            return HttpResponseRedirect(
                self._url("compare", quote(book.pk)) + f"?from={version.pk}"
            )
        return self._restore(request, version, self._url("history", quote(book.pk)))

    def _restore(self, request, version, failure_url):
        try:
            book = restore(version, user=request.user)
        except RestoreError as error:
            messages.error(request, str(error))
            return HttpResponseRedirect(failure_url)
        messages.success(
            request,
            _(
                "Restored “%(summary)s” as it was on %(when)s. "
                "The restore is in the history too, so it can be undone."
            )
            % {
                "summary": book,
                "when": f"{timezone.localtime(version.revision.date_created):%Y-%m-%d %H:%M}",
            },
        )
        for note in getattr(book, "restore_notes", []):
            messages.warning(request, note)
        return HttpResponseRedirect(self._url("change", quote(book.pk)))

    def revision_view(self, request, object_id, version_id, extra_context=None):
        """reversion's own page for one version: shown as its differences from now."""
        return HttpResponseRedirect(self._url("compare", object_id) + f"?from={int(version_id)}")

    def recover_view(self, request, version_id, extra_context=None):
        """Bring back a deleted summary as it was last recorded: confirm, then restore."""
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        version = get_object_or_404(Version.objects.get_deleted(self.model), pk=version_id)
        if request.method == "POST":
            return self._restore(request, version, self._url("recoverlist"))
        context = self._context(
            request,
            None,
            _("Recover “%s”") % version.object_repr,
            version=version,
            document=summary_document(revision_objects(version.revision)),
        )
        return TemplateResponse(request, "admin/books/book/recover_form.html", context)

    # --- Share links ------------------------------------------------------------------------

    def share_view(self, request, object_id):
        """Make a link that lets someone without an account read this summary (a POST), and
        list the live ones."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        book = self._book_or_404(request, object_id)
        if request.method == "POST" and not book.is_public:
            link = create_share_link(book, user=request.user)
            messages.success(request, _("A new share link was made: copy it below."))
            return HttpResponseRedirect(self._url("share", quote(book.pk)) + f"?new={link.pk}")
        links = list(book.share_links.live().select_related("created_by"))
        for link in links:
            link.url = request.build_absolute_uri(link.get_absolute_url())
        new = request.GET.get("new", "")
        context = self._context(
            request,
            book,
            _("Share a preview of “%s”") % book,
            links=links,
            new_link=next((link for link in links if str(link.pk) == new), None),
            expires_at=share_expires_at(),
        )
        return TemplateResponse(request, "admin/books/book/share.html", context)

    def revoke_share_view(self, request, object_id, link_id):
        """End one share link now (a POST from the summary's page or its share page)."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        book = self._book_or_404(request, object_id)
        link = get_object_or_404(ShareLink, pk=link_id, book=book)
        revoke_share_link(link)
        messages.success(request, _("The share link was revoked: it no longer opens the summary."))
        next_url = request.POST.get("next", "")
        if next_url != self._url("share", quote(book.pk)):
            next_url = self._url("change", quote(book.pk))
        return HttpResponseRedirect(next_url)

    # --- Who else is editing ------------------------------------------------------------------

    def editing_view(self, request, object_id):
        """The page's heartbeat: record that this editor has the summary open, and say who else
        has. A POST with ``leave`` says the editor closed it."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        book = self._book_or_404(request, object_id)
        if "leave" in request.POST:
            presence.leave(book.pk, request.user)
            return JsonResponse({"others": []})
        return JsonResponse({"others": presence.heartbeat(book.pk, request.user)})

    def render_change_form(self, request, context, *args, obj=None, **kwargs):
        adminform = context.get("adminform")
        context["conflict"] = getattr(adminform.form, "conflict", None) if adminform else None
        context["schedule_field"] = adminform.form["schedule_at"] if adminform else None
        if obj is not None and obj.pk:
            annotated = with_completeness(self.model.objects.filter(pk=obj.pk)).first()
            context["checklist"] = checklist(annotated) if annotated else None
            context["word_counts"] = section_word_counts(obj.pk)
            context["share_links"] = list(obj.share_links.live())
            context["editing_others"] = presence.heartbeat(obj.pk, request.user)
            context["editing_url"] = self._url("editing", quote(obj.pk))
            context["heartbeat_seconds"] = presence.heartbeat_seconds()
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)
