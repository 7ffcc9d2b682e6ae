from __future__ import annotations

import zoneinfo
from datetime import time
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone

from careloop.core.permissions import ROLE_LABELS, STAFF_ROLES, Role

ROLE_CHOICES = [(role.value, ROLE_LABELS[role]) for role in Role]
TIME_ZONE_CHOICES = [(name, name) for name in sorted(zoneinfo.available_timezones())]


class Organisation(models.Model):
    """The one organisation a careloop installation serves."""

    name = models.CharField(max_length=200)
    time_zone = models.CharField(max_length=64, choices=TIME_ZONE_CHOICES, default="UTC")
    # New conversations land with this team (and its assignment rule) unless routed otherwise.
    default_team = models.ForeignKey(
        "Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class BusinessHours(models.Model):
    """Opening hours for one weekday; a weekday without a row is closed."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0
        TUESDAY = 1
        WEDNESDAY = 2
        THURSDAY = 3
        FRIDAY = 4
        SATURDAY = 5
        SUNDAY = 6

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="business_hours"
    )
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens = models.TimeField(default=time(9))
    closes = models.TimeField(default=time(17))

    class Meta:
        ordering = ("weekday",)
        verbose_name_plural = "business hours"
        constraints = (
            models.UniqueConstraint(
                fields=("organisation", "weekday"), name="one_business_hours_row_per_weekday"
            ),
            models.CheckConstraint(
                condition=models.Q(opens__lt=models.F("closes")),
                name="business_hours_open_before_close",
            ),
        )

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class Holiday(models.Model):
    """A closed day: SLA clocks do not run on it."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="holidays"
    )
    date = models.DateField()
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ("date",)
        constraints = (
            models.UniqueConstraint(fields=("organisation", "date"), name="one_holiday_per_date"),
        )

    def __str__(self) -> str:
        return f"{self.name} ({self.date:%Y-%m-%d})"


class Value(models.Model):
    """One of the organisation's values; kudos and stories are tied to these."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="values")
    name = models.CharField(max_length=80)
    description = models.CharField(max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("position", "name")
        constraints = (
            models.UniqueConstraint(fields=("organisation", "name"), name="unique_value_name"),
        )

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.CharField(max_length=300, blank=True)
    # Round robin among the team's agents, never beyond each agent's capacity.
    auto_assign = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        if not email:
            raise ValueError("A user needs an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields["role"] = Role.ADMIN
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in: an employee. Customers are `conversations.Customer` records."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150)
    role = models.CharField(max_length=20, choices=ROLE_CHOICES, default=Role.AGENT)
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="members"
    )
    is_active = models.BooleanField(default=True)
    # Derived from the role on save: the admin role, and only it, holds every right.
    is_staff = models.BooleanField(default=False, editable=False)
    date_joined = models.DateTimeField(default=timezone.now)
    invitation_sent_at = models.DateTimeField(null=True, blank=True)
    # Assignment rules never give an agent more open conversations than this.
    conversation_capacity = models.PositiveSmallIntegerField(default=25)
    last_assigned_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["full_name"]

    class Meta:
        ordering = ("full_name",)

    def __str__(self) -> str:
        return self.full_name or self.email

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.is_staff = self.is_superuser = self.role == Role.ADMIN
        super().save(*args, **kwargs)

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[Role(self.role)]

    @property
    def is_employee(self) -> bool:
        return Role(self.role) in STAFF_ROLES

    @property
    def first_name(self) -> str:
        return self.full_name.split(" ", 1)[0] if self.full_name else self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.first_name
