"""Files attached to messages, served so they can never run script in our origin."""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404

from careloop.conversations.models import Attachment
from careloop.core.http import HtmxHttpRequest
from careloop.core.permissions import Action, may, requires

# Types a browser may show inline; anything else (HTML, SVG, scripts) is only ever downloaded.
INLINE_TYPES = {
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "application/pdf",
    "text/plain",
}


@requires(Action.USE_INBOX)
def attachment(request: HtmxHttpRequest, pk: int) -> FileResponse:
    stored = get_object_or_404(Attachment.objects.select_related("message"), pk=pk)
    # A note's attachment is as private as the note; a missing right reads as "not found".
    if stored.message.is_internal_note and not may(
        request.user, Action.READ_INTERNAL_NOTES, stored.message
    ):
        raise Http404("No such attachment.")
    try:
        handle = stored.file.open("rb")
    except FileNotFoundError as missing:
        raise Http404("The file is no longer stored.") from missing
    inline = stored.content_type in INLINE_TYPES
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=stored.filename,
        content_type=stored.content_type if inline else "application/octet-stream",
    )
    # Even a file shown inline can never run script in our origin.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
