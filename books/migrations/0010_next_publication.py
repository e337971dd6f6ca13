"""The page cache's library version remembers when the next scheduled summary becomes public."""

from django.db import migrations, models
from django.utils import timezone


def remember(apps, schema_editor):
    book = apps.get_model("books", "Book")
    upcoming = (
        book.objects.filter(status="published", published_at__gt=timezone.now())
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )
    apps.get_model("books", "LibraryVersion").objects.update(next_publication=upcoming)


class Migration(migrations.Migration):
    dependencies = [("books", "0009_reading_words")]

    operations = [
        migrations.AddField(
            model_name="libraryversion",
            name="next_publication",
            field=models.DateTimeField(
                help_text="When the next scheduled summary becomes public: pages change then.",
                null=True,
            ),
        ),
        migrations.RunPython(remember, migrations.RunPython.noop),
    ]
