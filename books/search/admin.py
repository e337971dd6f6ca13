"""The synonym sets in the admin: editors keep the words search treats as one."""

from django.contrib import admin

from .models import SynonymSet


@admin.register(SynonymSet)
class SynonymSetAdmin(admin.ModelAdmin):
    """One line per set; a change applies to the next search, with no re-indexing."""

    list_display = ["__str__", "updated_at"]
    search_fields = ["terms"]
    fields = ["terms"]
