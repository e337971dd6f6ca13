"""Old tag slugs kept as redirects after a merge or rename; editors may manage them."""

import django.db.models.deletion
from django.contrib.auth.management import create_permissions
from django.db import migrations, models


def give_editors_the_permissions(apps, schema_editor):
    app_config = apps.get_app_config("books")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name="Editors"):
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="books", content_type__model="tagredirect")
        )


class Migration(migrations.Migration):

    dependencies = [
        ("books", "0003_word_counts"),
        ("auth", "0012_alter_user_first_name_max_length"),
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
        migrations.RunPython(give_editors_the_permissions, migrations.RunPython.noop),
    ]
