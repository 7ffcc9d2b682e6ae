from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, JsonResponse

from careloop.core.permissions import public


@public
def health(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability, for load balancers and `careloop check-deploy`."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})
