"""The API's endpoints per domain: each module holds its serializers and views.

Views are thin: they parse, ask `core.permissions` for the rows the key's owner may touch,
call the domain's services and answer. Every write runs once per Idempotency-Key.
"""
