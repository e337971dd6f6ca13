"""Store the review's and takeaways' word counts (for reading time) and count existing rows."""

from django.db import migrations, models

from books.reading import count_words

COUNTED = {"review": ("title", "body_html"), "takeaway": ("title", "text")}


def count_existing(apps, schema_editor):
    for model_name, fields in COUNTED.items():
        model = apps.get_model("reviews", model_name)
        rows = list(model.objects.only("pk", *fields))
        for row in rows:
            row.word_count = count_words(*(getattr(row, name) for name in fields))
        model.objects.bulk_update(rows, ["word_count"], batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ("reviews", "0001_initial"),
    ]

    operations = [
        *(
            migrations.AddField(
                model_name=model_name,
                name="word_count",
                field=models.PositiveIntegerField(default=0, editable=False),
            )
            for model_name in COUNTED
        ),
        migrations.RunPython(count_existing, migrations.RunPython.noop),
    ]
