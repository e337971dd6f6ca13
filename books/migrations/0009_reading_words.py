"""Store each summary's total word count (its reading time) on the book."""

from django.db import migrations, models
from django.db.models import F, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce

# Each counted model and how its rows lead to their book, as of this migration.
COUNTED = [
    ("books", "Section", "book"),
    ("books", "AudienceItem", "book"),
    ("books", "Part", "book"),
    ("books", "Chapter", "part__book"),
    ("reviews", "Review", "book"),
    ("reviews", "Takeaway", "review__book"),
]


def count(apps, schema_editor):
    total = F("word_count")
    for app_label, name, path in COUNTED:
        model = apps.get_model(app_label, name)
        rows = model.objects.filter(**{path: OuterRef("pk")}).order_by().values(path)
        total += Coalesce(Subquery(rows.annotate(total=Sum("word_count")).values("total")), 0)
    apps.get_model("books", "Book").objects.update(reading_words=total)


class Migration(migrations.Migration):
    dependencies = [
        ("books", "0008_slug_help_text"),
        ("reviews", "0002_word_counts"),
    ]

    operations = [
        migrations.AddField(
            model_name="book",
            name="reading_words",
            field=models.PositiveIntegerField(
                default=0,
                editable=False,
                help_text="Words in the whole summary, every row included: its reading time.",
            ),
        ),
        migrations.RunPython(count, migrations.RunPython.noop),
    ]
