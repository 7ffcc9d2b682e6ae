"""Changes to customers and conversations: one function per use case, one module per part.

Channels (email, chat, API) all end in `conversations.receive_customer_message`; agents act
through `replies.reply`, `conversations.change_status`, `assignment.assign` and friends. Each
records an event on the conversation's timeline and keeps SLA figures and care priority
current (`figures`).
"""
