from django.contrib import admin

from careloop.playbook.models import Article, ArticleVersion


class ArticleVersionInline(admin.TabularInline[ArticleVersion, Article]):
    model = ArticleVersion
    extra = 0
    fields = ("number", "title", "edited_by", "change_note", "created_at")
    readonly_fields = fields
    can_delete = False


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin[Article]):
    list_display = ("title", "visibility", "owner", "review_by", "version_number")
    list_filter = ("visibility",)
    search_fields = ("title", "body")
    raw_id_fields = ("owner", "source_conversation")
    inlines = [ArticleVersionInline]
