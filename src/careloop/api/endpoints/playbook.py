"""Playbook articles: the help centre's public ones for anyone, every article for colleagues.

The public endpoints read `playbook.selectors.public_articles`, the same rule the help centre
page uses, so an internal article, or a change still waiting for review, is never served.
"""

from __future__ import annotations

from typing import Any, ClassVar

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from careloop.api.base import ApiView
from careloop.api.endpoints.common import ONE_ROW_ERRORS, cursor_page, found, name_of
from careloop.api.pagination import LIST_ERRORS, CursorPages
from careloop.api.scopes import Scope
from careloop.core.permissions import Action, restrict_shared
from careloop.playbook import selectors
from careloop.playbook.models import Article, Visibility


class HelpArticleSerializer(serializers.ModelSerializer[Article]):
    body = serializers.CharField(help_text="Plain text; blank lines separate paragraphs.")

    class Meta:
        model = Article
        fields = ("slug", "title", "category", "body", "updated_at")
        read_only_fields = fields


class ArticleSerializer(serializers.ModelSerializer[Article]):
    owner = serializers.SerializerMethodField()
    stale = serializers.SerializerMethodField(help_text="Past its review date.")

    class Meta:
        model = Article
        fields: tuple[str, ...] = (
            "id",
            "slug",
            "title",
            "category",
            "visibility",
            "owner",
            "review_by",
            "stale",
            "version_number",
            "updated_at",
        )
        read_only_fields = fields

    def get_owner(self, article: Article) -> str | None:
        return name_of(article.owner)

    def get_stale(self, article: Article) -> bool:
        return article.is_stale()


class ArticleDetailSerializer(ArticleSerializer):
    class Meta(ArticleSerializer.Meta):
        fields = (*ArticleSerializer.Meta.fields, "body")
        read_only_fields = fields


class ArticleFilterSerializer(serializers.Serializer[Any]):
    visibility = serializers.ChoiceField(
        choices=Visibility.choices, required=False, allow_blank=True, help_text="Any."
    )


class PublicApiView(ApiView):
    """An endpoint for anyone, with no key: it serves only what the public pages show."""

    authentication_classes = ()
    permission_classes = (AllowAny,)  # type: ignore[assignment]  # no key, so no scope
    required_scopes: ClassVar[dict[str, Scope]] = {}


class HelpArticlesView(PublicApiView):
    pagination_class = CursorPages

    @extend_schema(
        operation_id="help_articles_list",
        description="The help centre's articles, for anyone: public articles only, as "
        "published (a change waiting for review is not shown). No key needed.",
        tags=["help centre"],
        auth=[],
        responses={200: HelpArticleSerializer(many=True), **LIST_ERRORS},
    )
    def get(self, request: Request) -> Response:
        return cursor_page(selectors.public_articles(), request, self, HelpArticleSerializer)


class HelpArticleView(PublicApiView):
    @extend_schema(
        operation_id="help_articles_retrieve",
        description="One public help-centre article by its slug. No key needed.",
        tags=["help centre"],
        auth=[],
        responses={200: HelpArticleSerializer, **ONE_ROW_ERRORS},
    )
    def get(self, request: Request, slug: str) -> Response:
        article = found(selectors.public_articles().filter(slug=slug).first(), "article")
        return Response(HelpArticleSerializer(article).data)


def _articles_for(owner: Any) -> Any:
    return restrict_shared(
        Article.objects.select_related("owner"), owner, Action.USE_PLAYBOOK
    ).defer("vector")


class ArticlesView(ApiView):
    """Every playbook article, internal and public, for colleagues."""

    required_action = Action.USE_PLAYBOOK
    required_scopes = {"GET": Scope.PLAYBOOK_READ}
    pagination_class = CursorPages

    @extend_schema(
        operation_id="playbook_articles_list",
        description="Every article of the playbook, newest first, optionally by visibility.",
        tags=["playbook"],
        parameters=[ArticleFilterSerializer],
        responses={200: ArticleSerializer(many=True), **LIST_ERRORS},
    )
    def get(self, request: Request) -> Response:
        filters = ArticleFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        articles = _articles_for(self.owner())
        if filters.validated_data.get("visibility"):
            articles = articles.filter(visibility=filters.validated_data["visibility"])
        return cursor_page(articles, request, self, ArticleSerializer)


class ArticleView(ApiView):
    """One playbook article with its current text."""

    required_action = Action.USE_PLAYBOOK
    required_scopes = {"GET": Scope.PLAYBOOK_READ}

    @extend_schema(
        operation_id="playbook_articles_retrieve",
        tags=["playbook"],
        responses={200: ArticleDetailSerializer, **ONE_ROW_ERRORS},
    )
    def get(self, request: Request, article_id: int) -> Response:
        article = found(_articles_for(self.owner()).filter(pk=article_id).first(), "article")
        return Response(ArticleDetailSerializer(article).data)
