import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("books", "0003_word_counts"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [
        migrations.CreateModel(
            name="TagRedirect",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("old_slug", models.SlugField(allow_unicode=True, max_length=100)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("tag", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="redirects", to="taggit.tag")),
            ],
            options={
                "ordering": ["old_slug"],
                "constraints": [models.UniqueConstraint(fields=("old_slug",), name="tagredirect_unique_old_slug")],
            },
        ),
    ]
