"""Admin for tags: spot tags that differ only by case, merge them, keep old URLs working."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db.models import Count
from django.db.models.functions import Upper
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from taggit.admin import TagAdmin as TaggitTagAdmin
from taggit.models import Tag

from .forms import CaseFoldedSearchMixin
from .models import TagRedirect, TagTranslation
from .tags import case_duplicate_names, merge_tags, record_slug_change, same_name_exists


class CaseDuplicateFilter(admin.SimpleListFilter):
    """Shows the tags whose name another tag repeats with different capitals."""

    title = _("duplicates")
    parameter_name = "duplicates"

    def lookups(self, request, model_admin):
        return [("case", _("Same name, different case"))]

    def queryset(self, request, queryset):
        if self.value() == "case":
            return queryset.annotate(folded=Upper("name")).filter(folded__in=case_duplicate_names())
        return queryset


class TagForm(forms.ModelForm):
    """A tag's name and slug; a name that another tag already has in other capitals is refused."""

    def clean_name(self):
        name = self.cleaned_data["name"]
        same = same_name_exists(name, exclude_pk=self.instance.pk)
        if same is not None:
            raise forms.ValidationError(
                _(
                    "The tag “%(name)s” already exists (only the capitals differ): use it, or "
                    "merge the two from the list of tags."
                ),
                params={"name": same.name},
            )
        return name


class MergeTagsForm(forms.Form):
    """Which of the selected tags survives the merge."""

    survivor = forms.ModelChoiceField(
        queryset=Tag.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        label=_("Keep this tag"),
        help_text=_("The others are merged into it and deleted; their URLs redirect to it."),
    )

    def __init__(self, *args, tags, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["survivor"].queryset = tags


class TagRedirectInline(admin.TabularInline):
    """Old slugs that lead to this tag."""

    model = TagRedirect
    extra = 0
    fields = ["old_slug", "created_at"]
    readonly_fields = ["created_at"]


class TagTranslationInline(admin.TabularInline):
    """The tag's name and slug in the site's other languages (its own are the default's)."""

    model = TagTranslation
    extra = 0
    fields = ["language", "name", "slug"]


# django-taggit registers a plain admin for its Tag; this one replaces it.
if admin.site.is_registered(Tag):
    admin.site.unregister(Tag)


@admin.register(Tag)
class TagAdmin(CaseFoldedSearchMixin, TaggitTagAdmin):
    """Tags with their use counts; merging duplicates keeps the old URLs as redirects."""

    form = TagForm
    list_display = ["name", "slug", "use_count"]
    list_filter = [CaseDuplicateFilter]
    inlines = [TagTranslationInline, TagRedirectInline]
    actions = ["merge_selected"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(use_count=Count("taggit_taggeditem_items"))

    @admin.display(description=_("Uses"), ordering="use_count")
    def use_count(self, tag):
        return tag.use_count

    def save_model(self, request, obj, form, change):
        old_slug = form.initial.get("slug") if change else None
        super().save_model(request, obj, form, change)
        if change and "slug" in form.changed_data:
            record_slug_change(obj, old_slug)

    @admin.action(
        description=_("Merge selected tags into one (old URLs redirect)"),
        permissions=["change", "delete"],
    )
    def merge_selected(self, request, queryset):
        tags = queryset.order_by("-use_count", "pk")
        if tags.count() < 2:
            self.message_user(request, _("Select at least two tags to merge."), messages.WARNING)
            return None
        form = MergeTagsForm(
            request.POST if "apply" in request.POST else None,
            tags=tags,
            initial={"survivor": tags.first()},
        )
        if form.is_valid():
            survivor = form.cleaned_data["survivor"]
            others = [tag for tag in tags if tag.pk != survivor.pk]
            merge_tags(survivor, others)
            names = ", ".join(f"“{tag.name}”" for tag in others)
            self.message_user(
                request,
                _("Merged %(names)s into “%(survivor)s”; their old URLs now redirect.")
                % {"names": names, "survivor": survivor.name},
            )
            return None
        return TemplateResponse(
            request,
            "admin/taggit/tag/merge_tags.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Merge tags"),
                "opts": self.model._meta,
                "form": form,
                "tags": tags,
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
            },
        )
