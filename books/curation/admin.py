"""Admin for collections: an ordered list of summaries, drafted and published like summaries."""

import nested_admin
from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from books.forms import (
    MARKDOWN_WIDGETS,
    OrderedInlineForm,
    OrderedInlineFormSet,
    OrderedInlineMixin,
)
from books.models import Status

from .models import Collection, CollectionItem


class CollectionItemForm(OrderedInlineForm):
    """One summary of a collection; listing it twice is caught by the formset."""

    handled_constraints = ("collectionitem_unique_book",)


class CollectionItemFormSet(OrderedInlineFormSet):
    """The collection's summaries: each once, in any order."""

    unique_in_parent = (("book", _("This summary is in the collection already.")),)


class CollectionItemInline(OrderedInlineMixin, nested_admin.NestedTabularInline):
    """The collection's summaries, in reading order."""

    model = CollectionItem
    form = CollectionItemForm
    formset = CollectionItemFormSet
    autocomplete_fields = ["book"]
    fields = ["book", "note", "position"]


class CollectionForm(forms.ModelForm):
    """A collection's page: featuring a second one is a message next to the box; "Published"
    without a date means now."""

    def clean_featured(self):
        featured = self.cleaned_data["featured"]
        others = Collection.objects.filter(featured=True).exclude(pk=self.instance.pk)
        if featured and others.exists():
            raise ValidationError(
                _(
                    "Only one collection can be featured on the home page: “%(featured)s” is. "
                    "Untick it there first."
                ),
                params={"featured": others.first()},
            )
        return featured

    def clean(self):
        cleaned_data = super().clean()
        if cleaned_data.get("status") == Status.PUBLISHED and self.instance.published_at is None:
            self.instance.published_at = timezone.now()
        return cleaned_data

    def validate_constraints(self):
        # The featured collection is checked in ``clean_featured``, next to its box.
        exclude = self._get_validation_exclusions() | {"featured"}
        try:
            self.instance.validate_constraints(exclude=exclude)
        except ValidationError as error:
            self._update_errors(error)


@admin.register(Collection)
class CollectionAdmin(nested_admin.NestedModelAdmin):
    """A collection on one page: title, introduction, status and its summaries in order."""

    form = CollectionForm

    list_display = ["title", "status", "featured", "is_public", "size", "updated_at"]
    list_filter = ["status", "featured"]
    search_fields = ["title", "slug", "intro"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["published_at"]
    fields = ["title", "slug", "intro", "status", "published_at", "featured"]
    inlines = [CollectionItemInline]
    formfield_overrides = MARKDOWN_WIDGETS
    actions = ["publish", "unpublish"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(size=Count("items"))

    @admin.display(boolean=True, description=_("Public"))
    def is_public(self, collection):
        return collection.is_public

    @admin.display(description=_("Summaries"), ordering="size")
    def size(self, collection):
        return collection.size

    @admin.action(description=_("Publish the selected collections"))
    def publish(self, request, queryset):
        for collection in queryset:
            collection.status = Status.PUBLISHED
            collection.save()

    @admin.action(description=_("Turn the selected collections back into drafts"))
    def unpublish(self, request, queryset):
        for collection in queryset:
            collection.status = Status.DRAFT
            collection.published_at = None
            collection.save()
