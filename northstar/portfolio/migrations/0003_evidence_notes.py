# The feedback area links evidence to initiatives under the reverse name `evidence`, so the free-text
# field is renamed (data kept) to leave that name to the links.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('portfolio', '0002_prioritisation'),
    ]

    operations = [
        migrations.RenameField(model_name='initiative', old_name='evidence', new_name='evidence_notes'),
        migrations.AlterField(
            model_name='initiative',
            name='evidence_notes',
            field=models.TextField(blank=True, help_text='What tells us the problem is real: feedback, data, interviews (Markdown).', verbose_name='evidence'),
        ),
    ]
