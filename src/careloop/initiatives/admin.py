from django.contrib import admin

from careloop.initiatives.models import Initiative, MoneySettings

admin.site.register(Initiative)
admin.site.register(MoneySettings)
