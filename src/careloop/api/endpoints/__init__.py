"""The API's endpoints per domain: each module holds its serializers and views.

Views are thin: they parse, ask `core.permissions` for the rows the key's owner may touch
(`restrict`/`may`, or `restrict_shared` where every holder of the action sees the same rows),
call the domain's services and answer. Each declares its scope per method and its owner's
action. Every write runs once per Idempotency-Key.
"""
