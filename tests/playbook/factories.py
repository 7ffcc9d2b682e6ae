from __future__ import annotations

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from careloop.playbook.models import Article, ArticleVersion, Visibility
from careloop.playbook.services import article_vector
from tests.people.factories import UserFactory


class ArticleFactory(DjangoModelFactory[Article]):
    class Meta:
        model = Article
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"How to handle case {n}")
    slug = factory.Sequence(lambda n: f"how-to-handle-case-{n}")
    body = "Say sorry, fix it, and tell the customer what happens next."
    visibility = Visibility.INTERNAL
    owner = factory.SubFactory(UserFactory)
    review_by = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=90))
    vector = factory.LazyAttribute(lambda article: article_vector(article.title, article.body))

    @factory.post_generation
    def first_version(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            ArticleVersion.objects.create(
                article=self,
                number=1,
                title=self.title,
                body=self.body,
                visibility=self.visibility,
                edited_by=self.owner,
            )
