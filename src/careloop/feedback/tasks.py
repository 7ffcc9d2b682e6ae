"""Background work for the voice of the customer; every task is safe to run twice."""

from __future__ import annotations

from django.tasks import task
from django.template.loader import render_to_string

from careloop.conversations.models import Conversation, Customer
from careloop.core.email_headers import send_mail
from careloop.core.links import absolute_url_for
from careloop.feedback.models import Concern, EmailRule, RecoveryTask
from careloop.feedback.services import milestones, notices, surveys, theming


@task()
def schedule_survey_after_solved(conversation_id: int) -> bool:
    """Schedule the post-resolution survey and send the first-solved welcome, each once."""
    conversation = (
        Conversation.objects.select_related("customer").filter(pk=conversation_id).first()
    )
    if conversation is None:
        return False
    invitation = surveys.schedule_post_resolution_survey(conversation)
    milestones.on_conversation_solved(conversation)
    return invitation is not None


def schedule_survey_when_solved(conversation: Conversation) -> None:
    """Subscriber of conversation_solved: the survey and the welcome note, in their own task."""
    schedule_survey_after_solved.enqueue(conversation.pk)


@task()
def send_due_surveys() -> dict[str, int]:
    """Periodic: surveys whose delay has passed, and the one reminder each."""
    sent, reminded = surveys.send_due_surveys()
    return {"sent": sent, "reminded": reminded}


@task()
def schedule_relationship_surveys() -> int:
    """Daily: customers due their periodic NPS survey (sent by send_due_surveys)."""
    return surveys.schedule_relationship_surveys()


@task()
def send_anniversary_emails() -> int:
    """Daily: anniversary emails, at most one per customer and year."""
    return milestones.send_anniversaries()


@task()
def send_recovered_thank_you(customer_id: int) -> bool:
    customer = Customer.objects.filter(pk=customer_id).first()
    return customer is not None and milestones.send_rule_email(
        EmailRule.Trigger.RECOVERED, customer
    )


@task()
def refresh_themes() -> dict[str, int]:
    """Daily: place new comments, concerns and tagged conversations into themes."""
    result = theming.refresh_themes()
    return {"joined": result.joined, "new_themes": result.new_themes, "unthemed": result.unthemed}


@task()
def notify_recovery_owner(task_id: int) -> bool:
    """Tell the owner a detractor is waiting (the email names the task, not the comment)."""
    recovery = RecoveryTask.objects.select_related("owner", "customer").filter(pk=task_id).first()
    if recovery is None or not recovery.owner.is_active:
        return False
    notices.email_about_recovery(
        recovery,
        subject=f"Recovery needed: {recovery.customer} ({recovery.reason})",
        template="feedback/recovery_email.txt",
        recipient_list=[recovery.owner.email],
    )
    return True


@task()
def notify_concern_handlers(concern_id: int) -> int:
    """Tell the concern handlers a concern arrived; the email carries no part of it."""
    concern = Concern.objects.filter(pk=concern_id).first()
    if concern is None:
        return 0
    handlers = notices.concern_handler_emails()
    if not handlers:
        return 0
    notices.email_about_concern(
        concern,
        subject=f"New confidential concern {concern.reference}",
        template="feedback/concern_notice_email.txt",
        recipient_list=handlers,
    )
    return len(handlers)


@task()
def tell_customer_about_reply(concern_id: int) -> bool:
    """Tell a named customer (who left an address) that their concern has an answer; the
    answer itself stays behind their reference and code."""
    concern = Concern.objects.filter(pk=concern_id).exclude(email="").first()
    if concern is None:
        return False
    send_mail(
        subject=f"An answer to your concern {concern.reference}",
        message=render_to_string(
            "feedback/concern_reply_email.txt",
            {"concern": concern, "url": absolute_url_for("feedback:concern-follow-up")},
        ),
        from_email=None,
        recipient_list=[concern.email],
    )
    return True


@task()
def escalate_overdue() -> dict[str, int]:
    """Hourly: recovery tasks past their contact target, concerns past their response SLA."""
    from careloop.feedback.services import escalation

    return {
        "recovery": escalation.escalate_overdue_recovery(),
        "concerns": escalation.escalate_overdue_concerns(),
    }
