"""Admin for collections: an ordered list of summaries, drafted and published like summaries."""

import nested_admin
from django.contrib import admin
from django.db.models import Count

from books.forms import MARKDOWN_WIDGETS, OrderedInlineMixin
from books.models import Status

from .models import Collection, CollectionItem


class CollectionItemInline(OrderedInlineMixin, nested_admin.NestedTabularInline):
    """The collection's summaries, in reading order."""

    model = CollectionItem
    autocomplete_fields = ["book"]
    fields = ["book", "note", "position"]


@admin.register(Collection)
class CollectionAdmin(nested_admin.NestedModelAdmin):
    """A collection on one page: title, introduction, status and its summaries in order."""

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

    @admin.display(boolean=True, description="Public")
    def is_public(self, collection):
        return collection.is_public

    @admin.display(description="Summaries", ordering="size")
    def size(self, collection):
        return collection.size

    @admin.action(description="Publish the selected collections")
    def publish(self, request, queryset):
        for collection in queryset:
            collection.status = Status.PUBLISHED
            collection.save()

    @admin.action(description="Turn the selected collections back into drafts")
    def unpublish(self, request, queryset):
        for collection in queryset:
            collection.status = Status.DRAFT
            collection.published_at = None
            collection.save()
