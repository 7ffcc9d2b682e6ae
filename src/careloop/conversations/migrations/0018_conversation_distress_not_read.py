from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('conversations', '0017_unread_messages_index'),
    ]

    operations = [
        migrations.AddField(
            model_name='conversation',
            name='distress_not_read',
            field=models.CharField(blank=True, default='', max_length=32),
        ),
    ]
