from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('api', '0003_api_key_owner_from_creator'),
    ]

    operations = [
        # A default first, so that migrating back can re-add the column before 0003 fills it.
        migrations.AlterField(
            model_name='apikey',
            name='role',
            field=models.CharField(blank=True, default='', max_length=20),
        ),
        migrations.RemoveField(
            model_name='apikey',
            name='role',
        ),
    ]
